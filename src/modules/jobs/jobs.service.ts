import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { Database } from '../../db/database.js';
import { Clock } from '../../common/time/clock.js';
import { JobRegistry } from './job-handler.js';
import { JOBS_WAKE_CHANNEL, JobWorker } from './job-worker.js';
import { JobsRepository } from './jobs.repository.js';
import type { Job, JobKindMetrics } from './jobs.rows.js';

export interface EnqueueOptions {
  /** When the job becomes due; now when absent. */
  runAt?: Date | null;
  /** A second enqueue with the same key (while the first is not cancelled) does nothing. */
  dedupeKey?: string | null;
  /** The user the job belongs to: deleting the user deletes the job. */
  userId?: string | null;
  /** Overrides the handler's and JOB_MAX_ATTEMPTS. */
  maxAttempts?: number;
}

export interface JobMetrics {
  generatedAt: Date;
  totals: Omit<JobKindMetrics, 'kind'>;
  kinds: JobKindMetrics[];
  thisProcess: { workerRunning: boolean; inFlight: number; kinds: string[] };
}

/**
 * The queue's API for other modules. `enqueue` is one INSERT: called inside `db.tx(...)` it joins the
 * transaction, so the job exists exactly when the change that caused it commits.
 */
@Injectable()
export class JobsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Database) private readonly db: Database,
    @Inject(JobsRepository) private readonly jobs: JobsRepository,
    @Inject(JobRegistry) private readonly registry: JobRegistry,
    @Inject(JobWorker) private readonly worker: JobWorker,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** Returns the new job's id, or null when the dedupe key is taken. */
  async enqueue<P>(kind: string, payload: P, options: EnqueueOptions = {}): Promise<string | null> {
    const handler = this.registry.get(kind);
    // Enqueueing a kind nobody handles would park the job forever; a typo should fail loudly instead.
    if (!handler) throw new Error(`No job handler is registered for kind "${kind}"`);
    const id = await this.jobs.insert({
      kind,
      payload,
      userId: options.userId ?? null,
      runAt: options.runAt ?? null,
      dedupeKey: options.dedupeKey ?? null,
      maxAttempts: options.maxAttempts ?? handler.maxAttempts ?? this.config.jobs.maxAttempts,
    });
    if (id && (!options.runAt || options.runAt <= this.clock.now())) await this.db.wake(JOBS_WAKE_CHANNEL);
    return id;
  }

  /** Cancels the queued job with this dedupe key (a reminder of a moved event); running jobs finish. */
  async cancel(dedupeKey: string): Promise<number> {
    return this.db.tx(async () => {
      const cancelled = await this.jobs.cancelQueuedByDedupeKey(dedupeKey);
      for (const job of cancelled) await this.registry.get(job.kind)?.onOutcome?.(job.payload, { state: 'cancelled' });
      return cancelled.length;
    });
  }

  /** Dedupe keys of the queued (not yet running) jobs whose key starts with `prefix`, optionally due before a time. */
  queuedDedupeKeys(prefix: string, dueBefore: Date | null = null, userId: string | null = null): Promise<string[]> {
    return this.jobs.findQueuedDedupeKeys(prefix, dueBefore, userId);
  }

  /** Gives a failed job a fresh set of attempts (redelivery). False when the job is not failed. */
  async retry(jobId: string): Promise<boolean> {
    const requeued = await this.db.tx(async () => {
      const job = await this.jobs.requeueFailed(jobId);
      if (job) await this.registry.get(job.kind)?.onOutcome?.(job.payload, { state: 'requeued' });
      return job !== null;
    });
    if (requeued) await this.db.wake(JOBS_WAKE_CHANNEL);
    return requeued;
  }

  find(jobId: string): Promise<Job | null> {
    return this.jobs.find(jobId);
  }

  /** Queue depth and failures per kind, for GET /jobs/metrics and the metrics endpoint to come. */
  async metrics(): Promise<JobMetrics> {
    const kinds = await this.jobs.metricsByKind();
    const totals: JobMetrics['totals'] = {
      queued: 0,
      due: 0,
      running: 0,
      succeeded: 0,
      failed: 0,
      cancelled: 0,
      failedLastHour: 0,
      retriesPending: 0,
      oldestDueSeconds: null,
    };
    for (const kind of kinds) {
      totals.queued += kind.queued;
      totals.due += kind.due;
      totals.running += kind.running;
      totals.succeeded += kind.succeeded;
      totals.failed += kind.failed;
      totals.cancelled += kind.cancelled;
      totals.failedLastHour += kind.failedLastHour;
      totals.retriesPending += kind.retriesPending;
      if (kind.oldestDueSeconds !== null) {
        totals.oldestDueSeconds = Math.max(totals.oldestDueSeconds ?? 0, kind.oldestDueSeconds);
      }
    }
    return {
      generatedAt: this.clock.now(),
      totals,
      kinds,
      thisProcess: {
        workerRunning: this.worker.isRunning,
        inFlight: this.worker.inFlightCount,
        kinds: this.registry.kinds(),
      },
    };
  }
}
