import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import {
  calendarSyncColumns,
  toCalendarSync,
  type CalendarSync,
  type CalendarSyncRow,
  type SyncCounts,
  type SyncState,
  type SyncStrategy,
} from './google-sync.rows.js';

export interface SyncStatusRow extends CalendarSyncRow {
  summary: string;
}

/** The `calendar_syncs` table: one row per synced Google calendar. */
@Injectable()
export class CalendarSyncsRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  /** Creates the sync of a calendar, or sets its strategy again (a new initial sync: full listing due). */
  async upsert(input: { id: string; userId: string; clientId: string; calendarRowId: string; calendarId: string; strategy: SyncStrategy }): Promise<CalendarSync> {
    const { rows } = await this.db.query<CalendarSyncRow>(
      `INSERT INTO calendar_syncs (id, user_id, client_id, calendar_row_id, calendar_id, strategy)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (calendar_row_id) DO UPDATE SET strategy = EXCLUDED.strategy, enabled = true, full_sync_due = true,
         sync_token = NULL, state = 'queued', last_error = NULL, last_error_at = NULL, last_error_kind = NULL, updated_at = now()
       RETURNING ${calendarSyncColumns}`,
      [input.id, input.userId, input.clientId, input.calendarRowId, input.calendarId, input.strategy],
    );
    return toCalendarSync(rows[0]);
  }

  async find(id: string): Promise<CalendarSync | null> {
    const { rows } = await this.db.query<CalendarSyncRow>(`SELECT ${calendarSyncColumns} FROM calendar_syncs WHERE id = $1`, [id]);
    return rows[0] ? toCalendarSync(rows[0]) : null;
  }

  /** The row, locked until the transaction ends: one sync run of a calendar at a time. */
  async lock(id: string): Promise<CalendarSync | null> {
    const { rows } = await this.db.query<CalendarSyncRow>(`SELECT ${calendarSyncColumns} FROM calendar_syncs WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0] ? toCalendarSync(rows[0]) : null;
  }

  async findByCalendar(userId: string, clientId: string, calendarId: string): Promise<CalendarSync | null> {
    const { rows } = await this.db.query<CalendarSyncRow>(
      `SELECT ${calendarSyncColumns} FROM calendar_syncs WHERE user_id = $1 AND client_id = $2 AND calendar_id = $3`,
      [userId, clientId, calendarId],
    );
    return rows[0] ? toCalendarSync(rows[0]) : null;
  }

  async findByRow(calendarRowId: string): Promise<CalendarSync | null> {
    const { rows } = await this.db.query<CalendarSyncRow>(`SELECT ${calendarSyncColumns} FROM calendar_syncs WHERE calendar_row_id = $1`, [calendarRowId]);
    return rows[0] ? toCalendarSync(rows[0]) : null;
  }

  async findByChannel(channelId: string): Promise<CalendarSync | null> {
    const { rows } = await this.db.query<CalendarSyncRow>(`SELECT ${calendarSyncColumns} FROM calendar_syncs WHERE channel_id = $1`, [channelId]);
    return rows[0] ? toCalendarSync(rows[0]) : null;
  }

  /** The user's syncs with their calendar's name, by client and name. */
  async listForUser(userId: string, clientId: string | null): Promise<Array<CalendarSync & { summary: string }>> {
    const { rows } = await this.db.query<SyncStatusRow>(
      `SELECT s.*, cc.summary
         FROM calendar_syncs s JOIN client_calendars cc ON cc.id = s.calendar_row_id
        WHERE s.user_id = $1 AND ($2::uuid IS NULL OR s.client_id = $2)
        ORDER BY s.client_id, cc.is_primary DESC, cc.summary, s.id`,
      [userId, clientId],
    );
    return rows.map((row) => ({ ...toCalendarSync(row), summary: row.summary }));
  }

  async listForClient(clientId: string): Promise<CalendarSync[]> {
    const { rows } = await this.db.query<CalendarSyncRow>(`SELECT ${calendarSyncColumns} FROM calendar_syncs WHERE client_id = $1`, [clientId]);
    return rows.map(toCalendarSync);
  }

  /**
   * Syncs of the user's calendars that send local changes to Google (merge, export): the one of the
   * destination calendar first, then by age. The first one receives the user's new events. Paused ones
   * count (turned off, or the client to be authorized again): they keep the changes until they resume.
   * A disconnected client's do not: a sync set up again starts over.
   */
  async listExporting(userId: string): Promise<CalendarSync[]> {
    const { rows } = await this.db.query<CalendarSyncRow>(
      `SELECT s.* FROM calendar_syncs s JOIN client_calendars cc ON cc.id = s.calendar_row_id JOIN clients c ON c.id = s.client_id
        WHERE s.user_id = $1 AND s.strategy IN ('merge', 'export') AND c.status <> 'disconnected'
        ORDER BY cc.destination DESC, s.created_at, s.id`,
      [userId],
    );
    return rows.map(toCalendarSync);
  }

  /**
   * Marks a sync as wanted. True when this call queued it (the caller enqueues the job); false when a
   * queued run will pick the change up anyway: a burst of pushes becomes one run.
   */
  async requestRun(id: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE calendar_syncs SET sync_queued = true, state = CASE WHEN state = 'syncing' THEN state ELSE 'queued' END, updated_at = now()
        WHERE id = $1 AND enabled AND NOT sync_queued`,
      [id],
    );
    return rowCount === 1;
  }

  /** A run starts: pushes from now on queue another one. */
  async markRunning(id: string): Promise<void> {
    await this.db.query(`UPDATE calendar_syncs SET sync_queued = false, state = 'syncing', updated_at = now() WHERE id = $1`, [id]);
  }

  /** A listing completed: its token is where the next one resumes. A push error stays: a listing does not mend it. */
  /** A run completed; `calendarZone` is the calendar's zone it listed (null: not listed, kept as it was). */
  async markSynced(id: string, syncToken: string | null, at: Date, counts: SyncCounts, calendarZone: string | null = null): Promise<void> {
    await this.db.query(
      `UPDATE calendar_syncs SET sync_token = $2, full_sync_due = false, last_synced_at = $3, counts = $4,
         calendar_zone = COALESCE($5, calendar_zone),
         state = CASE WHEN sync_queued THEN 'queued' ELSE 'idle' END,
         last_error = CASE WHEN last_error_kind = 'push' THEN last_error END,
         last_error_at = CASE WHEN last_error_kind = 'push' THEN last_error_at END,
         last_error_kind = CASE WHEN last_error_kind = 'push' THEN last_error_kind END, updated_at = now()
        WHERE id = $1`,
      [id, syncToken, at, JSON.stringify(counts), calendarZone],
    );
  }

  async setCounts(id: string, counts: SyncCounts): Promise<void> {
    await this.db.query('UPDATE calendar_syncs SET counts = $2, updated_at = now() WHERE id = $1', [id, JSON.stringify(counts)]);
  }

  /** Google said the token is too old (410): the next run lists everything. */
  async requireFullSync(id: string): Promise<void> {
    await this.db.query('UPDATE calendar_syncs SET sync_token = NULL, full_sync_due = true, updated_at = now() WHERE id = $1', [id]);
  }

  async markFailed(id: string, error: string, at: Date, state: SyncState = 'error'): Promise<void> {
    await this.db.query(
      `UPDATE calendar_syncs SET state = CASE WHEN enabled THEN $4 ELSE 'paused' END, last_error = $2, last_error_at = $3, last_error_kind = 'sync',
         updated_at = now() WHERE id = $1`,
      [id, error, at, state],
    );
  }

  /** A local change Google refused for good: shown on the status; the state (of listing runs) is left as it is. */
  async markPushFailed(id: string, error: string, at: Date): Promise<void> {
    await this.db.query(`UPDATE calendar_syncs SET last_error = $2, last_error_at = $3, last_error_kind = 'push', updated_at = now() WHERE id = $1`, [id, error, at]);
  }

  async setEnabled(id: string, enabled: boolean): Promise<CalendarSync> {
    const { rows } = await this.db.query<CalendarSyncRow>(
      `UPDATE calendar_syncs SET enabled = $2, state = CASE WHEN $2 THEN 'queued' ELSE 'paused' END,
         sync_queued = CASE WHEN $2 THEN sync_queued ELSE false END, updated_at = now()
        WHERE id = $1 RETURNING ${calendarSyncColumns}`,
      [id, enabled],
    );
    return toCalendarSync(rows[0]);
  }

  /** The client must be authorized again, or was disconnected: nothing runs until it is connected. */
  async pauseClient(clientId: string, reason: string, at: Date): Promise<void> {
    await this.db.query(
      `UPDATE calendar_syncs SET state = 'paused', sync_queued = false, last_error = $2, last_error_at = $3, last_error_kind = 'sync', updated_at = now()
        WHERE client_id = $1`,
      [clientId, reason, at],
    );
  }

  /** Disconnected: the syncs stop and forget where they were; the local copies stay. */
  async disableClient(clientId: string, reason: string, at: Date): Promise<void> {
    await this.db.query(
      `UPDATE calendar_syncs SET enabled = false, state = 'paused', sync_queued = false, sync_token = NULL, full_sync_due = true,
         last_error = $2, last_error_at = $3, last_error_kind = 'sync', updated_at = now() WHERE client_id = $1`,
      [clientId, reason, at],
    );
  }

  async setChannel(id: string, channel: { id: string; resourceId: string; tokenHash: Buffer; expiresAt: Date } | null): Promise<void> {
    await this.db.query(
      `UPDATE calendar_syncs SET channel_id = $2, channel_resource_id = $3, channel_token_hash = $4, channel_expires_at = $5,
         last_message_number = NULL, updated_at = now() WHERE id = $1`,
      [id, channel?.id ?? null, channel?.resourceId ?? null, channel?.tokenHash ?? null, channel?.expiresAt ?? null],
    );
  }

  /** Records a push's message number; false when it is not newer than the last one (a repeated delivery). */
  async acceptMessage(id: string, channelId: string, messageNumber: number): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE calendar_syncs SET last_message_number = $3, updated_at = now()
        WHERE id = $1 AND channel_id = $2 AND (last_message_number IS NULL OR last_message_number < $3)`,
      [id, channelId, messageNumber],
    );
    return rowCount === 1;
  }

  /** Channels expiring before `before`, for renewal. */
  async listChannelsExpiring(before: Date, limit: number): Promise<CalendarSync[]> {
    const { rows } = await this.db.query<CalendarSyncRow>(
      `SELECT ${calendarSyncColumns} FROM calendar_syncs
        WHERE channel_id IS NOT NULL AND enabled AND channel_expires_at < $1 ORDER BY channel_expires_at LIMIT $2`,
      [before, limit],
    );
    return rows.map(toCalendarSync);
  }

  /**
   * Enabled, importing calendars due for a poll: without a push channel, not synced since `withoutChannelBefore`; with one,
   * not synced since `withChannelBefore` (a backstop for notifications Google lost). Oldest first.
   */
  async listDueForPoll(withoutChannelBefore: Date, withChannelBefore: Date, limit: number): Promise<CalendarSync[]> {
    const { rows } = await this.db.query<CalendarSyncRow>(
      `SELECT ${calendarSyncColumns} FROM calendar_syncs
        WHERE enabled AND strategy <> 'export' AND state <> 'paused' AND NOT full_sync_due
          AND (last_synced_at IS NULL OR last_synced_at < CASE WHEN channel_id IS NULL THEN $1::timestamptz ELSE $2::timestamptz END)
        ORDER BY last_synced_at ASC NULLS FIRST LIMIT $3`,
      [withoutChannelBefore, withChannelBefore, limit],
    );
    return rows.map(toCalendarSync);
  }

}
