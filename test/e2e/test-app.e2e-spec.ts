import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { cloneTestDatabase, usingPostgres } from '../setup/test-db.js';
import { createTestApp } from '../setup/test-app.js';

/**
 * The harness itself: a test file whose app fails to start has no app for its afterAll to close, so
 * createTestApp must give back the database copy it was handed (on PGlite a 41 MB folder, held in
 * memory when it lives in /dev/shm) before it rethrows.
 */
describe('createTestApp', () => {
  it('drops its database copy when the app cannot start, and rethrows the reason', async () => {
    const clone = await cloneTestDatabase();
    let drops = 0;
    const database = {
      env: clone.env,
      drop: async () => {
        drops += 1;
        await clone.drop();
      },
    };
    await expect(createTestApp({ BCRYPT_ROUNDS: '99' }, { database })).rejects.toThrow(/BCRYPT_ROUNDS/);
    expect(drops).toBe(1);
    if (!usingPostgres) expect(existsSync(clone.env.PGLITE_DATA_DIR)).toBe(false);
  });

  it('starts on a copy of its own otherwise, and removes it on close', async () => {
    const clone = await cloneTestDatabase();
    const app = await createTestApp({}, { database: clone });
    const { rows } = await app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
    expect(rows[0].n).toBeGreaterThan(0);
    await app.close();
    if (!usingPostgres) expect(existsSync(clone.env.PGLITE_DATA_DIR)).toBe(false);
  });
});
