import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EventRecord } from '../events/events.rows.js';
import { EventsService } from '../events/events.service.js';
import { REMINDER_HORIZON_MS, reminderLeads, reminderOccurrences } from '../scheduler/event-reminders.js';
import { UserDirectory } from '../users/user-directory.js';
import { eventReminder } from './slack-blocks.js';
import { SlackNotifier } from './slack-notifier.js';

export interface SlackReminderSync {
  queued: number;
  cancelled: number;
}

interface QueuedSlackReminder {
  key: string;
  start: Date;
  minutesBefore: number;
}

const reminderKey = (eventId: string, start: Date, minutesBefore: number) => `slack.reminder:${eventId}:${start.toISOString()}:${minutesBefore}`;

function parseKey(key: string): QueuedSlackReminder | null {
  const match = /^slack\.reminder:[^:]+:(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z):(\d+)$/.exec(key);
  return match ? { key, start: new Date(match[1]), minutesBefore: Number(match[2]) } : null;
}

/**
 * The `slack` reminders of one event or series, planned as the email ones are (scheduler/event-reminders.ts):
 * each is a Slack message queued for its send time with the dedupe key
 * `slack.reminder:<event or series id>:<occurrence start>:<minutesBefore>`, so planning twice queues once;
 * a sync cancels the queued ones that no longer match an occurrence (moved, cancelled, reminder removed,
 * Slack disconnected or reminders turned off) and queues those due within REMINDER_HORIZON_MS. A reminder
 * whose time has passed is skipped, never sent late. Sent to the event owner's Slack.
 */
@Injectable()
export class SlackReminders {
  private readonly logger = new Logger('SlackReminders');

  constructor(
    @Inject(EventsService) private readonly events: EventsService,
    @Inject(UserDirectory) private readonly users: UserDirectory,
    @Inject(SlackNotifier) private readonly notifier: SlackNotifier,
  ) {}

  /** The events and series with a Slack reminder of the user still queued. */
  async pendingFor(userId: string): Promise<string[]> {
    return [...new Set((await this.notifier.queuedKeys('slack.reminder:', null, userId)).map((key) => key.split(':')[1]))];
  }

  /** Call inside a transaction (the event row is share-locked while this runs). */
  async sync(eventId: string, now: Date, options: { refresh?: boolean } = {}): Promise<SlackReminderSync> {
    const root = await this.events.rootForReminders(eventId);
    const wanted = root && root.status !== 'cancelled' && (await this.notifier.wants(root.userId, 'event_reminder')) ? root : null;
    const owner = wanted ? await this.users.findById(wanted.userId) : null;
    const live = owner ? wanted : null;
    const overrides = live?.recurrenceRule ? await this.events.overridesOf([live.id]) : [];
    const startingIn = (from: Date, to: Date) => (live ? this.occurrences(live, overrides, from, to) : []);
    const result: SlackReminderSync = { queued: 0, cancelled: 0 };

    const queued = (await this.notifier.queuedKeys(`slack.reminder:${eventId}:`)).map(parseKey).filter((key): key is QueuedSlackReminder => key !== null);
    for (const reminder of queued) {
      const at = reminder.start.getTime();
      const stillDue = startingIn(reminder.start, new Date(at + 1)).some(
        (occurrence) => occurrence.event.startTime.getTime() === at && occurrence.leads.includes(reminder.minutesBefore),
      );
      const pending = at - reminder.minutesBefore * 60_000 >= now.getTime();
      if (!stillDue || (options.refresh && pending)) result.cancelled += await this.notifier.cancel(reminder.key);
    }
    if (!live || !owner) return result;

    const leads = new Set([live, ...overrides].flatMap((event) => reminderLeads(event, 'slack')));
    for (const lead of leads) {
      const from = new Date(now.getTime() + lead * 60_000);
      const to = new Date(from.getTime() + REMINDER_HORIZON_MS);
      for (const occurrence of startingIn(from, to)) {
        if (!occurrence.leads.includes(lead)) continue;
        const event = occurrence.event;
        const content = eventReminder({ title: event.title, start: event.startTime, end: event.endTime, location: event.location, timezone: owner.timezone }, lead);
        const id = await this.notifier.enqueue(owner.id, 'event_reminder', content, {
          dedupeKey: reminderKey(live.id, event.startTime, lead),
          sendAt: new Date(event.startTime.getTime() - lead * 60_000),
        });
        if (id) result.queued += 1;
      }
    }
    return result;
  }

  private occurrences(root: EventRecord, overrides: EventRecord[], from: Date, to: Date) {
    return reminderOccurrences(root, overrides, from, to, 'slack', (error) =>
      this.logger.warn({ eventId: root.id, error: error.message }, 'Could not expand a series for its Slack reminders'),
    );
  }
}
