import { Inject, Injectable } from '@nestjs/common';
import type { BookingChangeData } from '../bookings/booking-changes.js';
import { ChangeSubscriberProvider, type ChangeSubscriber } from '../changes/change-subscriber.js';
import type { Change } from '../changes/changes.rows.js';
import { UserDirectory } from '../users/user-directory.js';
import { bookingCancelled, bookingCreated, bookingRescheduled, type BookingFacts } from './slack-blocks.js';
import { SlackNotifier } from './slack-notifier.js';
import type { SlackNotificationKind } from './slack.rows.js';

const KINDS: Record<string, SlackNotificationKind> = {
  'booking.created': 'booking_created',
  'booking.cancelled': 'booking_cancelled',
  'booking.rescheduled': 'booking_rescheduled',
};

/**
 * Tells the host in Slack about bookings made, cancelled and moved, from the change feed. Runs in the
 * dispatch transaction and only queues messages; the dedupe key names the booking's SEQUENCE, so a
 * change dispatched twice is posted once.
 */
@ChangeSubscriberProvider()
@Injectable()
export class SlackBookingsSubscriber implements ChangeSubscriber {
  readonly name = 'slack.bookings';
  readonly kinds = Object.keys(KINDS);

  constructor(
    @Inject(UserDirectory) private readonly users: UserDirectory,
    @Inject(SlackNotifier) private readonly notifier: SlackNotifier,
  ) {}

  async onChanges(changes: Change[]): Promise<void> {
    for (const change of changes as unknown as Array<Change<BookingChangeData>>) {
      const kind = KINDS[change.kind];
      if (!kind || !(await this.notifier.wants(change.userId, kind))) continue;
      const host = await this.users.findById(change.userId);
      if (!host) continue;
      const { booking, previous } = change.data;
      const facts: BookingFacts = {
        title: booking.title,
        start: new Date(booking.startTime),
        end: new Date(booking.endTime),
        bookerName: booking.bookerName,
        bookerEmail: booking.bookerEmail,
        location: booking.location ?? booking.meetingUrl,
        notes: booking.notes,
        timezone: host.timezone,
        reason: booking.cancelReason,
        cancelledBy: booking.cancelledBy,
        previous: previous ? { start: new Date(previous.startTime), end: new Date(previous.endTime) } : null,
      };
      const content = kind === 'booking_created' ? bookingCreated(facts) : kind === 'booking_cancelled' ? bookingCancelled(facts) : bookingRescheduled(facts);
      await this.notifier.enqueue(change.userId, kind, content, { dedupeKey: `slack.${kind}:${booking.id}:${booking.sequence}` });
    }
  }
}
