import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { Metrics } from '../../common/metrics/metrics.js';
import { Clock } from '../../common/time/clock.js';
import { Database } from '../../db/database.js';
import { CHANGES_WAKE_CHANNEL } from './change-feed.service.js';
import { ChangeSubscriberProvider, wants, type ChangeSubscriber } from './change-subscriber.js';
import { ChangesRepository } from './changes.repository.js';
import type { Change } from './changes.rows.js';

const BATCH = 500;
const PRUNE_EVERY_MS = 10 * 60_000;
const MAX_BACKOFF_MS = 60_000;
/** Dispatches in a row that one change may fail for one subscriber before that subscriber skips it. */
export const MAX_CHANGE_ATTEMPTS = 5;

/**
 * Hands every committed change to every subscriber that wants it, once. Runs where job workers run
 * (WORKERS=on, or `npm run worker`); one process at a time dispatches (a transaction-level advisory lock),
 * oldest change first, in batches. A batch is one transaction: the subscribers' queued work and the
 * "dispatched" mark commit together, so a crash or a failing subscriber means the batch is dispatched
 * again, never lost or half-done. Woken by the commit of a change (NOTIFY on PostgreSQL), and polls as
 * a fallback.
 *
 * One change a subscriber cannot take (a bug, data it cannot handle) must not hold the feed for everyone:
 * when a subscriber fails, its changes are tried one at a time, each in a savepoint, to find the first
 * that fails. That change fails the batch (tried again after a backoff, in order, as for any failure)
 * until it has failed MAX_CHANGE_ATTEMPTS dispatches in a row; then that subscriber skips it, logged at
 * error level with its seq and kind, and the feed moves on. The other subscribers still get it.
 */
@Injectable()
export class ChangeDispatcher implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('ChangeFeed');
  private subscribers: ChangeSubscriber[] = [];
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeLoop: (() => void) | null = null;
  private woken = false;
  private unlisten: (() => void) | null = null;
  /** One dispatch at a time in this process (the loop and drain() calls). */
  private chain: Promise<unknown> = Promise.resolve();
  private failures = 0;
  private lastPrune = 0;
  /** Failed dispatches in a row per `subscriber:seq` (in memory: a restart gives a change its attempts back). */
  private readonly changeFailures = new Map<string, number>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Database) private readonly db: Database,
    @Inject(ChangesRepository) private readonly changes: ChangesRepository,
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(Metrics) private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    const found = this.discovery
      .getProviders({ metadataKey: ChangeSubscriberProvider.KEY })
      .map((wrapper) => wrapper.instance as ChangeSubscriber)
      .filter(Boolean);
    const names = new Set<string>();
    for (const subscriber of found) {
      if (names.has(subscriber.name)) throw new Error(`Change subscriber "${subscriber.name}" is registered twice`);
      names.add(subscriber.name);
    }
    this.subscribers = found;
  }

  onApplicationBootstrap(): void {
    if (this.config.workers) this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Adds a subscriber by hand (tests); providers marked @ChangeSubscriberProvider() are found at boot. */
  register(subscriber: ChangeSubscriber): void {
    if (this.subscribers.some((existing) => existing.name === subscriber.name)) {
      throw new Error(`Change subscriber "${subscriber.name}" is registered twice`);
    }
    this.subscribers = [...this.subscribers, subscriber];
  }

  get subscriberNames(): string[] {
    return this.subscribers.map((subscriber) => subscriber.name);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.lastPrune = Date.now();
    this.loop = this.runLoop();
    void this.db.onWake(CHANGES_WAKE_CHANNEL, () => this.nudge()).then(
      (unlisten) => (this.running ? (this.unlisten = unlisten) : unlisten()),
      (error: unknown) => this.logger.warn({ err: error }, 'Could not listen for change wake-ups; polling only'),
    );
    this.logger.log({ subscribers: this.subscriberNames }, 'Change dispatcher started');
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unlisten?.();
    this.unlisten = null;
    this.wakeLoop?.();
    await this.loop;
    await this.chain.catch(() => undefined);
  }

  nudge(): void {
    if (this.wakeLoop) this.wakeLoop();
    else this.woken = true;
  }

  /** Dispatches until nothing is waiting (tests, and a worker's shutdown). Returns how many went out. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const count = await this.dispatchBatch();
      total += count;
      if (count < BATCH) return total;
    }
  }

  /** One batch, serialized with the loop. */
  dispatchBatch(): Promise<number> {
    const run = this.chain.then(() => this.dispatchOnce());
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async dispatchOnce(): Promise<number> {
    const count = await this.dispatchInTransaction();
    // Committed: whatever failed before in these changes is behind us.
    if (count > 0) this.changeFailures.clear();
    return count;
  }

  private dispatchInTransaction(): Promise<number> {
    return this.db.tx(async () => {
      if (!(await this.changes.tryDispatchLock())) return 0;
      const batch = await this.changes.claimUndispatched(BATCH);
      if (batch.length === 0) return 0;
      for (const subscriber of this.subscribers) {
        const wanted = batch.filter((change) => wants(subscriber, change));
        if (wanted.length > 0) await this.deliver(subscriber, wanted);
      }
      await this.changes.markDispatched(batch.map((change) => change.seq));
      return batch.length;
    });
  }

  /** One subscriber's share of a batch (see the class comment for what happens when it fails). */
  private async deliver(subscriber: ChangeSubscriber, wanted: Change[]): Promise<void> {
    try {
      await this.db.tx(() => subscriber.onChanges(wanted));
      return;
    } catch (error) {
      if (wanted.length === 1) return this.failed(subscriber, wanted[0], error);
    }
    for (const change of wanted) {
      try {
        await this.db.tx(() => subscriber.onChanges([change]));
      } catch (error) {
        await this.failed(subscriber, change, error);
      }
    }
  }

  /** Throws (the batch goes again) until the change has failed too often for this subscriber; then skips it. */
  private failed(subscriber: ChangeSubscriber, change: Change, error: unknown): void {
    const key = `${subscriber.name}:${change.seq}`;
    const attempts = (this.changeFailures.get(key) ?? 0) + 1;
    const where = { err: error, subscriber: subscriber.name, seq: change.seq, kind: change.kind, attempts };
    const skipped = attempts >= MAX_CHANGE_ATTEMPTS;
    this.metrics.changeFailures.inc({ subscriber: subscriber.name, skipped: String(skipped) });
    if (!skipped) {
      if (this.changeFailures.size > 10_000) this.changeFailures.clear();
      this.changeFailures.set(key, attempts);
      // The whole batch goes again; name who failed and where, since the feed waits for it.
      this.logger.error(where, 'A change subscriber failed');
      throw error;
    }
    this.changeFailures.delete(key);
    this.logger.error(where, `A change subscriber failed ${attempts} times on one change; it skips that change`);
  }

  private async runLoop(): Promise<void> {
    const pollMs = this.config.jobs.pollIntervalMs;
    while (this.running) {
      let count = 0;
      try {
        count = await this.dispatchBatch();
        this.failures = 0;
        await this.pruneNowAndThen();
      } catch {
        this.failures += 1;
      }
      if (!this.running) break;
      if (count === BATCH) continue;
      const backoff = this.failures ? Math.min(MAX_BACKOFF_MS, pollMs * 2 ** this.failures) : pollMs;
      await this.sleep(backoff);
    }
  }

  private async pruneNowAndThen(): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    const cutoff = new Date(this.clock.now().getTime() - this.config.jobs.retentionDays * 86_400_000);
    const pruned = await this.changes.pruneDispatched(cutoff);
    if (pruned) this.logger.log({ pruned }, 'Pruned dispatched changes');
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
