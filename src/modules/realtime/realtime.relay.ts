import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { Clock } from '../../common/time/clock.js';
import { Database } from '../../db/database.js';
import { ChangeFeed } from '../changes/change-feed.service.js';
import { RealtimeClients, type Delivery } from './realtime-clients.js';
import { RealtimeOutboxRepository } from './realtime-outbox.repository.js';
import { toRealtimeChange } from './realtime.contract.js';
import { REALTIME_WAKE_CHANNEL } from './realtime.subscriber.js';

const BATCH = 1000;
const PRUNE_EVERY_MS = 10 * 60_000;
const MAX_BACKOFF_MS = 30_000;

/**
 * Follows the realtime outbox in this API process and hands each entry to this process's sockets of its
 * user — every API process does the same for its own sockets, so a change reaches every socket once,
 * whichever process made it and whichever dispatched it, with or without Redis. Woken by the commit of
 * a dispatch (NOTIFY on PostgreSQL), with a poll as the fallback for a lost wake-up.
 */
@Injectable()
export class RealtimeRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Realtime');
  private cursor = 0;
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeLoop: (() => void) | null = null;
  private woken = false;
  private unlisten: (() => void) | null = null;
  private failures = 0;
  private lastPrune = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Database) private readonly db: Database,
    @Inject(RealtimeOutboxRepository) private readonly outbox: RealtimeOutboxRepository,
    @Inject(ChangeFeed) private readonly feed: ChangeFeed,
    @Inject(RealtimeClients) private readonly clients: RealtimeClients,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Sockets connect after boot: what was committed before, a client gets by resuming.
    this.cursor = await this.outbox.latestPos();
    this.running = true;
    this.lastPrune = 0;
    this.unlisten = await this.db.onWake(REALTIME_WAKE_CHANNEL, () => this.nudge());
    this.loop = this.runLoop();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.unlisten?.();
    this.unlisten = null;
    this.wakeLoop?.();
    await this.loop;
  }

  nudge(): void {
    if (this.wakeLoop) this.wakeLoop();
    else this.woken = true;
  }

  /** Reads the outbox after the cursor once and delivers; returns how many entries it went past. */
  private async pass(): Promise<number> {
    const entries = await this.outbox.after(this.cursor, BATCH);
    if (entries.length === 0) return 0;
    const local = entries.filter((entry) => this.clients.has(entry.userId));
    if (local.length > 0) {
      const changes = new Map((await this.feed.bySeqs(local.map((entry) => entry.seq))).map((change) => [change.seq, change]));
      const byUser = new Map<string, Delivery[]>();
      for (const entry of local) {
        const change = changes.get(entry.seq);
        // Pruned from the feed (it keeps changes for days; the outbox is newer), or not this user's.
        if (!change || change.userId !== entry.userId) continue;
        let deliveries = byUser.get(entry.userId);
        if (!deliveries) byUser.set(entry.userId, (deliveries = []));
        deliveries.push({ pos: entry.pos, message: toRealtimeChange(change) });
      }
      for (const [userId, deliveries] of byUser) this.clients.deliver(userId, deliveries);
    }
    this.cursor = entries[entries.length - 1].pos;
    return entries.length;
  }

  private async runLoop(): Promise<void> {
    const pollMs = this.config.jobs.pollIntervalMs;
    while (this.running) {
      let count = 0;
      try {
        count = await this.pass();
        if (this.failures > 0) this.logger.log('Realtime relay reads the outbox again');
        this.failures = 0;
        await this.pruneNowAndThen();
      } catch (error) {
        if (this.failures === 0) this.logger.warn({ err: error }, 'Realtime relay cannot read the outbox; retrying');
        this.failures += 1;
      }
      if (!this.running) break;
      if (count === BATCH) continue;
      await this.sleep(this.failures ? Math.min(MAX_BACKOFF_MS, pollMs * 2 ** this.failures) : pollMs);
    }
  }

  /** Entries older than the resume window go; any API process may do it, deleting twice is harmless. */
  private async pruneNowAndThen(): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    const cutoff = new Date(this.clock.now().getTime() - this.config.realtime.resumeHours * 3_600_000);
    const pruned = await this.outbox.pruneBefore(cutoff);
    if (pruned) this.logger.log({ pruned }, 'Pruned the realtime outbox');
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.wakeLoop = null;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.wakeLoop = finish;
    });
  }
}
