import { describe, it } from '@jest/globals';
import { usingPostgres } from './test-db.js';

export { usingPostgres };

/** Appended to the title of a test that needs real PostgreSQL, so a skipped run says why. */
export const PG_ONLY = '(needs real PostgreSQL; skipped on PGlite)';

/**
 * Tests of behaviour PGlite cannot have: it is one session, so SKIP LOCKED waits instead of skipping,
 * advisory locks are always granted and two processes cannot share it. Without DATABASE_URL these are
 * skipped, with one line saying so; with DATABASE_URL they run.
 *
 *   pgOnly(`two workers deliver each job once ${PG_ONLY}`, async () => { ... });
 */
export const pgOnly = usingPostgres ? it : it.skip;
export const describePgOnly = usingPostgres ? describe : describe.skip;

/** Prints the one line a skipped run shows; call it at module level of a file that uses pgOnly. */
export function announcePgOnly(what: string): void {
  if (usingPostgres) return;
  console.warn(
    `[calento] ${what} ${PG_ONLY}. Run it with ` +
      'DATABASE_URL=postgres://postgres@127.0.0.1:5432/calento_test npm test -- <file>',
  );
}
