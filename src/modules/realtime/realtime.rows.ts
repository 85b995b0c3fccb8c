/** Row shapes of the realtime outbox (migrations/0008_realtime_outbox.sql) and their mapping. */
export interface OutboxRow {
  pos: number;
  seq: number;
  user_id: string;
}

/** One change in delivery order: `pos` is its place in commit order, `seq` its id in the change feed. */
export interface OutboxEntry {
  pos: number;
  seq: number;
  userId: string;
}

export const outboxColumns = 'pos, seq, user_id';

export function toOutboxEntry(row: OutboxRow): OutboxEntry {
  return { pos: row.pos, seq: row.seq, userId: row.user_id };
}
