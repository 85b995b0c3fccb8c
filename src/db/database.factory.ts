import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
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

/**
 * PGlite's own start parameters plus a smaller buffer cache: PostgreSQL touches all of shared_buffers
 * when it starts, and inside WebAssembly that memory is never given back, so the default 128 MB costs
 * 128 MB of RSS from the first second (measured: 290 MiB after opening, 186 with 16 MB). The files
 * stay in the operating system's page cache underneath, so an embedded database loses little.
 */
const pgliteStartParams = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB', '-c', 'work_mem=4MB'];

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
    if (!existsSync(join(dataDir, 'PG_VERSION'))) await initPgliteInWorker(dataDir);
    pglite = await PGlite.create(dataDir, { extensions: pgliteExtensions, parsers: pgliteParsers, startParams: pgliteStartParams });
  } catch (error) {
    await lock.release();
    throw error;
  }
  return new Database(new PglitePool(pglite), 'pglite', async () => {
    await pglite.close();
    await lock.release();
  });
}

const require = createRequire(import.meta.url);

/**
 * Creates a new PGlite data folder (initdb) in a worker thread that then exits. An initdb in the
 * server's own thread leaves its WebAssembly memory behind for the life of the process (740–850 MiB
 * RSS instead of 280–300 after opening an existing folder; shared/reference/pglite-embedded.md); a
 * worker's memory is returned when it ends.
 */
async function initPgliteInWorker(dataDir: string): Promise<void> {
  const modules = {
    pglite: require.resolve('@electric-sql/pglite'),
    extensions: Object.fromEntries(Object.keys(pgliteExtensions).map((name) => [name, require.resolve(`@electric-sql/pglite/contrib/${name}`)])),
  };
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    (async () => {
      const { PGlite } = require(workerData.modules.pglite);
      const extensions = {};
      for (const [name, path] of Object.entries(workerData.modules.extensions)) extensions[name] = require(path)[name];
      const db = await PGlite.create(workerData.dataDir, { extensions });
      await db.close();
    })().then(() => parentPort.postMessage(null), (error) => parentPort.postMessage(String(error && error.stack || error)));`;
  const worker = new Worker(source, { eval: true, workerData: { dataDir, modules } });
  try {
    const failure = await new Promise<string | null>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the embedded database's initdb worker exited with code ${code}`)));
    });
    if (failure) throw new Error(`could not create the embedded database in ${dataDir}: ${failure}`);
  } finally {
    await worker.terminate();
  }
}
