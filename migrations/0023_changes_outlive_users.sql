-- Deleting an account cancels what others rely on (bookings, events with attendees) in the transaction
-- that deletes the user row. The cancellations reach bookers and attendees through the change feed,
-- which is dispatched after that commit: with changes.user_id cascading, the pending changes went with
-- the user and nobody was told. The feed now keeps them like it keeps the changes of deleted events and
-- bookings (no foreign key); the dispatcher's retention prunes them once dispatched.
ALTER TABLE changes DROP CONSTRAINT changes_user_id_fkey;
