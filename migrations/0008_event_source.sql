-- Where each event came from (the origin of the change that created it: api, series, ics, booking,
-- google:<calendar>). Subscribers of the change feed read it from the event payload: booking events are
-- mailed by the bookings side, Google mirrors are not pushed back to where they came from.
ALTER TABLE events ADD COLUMN source text NOT NULL DEFAULT 'api';
UPDATE events SET source = 'booking' WHERE id IN (SELECT event_id FROM bookings WHERE event_id IS NOT NULL);
UPDATE events SET source = 'ics' WHERE source = 'api' AND ical_uid IS NOT NULL;
ALTER TABLE events ADD CONSTRAINT events_source_format CHECK (source ~ '^[a-z]+(:.+)?$' AND char_length(source) <= 300);
