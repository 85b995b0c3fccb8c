import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { eventColumns, toEvent, type EventRow, type EventRecord } from './events.rows.js';

/** The owner of an event as emails name them. */
export interface EventOwner {
  id: string;
  email: string;
  name: string;
  timezone: string;
}

/** What the event notifications (invitations, updates, reminders) read and write besides the event rows. */
@Injectable()
export class EventNotificationsRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  /**
   * A single event or series master, share-locked until the transaction ends: a request changing the
   * event (which locks it FOR UPDATE) waits for the scheduler's reminders to commit, and the scheduler
   * waits for the request's, so neither works from a stale copy.
   */
  async findRootShared(id: string): Promise<EventRecord | null> {
    const { rows } = await this.db.query<EventRow>(
      `SELECT ${eventColumns} FROM events WHERE id = $1 AND series_id IS NULL FOR SHARE`,
      [id],
    );
    return rows[0] ? toEvent(rows[0]) : null;
  }

  /** The next SEQUENCE of an event's invitations; a series counts for all its occurrences. */
  async nextSequence(id: string): Promise<number> {
    const { rows } = await this.db.query<{ sequence: number }>(
      'UPDATE events SET sequence = sequence + 1 WHERE id = $1 RETURNING sequence',
      [id],
    );
    return rows[0]?.sequence ?? 0;
  }

  async currentSequence(id: string): Promise<number> {
    const { rows } = await this.db.query<{ sequence: number }>('SELECT sequence FROM events WHERE id = $1', [id]);
    return rows[0]?.sequence ?? 0;
  }

  async findOwner(userId: string): Promise<EventOwner | null> {
    const { rows } = await this.db.query<EventOwner>('SELECT id, email, name, timezone FROM users WHERE id = $1', [userId]);
    return rows[0] ?? null;
  }

  /** Booking events: the bookings module mails the booker itself, under the booking's own UID. */
  async isBookingEvent(eventId: string): Promise<boolean> {
    const { rows } = await this.db.query<{ found: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM bookings WHERE event_id = $1) AS found',
      [eventId],
    );
    return rows[0]?.found ?? false;
  }
}
