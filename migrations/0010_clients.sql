-- Seed 004's "Calendar Stacker": a user manages several clients, each with its own Google account
-- connected through that client's own OAuth client (or the deployment's). The clients module is the one
-- writer of every table here; secrets are sealed with SecretBox (AES-256-GCM, context table.column:row).

-- A named, coloured group ("Acme Corp") and the state of its Google connection.
CREATE TABLE clients (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL,
  color text NOT NULL DEFAULT '#4f46e5',
  description text,
  -- pending: never connected; connected: tokens work; needs_reauth: Google refused our refresh token
  -- (revoked, expired) and the user must consent again; disconnected: credentials removed.
  status text NOT NULL DEFAULT 'pending',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT clients_status_check CHECK (status IN ('pending', 'connected', 'needs_reauth', 'disconnected')),
  CONSTRAINT clients_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
  CONSTRAINT clients_color_format CHECK (color ~ '^#[0-9a-fA-F]{6}$'),
  CONSTRAINT clients_description_length CHECK (description IS NULL OR char_length(description) <= 2000)
);
-- Names are how people tell clients apart: unique per user, case-insensitively.
CREATE UNIQUE INDEX clients_user_name_key ON clients (user_id, lower(name));

-- The OAuth client a Calento client connects through: its own Google client id and sealed secret, or the
-- deployment's GOOGLE_CLIENT_ID/GOOGLE_CLIENT_SECRET (use_default). One per client.
CREATE TABLE oauth_credentials (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  client_id uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
  use_default boolean NOT NULL DEFAULT false,
  google_client_id text,
  -- Sealed, context 'oauth_credentials.client_secret:<id>'.
  client_secret text,
  -- The last characters of the secret, so a person can tell which one is stored.
  secret_hint text,
  scopes text[] NOT NULL,
  -- unverified until Google accepts it (a code exchange or a refresh); invalid once Google refuses it.
  status text NOT NULL DEFAULT 'unverified',
  verified_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT oauth_credentials_client_id_key UNIQUE (client_id),
  CONSTRAINT oauth_credentials_status_check CHECK (status IN ('unverified', 'valid', 'invalid')),
  CONSTRAINT oauth_credentials_source_check CHECK (
    (use_default AND google_client_id IS NULL AND client_secret IS NULL)
    OR (NOT use_default AND google_client_id IS NOT NULL AND client_secret IS NOT NULL)
  ),
  CONSTRAINT oauth_credentials_scopes_check CHECK (cardinality(scopes) BETWEEN 1 AND 20)
);

-- The Google account connected to a client and its tokens (one account per client).
CREATE TABLE google_accounts (
  client_id uuid PRIMARY KEY REFERENCES clients (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  credential_id uuid NOT NULL REFERENCES oauth_credentials (id) ON DELETE CASCADE,
  -- The Google OAuth client id the tokens were issued to (the deployment's when use_default): tokens
  -- only work with it, and revoking one revokes every token of the account for that OAuth client.
  oauth_client_id text NOT NULL,
  -- Google's stable account id ("sub" of the id_token), when Google told us.
  subject text,
  email citext NOT NULL,
  -- Sealed, contexts 'google_accounts.access_token:<client_id>' and 'google_accounts.refresh_token:<client_id>'.
  -- Both are cleared when Google refuses the refresh token (the client is then needs_reauth).
  access_token text,
  access_token_expires_at timestamptz,
  refresh_token text,
  granted_scopes text[] NOT NULL DEFAULT '{}',
  connected_at timestamptz NOT NULL,
  refreshed_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX google_accounts_grant_idx ON google_accounts (oauth_client_id, email);
CREATE INDEX google_accounts_credential_idx ON google_accounts (credential_id);

-- One row per authorization attempt. Only a hash of the random state is stored; the PKCE verifier is
-- sealed ('oauth_states.code_verifier:<id>'). A state works once (used_at) and until expires_at.
CREATE TABLE oauth_states (
  id uuid PRIMARY KEY,
  state_hash bytea NOT NULL,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  client_id uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
  credential_id uuid NOT NULL REFERENCES oauth_credentials (id) ON DELETE CASCADE,
  code_verifier text NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT oauth_states_state_hash_key UNIQUE (state_hash)
);
CREATE INDEX oauth_states_expires_idx ON oauth_states (expires_at);

-- The Google calendars of a client's account (from calendarList), with Calento's settings for each:
-- busy (its events count as busy time) and destination (receives new bookings).
CREATE TABLE client_calendars (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  client_id uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
  -- Google's calendar id ("ada@example.com", "en.usa#holiday@group.v.calendar.google.com").
  calendar_id text NOT NULL,
  summary text NOT NULL,
  description text,
  is_primary boolean NOT NULL DEFAULT false,
  access_role text NOT NULL,
  time_zone text,
  background_color text,
  hidden boolean NOT NULL DEFAULT false,
  busy boolean NOT NULL,
  destination boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT client_calendars_client_calendar_key UNIQUE (client_id, calendar_id),
  CONSTRAINT client_calendars_access_role_check CHECK (access_role IN ('freeBusyReader', 'reader', 'writer', 'owner')),
  -- New bookings are written there: only a calendar we may write to.
  CONSTRAINT client_calendars_destination_writable CHECK (NOT destination OR access_role IN ('writer', 'owner'))
);
-- At most one destination per user, across all of their clients.
CREATE UNIQUE INDEX client_calendars_one_destination_key ON client_calendars (user_id) WHERE destination;
CREATE INDEX client_calendars_user_busy_idx ON client_calendars (user_id) WHERE busy;
