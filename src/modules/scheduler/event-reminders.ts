import { Inject, Injectable, Logger } from '@nestjs/common';
import { expandSeries, RecurrenceError, type Occurrence } from '../../engines/recurrence/recurrence.engine.js';
import { EmailAddressesService } from '../email/email-addresses.service.js';
import { EmailNotifications } from '../email/email-notifications.js';
import { seriesOf } from '../events/event-timing.js';
import { occurrenceEvent } from '../events/event-views.js';
import type { EventRecord, Reminder } from '../events/events.rows.js';
import { EventsService } from '../events/events.service.js';
import { UserDirectory } from '../users/user-directory.js';

/**
 * How far ahead reminder emails are queued (by send time). The scheduler runs every few minutes, so a
 * day of look-ahead rides out a long outage of every worker; a change re-plans its event at once.
 */
export const REMINDER_HORIZON_MS = 24 * 3_600_000;

/** One occurrence (or single event) with the lead times of its reminders (of one method). */
export interface ReminderOccurrence {
  event: EventRecord;
  leads: number[];
}

export interface ReminderSync {
  queued: number;
  cancelled: number;
}

/**
 * Email reminders of one event or series, kept in step with it. Each reminder is an email job with the
 * dedupe key `reminder:<event or series id>:<occurrence start>:<minutesBefore>:<recipient>`, so it is
 * queued once however often this runs; `sync` cancels the queued ones that no longer match an occurrence
 * (moved, cancelled, reminder removed) and queues those due within REMINDER_HORIZON_MS. Reminders whose
 * time has passed are skipped, never sent late. `email` reminders are delivered here, to the event
 * owner's delivery addresses (EmailAddressesService: verified ones when EMAIL_REQUIRE_VERIFIED); `slack` ones by the slack module (slack-reminders.ts, same plan); `popup` ones are for clients.
 */
@Injectable()
export class EventReminders {
  private readonly logger = new Logger('Reminders');

  constructor(
    @Inject(EventsService) private readonly events: EventsService,
    @Inject(UserDirectory) private readonly users: UserDirectory,
    @Inject(EmailNotifications) private readonly mail: EmailNotifications,
    @Inject(EmailAddressesService) private readonly addresses: EmailAddressesService,
  ) {}

  /**
   * Brings the queued reminders of a single event or series (`eventId`, never an override) in line with
   * it. `refresh` re-queues pending ones too, so a changed title, end, zone… reaches the reminder text.
   * Call inside a transaction: the event row is share-locked while this runs.
   */
  async sync(eventId: string, now: Date, options: { refresh?: boolean } = {}): Promise<ReminderSync> {
    const root = await this.events.rootForReminders(eventId);
    const owner = root ? await this.users.findById(root.userId) : null;
    const queued = await this.mail.queuedEventReminders(eventId);
    // The owner's delivery addresses: their account address (once verified, with EMAIL_REQUIRE_VERIFIED) and verified extra ones.
    const recipients = owner ? await this.addresses.deliveryAddresses(owner) : [];
    const result: ReminderSync = { queued: 0, cancelled: 0 };
    const live = root && owner && root.status !== 'cancelled' ? root : null;
    const overrides = live?.recurrenceRule ? await this.events.overridesOf([live.id]) : [];
    const startingIn = (from: Date, to: Date) => (live ? this.occurrencesStartingIn(live, overrides, from, to) : []);

    for (const reminder of queued) {
      const at = reminder.start.getTime();
      const stillDue =
        recipients.includes(reminder.recipient) &&
        startingIn(reminder.start, new Date(at + 1)).some(
          (occurrence) => occurrence.event.startTime.getTime() === at && occurrence.leads.includes(reminder.minutesBefore),
        );
      const pending = at - reminder.minutesBefore * 60_000 >= now.getTime();
      if (!stillDue || (options.refresh && pending)) {
        result.cancelled += await this.mail.cancelEventReminder(eventId, reminder.start, reminder.minutesBefore, reminder.recipient);
      }
    }
    if (!live || !owner) return result;

    const leads = new Set([live, ...overrides].flatMap(emailLeads));
    for (const lead of leads) {
      // Send times in [now, now + horizon) are starts in [now + lead, now + horizon + lead).
      const from = new Date(now.getTime() + lead * 60_000);
      const to = new Date(from.getTime() + REMINDER_HORIZON_MS);
      for (const occurrence of startingIn(from, to)) {
        if (!occurrence.leads.includes(lead)) continue;
        const event = occurrence.event;
        for (const recipient of recipients) {
          const email = await this.mail.eventReminder(
            { id: live.id, ownerUserId: live.userId, title: event.title, start: event.startTime, end: event.endTime, timezone: event.timezone, location: event.location },
            { email: recipient, name: owner.name, timezone: owner.timezone, userId: owner.id },
            lead,
          );
          if (email) result.queued += 1;
        }
      }
    }
    return result;
  }

  /** Occurrences (overrides in place of the ones they replace) starting in [from, to), cancelled ones left out. */
  private occurrencesStartingIn(root: EventRecord, overrides: EventRecord[], from: Date, to: Date): ReminderOccurrence[] {
    return reminderOccurrences(root, overrides, from, to, 'email', (error) =>
      this.logger.warn({ eventId: root.id, error: error.message }, 'Could not expand a series for its reminders'),
    );
  }
}

function emailLeads(event: EventRecord): number[] {
  return reminderLeads(event, 'email');
}

/** The distinct lead times (minutes) of an event's reminders of one method. */
export function reminderLeads(event: EventRecord, method: Reminder['method']): number[] {
  return [...new Set(event.reminders.filter((reminder) => reminder.method === method).map((reminder) => reminder.minutesBefore))];
}

/**
 * Occurrences of a single event or series (overrides in place of the ones they replace) starting in
 * [from, to), cancelled ones left out, each with the lead times of its `method` reminders. Shared by the
 * email reminders here and the Slack ones (src/modules/slack/slack-reminders.ts).
 */
export function reminderOccurrences(
  root: EventRecord,
  overrides: EventRecord[],
  from: Date,
  to: Date,
  method: Reminder['method'],
  onExpansionError: (error: RecurrenceError) => void = () => undefined,
): ReminderOccurrence[] {
  const inRange = (event: EventRecord) => event.startTime >= from && event.startTime < to && event.status !== 'cancelled';
  if (!root.recurrenceRule) return inRange(root) ? [{ event: root, leads: reminderLeads(root, method) }] : [];
  const replaced = new Set(overrides.map((override) => override.originalStart));
  let expanded: Occurrence[] = [];
  try {
    expanded = expandSeries(seriesOf(root), { from, to });
  } catch (error) {
    if (!(error instanceof RecurrenceError)) throw error;
    onExpansionError(error);
  }
  const occurrences = expanded
    .filter((occurrence) => !replaced.has(occurrence.occurrenceId))
    .map((occurrence) => ({ event: occurrenceEvent(root, occurrence.occurrenceId, occurrence.start, occurrence.end), leads: reminderLeads(root, method) }))
    .filter((occurrence) => inRange(occurrence.event));
  for (const override of overrides) if (inRange(override)) occurrences.push({ event: override, leads: reminderLeads(override, method) });
  return occurrences;
}
