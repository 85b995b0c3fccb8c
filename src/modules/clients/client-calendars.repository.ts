import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { isConstraint } from '../../db/pg-errors.js';
import { DomainError, NotFoundError } from '../../common/errors/domain-error.js';
import { calendarColumns, toClientCalendar, type CalendarRow, type ClientCalendar, type RemoteCalendar } from './clients.rows.js';

const order = 'ORDER BY is_primary DESC, lower(summary), calendar_id';

@Injectable()
export class ClientCalendarsRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  async listByClient(clientId: string): Promise<ClientCalendar[]> {
    const { rows } = await this.db.query<CalendarRow>(`SELECT ${calendarColumns} FROM client_calendars WHERE client_id = $1 ${order}`, [
      clientId,
    ]);
    return rows.map(toClientCalendar);
  }

  async find(userId: string, clientId: string, calendarId: string): Promise<ClientCalendar | null> {
    const { rows } = await this.db.query<CalendarRow>(
      `SELECT ${calendarColumns} FROM client_calendars WHERE user_id = $1 AND client_id = $2 AND calendar_id = $3`,
      [userId, clientId, calendarId],
    );
    return rows[0] ? toClientCalendar(rows[0]) : null;
  }

  /** The user's calendars marked busy, across all of their clients. */
  async listBusy(userId: string): Promise<ClientCalendar[]> {
    const { rows } = await this.db.query<CalendarRow>(
      `SELECT ${calendarColumns} FROM client_calendars WHERE user_id = $1 AND busy ${order}`,
      [userId],
    );
    return rows.map(toClientCalendar);
  }

  async findDestination(userId: string): Promise<ClientCalendar | null> {
    const { rows } = await this.db.query<CalendarRow>(
      `SELECT ${calendarColumns} FROM client_calendars WHERE user_id = $1 AND destination`,
      [userId],
    );
    return rows[0] ? toClientCalendar(rows[0]) : null;
  }

  /**
   * Inserts new calendars (busy by default when primary or owned) and updates what Google says of known
   * ones, leaving Calento's settings alone, except that a calendar no longer writable stops being the
   * destination. Unchanged rows are not rewritten.
   */
  async upsertRemote(userId: string, clientId: string, calendars: RemoteCalendar[]): Promise<void> {
    if (calendars.length === 0) return;
    await this.db.query(
      `INSERT INTO client_calendars (user_id, client_id, calendar_id, summary, description, is_primary, access_role,
         time_zone, background_color, hidden, busy)
       SELECT $1, $2, r.calendar_id, r.summary, r.description, r.is_primary, r.access_role, r.time_zone,
              r.background_color, r.hidden, r.is_primary OR r.access_role = 'owner'
       FROM unnest($3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[], $8::text[], $9::text[], $10::boolean[])
         AS r (calendar_id, summary, description, is_primary, access_role, time_zone, background_color, hidden)
       ON CONFLICT (client_id, calendar_id) DO UPDATE SET summary = EXCLUDED.summary, description = EXCLUDED.description,
         is_primary = EXCLUDED.is_primary, access_role = EXCLUDED.access_role, time_zone = EXCLUDED.time_zone,
         background_color = EXCLUDED.background_color, hidden = EXCLUDED.hidden,
         destination = client_calendars.destination AND EXCLUDED.access_role IN ('writer', 'owner'),
         updated_at = now()
       WHERE (client_calendars.summary, client_calendars.description, client_calendars.is_primary,
              client_calendars.access_role, client_calendars.time_zone, client_calendars.background_color,
              client_calendars.hidden)
         IS DISTINCT FROM (EXCLUDED.summary, EXCLUDED.description, EXCLUDED.is_primary, EXCLUDED.access_role,
              EXCLUDED.time_zone, EXCLUDED.background_color, EXCLUDED.hidden)`,
      [
        userId,
        clientId,
        calendars.map((c) => c.calendarId),
        calendars.map((c) => c.summary),
        calendars.map((c) => c.description),
        calendars.map((c) => c.primary),
        calendars.map((c) => c.accessRole),
        calendars.map((c) => c.timeZone),
        calendars.map((c) => c.backgroundColor),
        calendars.map((c) => c.hidden),
      ],
    );
  }

  /** Forgets the client's calendars that Google no longer lists; returns their ids. */
  /** Deletes the client's calendars not in `keep`; returns Google's id and the row id of each. */
  async removeMissing(clientId: string, keep: string[]): Promise<Array<{ rowId: string; calendarId: string }>> {
    const { rows } = await this.db.query<{ id: string; calendar_id: string }>(
      'DELETE FROM client_calendars WHERE client_id = $1 AND NOT (calendar_id = ANY($2::text[])) RETURNING id, calendar_id',
      [clientId, keep],
    );
    return rows.map((row) => ({ rowId: row.id, calendarId: row.calendar_id }));
  }

  async removeAllOfClient(clientId: string): Promise<string[]> {
    const { rows } = await this.db.query<{ calendar_id: string }>(
      'DELETE FROM client_calendars WHERE client_id = $1 RETURNING calendar_id',
      [clientId],
    );
    return rows.map((row) => row.calendar_id);
  }

  /** Changes the settings given (null leaves one alone). */
  async updateSettings(
    userId: string,
    clientId: string,
    calendarId: string,
    busy: boolean | null,
    destination: boolean | null,
  ): Promise<ClientCalendar> {
    try {
      const { rows } = await this.db.query<CalendarRow>(
        `UPDATE client_calendars SET busy = COALESCE($4, busy), destination = COALESCE($5, destination), updated_at = now()
         WHERE user_id = $1 AND client_id = $2 AND calendar_id = $3 RETURNING ${calendarColumns}`,
        [userId, clientId, calendarId, busy, destination],
      );
      if (!rows[0]) throw new NotFoundError('calendar');
      return toClientCalendar(rows[0]);
    } catch (error) {
      // Another request made a different calendar the destination between our two statements.
      if (isConstraint(error, 'client_calendars_one_destination_key')) throw new DomainError('DESTINATION_TAKEN');
      if (isConstraint(error, 'client_calendars_destination_writable')) throw new DomainError('CALENDAR_NOT_WRITABLE');
      throw error;
    }
  }

  /** Unsets the user's destination, wherever it is, except on the calendar row `keepRowId`. */
  async clearDestination(userId: string, keepRowId: string): Promise<void> {
    await this.db.query(
      'UPDATE client_calendars SET destination = false, updated_at = now() WHERE user_id = $1 AND destination AND id <> $2',
      [userId, keepRowId],
    );
  }
}
