import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { Database } from '../../db/database.js';
import type { AuthUser } from '../../common/auth/current-user.decorator.js';
import { DomainError, NotFoundError } from '../../common/errors/domain-error.js';
import { Clock } from '../../common/time/clock.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import type { ApiKey, ApiKeySecretRow } from './api-keys.rows.js';
import { SessionCache } from './session-cache.js';
import type { CreateApiKeyDto } from './dto/api-key.dto.js';

/** Rung when a key is deleted or rotated: every replica forgets what it cached about keys. */
export const API_KEYS_WAKE_CHANNEL = 'calento_api_keys';

const KEY_LEAD = 'cal_live_';
const PREFIX_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const PREFIX_LENGTH = KEY_LEAD.length + 8;
/** `cal_live_` + 8 visible characters + `_` + 43 characters of base64url (256 random bits). */
const KEY_PATTERN = /^cal_live_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/;
/** Most keys one user may hold. */
export const MAX_KEYS_PER_USER = 50;
/** last_used_at is recorded at this granularity: one write per key per minute at most, not per request. */
const LAST_USED_GRANULARITY_SECONDS = 60;
/** Cached key rows are re-read after this (the backstop for a lost wake). */
const MAX_AGE_MS = 30_000;

interface CachedKey {
  row: ApiKeySecretRow;
  readAt: number;
  /** When this process last recorded use of the key. */
  touchedAt: number;
}

/**
 * Personal API keys: issued once in full, stored as HMAC-SHA256 digests (docs/api-keys.md says why a
 * fast keyed hash fits), looked up by their visible prefix. Authentication reads a small in-memory cache
 * emptied on every replica when a key is deleted or rotated, so a key costs no query per request.
 */
@Injectable()
export class ApiKeysService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('ApiKeys');
  private readonly cache = new Map<string, CachedKey>();
  private generation = 0;
  private unsubscribe: (() => void) | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Database) private readonly db: Database,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(ApiKeysRepository) private readonly keys: ApiKeysRepository,
    @Inject(SessionCache) private readonly sessions: SessionCache,
  ) {}

  async onModuleInit(): Promise<void> {
    this.unsubscribe = await this.db.onWake(API_KEYS_WAKE_CHANNEL, () => {
      this.generation += 1;
      this.cache.clear();
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  async create(userId: string, dto: CreateApiKeyDto): Promise<{ apiKey: ApiKey; key: string }> {
    const expiresAt = dto.expiresAt ? new Date(dto.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= this.clock.now().getTime()) {
      throw new DomainError('VALIDATION_FAILED', {}, [{ field: 'expiresAt', message: 'must be in the future' }]);
    }
    return this.db.tx(async () => {
      await this.keys.lockForUser(userId);
      if ((await this.keys.countForUser(userId)) >= MAX_KEYS_PER_USER) {
        throw new DomainError('API_KEY_LIMIT_REACHED', { max: MAX_KEYS_PER_USER });
      }
      const { prefix, key } = newKey();
      const apiKey = await this.keys.insert({
        userId,
        name: dto.name,
        prefix,
        secretHash: this.digest(key),
        scopes: [...new Set(dto.scopes)].sort(),
        expiresAt,
      });
      return { apiKey, key };
    });
  }

  list(userId: string): Promise<ApiKey[]> {
    return this.keys.list(userId);
  }

  async get(userId: string, id: string): Promise<ApiKey> {
    const found = await this.keys.get(userId, id);
    if (!found) throw new NotFoundError('API key');
    return found;
  }

  /** A new secret (and prefix) for the key; the old value stops working on every replica at once. */
  async rotate(userId: string, id: string): Promise<{ apiKey: ApiKey; key: string }> {
    const { prefix, key } = newKey();
    const apiKey = await this.db.tx(async () => {
      const updated = await this.keys.replaceSecret(userId, id, prefix, this.digest(key));
      if (updated) await this.db.wake(API_KEYS_WAKE_CHANNEL);
      return updated;
    });
    if (!apiKey) throw new NotFoundError('API key');
    return { apiKey, key };
  }

  async remove(userId: string, id: string): Promise<void> {
    const deleted = await this.db.tx(async () => {
      const gone = await this.keys.delete(userId, id);
      if (gone) await this.db.wake(API_KEYS_WAKE_CHANNEL);
      return gone;
    });
    if (!deleted) throw new NotFoundError('API key');
  }

  /** The caller a presented key stands for, or null (unknown, wrong secret, expired, owner gone). */
  async authenticate(presented: string): Promise<AuthUser | null> {
    if (!KEY_PATTERN.test(presented)) return null;
    const now = this.clock.now().getTime();
    const cached = await this.lookup(presented.slice(0, PREFIX_LENGTH), now);
    if (!cached) return null;
    const { row } = cached;
    if (!timingSafeEqual(this.digest(presented), row.secret_hash)) return null;
    if (row.expires_at && row.expires_at.getTime() <= now) return null;
    const session = await this.sessions.get(row.user_id, 0);
    if (!session) return null;
    if (now - cached.touchedAt >= LAST_USED_GRANULARITY_SECONDS * 1000) {
      cached.touchedAt = now;
      // Off the request path: a failed bookkeeping write must not fail the request it records.
      this.keys.touch(row.id, new Date(now), LAST_USED_GRANULARITY_SECONDS).catch((error: unknown) => {
        this.logger.warn({ err: error, keyId: row.id }, 'Could not record API key use');
      });
    }
    return { ...session.user, apiKey: { id: row.id, scopes: row.scopes } };
  }

  private async lookup(prefix: string, now: number): Promise<CachedKey | null> {
    const hit = this.cache.get(prefix);
    if (hit && now - hit.readAt < MAX_AGE_MS) return hit;
    const generation = this.generation;
    const row = await this.keys.findByPrefix(prefix);
    if (!row) return null;
    const entry: CachedKey = { row, readAt: now, touchedAt: hit?.touchedAt ?? row.last_used_at?.getTime() ?? 0 };
    if (generation === this.generation) {
      if (this.cache.size >= 10_000) this.cache.clear();
      this.cache.set(prefix, entry);
    }
    return entry;
  }

  private digest(key: string): Buffer {
    return createHmac('sha256', this.config.apiKeySecret).update(key, 'utf8').digest();
  }
}

function newKey(): { prefix: string; key: string } {
  let visible = '';
  for (let i = 0; i < PREFIX_LENGTH - KEY_LEAD.length; i += 1) visible += PREFIX_CHARS[randomInt(PREFIX_CHARS.length)];
  const prefix = KEY_LEAD + visible;
  return { prefix, key: `${prefix}_${randomBytes(32).toString('base64url')}` };
}
