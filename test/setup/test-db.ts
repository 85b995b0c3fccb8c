import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, openPglite } from '../../src/db/database.factory.js';
import { migrate, readMigrations } from '../../src/db/migrator.js';

/**
 * Each test file gets its own database cloned from a migrated template (immich's "medium test" idea):
 * on real PostgreSQL a `CREATE DATABASE … TEMPLATE`, on PGlite a copy of a migrated data folder.
 * The template is built once per set of migration files.
 */
export const usingPostgres = Boolean(process.env.DATABASE_URL);

function migrationsHash(): string {
  const hash = createHash('sha256');
  for (const file of readMigrations()) hash.update(`${file.version}:${file.checksum};`);
  return hash.digest('hex').slice(0, 16);
}

function serverUrl(database: string): string {
  const url = new URL(process.env.DATABASE_URL as string);
  url.pathname = `/${database}`;
  return url.toString();
}

function baseDatabaseName(): string {
  const name = new URL(process.env.DATABASE_URL as string).pathname.replace(/^\//, '');
  // Tests drop and create databases: refuse to point them at anything not meant for tests.
  if (!/test/i.test(name)) {
    throw new Error(`Refusing to run tests against database "${name}": its name must contain "test".`);
  }
  return name;
}

/**
 * Where PGlite's template and each file's copy of it live: /dev/shm when the machine has it as a tmpfs with
 * room to spare, else the temporary folder. A copy is 41 MB in about 1,200 files: on this machine's ext4
 * /tmp copying and removing one took 1.0-1.7 s (400-570 ms of CPU), on /dev/shm 130-270 ms (110-170 ms
 * of CPU; 2026-12-02). A container's default /dev/shm (64 MB) is too small, hence the free-space floor.
 */
let scratchRoot: string | undefined;
function pgliteScratchRoot(): string {
  // Chosen once per process, so the template and its copies never end up on different sides.
  scratchRoot ??= (() => {
    try {
      const shm = statfsSync('/dev/shm');
      if (shm.type === TMPFS_MAGIC && shm.bavail * shm.bsize >= 2 ** 30) return '/dev/shm';
    } catch {
      // No /dev/shm here (macOS, Windows).
    }
    return tmpdir();
  })();
  return scratchRoot;
}
const TMPFS_MAGIC = 0x01021994;

const templateName = () => `${baseDatabaseName()}_template_${migrationsHash()}`;
const pgliteTemplateDir = () => join(pgliteScratchRoot(), `calento-pglite-template-${migrationsHash()}`);

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl('postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Builds the migrated template once. Test files run in parallel workers: the first to take the lock
 * (an atomic mkdir) builds, the others wait for it.
 */
async function ensureTemplate(): Promise<void> {
  const lock = join(tmpdir(), `calento-template-lock-${migrationsHash()}`);
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than two minutes belongs to a crashed run.
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
      if (since !== undefined && Date.now() - since > 120_000) rmSync(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    await buildTemplate();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function buildTemplate(): Promise<void> {
  if (usingPostgres) {
    const name = templateName();
    const exists = await admin(async (client) => {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      return (rowCount ?? 0) > 0;
    });
    if (exists) return;
    const building = `${name}_building_${process.pid}`;
    await admin((client) => client.query(`CREATE DATABASE "${building}"`));
    const db = await openDatabase({
      databaseUrl: serverUrl(building),
      poolSize: 1,
      pgliteDataDir: '',
    });
    await migrate(db);
    await db.close();
    await admin(async (client) => {
      await client.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`).catch(async (error: unknown) => {
        await client.query(`DROP DATABASE IF EXISTS "${building}"`);
        if (!String((error as Error).message).includes('already exists')) throw error;
      });
    });
    return;
  }
  const dir = pgliteTemplateDir();
  if (existsSync(dir)) return;
  const building = `${dir}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  const db = await openPglite(building);
  await migrate(db);
  await db.close();
  try {
    renameSync(building, dir);
  } catch {
    rmSync(building, { recursive: true, force: true });
  }
}

export interface TestDatabase {
  env: Record<string, string>;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file. */
export async function cloneTestDatabase(): Promise<TestDatabase> {
  await ensureTemplate();
  if (usingPostgres) {
    const name = `${baseDatabaseName()}_${randomBytes(5).toString('hex')}`;
    const template = templateName();
    for (let attempt = 0; ; attempt++) {
      try {
        await admin((client) => client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
        break;
      } catch (error) {
        // Two files cloning the template at the same instant: PostgreSQL refuses one, briefly.
        if (attempt >= 20 || !/being accessed by other users/.test((error as Error).message)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      }
    }
    return {
      env: { DATABASE_URL: serverUrl(name) },
      drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
    };
  }
  const dir = join(mkdtempSync(join(pgliteScratchRoot(), 'calento-test-')), 'pglite');
  cpSync(pgliteTemplateDir(), dir, { recursive: true });
  return {
    env: { PGLITE_DATA_DIR: dir },
    drop: async () => rmSync(join(dir, '..'), { recursive: true, force: true }),
  };
}
