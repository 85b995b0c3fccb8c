import pg from 'pg';
import { Database } from './database.js';
import { PgWakeListener } from './pg-listener.js';
import { timestamptzParser } from './timestamptz.js';

export { DataDirLockedError } from './data-dir-lock.js';

// The same value shapes on both back ends (PGlite's side is in pglite-pool.ts): int8 as numbers (counts;
// nothing here passes 2^53), dates as 'YYYY-MM-DD' text (a calendar date has no instant or zone).
// Instants are Dates either way; on pg, read by position (timestamptz.ts) with pg's parser for odd ones.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);
pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, timestamptzParser(pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ)));

export interface DatabaseOptions {
  databaseUrl: string | null;
  poolSize: number;
  pgliteDataDir: string;
  /** Application name shown in pg_stat_activity. */
  applicationName?: string;
  /** Named prepared statements on real PostgreSQL (default on). */
  preparedStatements?: boolean;
  /**
   * Run on a brand-new embedded database folder before it is opened (the migrations); its statements are
   * carried out in the child process that creates the folder: see createPgliteFolder.
   */
  prepareNewPglite?: (db: Database) => Promise<void>;
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
  return openPglite(options.pgliteDataDir, options.prepareNewPglite);
}

/**
 * Opens (creating it first if new) the embedded database in `dataDir`. PGlite's code is loaded here, on
 * first use: a server on PostgreSQL never loads it (src/db/pglite-open.ts).
 */
export async function openPglite(dataDir: string, prepareNew?: (db: Database) => Promise<void>): Promise<Database> {
  const { openPgliteFolder } = await import('./pglite-open.js');
  return openPgliteFolder(dataDir, prepareNew);
}
