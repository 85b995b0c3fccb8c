-- Events, recurring series and their overrides, tags, attendees.

CREATE TABLE tags (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name citext NOT NULL,
  color text NOT NULL DEFAULT '#3b82f6',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT tags_user_name_key UNIQUE (user_id, name),
  CONSTRAINT tags_color_format CHECK (color ~ '^#[0-9a-fA-F]{6}$')
);

-- One table for single events, series masters and overrides:
-- * a single event has neither recurrence_rule nor series_id;
-- * a series master has recurrence_rule; start_time/end_time are its first occurrence, local_start the
--   same start as wall-clock time in `timezone` (recurrence is defined in local time);
-- * an override has series_id and original_start (the occurrence id it replaces).
CREATE TABLE events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title text NOT NULL,
  description text,
  location text,
  start_time timestamptz NOT NULL,
  end_time timestamptz NOT NULL,
  timezone text NOT NULL,
  is_all_day boolean NOT NULL DEFAULT false,
  -- All-day events are dates (end exclusive); start_time/end_time are those dates' midnights in `timezone`.
  start_date date,
  end_date date,
  status text NOT NULL DEFAULT 'confirmed',
  transparency text NOT NULL DEFAULT 'busy',
  color text,
  visibility text NOT NULL DEFAULT 'default',
  reminders jsonb NOT NULL DEFAULT '[]',
  attachments jsonb NOT NULL DEFAULT '[]',
  recurrence_rule text,
  recurrence_exdates text[] NOT NULL DEFAULT '{}',
  local_start text,
  -- End of the series' last occurrence; NULL while the rule is unbounded. Lets window queries skip
  -- series that ended before the window.
  recurrence_end timestamptz,
  series_id uuid REFERENCES events (id) ON DELETE CASCADE,
  original_start text,
  ical_uid text,
  -- The time the row can occupy: a single event or override its own range, a series from its first start
  -- to the end of its last occurrence (unbounded while the rule is). One GiST index answers every window.
  span tstzrange GENERATED ALWAYS AS (
    tstzrange(start_time, CASE WHEN recurrence_rule IS NULL THEN end_time ELSE coalesce(recurrence_end, 'infinity') END)
  ) STORED,
  search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', coalesce(title, '')), 'A') ||
    setweight(to_tsvector('simple', coalesce(location, '')), 'B') ||
    setweight(to_tsvector('simple', coalesce(description, '')), 'C')
  ) STORED,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_time_order CHECK (end_time > start_time),
  CONSTRAINT events_title_length CHECK (char_length(title) BETWEEN 1 AND 500),
  CONSTRAINT events_status_values CHECK (status IN ('confirmed', 'tentative', 'cancelled')),
  CONSTRAINT events_transparency_values CHECK (transparency IN ('busy', 'free')),
  CONSTRAINT events_visibility_values CHECK (visibility IN ('default', 'public', 'private')),
  CONSTRAINT events_all_day_dates CHECK (
    (is_all_day AND start_date IS NOT NULL AND end_date > start_date)
    OR (NOT is_all_day AND start_date IS NULL AND end_date IS NULL)
  ),
  CONSTRAINT events_series_shape CHECK (
    (recurrence_rule IS NULL OR (series_id IS NULL AND local_start IS NOT NULL))
    AND ((series_id IS NULL) = (original_start IS NULL))
  ),
  CONSTRAINT events_override_once UNIQUE (series_id, original_start)
);
CREATE INDEX events_user_start_idx ON events (user_id, start_time);
CREATE INDEX events_user_span_idx ON events USING gist (user_id, span);
CREATE INDEX events_series_id_idx ON events (series_id) WHERE series_id IS NOT NULL;
CREATE INDEX events_search_idx ON events USING gin (search);
CREATE INDEX events_title_trgm_idx ON events USING gin (title gin_trgm_ops);
CREATE UNIQUE INDEX events_user_ical_uid_key ON events (user_id, ical_uid) WHERE series_id IS NULL AND ical_uid IS NOT NULL;

CREATE TABLE event_tags (
  event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  tag_id uuid NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
  PRIMARY KEY (event_id, tag_id)
);
CREATE INDEX event_tags_tag_idx ON event_tags (tag_id);

-- Invitees. An attendee whose email belongs to a Calento user sees the event (read-only) and answers.
CREATE TABLE event_attendees (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  email citext NOT NULL,
  name text,
  response_status text NOT NULL DEFAULT 'needsAction',
  responded_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT event_attendees_event_email_key UNIQUE (event_id, email),
  CONSTRAINT event_attendees_response_values
    CHECK (response_status IN ('needsAction', 'accepted', 'declined', 'tentative'))
);
CREATE INDEX event_attendees_email_idx ON event_attendees (email);

-- Secret ICS feed per user; only the token's hash is stored.
CREATE TABLE calendar_feeds (
  user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  token_hash bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT calendar_feeds_token_hash_key UNIQUE (token_hash)
);
