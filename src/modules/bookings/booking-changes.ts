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
  bookerName: string;
  bookerEmail: string;
  bookerTimezone: string;
  notes: string | null;
  cancelledBy: 'host' | 'booker' | null;
  cancelReason: string | null;
  createdAt: string;
}

export interface BookingChangeData {
  booking: BookingPayload;
  /** `booking.rescheduled`: where it was. */
  previous?: { startTime: string; endTime: string };
}
