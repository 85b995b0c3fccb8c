/** Row shapes of booking_links and bookings, and their camelCase records. */
export interface BookingLinkRow {
  id: string;
  user_id: string;
  slug: string;
  title: string;
  description: string | null;
  duration_minutes: number;
  is_active: boolean;
  location: string | null;
  meeting_url: string | null;
  buffer_before_minutes: number;
  buffer_after_minutes: number;
  slot_interval_minutes: number | null;
  minimum_notice_minutes: number;
  booking_window_days: number | null;
  max_bookings_per_day: number | null;
  max_bookings_per_week: number | null;
  created_at: Date;
  updated_at: Date;
}

export interface BookingLink {
  id: string;
  userId: string;
  slug: string;
  title: string;
  description: string | null;
  durationMinutes: number;
  isActive: boolean;
  location: string | null;
  meetingUrl: string | null;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  slotIntervalMinutes: number | null;
  minimumNoticeMinutes: number;
  bookingWindowDays: number | null;
  maxBookingsPerDay: number | null;
  maxBookingsPerWeek: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export const bookingLinkColumns = `id, user_id, slug, title, description, duration_minutes, is_active, location, meeting_url,
  buffer_before_minutes, buffer_after_minutes, slot_interval_minutes, minimum_notice_minutes, booking_window_days,
  max_bookings_per_day, max_bookings_per_week, created_at, updated_at`;

export function toBookingLink(row: BookingLinkRow): BookingLink {
  return {
    id: row.id,
    userId: row.user_id,
    slug: row.slug,
    title: row.title,
    description: row.description,
    durationMinutes: row.duration_minutes,
    isActive: row.is_active,
    location: row.location,
    meetingUrl: row.meeting_url,
    bufferBeforeMinutes: row.buffer_before_minutes,
    bufferAfterMinutes: row.buffer_after_minutes,
    slotIntervalMinutes: row.slot_interval_minutes,
    minimumNoticeMinutes: row.minimum_notice_minutes,
    bookingWindowDays: row.booking_window_days,
    maxBookingsPerDay: row.max_bookings_per_day,
    maxBookingsPerWeek: row.max_bookings_per_week,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The settable columns of a link (create and full update). */
export type BookingLinkWrite = Omit<BookingLink, 'id' | 'userId' | 'createdAt' | 'updatedAt'>;

export type BookingStatus = 'confirmed' | 'cancelled';

export interface BookingRow {
  id: string;
  host_id: string;
  booking_link_id: string | null;
  link_title: string;
  event_id: string | null;
  ical_uid: string;
  start_time: Date;
  end_time: Date;
  status: BookingStatus;
  booker_name: string;
  booker_email: string;
  booker_phone: string | null;
  booker_timezone: string;
  notes: string | null;
  idempotency_key: string | null;
  idempotency_fingerprint: string | null;
  cancelled_at: Date | null;
  cancelled_by: 'host' | 'booker' | null;
  cancel_reason: string | null;
  rescheduled_at: Date | null;
  sequence: number;
  created_at: Date;
  updated_at: Date;
}

export interface Booking {
  id: string;
  hostId: string;
  bookingLinkId: string | null;
  linkTitle: string;
  eventId: string | null;
  /** The UID of its invitations, fixed when it was made (the host event's then; it survives the event). */
  icalUid: string;
  startTime: Date;
  endTime: Date;
  status: BookingStatus;
  bookerName: string;
  bookerEmail: string;
  bookerPhone: string | null;
  bookerTimezone: string;
  notes: string | null;
  idempotencyFingerprint: string | null;
  cancelledAt: Date | null;
  cancelledBy: 'host' | 'booker' | null;
  cancelReason: string | null;
  rescheduledAt: Date | null;
  sequence: number;
  createdAt: Date;
  updatedAt: Date;
}

export const bookingColumns = `id, host_id, booking_link_id, link_title, event_id, ical_uid, start_time, end_time, status, booker_name,
  booker_email, booker_phone, booker_timezone, notes, idempotency_key, idempotency_fingerprint, cancelled_at,
  cancelled_by, cancel_reason, rescheduled_at, sequence, created_at, updated_at`;

export function toBooking(row: BookingRow): Booking {
  return {
    id: row.id,
    hostId: row.host_id,
    bookingLinkId: row.booking_link_id,
    linkTitle: row.link_title,
    eventId: row.event_id,
    icalUid: row.ical_uid,
    startTime: row.start_time,
    endTime: row.end_time,
    status: row.status,
    bookerName: row.booker_name,
    bookerEmail: row.booker_email,
    bookerPhone: row.booker_phone,
    bookerTimezone: row.booker_timezone,
    notes: row.notes,
    idempotencyFingerprint: row.idempotency_fingerprint,
    cancelledAt: row.cancelled_at,
    cancelledBy: row.cancelled_by,
    cancelReason: row.cancel_reason,
    rescheduledAt: row.rescheduled_at,
    sequence: row.sequence,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
