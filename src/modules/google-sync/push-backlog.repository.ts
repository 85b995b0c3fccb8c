import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import type { PushRequest } from './google-push.js';

/**
 * Pushes a paused sync keeps back (it was turned off, or its client must be authorized again) until it
 * resumes. A push sends the event as it is when it runs, so what is kept is only which event changed and
 * which fields; GoogleSyncService sends them again when the sync resumes.
 */
@Injectable()
export class PushBacklogRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  /**
   * Keeps the push when its sync is paused, and says so; false when the sync is live (or gone), for the
   * caller to send or skip it. The sync's row is read FOR SHARE: a resume, which updates that row before
   * it takes the backlog, either waits for this to commit or is seen by it.
   */
  parkIfPaused(request: PushRequest): Promise<boolean> {
    return this.db.tx(async () => {
      const { rows } = await this.db.query<{ paused: boolean }>(
        `SELECT (NOT enabled OR state = 'paused') AS paused FROM calendar_syncs WHERE id = $1 FOR SHARE`,
        [request.syncId],
      );
      if (!rows[0]?.paused) return false;
      await this.db.query('INSERT INTO google_push_backlog (sync_id, request) VALUES ($1, $2)', [request.syncId, JSON.stringify(request)]);
      return true;
    });
  }

  /** Removes and returns a sync's kept pushes, oldest first: in the transaction that resumes it. */
  async take(syncId: string): Promise<PushRequest[]> {
    const { rows } = await this.db.query<{ seq: string; request: PushRequest }>(
      'DELETE FROM google_push_backlog WHERE sync_id = $1 RETURNING seq, request',
      [syncId],
    );
    return rows.sort((a, b) => Number(a.seq) - Number(b.seq)).map((row) => row.request);
  }
}
