import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { Clock } from '../../common/time/clock.js';
import { JobHandlerProvider, type JobHandler } from '../jobs/job-handler.js';
import { PeriodicJob } from '../jobs/periodic-job.js';
import { JobsService } from '../jobs/jobs.service.js';
import { DAILY_SUMMARY_JOB, SchedulerService, TICK_PERIOD_MS, type DailySummaryPayload, type TickReport } from './scheduler.service.js';

export const SCHEDULER_TICK_JOB = 'scheduler.tick';

/**
 * The scheduler's heartbeat (a PeriodicJob every TICK_PERIOD_MS): reminders, the sweep and daily summaries
 * are planned by SchedulerService.tick.
 */
@JobHandlerProvider()
@Injectable()
export class SchedulerTickHandler extends PeriodicJob<TickReport> {
  readonly kind = SCHEDULER_TICK_JOB;
  protected readonly periodMs = TICK_PERIOD_MS;
  protected readonly logger = new Logger('Scheduler');

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(JobsService) jobs: JobsService,
    @Inject(Clock) clock: Clock,
    @Inject(SchedulerService) private readonly scheduler: SchedulerService,
  ) {
    super(config, jobs, clock);
  }

  tick(now: Date): Promise<TickReport> {
    return this.scheduler.tick(now);
  }

  protected worthLogging(report: TickReport): boolean {
    return report.remindersQueued + report.remindersCancelled + report.summariesPlanned > 0;
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
