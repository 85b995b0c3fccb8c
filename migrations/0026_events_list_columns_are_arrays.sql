-- PATCH /events/:id (and one occurrence's PUT) took `"reminders": null` or `"attachments": null` and
-- stored the JSON null: reads then broke the documented shape (an array) and the reminders subscriber
-- failed on every later change of the event. The API now refuses null there; this repairs the rows
-- it wrote and lets the database refuse anything but an array from now on.
UPDATE events SET reminders = '[]' WHERE jsonb_typeof(reminders) <> 'array';
UPDATE events SET attachments = '[]' WHERE jsonb_typeof(attachments) <> 'array';
ALTER TABLE events
  ADD CONSTRAINT events_reminders_array CHECK (jsonb_typeof(reminders) = 'array'),
  ADD CONSTRAINT events_attachments_array CHECK (jsonb_typeof(attachments) = 'array');
