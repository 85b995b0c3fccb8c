import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../../common/time/clock.js';
import { startOfDateIn } from '../../common/time/instants.js';
import { addDays, instantToWallClock } from '../../common/time/wall-clock.js';
import { localTimeOn } from '../email/email-format.js';
import { EventsService } from '../events/events.service.js';
import { JobHandlerProvider, type JobHandler } from '../jobs/job-handler.js';
import { JobsService } from '../jobs/jobs.service.js';
import { SUMMARY_HOUR } from '../scheduler/scheduler.service.js';
import { UserDirectory } from '../users/user-directory.js';
import { dailySummary } from './slack-blocks.js';
import { SlackNotifier } from './slack-notifier.js';
import { SlackRepository } from './slack.repository.js';

export const SLACK_SUMMARY_JOB = 'slack.daily-summary';
/** A day's summary is planned when its 07:00 is less than this far ahead or behind (as the email one). */
const SUMMARY_WINDOW_MS = 60 * 60_000;

export interface SlackSummaryPayload {
  userId: string;
  /** The local date summarized, yyyy-mm-dd in `timezone`. */
  localDate: string;
  timezone: string;
}

/**
 * The daily summary in Slack (kind `daily_summary`, off until the user turns it on): planned by the
 * slack.tick job for 07:00 in the user's zone (dedupe key per user, date and zone, so ticks and replicas
 * plan it once), composed at 07:00 from the calendar as it is then, and posted like any other message.
 */
@Injectable()
export class SlackSummaries {
  constructor(
    @Inject(SlackRepository) private readonly integrations: SlackRepository,
    @Inject(UserDirectory) private readonly users: UserDirectory,
    @Inject(EventsService) private readonly events: EventsService,
    @Inject(SlackNotifier) private readonly notifier: SlackNotifier,
    @Inject(JobsService) private readonly jobs: JobsService,
  ) {}

  async plan(now: Date): Promise<number> {
    let planned = 0;
    for (const integration of await this.integrations.findWithKindEnabled('daily_summary')) {
      const user = await this.users.findById(integration.userId);
      if (!user) continue;
      const today = instantToWallClock(now, user.timezone).slice(0, 10);
      for (const localDate of [today, addDays(today, 1)]) {
        const at = localTimeOn(localDate, user.timezone, SUMMARY_HOUR);
        if (Math.abs(at.getTime() - now.getTime()) > SUMMARY_WINDOW_MS) continue;
        const id = await this.jobs.enqueue<SlackSummaryPayload>(
          SLACK_SUMMARY_JOB,
          { userId: user.id, localDate, timezone: user.timezone },
          { runAt: at, dedupeKey: `${SLACK_SUMMARY_JOB}:${user.id}:${localDate}:${user.timezone}`, userId: user.id },
        );
        if (id) planned += 1;
      }
    }
    return planned;
  }

  /** Queues the day's message; nothing when the user changed zone since, or the day is over. */
  async compose(payload: SlackSummaryPayload, now: Date): Promise<string | null> {
    const user = await this.users.findById(payload.userId);
    if (!user || user.timezone !== payload.timezone) return null;
    const from = startOfDateIn(payload.localDate, user.timezone);
    const to = startOfDateIn(addDays(payload.localDate, 1), user.timezone);
    if (now >= to) return null;
    // All-day items by their dates (not by instants), and first, as in the email summary.
    const items = (await this.events.onLocalDate({ id: user.id, email: user.email, timezone: user.timezone }, payload.localDate))
      .filter((item) => item.event.status !== 'cancelled' && item.myResponse !== 'declined')
      .map((item) => ({ title: item.event.title, start: item.event.startTime, end: item.event.endTime, isAllDay: item.event.isAllDay, location: item.event.location }))
      .sort((a, b) => Number(b.isAllDay) - Number(a.isAllDay));
    return this.notifier.enqueue(user.id, 'daily_summary', dailySummary(from, user.timezone, items), {
      dedupeKey: `slack.daily_summary:${user.id}:${payload.localDate}`,
    });
  }
}

@JobHandlerProvider()
@Injectable()
export class SlackSummaryHandler implements JobHandler<SlackSummaryPayload> {
  readonly kind = SLACK_SUMMARY_JOB;

  constructor(
    @Inject(SlackSummaries) private readonly summaries: SlackSummaries,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async run(payload: SlackSummaryPayload): Promise<void> {
    await this.summaries.compose(payload, this.clock.now());
  }
}
