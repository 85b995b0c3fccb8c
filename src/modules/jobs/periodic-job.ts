import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Clock } from '../../common/time/clock.js';
import type { AppConfig } from '../../config/config.js';
import type { JobHandler } from './job-handler.js';
import type { JobsService } from './jobs.service.js';

/** The start of the period `at` falls in: every replica computes the same one, hence the same dedupe key. */
export function periodStart(at: Date, periodMs: number): Date {
  return new Date(Math.floor(at.getTime() / periodMs) * periodMs);
}

/**
 * A heartbeat job that runs every `periodMs`: each run first enqueues the next period's run (dedupe key
 * `<kind>:<period start>`), so the chain survives a failed run and several replicas never multiply it; a
 * process that runs workers enqueues the current period's run at boot, which restarts a broken chain and is
 * a no-op otherwise. Subclasses say what one tick does and which reports are worth a log line.
 */
export abstract class PeriodicJob<Report extends object> implements JobHandler<Record<string, never>>, OnApplicationBootstrap {
  abstract readonly kind: string;
  readonly maxAttempts = 3;
  readonly timeoutSeconds = 240;
  protected abstract readonly periodMs: number;
  protected abstract readonly logger: Logger;

  protected constructor(
    protected readonly config: AppConfig,
    protected readonly jobs: JobsService,
    protected readonly clock: Clock,
  ) {}

  /** One period's work at `now`; idempotent, since replicas may tick together. Tests call it directly. */
  abstract tick(now: Date): Promise<Report>;

  /** Whether a tick's report deserves a log line (a quiet tick logs nothing). */
  protected abstract worthLogging(report: Report): boolean;

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.workers) return;
    try {
      await this.enqueueRun(periodStart(this.clock.now(), this.periodMs));
    } catch (error) {
      this.logger.error({ err: error }, `Could not start the ${this.kind} heartbeat`);
    }
  }

  async run(): Promise<void> {
    const now = this.clock.now();
    await this.enqueueRun(new Date(periodStart(now, this.periodMs).getTime() + this.periodMs));
    const report = await this.tick(now);
    if (this.worthLogging(report)) this.logger.log(report, `${this.kind} done`);
  }

  private enqueueRun(at: Date): Promise<string | null> {
    return this.jobs.enqueue(this.kind, {}, { runAt: at, dedupeKey: `${this.kind}:${at.toISOString()}` });
  }
}
