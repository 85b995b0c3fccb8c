import { Inject, Injectable, Logger } from '@nestjs/common';
import { startOfDateIn } from '../../common/time/instants.js';
import { addDays, instantToWallClock } from '../../common/time/wall-clock.js';
import { Database } from '../../db/database.js';
import { EmailAddressesService } from '../email/email-addresses.service.js';
import { EmailNotifications } from '../email/email-notifications.js';
import { localTimeOn } from '../email/email-format.js';
import { EventsService } from '../events/events.service.js';
import { JobsService } from '../jobs/jobs.service.js';
import { UserDirectory } from '../users/user-directory.js';
import { EventReminders, REMINDER_HORIZON_MS } from './event-reminders.js';

/** How often the scheduler runs (its tick job re-enqueues itself for the next period). */
export const TICK_PERIOD_MS = 5 * 60_000;
/** The longest reminder lead an event may have (four weeks, as the event DTO allows). */
const MAX_REMINDER_LEAD_MS = 40_320 * 60_000;
/** Queued reminders this close to their send time are re-checked against their event on every tick. */
const SWEEP_AHEAD_MS = 3 * TICK_PERIOD_MS;
export const SUMMARY_HOUR = 7;
/**
 * A day's summary is planned when its 07:00 is less than this far ahead, or passed less than this long
 * ago (after a short outage, or for a user who just opted in). Composed at 07:00, it lists the day as
 * it is then.
 */
const SUMMARY_WINDOW_MS = 60 * 60_000;

export const DAILY_SUMMARY_JOB = 'daily-summary.compose';

export interface DailySummaryPayload {
  userId: string;
  /** The local date summarized, yyyy-mm-dd in `timezone`. */
  localDate: string;
  /** The zone it was planned in: a user who changed zone since gets the new zone's summary instead. */
  timezone: string;
}

export interface TickReport {
  events: number;
  remindersQueued: number;
  remindersCancelled: number;
  summariesPlanned: number;
}

/**
 * The scheduled notifications: email reminders for the next REMINDER_HORIZON_MS and the opted-in
 * daily summaries. Every step is idempotent (dedupe keys), so replicas may tick together and a tick may
 * run twice. Tests call `tick(now)` with the instant they need.
 */
@Injectable()
export class SchedulerService {
  private readonly logger = new Logger('Scheduler');

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(UserDirectory) private readonly users: UserDirectory,
    @Inject(EventReminders) private readonly reminders: EventReminders,
    @Inject(EventsService) private readonly events: EventsService,
    @Inject(EmailNotifications) private readonly mail: EmailNotifications,
    @Inject(JobsService) private readonly jobs: JobsService,
    @Inject(EmailAddressesService) private readonly addresses: EmailAddressesService,
  ) {}

  async tick(now: Date): Promise<TickReport> {
    const reminders = await this.planReminders(now);
    const summariesPlanned = await this.planDailySummaries(now);
    return { ...reminders, summariesPlanned };
  }

  /**
   * Syncs the reminders of every event that may have one due within the horizon, and of every event
   * with a reminder queued to be sent within the next few periods (its event may have moved, lost the
   * reminder or been deleted by a path that does not re-plan: an iCalendar import, a booking). One short
   * transaction per event.
   */
  async planReminders(now: Date): Promise<Omit<TickReport, 'summariesPlanned'>> {
    const horizonEnd = new Date(now.getTime() + REMINDER_HORIZON_MS);
    const upcoming = await this.events.rootsWithEmailReminders(now, new Date(horizonEnd.getTime() + MAX_REMINDER_LEAD_MS), horizonEnd);
    const dueSoon = new Date(now.getTime() + SWEEP_AHEAD_MS);
    const pending = (await this.mail.queuedEventReminders(null, dueSoon)).map((reminder) => reminder.eventId);
    const ids = [...new Set([...upcoming, ...pending])];
    const report = { events: ids.length, remindersQueued: 0, remindersCancelled: 0 };
    for (const id of ids) {
      try {
        const result = await this.db.tx(() => this.reminders.sync(id, now));
        report.remindersQueued += result.queued;
        report.remindersCancelled += result.cancelled;
      } catch (error) {
        // One event that cannot be planned must not hold up the others; the next tick tries again.
        this.logger.error({ err: error, eventId: id }, 'Could not plan the reminders of an event');
      }
    }
    return report;
  }

  /** Plans a compose job at 07:00 local for each opted-in user whose 07:00 is near. */
  async planDailySummaries(now: Date): Promise<number> {
    let planned = 0;
    for (const zone of await this.users.summaryZones()) {
      const today = instantToWallClock(now, zone).slice(0, 10);
      for (const localDate of [today, addDays(today, 1)]) {
        const at = localTimeOn(localDate, zone, SUMMARY_HOUR);
        if (Math.abs(at.getTime() - now.getTime()) > SUMMARY_WINDOW_MS) continue;
        for (const user of await this.users.summaryUsersIn(zone)) {
          const id = await this.jobs.enqueue<DailySummaryPayload>(
            DAILY_SUMMARY_JOB,
            { userId: user.id, localDate, timezone: zone },
            { runAt: at, dedupeKey: `${DAILY_SUMMARY_JOB}:${user.id}:${localDate}:${zone}`, userId: user.id },
          );
          if (id) planned += 1;
        }
      }
    }
    return planned;
  }

  /**
   * At 07:00: the summary email of the user's local day, listing what is on their calendar then
   * (single events, series occurrences, events they are invited to; all-day ones of that date;
   * cancelled and declined ones left out). Nothing when they opted out or changed zone since it was planned, or when the day is over.
   */
  async composeDailySummary(payload: DailySummaryPayload, now: Date): Promise<boolean> {
    const user = await this.users.findById(payload.userId);
    if (!user?.dailySummary || user.timezone !== payload.timezone) return false;
    const to = startOfDateIn(addDays(payload.localDate, 1), user.timezone);
    if (now >= to) return false;
    const items = await this.events.onLocalDate({ id: user.id, email: user.email, timezone: user.timezone }, payload.localDate);
    // All-day items head the list, as calendars show them; their instants mean nothing in the user's zone.
    const events = items
      .filter((item) => item.event.status !== 'cancelled' && item.myResponse !== 'declined')
      .map((item) => ({ title: item.event.title, start: item.event.startTime, end: item.event.endTime, allDay: item.event.isAllDay, location: item.event.location }))
      .sort((a, b) => Number(b.allDay) - Number(a.allDay));
    let queued = false;
    for (const address of await this.addresses.deliveryAddresses(user)) {
      if ((await this.mail.dailySummary(user, payload.localDate, events, address)) !== null) queued = true;
    }
    return queued;
  }
}
