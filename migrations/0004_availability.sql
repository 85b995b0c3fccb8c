-- Availability: weekly working hours and date exceptions. Times are wall-clock hours in the row's IANA
-- zone ('24:00' is the end of the day); the slot engine turns them into instants per date.

-- Hours of one day as a range ([start, end)), so PostgreSQL itself refuses overlapping hours below:
-- 09:00-12:00 and 12:00-17:00 touch and are both allowed, 09:00-12:00 and 11:00-13:00 are not.
CREATE TYPE time_range AS RANGE (subtype = time);

CREATE TABLE availability (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- 0 = Sunday .. 6 = Saturday
  day_of_week smallint NOT NULL,
  start_time time NOT NULL,
  end_time time NOT NULL,
  timezone text NOT NULL,
  is_active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT availability_day_of_week CHECK (day_of_week BETWEEN 0 AND 6),
  CONSTRAINT availability_time_order CHECK (end_time > start_time),
  -- Active hours of one weekday in one zone never overlap (concurrent writers included). Rules in
  -- different zones are not compared: their overlap depends on the date (DST).
  CONSTRAINT availability_no_overlap EXCLUDE USING gist (
    user_id WITH =, day_of_week WITH =, timezone WITH =, time_range(start_time, end_time) WITH &&
  ) WHERE (is_active)
);
CREATE INDEX availability_user_day_idx ON availability (user_id, day_of_week, start_time);

-- A date that differs from the weekly rules: off entirely (is_unavailable, no hours) or these hours
-- instead. A day off counts as 00:00-24:00 for the overlap check, so a date is either off once, or has
-- non-overlapping hours.
CREATE TABLE availability_exceptions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  date date NOT NULL,
  is_unavailable boolean NOT NULL DEFAULT true,
  start_time time,
  end_time time,
  timezone text NOT NULL,
  reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT availability_exceptions_shape CHECK (
    (is_unavailable AND start_time IS NULL AND end_time IS NULL)
    OR (NOT is_unavailable AND start_time IS NOT NULL AND end_time IS NOT NULL AND end_time > start_time)
  ),
  CONSTRAINT availability_exceptions_reason_length CHECK (char_length(reason) <= 500),
  CONSTRAINT availability_exceptions_no_overlap EXCLUDE USING gist (
    user_id WITH =, date WITH =, timezone WITH =,
    time_range(coalesce(start_time, '00:00'), coalesce(end_time, '24:00')) WITH &&
  )
);
CREATE INDEX availability_exceptions_user_date_idx ON availability_exceptions (user_id, date);
