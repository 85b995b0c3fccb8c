-- Slack (docs/slack.md): a user's install of the Calento Slack app, where each kind of notification goes,
-- the outgoing messages, the OAuth states of installs and the slash command requests already answered.
-- The slack module is the one writer of every table here; tokens are sealed with SecretBox (AES-256-GCM,
-- contexts 'slack_integrations.bot_token:<id>' and 'slack_integrations.user_token:<id>').

CREATE TABLE slack_integrations (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  team_id text NOT NULL,
  team_name text,
  -- The Slack user who installed (authed_user.id): how a slash command finds its Calento user.
  slack_user_id text NOT NULL,
  bot_user_id text,
  bot_token text NOT NULL,
  -- Only with the users.profile:write user scope (status sync).
  user_token text,
  scopes text[] NOT NULL DEFAULT '{}',
  user_scopes text[] NOT NULL DEFAULT '{}',
  default_channel_id text,
  -- Set the Slack status while the user is in a busy event.
  status_sync boolean NOT NULL DEFAULT false,
  -- active; revoked: Slack refused the token (token_revoked, invalid_auth, account_inactive): connect again.
  state text NOT NULL DEFAULT 'active',
  -- The last delivery error Slack answered (channel_not_found, not_in_channel, token_revoked…), shown by GET.
  last_error text,
  last_error_channel_id text,
  last_error_at timestamptz,
  -- The status Calento set last ('<event id>@<end>'), so setting it again is skipped and clearing happens once.
  profile_status_key text,
  connected_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT slack_integrations_user_key UNIQUE (user_id),
  CONSTRAINT slack_integrations_slack_user_key UNIQUE (team_id, slack_user_id),
  CONSTRAINT slack_integrations_state_check CHECK (state IN ('active', 'revoked'))
);

-- Which notifications go to Slack, and where (null channel: the integration's default channel).
CREATE TABLE slack_notifications (
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind text NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  channel_id text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, kind),
  CONSTRAINT slack_notifications_kind_check CHECK (
    kind IN ('booking_created', 'booking_cancelled', 'booking_rescheduled', 'event_reminder', 'daily_summary')
  )
);

-- One row per message to post, written with its slack.send job in the transaction that causes it.
CREATE TABLE slack_messages (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  job_id uuid NOT NULL,
  kind text NOT NULL,
  text text NOT NULL,
  blocks jsonb NOT NULL DEFAULT '[]',
  -- queued → sent | failed | cancelled | skipped (Slack not connected, or the notification turned off, at send time).
  status text NOT NULL DEFAULT 'queued',
  channel_id text,
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  -- Slack's message timestamp (its id within the channel).
  slack_ts text,
  scheduled_at timestamptz,
  sent_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT slack_messages_status_check CHECK (status IN ('queued', 'sent', 'failed', 'cancelled', 'skipped'))
);
CREATE INDEX slack_messages_user_idx ON slack_messages (user_id, created_at DESC);
CREATE INDEX slack_messages_job_idx ON slack_messages (job_id);

-- One row per install attempt; only the SHA-256 of the random state is stored. Works once, until expires_at.
CREATE TABLE slack_oauth_states (
  id uuid PRIMARY KEY,
  state_hash bytea NOT NULL,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT slack_oauth_states_state_hash_key UNIQUE (state_hash)
);
CREATE INDEX slack_oauth_states_expires_idx ON slack_oauth_states (expires_at);

-- Slash command requests answered (SHA-256 of the signature), kept while their timestamp is fresh: a
-- replayed request carries the same signature and is refused.
CREATE TABLE slack_command_requests (
  signature_hash bytea PRIMARY KEY,
  request_at timestamptz NOT NULL
);
CREATE INDEX slack_command_requests_at_idx ON slack_command_requests (request_at);
