-- What last_error is about: 'sync' (a listing run; the next run that completes clears it) or 'push' (a
-- local change Google refused for good; a listing does not fix that, so it stays until the next error
-- or a new initial sync).
ALTER TABLE calendar_syncs ADD COLUMN last_error_kind text;
ALTER TABLE calendar_syncs ADD CONSTRAINT calendar_syncs_last_error_kind_check CHECK (last_error_kind IN ('sync', 'push'));
