-- A booking's invitations keep one iCalendar UID for the booking's whole life: the UID of the host's
-- event when the booking was made. It used to be read from event_id, which turns null when the host
-- deletes that event by hand (supported), and the cancellation or reschedule that followed then went
-- out under another UID: calendar apps kept the first entry and added a second.
-- Rows whose event is already gone keep the UID those later messages used.
ALTER TABLE bookings ADD COLUMN ical_uid text;
UPDATE bookings SET ical_uid = COALESCE(event_id::text, 'booking-' || id::text) || '@calento';
ALTER TABLE bookings ALTER COLUMN ical_uid SET NOT NULL;
