-- Local changes a paused sync could not send to Google (the sync turned off, or its client waiting to be
-- authorized again), in the order they came. When the sync resumes they are sent; they used to be dropped,
-- and since the next listing is incremental the two sides then stayed apart for good.
CREATE TABLE google_push_backlog (
  seq bigserial PRIMARY KEY,
  sync_id uuid NOT NULL REFERENCES calendar_syncs (id) ON DELETE CASCADE,
  -- The google.push job's payload (PushRequest): which event changed and which fields.
  request jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX google_push_backlog_sync_idx ON google_push_backlog (sync_id, seq);
