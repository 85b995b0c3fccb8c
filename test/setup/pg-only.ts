import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { createTestApp, type TestApp } from './test-app.js';
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

/**
 * The app of a file whose tests all need real PostgreSQL (true concurrency): announces the skip under
 * PGlite, and on PostgreSQL builds the app once for the file, with a pool wide enough for the requests
 * the tests send at once, and closes it after. Returns the app's getter.
 */
export function pgOnlyTestApp(what: string, overrides: Record<string, string> = { DATABASE_POOL_SIZE: '20' }): () => TestApp {
  announcePgOnly(what);
  let app: TestApp | undefined;
  beforeAll(async () => {
    if (usingPostgres) app = await createTestApp(overrides);
  });
  afterAll(async () => {
    await app?.close();
  });
  return () => {
    if (!app) throw new Error('the app exists only on real PostgreSQL, in tests declared with pgOnly');
    return app;
  };
}
