-- Booking links get their scheduling rules; bookings can never overlap for one host.

ALTER TABLE booking_links
  ADD COLUMN location text,
  ADD COLUMN meeting_url text,
  ADD COLUMN buffer_before_minutes integer NOT NULL DEFAULT 0,
  ADD COLUMN buffer_after_minutes integer NOT NULL DEFAULT 0,
  ADD COLUMN slot_interval_minutes integer,
  ADD COLUMN minimum_notice_minutes integer NOT NULL DEFAULT 0,
  ADD COLUMN booking_window_days integer DEFAULT 60,
  ADD COLUMN max_bookings_per_day integer,
  ADD COLUMN max_bookings_per_week integer,
  ADD CONSTRAINT booking_links_slug_format CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{1,58}[a-z0-9])$'),
  ADD CONSTRAINT booking_links_duration_range CHECK (duration_minutes BETWEEN 5 AND 720),
  ADD CONSTRAINT booking_links_buffers_range CHECK (buffer_before_minutes BETWEEN 0 AND 720 AND buffer_after_minutes BETWEEN 0 AND 720),
  ADD CONSTRAINT booking_links_interval_range CHECK (slot_interval_minutes IS NULL OR slot_interval_minutes BETWEEN 5 AND 720),
  ADD CONSTRAINT booking_links_notice_range CHECK (minimum_notice_minutes BETWEEN 0 AND 525600),
  ADD CONSTRAINT booking_links_window_range CHECK (booking_window_days IS NULL OR booking_window_days BETWEEN 1 AND 730),
  ADD CONSTRAINT booking_links_limits_range CHECK (
    (max_bookings_per_day IS NULL OR max_bookings_per_day BETWEEN 1 AND 1000)
    AND (max_bookings_per_week IS NULL OR max_bookings_per_week BETWEEN 1 AND 10000)
  );

CREATE TABLE bookings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  host_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- A deleted link keeps its bookings (their history and manage links still work).
  booking_link_id uuid REFERENCES booking_links (id) ON DELETE SET NULL,
  link_title text NOT NULL,
  event_id uuid REFERENCES events (id) ON DELETE SET NULL,
  start_time timestamptz NOT NULL,
  end_time timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'confirmed',
  booker_name text NOT NULL,
  booker_email citext NOT NULL,
  booker_phone text,
  booker_timezone text NOT NULL,
  notes text,
  manage_token_hash bytea NOT NULL,
  idempotency_key text,
  idempotency_fingerprint text,
  cancelled_at timestamptz,
  cancelled_by text,
  cancel_reason text,
  rescheduled_at timestamptz,
  -- Bumped on every change mailed to the two sides (the ICS SEQUENCE).
  sequence integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT bookings_time_order CHECK (end_time > start_time),
  CONSTRAINT bookings_status_values CHECK (status IN ('confirmed', 'cancelled')),
  CONSTRAINT bookings_cancelled_by_values CHECK (cancelled_by IS NULL OR cancelled_by IN ('host', 'booker')),
  CONSTRAINT bookings_manage_token_hash_key UNIQUE (manage_token_hash),
  CONSTRAINT bookings_idempotency_key UNIQUE (booking_link_id, idempotency_key),
  -- The invariant that no race can break: one host, no two confirmed bookings at the same time.
  CONSTRAINT bookings_no_overlap EXCLUDE USING gist (host_id WITH =, tstzrange(start_time, end_time) WITH &&)
    WHERE (status = 'confirmed')
);
CREATE INDEX bookings_host_start_idx ON bookings (host_id, start_time);
CREATE INDEX bookings_link_start_idx ON bookings (booking_link_id, start_time) WHERE status = 'confirmed';
