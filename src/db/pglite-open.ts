import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { citext } from '@electric-sql/pglite/contrib/citext';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Database } from './database.js';
import { lockDataDir } from './data-dir-lock.js';
import { PglitePool, pgliteParsers } from './pglite-pool.js';
import { createPgliteFolder } from './pglite-setup.js';

/*
 * The embedded database's side of database.factory.ts, in a module of its own so that PGlite's code is
 * loaded only by a process that opens an embedded database (openPglite imports this on first use).
 */

// Every extension a migration creates must be listed here: PGlite loads extensions only when asked at
// open time, and refuses to reopen a data folder that uses one it was not given.
const pgliteExtensions = { btree_gist, citext, pg_trgm };

/**
 * PGlite's own start parameters plus a smaller buffer cache: PostgreSQL touches all of shared_buffers
 * when it starts, and inside WebAssembly that memory is never given back, so the default 128 MB costs
 * 128 MB of RSS from the first second (measured: 290 MiB after opening, 186 with 16 MB). The files
 * stay in the operating system's page cache underneath, so an embedded database loses little.
 */
const pgliteStartParams = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB', '-c', 'work_mem=4MB'];

export async function openPgliteFolder(dataDir: string, prepareNew?: (db: Database) => Promise<void>): Promise<Database> {
  const lock = await lockDataDir(dataDir);
  let pglite: PGlite;
  try {
    mkdirSync(dataDir, { recursive: true });
    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      await createPgliteFolder(dataDir, { extensions: pgliteExtensions, startParams: pgliteStartParams }, prepareNew);
    }
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
