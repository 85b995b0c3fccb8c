import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/time/clock.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { Database } from '../../db/database.js';
import { EventsService } from '../events/events.service.js';
import { JobHandlerProvider } from '../jobs/job-handler.js';
import { PeriodicJob, periodStart } from '../jobs/periodic-job.js';
import { JobsService } from '../jobs/jobs.service.js';
import { REMINDER_HORIZON_MS } from '../scheduler/event-reminders.js';
import { TICK_PERIOD_MS } from '../scheduler/scheduler.service.js';
import { SlackNotifier } from './slack-notifier.js';
import { SlackReminders } from './slack-reminders.js';
import { SlackStatusPlanner } from './slack-status.js';
import { SlackSummaries } from './slack-summary.js';
import { SlackRepository } from './slack.repository.js';

export const SLACK_TICK_JOB = 'slack.tick';
/** The longest reminder lead an event may have (four weeks). */
const MAX_REMINDER_LEAD_MS = 40_320 * 60_000;
/** Queued Slack reminders this close to their send time are re-checked on every tick. */
const SWEEP_AHEAD_MS = 3 * TICK_PERIOD_MS;

export interface SlackTickReport {
  events: number;
  remindersQueued: number;
  remindersCancelled: number;
  statusJobs: number;
  summariesPlanned: number;
}

/**
 * Slack's heartbeat, in the scheduler's style (scheduler.jobs.ts): a job every TICK_PERIOD_MS that first
 * enqueues the next one (dedupe key `slack.tick:<period start>`), then looks ahead — Slack reminders due
 * within the horizon, status jobs at the busy-time boundaries of the users who sync their status, and
 * the 07:00 daily summaries of those who turned them on.
 * Every step is idempotent, so replicas may tick together; tests call `tick(now)`.
 */
@JobHandlerProvider()
@Injectable()
export class SlackTickHandler extends PeriodicJob<SlackTickReport> {
  readonly kind = SLACK_TICK_JOB;
  protected readonly periodMs = TICK_PERIOD_MS;
  protected readonly logger = new Logger('SlackTick');

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(JobsService) jobs: JobsService,
    @Inject(Clock) clock: Clock,
    @Inject(Database) private readonly db: Database,
    @Inject(EventsService) private readonly events: EventsService,
    @Inject(SlackRepository) private readonly integrations: SlackRepository,
    @Inject(SlackNotifier) private readonly notifier: SlackNotifier,
    @Inject(SlackReminders) private readonly reminders: SlackReminders,
    @Inject(SlackStatusPlanner) private readonly status: SlackStatusPlanner,
    @Inject(SlackSummaries) private readonly summaries: SlackSummaries,
  ) {
    super(config, jobs, clock);
  }

  protected worthLogging(report: SlackTickReport): boolean {
    return report.remindersQueued + report.remindersCancelled + report.statusJobs + report.summariesPlanned > 0;
  }

  async tick(now: Date): Promise<SlackTickReport> {
    const horizonEnd = new Date(now.getTime() + REMINDER_HORIZON_MS);
    const upcoming = await this.events.rootsWithSlackReminders(now, new Date(horizonEnd.getTime() + MAX_REMINDER_LEAD_MS), horizonEnd);
    const dueSoon = new Date(now.getTime() + SWEEP_AHEAD_MS);
    const pending = (await this.notifier.queuedKeys('slack.reminder:', dueSoon)).map((key) => key.split(':')[1]);
    const ids = [...new Set([...upcoming, ...pending])];
    const report: SlackTickReport = { events: ids.length, remindersQueued: 0, remindersCancelled: 0, statusJobs: 0, summariesPlanned: 0 };
    for (const id of ids) {
      try {
        const result = await this.db.tx(() => this.reminders.sync(id, now));
        report.remindersQueued += result.queued;
        report.remindersCancelled += result.cancelled;
      } catch (error) {
        this.logger.error({ err: error, eventId: id }, 'Could not plan the Slack reminders of an event');
      }
    }
    const period = periodStart(now, TICK_PERIOD_MS).toISOString();
    for (const integration of await this.integrations.findStatusSyncing()) {
      try {
        report.statusJobs += await this.status.plan(integration, now, `tick:${period}`);
      } catch (error) {
        this.logger.error({ err: error, userId: integration.userId }, 'Could not plan Slack status updates');
      }
    }
    report.summariesPlanned = await this.summaries.plan(now);
    return report;
  }
}
