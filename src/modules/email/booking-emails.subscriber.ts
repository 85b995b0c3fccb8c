import { Inject, Injectable } from '@nestjs/common';
import type { BookingChangeData } from '../bookings/booking-changes.js';
import { BookingsService } from '../bookings/bookings.service.js';
import { ChangeSubscriberProvider, type ChangeSubscriber } from '../changes/change-subscriber.js';
import type { Change } from '../changes/changes.rows.js';
import { UserDirectory } from '../users/user-directory.js';
import { EmailAddressesService } from './email-addresses.service.js';
import { EmailNotifications, type BookingMail } from './email-notifications.js';

/**
 * Booking confirmations, cancellations and reschedules to both sides, with the invitation (the host's
 * event UID), from the change feed; the host's side to each of their delivery addresses. Each message's dedupe key names the booking's SEQUENCE, so a change
 * dispatched twice is mailed once.
 */
@ChangeSubscriberProvider()
@Injectable()
export class BookingEmailsSubscriber implements ChangeSubscriber {
  readonly name = 'email.bookings';
  readonly kinds = ['booking.*'];

  constructor(
    @Inject(UserDirectory) private readonly users: UserDirectory,
    @Inject(BookingsService) private readonly bookings: BookingsService,
    @Inject(EmailNotifications) private readonly mail: EmailNotifications,
    @Inject(EmailAddressesService) private readonly addresses: EmailAddressesService,
  ) {}

  async onChanges(changes: Change[]): Promise<void> {
    for (const change of changes as unknown as Array<Change<BookingChangeData>>) {
      const { booking, previous, departedHost } = change.data;
      const account = departedHost ? null : await this.users.findById(change.userId);
      // A host who deleted their account is named in the booker's message but gets no copy: their addresses went with it.
      const host = departedHost
        ? { userId: null, ...departedHost }
        : account && { userId: account.id, email: account.email, name: account.name, timezone: account.timezone };
      if (!host) continue;
      const mail: BookingMail = {
        id: booking.id,
        eventId: booking.eventId,
        // Changes appended before bookings kept their UID carry none.
        icalUid: booking.icalUid ?? null,
        sequence: booking.sequence,
        title: booking.title,
        start: new Date(booking.startTime),
        end: new Date(booking.endTime),
        location: booking.location ?? booking.meetingUrl,
        notes: booking.notes,
        host,
        booker: { email: booking.bookerEmail, name: booking.bookerName, timezone: booking.bookerTimezone },
        manageUrl: this.bookings.manageUrl(booking.id),
        // The host's own copies follow their verified addresses (EMAIL_REQUIRE_VERIFIED); the booker's go as given.
        hostAddresses: account ? await this.addresses.deliveryAddresses(account) : [],
      };
      if (change.kind === 'booking.created') await this.mail.bookingConfirmation(mail);
      else if (change.kind === 'booking.cancelled') await this.mail.bookingCancellation(mail, booking.cancelledBy ?? 'host', booking.cancelReason);
      else if (change.kind === 'booking.rescheduled' && previous) {
        await this.mail.bookingReschedule(mail, { start: new Date(previous.startTime), end: new Date(previous.endTime) });
      }
    }
  }
}
