import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { Database } from '../../db/database.js';
import { Clock } from '../../common/time/clock.js';
import type { AuthUser } from '../../common/auth/current-user.decorator.js';
import { UserAccounts } from '../users/user-accounts.js';

/**
 * Rung (db.wake) when what a token stands for changes before the token expires: a password reset or
 * change bumps the session version, a deleted account has none, a new zone changes the caller's
 * default. On PostgreSQL the wake is a NOTIFY, so every replica hears it. Holders of long-lived
 * connections (the realtime sockets) re-check the sessions they serve when it rings.
 */
export const SESSIONS_WAKE_CHANNEL = 'calento_sessions';

/** Entries older than this are re-read: the backstop for a wake lost while the listener reconnected. */
const MAX_AGE_MS = 30_000;
/** A bound on memory; past it the cache starts over (a cold entry costs one indexed read). */
const MAX_ENTRIES = 50_000;

export interface CachedSession {
  user: AuthUser;
  sessionVersion: number;
}

interface Entry extends CachedSession {
  readAt: number;
}

/**
 * Who an access token's subject is and which session version is current, kept in memory so that a
 * request does not cost a users query. Correctness rests on invalidation, not on the age bound: every
 * write that revokes sessions rings SESSIONS_WAKE_CHANNEL in its transaction, and the wake (in this
 * process at commit, in the others through NOTIFY) empties the cache. A read that began before a wake
 * is not stored (the generation check), so a stale row read concurrently with a password change
 * cannot be cached after it.
 */
@Injectable()
export class SessionCache implements OnModuleInit, OnModuleDestroy {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<CachedSession | null>>();
  private generation = 0;
  private unsubscribe: (() => void) | null = null;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(UserAccounts) private readonly users: UserAccounts,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    this.unsubscribe = await this.db.onWake(SESSIONS_WAKE_CHANNEL, () => this.clear());
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** Drops everything; the next request of each user reads its row again. */
  clear(): void {
    this.generation += 1;
    this.entries.clear();
    this.inFlight.clear();
  }

  /**
   * The session of `userId`, or null when the user is gone. `minVersion` is the version a token
   * carries: a cached entry older than it (the token was issued after a change this process has not
   * heard of yet) is read again.
   */
  async get(userId: string, minVersion: number): Promise<CachedSession | null> {
    const now = this.clock.now().getTime();
    const entry = this.entries.get(userId);
    if (entry && now - entry.readAt < MAX_AGE_MS && entry.sessionVersion >= minVersion) return entry;
    let pending = this.inFlight.get(userId);
    if (!pending) {
      pending = this.read(userId, now);
      this.inFlight.set(userId, pending);
      const forget = () => {
        if (this.inFlight.get(userId) === pending) this.inFlight.delete(userId);
      };
      pending.then(forget, forget);
    }
    const session = await pending;
    // A read already under way when this token was issued can predate its version: read once more.
    if (session && session.sessionVersion < minVersion) return this.read(userId, now);
    return session;
  }

  private async read(userId: string, now: number): Promise<CachedSession | null> {
    const generation = this.generation;
    const user = await this.users.findById(userId);
    if (!user) return null;
    const admins = this.config.adminEmails;
    const role = user.role === 'admin' || admins.includes(user.email.toLowerCase()) ? 'admin' : 'user';
    const session: CachedSession = {
      user: { id: user.id, email: user.email, timezone: user.timezone, role },
      sessionVersion: user.sessionVersion,
    };
    if (generation === this.generation) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(userId, { ...session, readAt: now });
    }
    return session;
  }
}
