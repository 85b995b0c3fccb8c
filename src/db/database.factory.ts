import { mkdirSync } from 'node:fs';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { citext } from '@electric-sql/pglite/contrib/citext';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Database } from './database.js';
import { PgWakeListener } from './pg-listener.js';
import { PglitePool, pgliteParsers } from './pglite-pool.js';
import { lockDataDir } from './data-dir-lock.js';

export { DataDirLockedError } from './data-dir-lock.js';

// Every extension a migration creates must be listed here: PGlite loads extensions only when asked at
// open time, and refuses to reopen a data folder that uses one it was not given.
export const pgliteExtensions = { btree_gist, citext, pg_trgm };

// The same value shapes on both back ends (PGlite's side is in pglite-pool.ts): int8 as numbers (counts;
// nothing here passes 2^53), dates as 'YYYY-MM-DD' text (a calendar date has no instant or zone).
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);

export interface DatabaseOptions {
  databaseUrl: string | null;
  poolSize: number;
  pgliteDataDir: string;
  /** Application name shown in pg_stat_activity. */
  applicationName?: string;
  /** Named prepared statements on real PostgreSQL (default on). */
  preparedStatements?: boolean;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize,
      application_name: options.applicationName ?? 'calento',
      connectionTimeoutMillis: 10_000,
    });
    // An idle client losing its connection (server restart) must not crash the process.
    pool.on('error', () => undefined);
    return new Database(pool, 'postgres', undefined, options.preparedStatements ?? true, new PgWakeListener(options.databaseUrl));
  }
  return openPglite(options.pgliteDataDir);
}

export async function openPglite(dataDir: string): Promise<Database> {
  const lock = await lockDataDir(dataDir);
  let pglite: PGlite;
  try {
    mkdirSync(dataDir, { recursive: true });
    pglite = await PGlite.create(dataDir, { extensions: pgliteExtensions, parsers: pgliteParsers });
  } catch (error) {
    await lock.release();
    throw error;
  }
  return new Database(new PglitePool(pglite), 'pglite', async () => {
    await pglite.close();
    await lock.release();
  });
}
