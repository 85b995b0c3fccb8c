-- Realtime delivery order. The realtime change subscriber appends one row per change it receives, in
-- the change dispatcher's transaction. Dispatch transactions run one at a time (the dispatcher holds a
-- transaction-level advisory lock), so `pos` grows in commit order — unlike changes.seq, which two
-- concurrent writers can commit out of order. Every API process follows this table by `pos` to push
-- changes to its own sockets, and a client resuming after a seq continues after that seq's `pos`.
-- Rows are kept for REALTIME_RESUME_HOURS; the change itself is read from `changes`.

CREATE TABLE realtime_outbox (
  pos bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  seq bigint NOT NULL,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT realtime_outbox_seq_key UNIQUE (seq)
);
CREATE INDEX realtime_outbox_user_pos_idx ON realtime_outbox (user_id, pos);
CREATE INDEX realtime_outbox_created_idx ON realtime_outbox (created_at);
