import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { toAttendee, type Attendee, type AttendeeRow, type ResponseStatus } from './events.rows.js';

const attendeeColumns = 'event_id, email, name, response_status, responded_at';

@Injectable()
export class AttendeesRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  async forEvents(eventIds: string[]): Promise<Map<string, Attendee[]>> {
    const byEvent = new Map<string, Attendee[]>();
    if (eventIds.length === 0) return byEvent;
    const { rows } = await this.db.query<AttendeeRow>(
      `SELECT ${attendeeColumns} FROM event_attendees WHERE event_id = ANY($1::uuid[]) ORDER BY created_at, email`,
      [eventIds],
    );
    for (const row of rows) byEvent.set(row.event_id, [...(byEvent.get(row.event_id) ?? []), toAttendee(row)]);
    return byEvent;
  }

  /**
   * Makes the attendee list exactly `list`: removed emails go, new ones are added, and people who stay
   * keep the answer they gave.
   */
  async replace(eventId: string, list: Array<{ email: string; name?: string }>): Promise<void> {
    const emails = list.map((attendee) => attendee.email);
    await this.db.query('DELETE FROM event_attendees WHERE event_id = $1 AND NOT (email = ANY($2::text[]::citext[]))', [
      eventId,
      emails,
    ]);
    await this.db.query(
      `INSERT INTO event_attendees (event_id, email, name)
       SELECT $1, email, name FROM unnest($2::text[]::citext[], $3::text[]) AS input(email, name)
       ON CONFLICT (event_id, email) DO UPDATE SET name = COALESCE(EXCLUDED.name, event_attendees.name)`,
      [eventId, emails, list.map((attendee) => attendee.name ?? null)],
    );
  }

  /**
   * Attendees of many new events at once (an import); each list already free of duplicate emails. An
   * answer given elsewhere (a guest's response at Google) comes with its entry.
   */
  async insertMany(entries: Array<{ eventId: string; email: string; name?: string; responseStatus?: ResponseStatus }>): Promise<Map<string, Attendee[]>> {
    const byEvent = new Map<string, Attendee[]>();
    if (entries.length === 0) return byEvent;
    const { rows } = await this.db.query<AttendeeRow>(
      `INSERT INTO event_attendees (event_id, email, name, response_status)
       SELECT event_id, email, name, COALESCE(status, 'needsAction')
         FROM unnest($1::uuid[], $2::text[]::citext[], $3::text[], $4::text[]) AS input(event_id, email, name, status)
       RETURNING ${attendeeColumns}`,
      [
        entries.map((entry) => entry.eventId),
        entries.map((entry) => entry.email),
        entries.map((entry) => entry.name ?? null),
        entries.map((entry) => entry.responseStatus ?? null),
      ],
    );
    for (const row of rows) byEvent.set(row.event_id, [...(byEvent.get(row.event_id) ?? []), toAttendee(row)]);
    return byEvent;
  }

  /** Answers given elsewhere (guests' responses at Google), for attendees the event has; unchanged ones stay as they are. */
  async setAnswers(eventId: string, answers: Array<{ email: string; responseStatus: ResponseStatus }>): Promise<void> {
    if (answers.length === 0) return;
    await this.db.query(
      `UPDATE event_attendees a SET response_status = input.status, responded_at = now()
         FROM unnest($2::text[]::citext[], $3::text[]) AS input(email, status)
        WHERE a.event_id = $1 AND a.email = input.email AND a.response_status <> input.status`,
      [eventId, answers.map((answer) => answer.email), answers.map((answer) => answer.responseStatus)],
    );
  }

  /** Gives the attendees of `toEventId` the answers the same people gave on `fromEventId` (a series split). */
  async copyAnswers(fromEventId: string, toEventId: string): Promise<void> {
    await this.db.query(
      `UPDATE event_attendees AS target SET response_status = source.response_status, responded_at = source.responded_at
       FROM event_attendees AS source
       WHERE source.event_id = $1 AND target.event_id = $2 AND target.email = source.email`,
      [fromEventId, toEventId],
    );
  }

  async respond(eventId: string, email: string, response: ResponseStatus): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE event_attendees SET response_status = $3, responded_at = now() WHERE event_id = $1 AND email = $2`,
      [eventId, email, response],
    );
    return rowCount > 0;
  }
}
