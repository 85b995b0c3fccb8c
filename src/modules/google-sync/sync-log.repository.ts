import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';

export type SyncRunKind = 'full' | 'incremental' | 'export' | 'push';

export interface SyncLogEntry {
  id: string;
  kind: SyncRunKind;
  startedAt: Date;
  finishedAt: Date | null;
  outcome: 'running' | 'succeeded' | 'failed';
  counts: Record<string, number>;
  error: string | null;
}

interface SyncLogRow {
  id: string;
  kind: SyncRunKind;
  started_at: Date;
  finished_at: Date | null;
  outcome: 'running' | 'succeeded' | 'failed';
  counts: Record<string, number>;
  error: string | null;
}

const toEntry = (row: SyncLogRow): SyncLogEntry => ({
  id: row.id,
  kind: row.kind,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  outcome: row.outcome,
  counts: row.counts,
  error: row.error,
});

/** The `sync_log` table: one row per sync run. */
@Injectable()
export class SyncLogRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  async start(userId: string, syncId: string, kind: SyncRunKind, at: Date): Promise<string> {
    const id = randomUUID();
    await this.db.query('INSERT INTO sync_log (id, user_id, sync_id, kind, started_at) VALUES ($1, $2, $3, $4, $5)', [id, userId, syncId, kind, at]);
    return id;
  }

  async finish(id: string, outcome: 'succeeded' | 'failed', at: Date, counts: Record<string, number>, error: string | null = null): Promise<void> {
    await this.db.query('UPDATE sync_log SET outcome = $2, finished_at = $3, counts = $4, error = $5 WHERE id = $1', [
      id,
      outcome,
      at,
      JSON.stringify(counts),
      error,
    ]);
  }

  async recent(syncId: string, limit: number): Promise<SyncLogEntry[]> {
    const { rows } = await this.db.query<SyncLogRow>(
      'SELECT id, kind, started_at, finished_at, outcome, counts, error FROM sync_log WHERE sync_id = $1 ORDER BY started_at DESC, id LIMIT $2',
      [syncId, limit],
    );
    return rows.map(toEntry);
  }
}
