import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { outboxColumns, toOutboxEntry, type OutboxEntry, type OutboxRow } from './realtime.rows.js';

@Injectable()
export class RealtimeOutboxRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  /**
   * Appends changes in the order given (the dispatcher's, oldest first), so `pos` follows it inside a
   * batch too. A change already present is skipped: appending is idempotent. So is the change of an
   * account deleted since (its cancellations are dispatched after it is gone): nobody is left to push to.
   */
  async append(changes: ReadonlyArray<{ seq: number; userId: string }>): Promise<void> {
    await this.db.query(
      `INSERT INTO realtime_outbox (seq, user_id)
       SELECT given.seq, given.user_id FROM unnest($1::bigint[], $2::uuid[]) WITH ORDINALITY AS given (seq, user_id, n)
       JOIN users u ON u.id = given.user_id
       ORDER BY given.n
       ON CONFLICT (seq) DO NOTHING`,
      [changes.map((change) => change.seq), changes.map((change) => change.userId)],
    );
  }

  /** Everyone's entries after a position, in delivery order. */
  async after(pos: number, limit: number): Promise<OutboxEntry[]> {
    const { rows } = await this.db.query<OutboxRow>(
      `SELECT ${outboxColumns} FROM realtime_outbox WHERE pos > $1 ORDER BY pos LIMIT $2`,
      [pos, limit],
    );
    return rows.map(toOutboxEntry);
  }

  /** The last position handed out and committed (0 when empty). */
  async latestPos(): Promise<number> {
    const { rows } = await this.db.query<{ pos: number }>('SELECT COALESCE(max(pos), 0)::bigint AS pos FROM realtime_outbox');
    return rows[0]?.pos ?? 0;
  }

  /** Where a user's change sits in delivery order; null when it is not (or no longer) there. */
  async positionOf(userId: string, seq: number): Promise<number | null> {
    const { rows } = await this.db.query<{ pos: number }>(
      'SELECT pos FROM realtime_outbox WHERE user_id = $1 AND seq = $2',
      [userId, seq],
    );
    return rows[0]?.pos ?? null;
  }

  /** A user's entries in (afterPos, uptoPos], in delivery order. */
  async forUserBetween(userId: string, afterPos: number, uptoPos: number, limit: number): Promise<OutboxEntry[]> {
    const { rows } = await this.db.query<OutboxRow>(
      `SELECT ${outboxColumns} FROM realtime_outbox
       WHERE user_id = $1 AND pos > $2 AND pos <= $3 ORDER BY pos LIMIT $4`,
      [userId, afterPos, uptoPos, limit],
    );
    return rows.map(toOutboxEntry);
  }

  /** A user's last entry at or before a position. */
  async lastForUser(userId: string, uptoPos: number): Promise<OutboxEntry | null> {
    const { rows } = await this.db.query<OutboxRow>(
      `SELECT ${outboxColumns} FROM realtime_outbox WHERE user_id = $1 AND pos <= $2 ORDER BY pos DESC LIMIT 1`,
      [userId, uptoPos],
    );
    return rows[0] ? toOutboxEntry(rows[0]) : null;
  }

  async pruneBefore(cutoff: Date): Promise<number> {
    const { rowCount } = await this.db.query('DELETE FROM realtime_outbox WHERE created_at < $1', [cutoff]);
    return rowCount;
  }
}
