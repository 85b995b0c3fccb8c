import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { citext } from '@electric-sql/pglite/contrib/citext';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Database } from './database.js';
import { PgWakeListener } from './pg-listener.js';
import { PglitePool, pgliteParsers } from './pglite-pool.js';

// Every extension a migration creates must be listed here: PGlite loads extensions only when asked at
// open time, and refuses to reopen a data folder that uses one it was not given.
export const pgliteExtensions = { btree_gist, citext, pg_trgm };

// The same value shapes on both back ends (PGlite's side is in pglite-pool.ts): int8 as numbers (counts;
// nothing here passes 2^53), dates as 'YYYY-MM-DD' text (a calendar date has no instant or zone).
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);

export class DataDirLockedError extends Error {}

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
  const release = lockDataDir(dataDir);
  let pglite: PGlite;
  try {
    mkdirSync(dataDir, { recursive: true });
    pglite = await PGlite.create(dataDir, { extensions: pgliteExtensions, parsers: pgliteParsers });
  } catch (error) {
    release();
    throw error;
  }
  return new Database(new PglitePool(pglite), 'pglite', async () => {
    await pglite.close();
    release();
  });
}

/**
 * PGlite has no lock of its own: two processes on one folder silently lose writes. A lock file next to
 * the folder holds the owner's pid; a lock left by a dead process is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const lockFile = `${dataDir}.lock`;
  mkdirSync(dirname(lockFile), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      const release = () => rmSync(lockFile, { force: true });
      process.once('exit', release);
      return () => {
        process.removeListener('exit', release);
        release();
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(lockFile, 'utf8').trim());
      // The owner may be this very process: a second open in one process corrupts the folder just the same.
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
        throw new DataDirLockedError(
          `The embedded database folder ${dataDir} is in use by another Calento process (pid ${owner}). ` +
            'Stop that process, or set PGLITE_DATA_DIR (or DATABASE_URL) for this one.',
        );
      }
      rmSync(lockFile, { force: true });
    }
  }
  throw new DataDirLockedError(`Could not lock the embedded database folder ${dataDir}.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
