-- The change feed: one row per committed change of an event, series, occurrence or booking, written in
-- the transaction of the change by the module that owns the row. Side effects (emails, reminders,
-- webhooks, realtime, Google push-back, Slack) subscribe to it; a dispatcher hands each new change to
-- every subscriber once and marks it dispatched in the same transaction as the work it queued.

CREATE TABLE changes (
  -- Monotonic (an identity sequence): a later change of the same row always has a higher seq.
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- Who made it: api, series, ics, booking, google:<calendar>, ... Subscribers may skip origins.
  origin text NOT NULL,
  -- No foreign keys: a deleted event or booking keeps its last changes.
  event_id uuid,
  series_id uuid,
  occurrence_id text,
  booking_id uuid,
  -- Names of the fields that changed (API names), and the snapshots subscribers need.
  fields text[] NOT NULL DEFAULT '{}',
  data jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  dispatched_at timestamptz,
  CONSTRAINT changes_kind_format CHECK (kind ~ '^[a-z]+(\.[a-z_]+)+$'),
  CONSTRAINT changes_origin_format CHECK (origin ~ '^[a-z]+(:.+)?$' AND char_length(origin) <= 300)
);
CREATE INDEX changes_undispatched_idx ON changes (seq) WHERE dispatched_at IS NULL;
CREATE INDEX changes_user_seq_idx ON changes (user_id, seq);
CREATE INDEX changes_dispatched_idx ON changes (dispatched_at) WHERE dispatched_at IS NOT NULL;
