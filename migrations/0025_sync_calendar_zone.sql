-- The calendar's time zone as the last completed listing gave it (docs/google-sync.md). All-day events,
-- and timed ones without a zone of their own, are read in it; when Google reports another, the next run
-- lists the whole calendar again and maps every event anew, though Google changed none of them.
ALTER TABLE calendar_syncs ADD COLUMN calendar_zone text;
