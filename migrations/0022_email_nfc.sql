-- Email addresses in Unicode NFC (src/common/validation/validators.ts, normalizeEmail): the API now
-- composes every address it is given, so a row stored decomposed ("e" + U+0301) would no longer match
-- what its owner types. Accounts, their extra notification addresses and bookers are rewritten to the
-- form the API now stores (lower-cased too: extra addresses used to keep their capitals). Attendees are
-- not: Google sync writes them as Google spells them, and rewriting them would read as a change.
--
-- A row is left as it is when its rewritten address would equal another row's under the same unique
-- key (two accounts registered as "é" and as "e" + U+0301): merging accounts is not a migration's
-- call, and failing here would stop every replica from booting. docs/operations.md says how to find
-- and settle such rows.

UPDATE users u SET email = normalize(u.email::text, NFC)
 WHERE u.email::text IS NOT NFC NORMALIZED
   AND NOT EXISTS (SELECT 1 FROM users o
                    WHERE o.id <> u.id AND normalize(o.email::text, NFC)::citext = normalize(u.email::text, NFC)::citext);

-- The account's own row follows users.email: where that was left decomposed, so is this.
UPDATE email_addresses a SET email = normalize(lower(a.email::text), NFC)
 WHERE a.email::text IS DISTINCT FROM normalize(lower(a.email::text), NFC)
   AND NOT EXISTS (SELECT 1 FROM email_addresses o
                    WHERE o.user_id = a.user_id AND o.id <> a.id
                      AND normalize(lower(o.email::text), NFC) = normalize(lower(a.email::text), NFC))
   AND NOT EXISTS (SELECT 1 FROM users u
                    WHERE u.id = a.user_id AND u.email = a.email AND u.email::text IS NOT NFC NORMALIZED);

UPDATE bookings SET booker_email = normalize(booker_email::text, NFC) WHERE booker_email::text IS NOT NFC NORMALIZED;
