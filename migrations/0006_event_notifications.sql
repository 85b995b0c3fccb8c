-- Event notifications: the iTIP sequence of each event, the daily summary opt-in, and the indexes the
-- reminder scheduler reads.

-- SEQUENCE of the invitations Calento mails for an event (RFC 5546): bumped on every mailed change, so
-- attendees' calendar apps take an update or cancellation over the invitation before it. A series keeps
-- one counter on its master row for all its occurrences.
ALTER TABLE events ADD COLUMN sequence integer NOT NULL DEFAULT 0;

-- Opt-in: a summary of the day at 07:00 in the user's zone.
ALTER TABLE users ADD COLUMN daily_summary boolean NOT NULL DEFAULT false;
CREATE INDEX users_daily_summary_idx ON users (timezone) WHERE daily_summary;

-- The scheduler looks ahead for events with an email reminder.
CREATE INDEX events_email_reminders_idx ON events USING gist (span)
  WHERE reminders @> '[{"method": "email"}]';

-- The queued reminders of an event are found (and cancelled) by dedupe-key prefix
-- ('email:reminder:<event id>:'); text_pattern_ops serves LIKE 'prefix%' under any collation.
CREATE INDEX jobs_queued_dedupe_prefix_idx ON jobs (dedupe_key text_pattern_ops)
  WHERE status = 'queued' AND dedupe_key IS NOT NULL;
