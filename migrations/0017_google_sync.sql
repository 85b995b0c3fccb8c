-- Google two-way sync (docs/google-sync.md). The google-sync module is the one writer of every table here.
-- Seed 000's user_credentials are google_accounts (0010); its sync_log and event_conflicts are below.

-- One synced Google calendar of a client: how it syncs, where incremental sync resumes, its push channel.
CREATE TABLE calendar_syncs (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  client_id uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
  -- The client_calendars row (busy, destination, summary); mirrored events carry source 'google:<this id>'.
  calendar_row_id uuid NOT NULL REFERENCES client_calendars (id) ON DELETE CASCADE,
  -- Google's calendar id.
  calendar_id text NOT NULL,
  -- merge: both ways, matching existing events; import: Google → Calento only; export: Calento → Google only.
  strategy text NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  -- queued: a sync is due; syncing: a worker is at it; idle: up to date; error: the last run failed
  -- (last_error says why, it is retried); paused: disabled, or the client must be authorized again.
  state text NOT NULL DEFAULT 'queued',
  -- Google's nextSyncToken of the last completed listing: stored only after its last page committed.
  sync_token text,
  -- A google.sync job is queued and has not started: pushes arriving meanwhile merge into it.
  sync_queued boolean NOT NULL DEFAULT false,
  -- The next run lists everything again (first sync, a 410 fullSyncRequired, a strategy change).
  full_sync_due boolean NOT NULL DEFAULT true,
  last_synced_at timestamptz,
  last_error text,
  last_error_at timestamptz,
  -- Totals since the sync was set up: imported, updated, deleted, exported, conflicts, fullSyncs.
  counts jsonb NOT NULL DEFAULT '{}',
  -- The push channel (events.watch): its token is kept as a SHA-256 hash, the channel id is public.
  channel_id text,
  channel_resource_id text,
  channel_token_hash bytea,
  channel_expires_at timestamptz,
  last_message_number bigint,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT calendar_syncs_calendar_key UNIQUE (calendar_row_id),
  CONSTRAINT calendar_syncs_strategy_check CHECK (strategy IN ('merge', 'import', 'export')),
  CONSTRAINT calendar_syncs_state_check CHECK (state IN ('queued', 'syncing', 'idle', 'error', 'paused'))
);
CREATE INDEX calendar_syncs_user_idx ON calendar_syncs (user_id);
CREATE INDEX calendar_syncs_client_idx ON calendar_syncs (client_id);
CREATE UNIQUE INDEX calendar_syncs_channel_key ON calendar_syncs (channel_id) WHERE channel_id IS NOT NULL;
CREATE INDEX calendar_syncs_channel_expiry_idx ON calendar_syncs (channel_expires_at) WHERE channel_id IS NOT NULL;

-- A local event (single, series or override) and the Google event it mirrors. No foreign key to events:
-- a deleted event's link outlives it until the deletion has reached Google.
CREATE TABLE google_event_links (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  sync_id uuid NOT NULL REFERENCES calendar_syncs (id) ON DELETE CASCADE,
  -- null once the local event is gone and its deletion is on its way to Google.
  event_id uuid,
  google_event_id text NOT NULL,
  -- Set on an override: the Google id of its series.
  google_series_id text,
  ical_uid text,
  -- Google's etag and updated of the version Calento last saw or wrote: If-Match on the way back.
  etag text,
  google_updated timestamptz,
  -- Google's copy of that version: on a 412, what Google changed since is told apart from what Calento did.
  snapshot jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT google_event_links_google_key UNIQUE (sync_id, google_event_id)
);
CREATE UNIQUE INDEX google_event_links_event_key ON google_event_links (event_id) WHERE event_id IS NOT NULL;
CREATE INDEX google_event_links_user_idx ON google_event_links (user_id);

-- Each sync run: what it did and how it ended.
CREATE TABLE sync_log (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  sync_id uuid NOT NULL REFERENCES calendar_syncs (id) ON DELETE CASCADE,
  -- full, incremental, export, push (one local change sent to Google)
  kind text NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  -- running, succeeded, failed
  outcome text NOT NULL DEFAULT 'running',
  counts jsonb NOT NULL DEFAULT '{}',
  error text,
  CONSTRAINT sync_log_kind_check CHECK (kind IN ('full', 'incremental', 'export', 'push')),
  CONSTRAINT sync_log_outcome_check CHECK (outcome IN ('running', 'succeeded', 'failed'))
);
CREATE INDEX sync_log_sync_idx ON sync_log (sync_id, started_at DESC);

-- A local change Google refused (412: Google's copy changed meanwhile) that could not be merged.
CREATE TABLE event_conflicts (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  sync_id uuid NOT NULL REFERENCES calendar_syncs (id) ON DELETE CASCADE,
  event_id uuid,
  google_event_id text NOT NULL,
  -- The local version (EventPayload) and Google's (an events resource) when the conflict was found.
  local jsonb NOT NULL,
  google jsonb NOT NULL,
  -- The fields both sides changed.
  fields text[] NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'open',
  resolution text,
  created_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  CONSTRAINT event_conflicts_status_check CHECK (status IN ('open', 'resolved')),
  CONSTRAINT event_conflicts_resolution_check CHECK (resolution IS NULL OR resolution IN ('local', 'google', 'merged'))
);
CREATE INDEX event_conflicts_user_idx ON event_conflicts (user_id, created_at DESC);
-- One open conflict per Google event: a second 412 updates it.
CREATE UNIQUE INDEX event_conflicts_open_key ON event_conflicts (sync_id, google_event_id) WHERE status = 'open';
