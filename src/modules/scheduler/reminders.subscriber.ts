import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../../common/time/clock.js';
import type { ChangeSubscriber } from '../changes/change-subscriber.js';
import { ChangeSubscriberProvider } from '../changes/change-subscriber.js';
import type { Change } from '../changes/changes.rows.js';
import type { EventChangeData } from '../events/event-changes.js';
import { EmailNotifications } from '../email/email-notifications.js';
import { EventReminders } from './event-reminders.js';

/**
 * Fields a queued reminder's text is rendered from. Its dedupe key only names the start, so a change to
 * anything else shown (the end, the zone, all-day dates) leaves the key matching and the old text queued
 * unless the pending reminders are re-queued.
 */
const REMINDER_TEXT_FIELDS = ['title', 'location', 'startTime', 'endTime', 'isAllDay', 'startDate', 'endDate', 'timezone'];

/**
 * Every change of an event re-plans its reminders at once (the scheduler's tick only looks ahead): a
 * moved event gets reminders at the new time and loses the old ones, a deleted or cancelled one loses
 * them, a change of what a reminder shows reaches the pending ones, and so does a new zone of the owner
 * (`user.updated`: reminders show times in it). Runs in the dispatch transaction;
 * the reminders are email jobs with dedupe keys, so planning twice queues once.
 */
@ChangeSubscriberProvider()
@Injectable()
export class RemindersSubscriber implements ChangeSubscriber {
  readonly name = 'reminders';
  readonly kinds = ['event.*', 'user.updated'];

  constructor(
    @Inject(EventReminders) private readonly reminders: EventReminders,
    @Inject(EmailNotifications) private readonly mail: EmailNotifications,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async onChanges(changes: Change[]): Promise<void> {
    // One plan per series or event, refreshed when any of its changes touched what a reminder shows.
    const roots = new Map<string, boolean>();
    for (const change of changes) {
      if (change.kind === 'user.updated') {
        // Reminders are rendered in the owner's zone when queued: a new zone re-renders every pending one.
        if (!change.fields.includes('timezone')) continue;
        for (const reminder of await this.mail.queuedEventReminders(null, null, change.userId)) roots.set(reminder.eventId, true);
        continue;
      }
      const root = change.seriesId ?? change.eventId;
      if (!root || createdWithoutEmailReminders(change)) continue;
      const refresh = change.fields.some((field) => REMINDER_TEXT_FIELDS.includes(field));
      roots.set(root, (roots.get(root) ?? false) || refresh);
    }
    const now = this.clock.now();
    for (const [root, refresh] of roots) await this.reminders.sync(root, now, { refresh });
  }
}

/**
 * A new event or series without email reminders has nothing to queue and nothing queued to cancel: no
 * reads for it (an import of thousands of events creates mostly these).
 */
function createdWithoutEmailReminders(change: Change): boolean {
  if (change.kind !== 'event.created' || change.seriesId) return false;
  const after = (change.data as Partial<EventChangeData>).after;
  return Boolean(after) && !after!.reminders.some((reminder) => reminder.method === 'email');
}
