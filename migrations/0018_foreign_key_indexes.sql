-- Indexes behind foreign keys whose referenced rows are deleted in normal use. Without one, PostgreSQL
-- checks each such delete by reading the whole referencing table: deleting an event read every booking
-- (bench/README.md, "Soak"), and deleting a user read every webhook delivery and sync log row.
-- test/integration/database.spec.ts lists the foreign keys that stay without one, and why.
CREATE INDEX bookings_event_idx ON bookings (event_id);
CREATE INDEX webhook_deliveries_user_idx ON webhook_deliveries (user_id);
CREATE INDEX sync_log_user_idx ON sync_log (user_id);
