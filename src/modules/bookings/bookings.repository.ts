import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { pageWithTotal } from '../../db/paged.js';
import { isConstraint } from '../../db/pg-errors.js';
import { DomainError, NotFoundError } from '../../common/errors/domain-error.js';
import { bookingColumns, toBooking, type Booking, type BookingRow } from './bookings.rows.js';

export interface NewBooking {
  id: string;
  hostId: string;
  bookingLinkId: string;
  linkTitle: string;
  eventId: string;
  icalUid: string;
  startTime: Date;
  endTime: Date;
  bookerName: string;
  bookerEmail: string;
  bookerPhone: string | null;
  bookerTimezone: string;
  notes: string | null;
  manageTokenHash: Buffer;
  idempotencyKey: string | null;
  idempotencyFingerprint: string | null;
}

/** Thrown when an Idempotency-Key was already used for this link (the caller returns that booking). */
export class IdempotencyKeyUsed extends Error {}

@Injectable()
export class BookingsRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  async insert(booking: NewBooking): Promise<Booking> {
    try {
      const { rows } = await this.db.query<BookingRow>(
        `INSERT INTO bookings (id, host_id, booking_link_id, link_title, event_id, ical_uid, start_time, end_time, booker_name,
           booker_email, booker_phone, booker_timezone, notes, manage_token_hash, idempotency_key, idempotency_fingerprint)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING ${bookingColumns}`,
        [
          booking.id,
          booking.hostId, booking.bookingLinkId, booking.linkTitle, booking.eventId, booking.icalUid, booking.startTime, booking.endTime,
          booking.bookerName, booking.bookerEmail, booking.bookerPhone, booking.bookerTimezone, booking.notes,
          booking.manageTokenHash, booking.idempotencyKey, booking.idempotencyFingerprint,
        ],
      );
      return toBooking(rows[0]);
    } catch (error) {
      throw this.translate(error);
    }
  }

  async findByIdempotencyKey(linkId: string, key: string): Promise<Booking | null> {
    const { rows } = await this.db.query<BookingRow>(
      `SELECT ${bookingColumns} FROM bookings WHERE booking_link_id = $1 AND idempotency_key = $2`,
      [linkId, key],
    );
    return rows[0] ? toBooking(rows[0]) : null;
  }

  /** A booking of this host, or 404 (another host's booking looks exactly like a missing one). */
  async getForHost(hostId: string, id: string, lock = false): Promise<Booking> {
    const { rows } = await this.db.query<BookingRow>(
      `SELECT ${bookingColumns} FROM bookings WHERE id = $1 AND host_id = $2 ${lock ? 'FOR UPDATE' : ''}`,
      [id, hostId],
    );
    if (!rows[0]) throw new NotFoundError('booking');
    return toBooking(rows[0]);
  }

  async findByManageToken(hash: Buffer, lock = false): Promise<Booking | null> {
    const { rows } = await this.db.query<BookingRow>(
      `SELECT ${bookingColumns} FROM bookings WHERE manage_token_hash = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [hash],
    );
    return rows[0] ? toBooking(rows[0]) : null;
  }

  async listForHost(
    hostId: string,
    filters: { status?: string; from?: Date; to?: Date },
    limit: number,
    offset: number,
  ): Promise<{ items: Booking[]; total: number }> {
    const from = `FROM bookings
       WHERE host_id = $1
         AND ($2::text IS NULL OR status = $2)
         AND ($3::timestamptz IS NULL OR end_time > $3)
         AND ($4::timestamptz IS NULL OR start_time < $4)`;
    const params = [hostId, filters.status ?? null, filters.from ?? null, filters.to ?? null];
    return pageWithTotal(this.db, { select: bookingColumns, from, orderBy: 'start_time, id', params }, limit, offset, toBooking);
  }

  /** Confirmed bookings of a link starting in a window (per-day and per-week limits count these). */
  async confirmedForLink(linkId: string, from: Date, to: Date, exceptId: string | null = null): Promise<Array<{ start: Date; end: Date }>> {
    const { rows } = await this.db.query<{ start_time: Date; end_time: Date }>(
      `SELECT start_time, end_time FROM bookings
       WHERE booking_link_id = $1 AND status = 'confirmed' AND start_time >= $2 AND start_time < $3
         AND ($4::uuid IS NULL OR id <> $4)`,
      [linkId, from, to, exceptId],
    );
    return rows.map((row) => ({ start: row.start_time, end: row.end_time }));
  }

  /** Ids of a host's confirmed bookings that start after `after`, soonest first. */
  async upcomingConfirmedIds(hostId: string, after: Date): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(
      `SELECT id FROM bookings WHERE host_id = $1 AND status = 'confirmed' AND start_time > $2 ORDER BY start_time, id`,
      [hostId, after],
    );
    return rows.map((row) => row.id);
  }

  /** Confirmed bookings of a host overlapping a window (busy time). */
  async confirmedForHost(hostId: string, from: Date, to: Date): Promise<Array<{ id: string; start: Date; end: Date; eventId: string | null }>> {
    const { rows } = await this.db.query<{ id: string; start_time: Date; end_time: Date; event_id: string | null }>(
      `SELECT id, start_time, end_time, event_id FROM bookings
       WHERE host_id = $1 AND status = 'confirmed' AND tstzrange(start_time, end_time) && tstzrange($2, $3)`,
      [hostId, from, to],
    );
    return rows.map((row) => ({ id: row.id, start: row.start_time, end: row.end_time, eventId: row.event_id }));
  }

  /**
   * A host's confirmed bookings widened by their own link's buffers (bookings of a deleted link have none),
   * those whose widened time overlaps a window: a new slot must keep them free. Buffers are at most 720
   * minutes, so the coarse range test (the exclusion constraint's own index) holds every candidate.
   */
  async confirmedWithBuffersForHost(hostId: string, from: Date, to: Date): Promise<Array<{ id: string; start: Date; end: Date }>> {
    const { rows } = await this.db.query<{ id: string; start_time: Date; end_time: Date }>(
      `SELECT id, start_time, end_time FROM (
         SELECT b.id,
                b.start_time - make_interval(mins => COALESCE(l.buffer_before_minutes, 0)) AS start_time,
                b.end_time + make_interval(mins => COALESCE(l.buffer_after_minutes, 0)) AS end_time
         FROM bookings b LEFT JOIN booking_links l ON l.id = b.booking_link_id
         WHERE b.host_id = $1 AND b.status = 'confirmed'
           AND tstzrange(b.start_time, b.end_time) && tstzrange($2::timestamptz - interval '720 minutes', $3::timestamptz + interval '720 minutes')
       ) widened
       WHERE start_time < $3 AND end_time > $2`,
      [hostId, from, to],
    );
    return rows.map((row) => ({ id: row.id, start: row.start_time, end: row.end_time }));
  }

  async reschedule(id: string, start: Date, end: Date): Promise<Booking> {
    try {
      const { rows } = await this.db.query<BookingRow>(
        `UPDATE bookings SET start_time = $2, end_time = $3, rescheduled_at = now(), sequence = sequence + 1, updated_at = now()
         WHERE id = $1 RETURNING ${bookingColumns}`,
        [id, start, end],
      );
      return toBooking(rows[0]);
    } catch (error) {
      throw this.translate(error);
    }
  }

  async cancel(id: string, by: 'host' | 'booker', reason: string | null): Promise<Booking> {
    const { rows } = await this.db.query<BookingRow>(
      `UPDATE bookings SET status = 'cancelled', cancelled_at = now(), cancelled_by = $2, cancel_reason = $3,
         sequence = sequence + 1, updated_at = now()
       WHERE id = $1 RETURNING ${bookingColumns}`,
      [id, by, reason],
    );
    return toBooking(rows[0]);
  }

  private translate(error: unknown): unknown {
    if (isConstraint(error, 'bookings_no_overlap')) return new DomainError('BOOKING_SLOT_TAKEN');
    if (isConstraint(error, 'bookings_idempotency_key')) return new IdempotencyKeyUsed();
    // The host deleted the link while this booking was being made.
    if (isConstraint(error, 'bookings_booking_link_id_fkey')) return new NotFoundError('booking link');
    return error;
  }
}
