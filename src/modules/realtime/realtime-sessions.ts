import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { Database } from '../../db/database.js';
import { AccessTokenVerifier, SESSIONS_WAKE_CHANNEL } from '../auth/access-token.verifier.js';
import { RealtimeClients } from './realtime-clients.js';

/**
 * A socket outlives the handshake that checked its token, so its session is checked again: at once when
 * a password reset or change, or an account deletion, commits anywhere (SESSIONS_WAKE_CHANNEL), and every
 * REALTIME_SESSION_CHECK_SECONDS as the fallback. A socket whose user is gone or whose session version
 * moved on is told `session.ended` and disconnected. Expiry of the token itself is a timer per socket.
 */
@Injectable()
export class RealtimeSessions implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Realtime');
  private timer: NodeJS.Timeout | null = null;
  private unlisten: (() => void) | null = null;
  private checking: Promise<void> | null = null;
  private again = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Database) private readonly db: Database,
    @Inject(AccessTokenVerifier) private readonly verifier: AccessTokenVerifier,
    @Inject(RealtimeClients) private readonly clients: RealtimeClients,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.unlisten = await this.db.onWake(SESSIONS_WAKE_CHANNEL, () => void this.check());
    this.timer = setInterval(() => void this.check(), this.config.realtime.sessionCheckSeconds * 1000);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unlisten?.();
    this.unlisten = null;
    await this.checking;
  }

  /** One check of every socket of this process; a call during a check makes it run once more after. */
  check(): Promise<void> {
    if (this.checking) {
      this.again = true;
      return this.checking;
    }
    this.checking = (async () => {
      do {
        this.again = false;
        await this.checkOnce();
      } while (this.again);
    })().finally(() => (this.checking = null));
    return this.checking;
  }

  private async checkOnce(): Promise<void> {
    const userIds = this.clients.userIds();
    if (userIds.length === 0) return;
    let versions: Map<string, number>;
    try {
      versions = await this.verifier.currentSessionVersions(userIds);
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not check the sessions of realtime clients; will retry');
      return;
    }
    for (const userId of userIds) {
      const version = versions.get(userId);
      for (const client of this.clients.ofUser(userId)) {
        if (version !== client.sessionVersion) this.clients.end(client, 'session_revoked');
      }
    }
  }
}
