import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { changeColumns, toChange, type Change, type ChangeInput, type ChangeRow } from './changes.rows.js';

/** The INSERT's parameters of one change, in the order of its column list. */
function changeParams(change: ChangeInput): unknown[] {
  return [
    change.kind,
    change.userId,
    change.origin,
    change.eventId ?? null,
    change.seriesId ?? null,
    change.occurrenceId ?? null,
    change.bookingId ?? null,
    change.fields ?? [],
    JSON.stringify(change.data ?? {}),
  ];
}

/** Rows per multi-row INSERT (9 parameters each). */
const APPEND_CHUNK = 2000;

@Injectable()
export class ChangesRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  async append(change: ChangeInput): Promise<Change> {
    const { rows } = await this.db.query<ChangeRow>(
      `INSERT INTO changes (kind, user_id, origin, event_id, series_id, occurrence_id, booking_id, fields, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       RETURNING ${changeColumns}`,
      changeParams(change),
    );
    return toChange(rows[0]);
  }

  /** Many changes in few statements (an import), in the order given (their seq follows it). */
  async appendMany(changes: ChangeInput[]): Promise<void> {
    for (let at = 0; at < changes.length; at += APPEND_CHUNK) {
      const chunk = changes.slice(at, at + APPEND_CHUNK);
      const params: unknown[] = [];
      const tuples = chunk.map((change) => {
        const first = params.length + 1;
        params.push(...changeParams(change));
        return `(${Array.from({ length: 9 }, (_, offset) => `$${first + offset}`).join(', ')})`;
      });
      await this.db.query(
        `INSERT INTO changes (kind, user_id, origin, event_id, series_id, occurrence_id, booking_id, fields, data) VALUES ${tuples.join(', ')}`,
        params,
      );
    }
  }

  /**
   * The oldest undispatched changes, locked for this transaction. The dispatcher holds a transaction-level
   * advisory lock too, so one process dispatches at a time and changes go out in seq order.
   */
  async claimUndispatched(limit: number): Promise<Change[]> {
    const { rows } = await this.db.query<ChangeRow>(
      `SELECT ${changeColumns} FROM changes WHERE dispatched_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    return rows.map(toChange);
  }

  async markDispatched(seqs: number[]): Promise<void> {
    await this.db.query('UPDATE changes SET dispatched_at = now() WHERE seq = ANY($1::bigint[])', [seqs]);
  }

  /** True when this transaction now holds the dispatcher's lock (false: another process is dispatching). */
  async tryDispatchLock(): Promise<boolean> {
    const { rows } = await this.db.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_xact_lock(hashtextextended('calento:change-dispatch', 0)) AS locked",
    );
    return rows[0]?.locked ?? false;
  }

  async oldestUndispatched(): Promise<{ count: number; oldest: Date | null }> {
    const { rows } = await this.db.query<{ count: number; oldest: Date | null }>(
      'SELECT count(*)::int AS count, min(created_at) AS oldest FROM changes WHERE dispatched_at IS NULL',
    );
    return rows[0] ?? { count: 0, oldest: null };
  }

  /** Dispatched changes older than the cutoff go (subscribers keep what they need in their own rows). */
  async pruneDispatched(before: Date): Promise<number> {
    const { rowCount } = await this.db.query('DELETE FROM changes WHERE dispatched_at < $1', [before]);
    return rowCount;
  }

  /** For tests and diagnostics: a user's changes after `afterSeq`. */
  async listForUser(userId: string, afterSeq: number, limit: number): Promise<Change[]> {
    const { rows } = await this.db.query<ChangeRow>(
      `SELECT ${changeColumns} FROM changes WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [userId, afterSeq, limit],
    );
    return rows.map(toChange);
  }

  /** These changes, oldest first; pruned ones are absent. */
  async listBySeqs(seqs: readonly number[]): Promise<Change[]> {
    const { rows } = await this.db.query<ChangeRow>(
      `SELECT ${changeColumns} FROM changes WHERE seq = ANY($1::bigint[]) ORDER BY seq`,
      [seqs],
    );
    return rows.map(toChange);
  }
}
