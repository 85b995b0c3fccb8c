import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { pageWithTotal } from '../../db/paged.js';
import { toConflict, type Conflict, type ConflictRow } from './google-sync.rows.js';

const conflictColumns = `c.id, c.user_id, c.sync_id, s.client_id, s.calendar_id, c.event_id, c.google_event_id, c.local, c.google,
  c.fields, c.status, c.resolution, c.created_at, c.resolved_at`;

/** The `event_conflicts` table: local changes Google refused (412) that could not be merged. */
@Injectable()
export class ConflictsRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  /** Records a conflict, or refreshes the open one of the same Google event. Returns its id. */
  async record(input: {
    userId: string;
    syncId: string;
    eventId: string | null;
    googleEventId: string;
    local: unknown;
    google: unknown;
    fields: string[];
  }): Promise<{ id: string; created: boolean }> {
    const { rows } = await this.db.query<{ id: string; created: boolean }>(
      `INSERT INTO event_conflicts (id, user_id, sync_id, event_id, google_event_id, local, google, fields)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (sync_id, google_event_id) WHERE status = 'open'
       DO UPDATE SET local = EXCLUDED.local, google = EXCLUDED.google, fields = EXCLUDED.fields, event_id = EXCLUDED.event_id
       RETURNING id, (xmax = 0) AS created`,
      [randomUUID(), input.userId, input.syncId, input.eventId, input.googleEventId, JSON.stringify(input.local), JSON.stringify(input.google), input.fields],
    );
    return rows[0];
  }

  async get(userId: string, id: string): Promise<Conflict | null> {
    const { rows } = await this.db.query<ConflictRow>(
      `SELECT ${conflictColumns} FROM event_conflicts c JOIN calendar_syncs s ON s.id = c.sync_id WHERE c.id = $1 AND c.user_id = $2`,
      [id, userId],
    );
    return rows[0] ? toConflict(rows[0]) : null;
  }

  async findOpen(syncId: string, googleEventId: string): Promise<Conflict | null> {
    const { rows } = await this.db.query<ConflictRow>(
      `SELECT ${conflictColumns} FROM event_conflicts c JOIN calendar_syncs s ON s.id = c.sync_id
        WHERE c.sync_id = $1 AND c.google_event_id = $2 AND c.status = 'open'`,
      [syncId, googleEventId],
    );
    return rows[0] ? toConflict(rows[0]) : null;
  }

  async list(userId: string, status: 'open' | 'resolved' | null, limit: number, offset: number): Promise<{ items: Conflict[]; total: number }> {
    const from = `FROM event_conflicts c JOIN calendar_syncs s ON s.id = c.sync_id WHERE c.user_id = $1 AND ($2::text IS NULL OR c.status = $2)`;
    return pageWithTotal(this.db, { select: conflictColumns, from, orderBy: 'c.created_at DESC, c.id', params: [userId, status] }, limit, offset, toConflict);
  }

  async resolve(id: string, resolution: 'local' | 'google' | 'merged', at: Date): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE event_conflicts SET status = 'resolved', resolution = $2, resolved_at = $3 WHERE id = $1 AND status = 'open'`,
      [id, resolution, at],
    );
    return rowCount === 1;
  }
}
