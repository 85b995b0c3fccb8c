import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { Clock } from '../../common/time/clock.js';
import { JobHandlerProvider, type JobHandler } from '../jobs/job-handler.js';
import { JobsService } from '../jobs/jobs.service.js';
import { DAILY_SUMMARY_JOB, SchedulerService, TICK_PERIOD_MS, type DailySummaryPayload } from './scheduler.service.js';

export const SCHEDULER_TICK_JOB = 'scheduler.tick';

/** The start of the period `at` falls in: every replica computes the same one, hence the same dedupe key. */
export function periodStart(at: Date): Date {
  return new Date(Math.floor(at.getTime() / TICK_PERIOD_MS) * TICK_PERIOD_MS);
}

/**
 * The scheduler's heartbeat: a job that runs every TICK_PERIOD_MS. Each run first enqueues the next
 * period's tick (dedupe key `scheduler.tick:<period start>`), so the chain survives a failed run and
 * several replicas never multiply it; a process that runs workers enqueues the current period's tick at
 * boot, which restarts a broken chain and is a no-op otherwise.
 */
@JobHandlerProvider()
@Injectable()
export class SchedulerTickHandler implements JobHandler<Record<string, never>>, OnApplicationBootstrap {
  readonly kind = SCHEDULER_TICK_JOB;
  readonly maxAttempts = 3;
  readonly timeoutSeconds = 240;
  private readonly logger = new Logger('Scheduler');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(JobsService) private readonly jobs: JobsService,
    @Inject(SchedulerService) private readonly scheduler: SchedulerService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.workers) return;
    try {
      await this.enqueueTick(periodStart(this.clock.now()));
    } catch (error) {
      this.logger.error({ err: error }, 'Could not start the notification scheduler');
    }
  }

  async run(): Promise<void> {
    const now = this.clock.now();
    await this.enqueueTick(new Date(periodStart(now).getTime() + TICK_PERIOD_MS));
    const report = await this.scheduler.tick(now);
    if (report.remindersQueued || report.remindersCancelled || report.summariesPlanned) this.logger.log(report, 'Scheduler tick');
  }

  private enqueueTick(at: Date): Promise<string | null> {
    return this.jobs.enqueue(SCHEDULER_TICK_JOB, {}, { runAt: at, dedupeKey: `${SCHEDULER_TICK_JOB}:${at.toISOString()}` });
  }
}

/** Composes and queues one user's daily summary at 07:00 in their zone. */
@JobHandlerProvider()
@Injectable()
export class DailySummaryHandler implements JobHandler<DailySummaryPayload> {
  readonly kind = DAILY_SUMMARY_JOB;

  constructor(
    @Inject(SchedulerService) private readonly scheduler: SchedulerService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async run(payload: DailySummaryPayload): Promise<void> {
    await this.scheduler.composeDailySummary(payload, this.clock.now());
  }
}
