import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { citext } from '@electric-sql/pglite/contrib/citext';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Database } from './database.js';

// Every extension a migration creates must be listed here: PGlite loads extensions only when asked at
// open time, and refuses to reopen a data folder that uses one it was not given.
export const pgliteExtensions = { btree_gist, citext, pg_trgm };

// Parse int8 (counts, bigint ids) as JS numbers on both back ends; values past 2^53 are not used here.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export class DataDirLockedError extends Error {}

export interface DatabaseOptions {
  databaseUrl: string | null;
  poolSize: number;
  pgliteDataDir: string;
  /** Application name shown in pg_stat_activity. */
  applicationName?: string;
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
    return new Database(pool, 'postgres');
  }
  return openPglite(options.pgliteDataDir);
}

export async function openPglite(dataDir: string): Promise<Database> {
  const release = lockDataDir(dataDir);
  let pglite: PGlite;
  try {
    mkdirSync(dataDir, { recursive: true });
    pglite = await PGlite.create(dataDir, { extensions: pgliteExtensions });
  } catch (error) {
    release();
    throw error;
  }
  // PGlite is one session: the pool must stay at exactly one client (createPgConfig sets it).
  const pool = new pg.Pool({ ...createPgConfig(pglite), connectionTimeoutMillis: 60_000 });
  return new Database(pool, 'pglite', async () => {
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
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
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
