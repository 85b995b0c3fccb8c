import type { DepartedUser } from '../changes/changes.rows.js';
import type { Booking, BookingLink } from './bookings.rows.js';

/**
 * The contract of `booking.*` changes in the feed: `booking.created`, `booking.cancelled`,
 * `booking.rescheduled`, appended by the bookings module in the transaction of the change (the host's
 * event changes alongside, as its own `event.*` change with origin `booking`). The change row's `user_id`
 * is the host, `booking_id` the booking, `event_id` the host's event. `data` is BookingChangeData.
 */
export type BookingChangeKind = 'booking.created' | 'booking.cancelled' | 'booking.rescheduled';

export interface BookingPayload {
  id: string;
  status: 'confirmed' | 'cancelled';
  /** ISO 8601 instants (UTC). */
  startTime: string;
  endTime: string;
  title: string;
  bookingLinkId: string | null;
  eventId: string | null;
  /** The UID of the booking's invitations, the same in every message about it. */
  icalUid: string;
  bookerName: string;
  bookerEmail: string;
  bookerTimezone: string;
  notes: string | null;
  /** Where it happens, as the booking link said when this change was made. */
  location: string | null;
  meetingUrl: string | null;
  cancelledBy: 'host' | 'booker' | null;
  cancelReason: string | null;
  /** iTIP SEQUENCE of the booking's messages. */
  sequence: number;
  createdAt: string;
}

export interface BookingChangeData {
  booking: BookingPayload;
  /** `booking.rescheduled`: where it was. */
  previous?: { startTime: string; endTime: string };
  /** Set when the host's account is deleted with this change: the host the messages name. */
  departedHost?: DepartedUser;
}

export function bookingPayload(booking: Booking, link: BookingLink | null): BookingPayload {
  return {
    id: booking.id,
    status: booking.status,
    startTime: booking.startTime.toISOString(),
    endTime: booking.endTime.toISOString(),
    title: booking.linkTitle,
    bookingLinkId: booking.bookingLinkId,
    eventId: booking.eventId,
    icalUid: booking.icalUid,
    bookerName: booking.bookerName,
    bookerEmail: booking.bookerEmail,
    bookerTimezone: booking.bookerTimezone,
    notes: booking.notes,
    location: link?.location ?? null,
    meetingUrl: link?.meetingUrl ?? null,
    cancelledBy: booking.cancelledBy,
    cancelReason: booking.cancelReason,
    sequence: booking.sequence,
    createdAt: booking.createdAt.toISOString(),
  };
}
