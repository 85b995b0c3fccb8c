import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';

export interface SummaryUser {
  id: string;
  email: string;
  name: string;
  timezone: string;
  dailySummary: boolean;
}

interface SummaryUserRow {
  id: string;
  email: string;
  name: string;
  timezone: string;
  daily_summary: boolean;
}

function toSummaryUser(row: SummaryUserRow): SummaryUser {
  return { id: row.id, email: row.email, name: row.name, timezone: row.timezone, dailySummary: row.daily_summary };
}

/** What the notification scheduler reads: events with email reminders coming up, opted-in users. */
@Injectable()
export class SchedulerRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  /**
   * Single events and series (ids of series for their overrides) that may have an email reminder due
   * before `horizonEnd`: not cancelled, overlapping [from, to) — `to` is the horizon plus the longest
   * lead time — and, for a single event or an override, starting before the horizon plus its own
   * longest email lead. The literal jsonb matches the partial index events_email_reminders_idx.
   */
  async findEventsWithEmailReminders(from: Date, to: Date, horizonEnd: Date): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(
      `SELECT DISTINCT coalesce(series_id, id) AS id FROM events
       WHERE reminders @> '[{"method": "email"}]' AND status <> 'cancelled'
         AND span && tstzrange($1, $2)
         AND (recurrence_rule IS NOT NULL OR start_time < $3::timestamptz + make_interval(mins => (
           SELECT max((r->>'minutesBefore')::int) FROM jsonb_array_elements(reminders) r WHERE r->>'method' = 'email')))
       ORDER BY id`,
      [from, to, horizonEnd],
    );
    return rows.map((row) => row.id);
  }

  /** The zones of the users who opted in to the daily summary. */
  async findSummaryZones(): Promise<string[]> {
    const { rows } = await this.db.query<{ timezone: string }>(
      'SELECT DISTINCT timezone FROM users WHERE daily_summary ORDER BY timezone',
    );
    return rows.map((row) => row.timezone);
  }

  async findSummaryUsersIn(zone: string): Promise<SummaryUser[]> {
    const { rows } = await this.db.query<SummaryUserRow>(
      'SELECT id, email, name, timezone, daily_summary FROM users WHERE daily_summary AND timezone = $1 ORDER BY id',
      [zone],
    );
    return rows.map(toSummaryUser);
  }

  async findSummaryUser(id: string): Promise<SummaryUser | null> {
    const { rows } = await this.db.query<SummaryUserRow>(
      'SELECT id, email, name, timezone, daily_summary FROM users WHERE id = $1',
      [id],
    );
    return rows[0] ? toSummaryUser(rows[0]) : null;
  }
}
