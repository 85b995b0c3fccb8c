-- Personal API keys and the admin role.
--
-- A key is `cal_live_<public id>_<secret>`: the public id (prefix) is shown in listings and finds the
-- row; the secret is never stored, only its HMAC-SHA256 under a server key (see docs/api-keys.md).
CREATE TABLE api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL,
  prefix text NOT NULL,
  secret_hash bytea NOT NULL,
  scopes text[] NOT NULL,
  expires_at timestamptz,
  last_used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT api_keys_prefix_key UNIQUE (prefix),
  CONSTRAINT api_keys_name_length CHECK (char_length(name) BETWEEN 1 AND 100),
  CONSTRAINT api_keys_scopes_present CHECK (cardinality(scopes) > 0)
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id, created_at);

-- Operational routes (job metrics) need an admin: a user whose role is 'admin' here, or whose email is
-- listed in ADMIN_EMAILS (how a deployment gets its first admin without SQL).
ALTER TABLE users ADD COLUMN role text NOT NULL DEFAULT 'user';
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('user', 'admin'));
