import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { Database } from '../../db/database.js';
import { Metrics } from '../../common/metrics/metrics.js';
import { backoffDelayMs } from './backoff.js';
import { JobRegistry, PermanentJobError, type JobHandler } from './job-handler.js';
import { JobsRepository } from './jobs.repository.js';
import type { ClaimedJob } from './jobs.rows.js';

const ERROR_MAX_LENGTH = 2000;
const PRUNE_EVERY_MS = 10 * 60_000;

/** The wake-up channel of job workers: an enqueue of a due job rings it when its transaction commits. */
export const JOBS_WAKE_CHANNEL = 'calento_jobs';

/** The lease was lost (it expired and another worker reclaimed the job): this worker's result is moot. */
class LeaseLostError extends Error {}

interface InFlight {
  job: ClaimedJob;
  abort: AbortController;
  done: Promise<void>;
}

/**
 * Runs jobs in this process: claims due jobs (up to JOB_CONCURRENCY at once), runs each with a lease it
 * keeps alive by heartbeat, and records the outcome — success, a retry after backoff with jitter, or
 * failure once attempts run out — fenced by the lease token. Started at boot unless WORKERS=off; the
 * worker entry point (src/cli/worker.ts) starts it regardless.
 */
@Injectable()
export class JobWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly logger = new Logger('Jobs');
  private readonly inFlight = new Map<string, InFlight>();
  private running = false;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** A nudge that arrived while the loop was busy claiming: the next sleep returns at once. */
  private woken = false;
  private lastPrune = 0;
  private unlisten: (() => void) | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Database) private readonly db: Database,
    @Inject(JobsRepository) private readonly jobs: JobsRepository,
    @Inject(JobRegistry) private readonly registry: JobRegistry,
    @Inject(Metrics) private readonly metrics: Metrics,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.workers) this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  get isRunning(): boolean {
    return this.running;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  start(): void {
    if (this.running) return;
    const kinds = this.registry.kinds();
    this.running = true;
    this.stopping = false;
    this.lastPrune = Date.now();
    this.loop = this.runLoop();
    void this.db.onWake(JOBS_WAKE_CHANNEL, () => this.nudge()).then(
      (unlisten) => (this.running ? (this.unlisten = unlisten) : unlisten()),
      (error: unknown) => this.logger.warn({ err: error }, 'Could not listen for job wake-ups; polling only'),
    );
    this.logger.log({ workerId: this.id, kinds, concurrency: this.config.jobs.concurrency }, 'Job worker started');
  }

  /** Asks an idle loop to look for work now (a committed enqueue, here or in another process). */
  nudge(): void {
    if (this.wake) this.wake();
    else this.woken = true;
  }

  /**
   * Stops claiming, lets in-flight jobs finish within JOB_SHUTDOWN_GRACE_MS, then releases the rest to
   * other workers (their attempt does not count) and aborts them.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unlisten?.();
    this.unlisten = null;
    this.wake?.();
    await this.loop;
    if (this.inFlight.size) {
      const all = Promise.all([...this.inFlight.values()].map((entry) => entry.done));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, this.config.jobs.shutdownGraceMs)))]);
      clearTimeout(timer);
    }
    this.stopping = true;
    const unfinished = [...this.inFlight.values()];
    for (const entry of unfinished) {
      const released = await this.jobs.release(entry.job.id, entry.job.leaseToken).catch(() => false);
      entry.abort.abort(new Error('worker shutting down'));
      this.logger.warn({ jobId: entry.job.id, kind: entry.job.kind, released }, 'Released an unfinished job at shutdown');
    }
    this.inFlight.clear();
    this.logger.log({ workerId: this.id }, 'Job worker stopped');
  }

  private async runLoop(): Promise<void> {
    const { concurrency, pollIntervalMs } = this.config.jobs;
    while (this.running) {
      const free = concurrency - this.inFlight.size;
      let claimed = 0;
      if (free > 0) {
        try {
          const jobs = await this.jobs.claim(this.registry.kinds(), free, this.id, this.config.jobs.leaseSeconds);
          claimed = jobs.length;
          for (const job of jobs) this.execute(job);
        } catch (error) {
          this.logger.error({ err: error }, 'Could not claim jobs');
        }
        await this.pruneNowAndThen();
      }
      // A full batch means more may be due: claim again at once. Otherwise wait for the poll interval, a
      // nudge, or a finished job freeing a slot.
      if (this.running && !(claimed > 0 && claimed === free)) await this.sleep(pollIntervalMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.wake = finish;
    });
  }

  private execute(job: ClaimedJob): void {
    const abort = new AbortController();
    const entry: InFlight = { job, abort, done: Promise.resolve() };
    entry.done = this.attempt(job, abort).finally(() => {
      this.inFlight.delete(job.id);
      this.nudge();
    });
    this.inFlight.set(job.id, entry);
  }

  private async attempt(job: ClaimedJob, abort: AbortController): Promise<void> {
    const handler = this.registry.get(job.kind) as JobHandler<unknown>;
    const heartbeat = this.startHeartbeat(job, abort);
    try {
      if (job.attempt > job.maxAttempts) {
        // The previous claim was the last allowed one and its worker died holding it.
        await this.recordFailure(job, handler, 'The worker running the last attempt stopped before finishing it');
        return;
      }
      let failure: unknown = null;
      const stopTimer = this.metrics.jobDuration.startTimer({ kind: job.kind });
      try {
        await this.runWithTimeout(job, handler, abort);
      } catch (error) {
        failure = error;
      }
      if (this.stopping) return; // released at shutdown: another worker owns the outcome now
      if (failure === null) {
        stopTimer({ outcome: 'succeeded' });
        await this.db.tx(async () => {
          if (!(await this.jobs.markSucceeded(job.id, job.leaseToken))) throw new LeaseLostError();
          await handler.onOutcome?.(job.payload, { state: 'succeeded', attempt: job.attempt });
        });
        return;
      }
      const message = describe(failure);
      const permanent = failure instanceof PermanentJobError || handler.isPermanent?.(failure) === true;
      const final = permanent || job.attempt >= job.maxAttempts;
      stopTimer({ outcome: final ? 'failed' : 'retrying' });
      this.metrics.jobFailures.inc({ kind: job.kind, final: String(final) });
      if (final) {
        await this.recordFailure(job, handler, message);
        this.logger.warn({ jobId: job.id, kind: job.kind, attempt: job.attempt, permanent, error: message }, 'Job failed');
        return;
      }
      const delay = handler.retryDelayMs?.(job.attempt) ?? backoffDelayMs(job.attempt, this.config.jobs.backoffBaseMs, this.config.jobs.backoffMaxMs);
      await this.db.tx(async () => {
        const nextRunAt = await this.jobs.markRetry(job.id, job.leaseToken, message, delay);
        if (!nextRunAt) throw new LeaseLostError();
        await handler.onOutcome?.(job.payload, { state: 'retrying', attempt: job.attempt, error: message, nextRunAt });
      });
      this.logger.log({ jobId: job.id, kind: job.kind, attempt: job.attempt, retryInMs: delay, error: message }, 'Job will retry');
    } catch (error) {
      if (this.stopping) return;
      if (error instanceof LeaseLostError) {
        this.logger.warn({ jobId: job.id, kind: job.kind }, 'Lost the lease of a job before recording its outcome');
      } else {
        // Recording failed (database down): the lease expires and another claim runs the job again.
        this.logger.error({ err: error, jobId: job.id, kind: job.kind }, 'Could not record a job outcome');
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async recordFailure(job: ClaimedJob, handler: JobHandler<unknown>, message: string): Promise<void> {
    await this.db.tx(async () => {
      if (!(await this.jobs.markFailed(job.id, job.leaseToken, message))) throw new LeaseLostError();
      await handler.onOutcome?.(job.payload, { state: 'failed', attempt: job.attempt, error: message });
    });
  }

  private async runWithTimeout(job: ClaimedJob, handler: JobHandler<unknown>, abort: AbortController): Promise<void> {
    const timeoutMs = (handler.timeoutSeconds ?? this.config.jobs.timeoutSeconds) * 1000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new Error(`Timed out after ${timeoutMs / 1000} s`);
        abort.abort(error);
        reject(error);
      }, timeoutMs);
    });
    const aborted = new Promise<never>((_, reject) => {
      abort.signal.addEventListener('abort', () => reject(abort.signal.reason), { once: true });
    });
    try {
      const context = { id: job.id, kind: job.kind, attempt: job.attempt, maxAttempts: job.maxAttempts, signal: abort.signal };
      await Promise.race([handler.run(job.payload, context), timedOut, aborted]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Keeps the lease alive while the job runs; a lost lease aborts the run. */
  private startHeartbeat(job: ClaimedJob, abort: AbortController): NodeJS.Timeout {
    const leaseSeconds = this.config.jobs.leaseSeconds;
    return setInterval(() => {
      this.jobs.extendLease(job.id, job.leaseToken, leaseSeconds).then(
        (held) => {
          if (!held && !abort.signal.aborted) abort.abort(new LeaseLostError('The job lease was lost'));
        },
        (error: unknown) => this.logger.warn({ err: error, jobId: job.id }, 'Could not extend a job lease'),
      );
    }, Math.max(200, (leaseSeconds * 1000) / 3));
  }

  private async pruneNowAndThen(): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    try {
      const deleted = await this.jobs.deleteFinishedBefore(this.config.jobs.retentionDays, 1000);
      if (deleted) this.logger.log({ deleted }, 'Deleted finished jobs past retention');
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not prune finished jobs');
    }
  }
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.length > ERROR_MAX_LENGTH ? `${text.slice(0, ERROR_MAX_LENGTH - 1)}…` : text;
}
