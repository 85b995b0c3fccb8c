import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../../src/db/database.js';
import { DataDirLockedError, openDatabase, openPglite } from '../../src/db/database.factory.js';
import { migrate, migrationsDir, MigrationError, readMigrations } from '../../src/db/migrator.js';
import { DbConstraintError, DbInvalidInputError } from '../../src/db/pg-errors.js';
import { cloneTestDatabase, usingPostgres, type TestDatabase } from '../setup/test-db.js';

let clone: TestDatabase;
let db: Database;

beforeAll(async () => {
  clone = await cloneTestDatabase();
  db = await openDatabase({
    databaseUrl: clone.env.DATABASE_URL ?? null,
    pgliteDataDir: clone.env.PGLITE_DATA_DIR ?? '',
    poolSize: 4,
  });
  await db.query('CREATE TABLE tx_probe (id int PRIMARY KEY, note text NOT NULL)');
});
afterAll(async () => {
  await db?.close();
  await clone?.drop();
});

const readMigrationIds = () => readMigrations().map((file) => file.id);
const count = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM tx_probe')).rows[0].n;

describe('Database.tx', () => {
  it('commits, and rolls back on error', async () => {
    await db.tx(async (q) => {
      await q.query('INSERT INTO tx_probe VALUES (1, $1)', ['kept']);
    });
    await expect(
      db.tx(async () => {
        await db.query('INSERT INTO tx_probe VALUES (2, $1)', ['lost']);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await count()).toBe(1);
  });

  it('joins the open transaction from db.query inside the callback (no deadlock on a one-client pool)', async () => {
    const seen = await db.tx(async () => {
      await db.query('INSERT INTO tx_probe VALUES (3, $1)', ['inside']);
      return (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM tx_probe WHERE id = 3')).rows[0].n;
    });
    expect(seen).toBe(1);
  });

  it('turns nested transactions into savepoints', async () => {
    await db.tx(async () => {
      await db.query('INSERT INTO tx_probe VALUES (4, $1)', ['outer']);
      await expect(
        db.tx(async () => {
          await db.query('INSERT INTO tx_probe VALUES (5, $1)', ['inner']);
          throw new Error('inner fails');
        }),
      ).rejects.toThrow('inner fails');
      await db.tx(async () => db.query('INSERT INTO tx_probe VALUES (6, $1)', ['inner ok']));
    });
    const ids = (await db.query<{ id: number }>('SELECT id FROM tx_probe WHERE id >= 4 ORDER BY id')).rows.map((r) => r.id);
    expect(ids).toEqual([4, 6]);
  });

  it('maps PostgreSQL errors to typed errors', async () => {
    const unique = await db.query('INSERT INTO tx_probe VALUES (1, $1)', ['dup']).catch((e: unknown) => e);
    expect(unique).toBeInstanceOf(DbConstraintError);
    expect(unique).toMatchObject({ kind: 'unique', pgCode: '23505', constraint: 'tx_probe_pkey' });
    const notNull = await db.query('INSERT INTO tx_probe VALUES (7, NULL)').catch((e: unknown) => e);
    expect(notNull).toMatchObject({ kind: 'not_null', pgCode: '23502' });
    const badUuid = await db.query('SELECT $1::uuid', ['nope']).catch((e: unknown) => e);
    expect(badUuid).toBeInstanceOf(DbInvalidInputError);
  });

  it('runs concurrent statements issued inside one transaction one after the other', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => 300 + i);
    const counts = await db.tx(async () => {
      await Promise.all(ids.map((id) => db.query('INSERT INTO tx_probe VALUES ($1, $2)', [id, 'parallel'])));
      return Promise.all(ids.map(() => db.query<{ n: number }>("SELECT count(*)::int AS n FROM tx_probe WHERE note = 'parallel'")));
    });
    expect(counts.map((c) => c.rows[0].n)).toEqual(ids.map(() => 20));
  });

  it('runs concurrent transactions without losing writes', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => db.tx(async () => db.query('INSERT INTO tx_probe VALUES ($1, $2)', [100 + i, 'c']))),
    );
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM tx_probe WHERE id BETWEEN 100 AND 199')).rows[0].n).toBe(20);
  });
});

describe('migrations', () => {
  it('are idempotent and refuse an applied file that changed', async () => {
    expect(await migrate(db)).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), 'calento-migrations-'));
    try {
      cpSync(migrationsDir, dir, { recursive: true });
      const first = join(dir, '0001_foundation.sql');
      writeFileSync(first, `${readFileSync(first, 'utf8')}\n-- edited after the fact\n`);
      await expect(migrate(db, dir)).rejects.toThrow(MigrationError);
      await expect(migrate(db, dir)).rejects.toThrow(/0001_foundation was changed after it was applied/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('applies a new file in its own transaction, and a failing one leaves nothing behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'calento-migrations-'));
    try {
      cpSync(migrationsDir, dir, { recursive: true });
      writeFileSync(join(dir, '9001_ok.sql'), 'CREATE TABLE probe_ok (id int);');
      writeFileSync(join(dir, '9002_broken.sql'), 'CREATE TABLE probe_broken (id int); SELECT no_such_function();');
      await expect(migrate(db, dir)).rejects.toThrow(/9002_broken failed/);
      const tables = await db.query<{ name: string }>(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_name IN ('probe_ok', 'probe_broken')",
      );
      expect(tables.rows.map((r) => r.name)).toEqual(['probe_ok']);
      const versions = await db.query<{ version: number }>('SELECT version FROM schema_migrations WHERE version > 9000');
      expect(versions.rows).toEqual([{ version: 9001 }]);
    } finally {
      await db.query('DROP TABLE IF EXISTS probe_ok');
      await db.query('DELETE FROM schema_migrations WHERE version > 9000');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('back every foreign key with an index on its column, but those whose parent rows are few or never deleted', async () => {
    // Without one, each delete of a referenced row reads the whole referencing table (0018).
    const { rows } = await db.query<{ key: string }>(
      `SELECT c.conrelid::regclass::text || '.' || a.attname AS key
         FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.contype = 'f'
          AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])
        ORDER BY 1`,
    );
    expect(rows.map((row) => row.key)).toEqual([
      // Email templates are seeded, not deleted.
      'email_queue.template_key',
      // A handful of rows per user (or per OAuth flow, kept minutes), read when that user is deleted.
      'google_accounts.user_id',
      'oauth_credentials.user_id',
      'oauth_states.client_id',
      'oauth_states.credential_id',
      'oauth_states.user_id',
      'slack_oauth_states.user_id',
    ]);
  });

  const pgOnly = usingPostgres ? it : it.skip;
  pgOnly('serializes concurrent boots with an advisory lock (needs real PostgreSQL; skipped on PGlite)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'calento-migrations-'));
    const others = await Promise.all(
      [1, 2, 3].map(() => openDatabase({ databaseUrl: clone.env.DATABASE_URL, pgliteDataDir: '', poolSize: 1 })),
    );
    try {
      cpSync(migrationsDir, dir, { recursive: true });
      // Not idempotent on purpose: a second unserialized run would fail with "already exists".
      writeFileSync(join(dir, '9100_race.sql'), 'CREATE TABLE race_probe (id int); SELECT pg_sleep(0.2);');
      const results = await Promise.all(others.map((other) => migrate(other, dir)));
      expect(results.flat()).toEqual(['9100_race']);
    } finally {
      await db.query('DROP TABLE IF EXISTS race_probe');
      await db.query('DELETE FROM schema_migrations WHERE version > 9000');
      await Promise.all(others.map((other) => other.close()));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Only the embedded database has these two behaviours; on PostgreSQL the tests are not defined.
const pgliteOnly = usingPostgres ? () => undefined : it;

describe('embedded PGlite data folder', () => {
  pgliteOnly('knows the array types its migrations created, on a brand-new database', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'calento-fresh-')), 'pglite');
    const fresh = await openPglite(dir);
    try {
      await migrate(fresh);
      // citext comes from the first migration; PGlite must send this array as an array, not as text.
      const { rows } = await fresh.query<{ n: number }>('SELECT cardinality($1::citext[])::int AS n', [['A@x.io', 'b@x.io']]);
      expect(rows).toEqual([{ n: 2 }]);
    } finally {
      await fresh.close();
      rmSync(join(dir, '..'), { recursive: true, force: true });
    }
  }, 60_000);

  pgliteOnly('migrates a brand-new folder in its setup process, once, and then opens the migrated folder', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'calento-fresh-')), 'pglite');
    const prepared: string[][] = [];
    const prepare = async (setup: Database) => {
      expect(setup.kind).toBe('pglite');
      prepared.push(await migrate(setup));
      // PostgreSQL's errors cross the process boundary with their codes.
      const error = await setup
        .query("INSERT INTO schema_migrations (version, name, checksum) VALUES (1, 'again', 'x')")
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DbConstraintError);
      expect((error as DbConstraintError).constraint).toBe('schema_migrations_pkey');
    };
    try {
      const fresh = await openPglite(dir, prepare);
      try {
        const all = readMigrationIds();
        expect(prepared).toEqual([all]);
        expect((await fresh.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations')).rows[0].n).toBe(all.length);
        expect(await migrate(fresh)).toEqual([]);
        // Opened after the migrations: PGlite knows their array types without a refresh.
        const { rows } = await fresh.query<{ n: number }>('SELECT cardinality($1::citext[])::int AS n', [['A@x.io', 'b@x.io']]);
        expect(rows).toEqual([{ n: 2 }]);
      } finally {
        await fresh.close();
      }
      // An existing folder is opened as it is.
      const reopened = await openPglite(dir, prepare);
      await reopened.close();
      expect(prepared).toHaveLength(1);
    } finally {
      rmSync(join(dir, '..'), { recursive: true, force: true });
    }
  }, 90_000);

  pgliteOnly('reports a failing setup of a new folder and releases the folder', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'calento-fresh-')), 'pglite');
    const migrations = mkdtempSync(join(tmpdir(), 'calento-migrations-'));
    try {
      writeFileSync(join(migrations, '0001_broken.sql'), 'SELECT no_such_function();');
      const error = await openPglite(dir, async (setup) => void (await migrate(setup, migrations))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as Error).message).toMatch(/0001_broken failed: function no_such_function\(\) does not exist/);
      // Not locked, and the failed migration left nothing behind: the next start applies it again.
      const reopened = await openPglite(dir);
      try {
        expect((await reopened.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations')).rows[0].n).toBe(0);
      } finally {
        await reopened.close();
      }
    } finally {
      rmSync(join(dir, '..'), { recursive: true, force: true });
      rmSync(migrations, { recursive: true, force: true });
    }
  }, 90_000);

  it('refuses a second open of the same folder with a clear message, and takes over a stale lock', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'calento-lock-')), 'pglite');
    const first = await openPglite(dir);
    try {
      const error = await openPglite(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataDirLockedError);
      expect((error as Error).message).toContain(`${dir} is in use by another Calento process (pid ${process.pid})`);
    } finally {
      await first.close();
    }
    // A lock left by a process that no longer exists does not block the next start.
    mkdirSync(join(dir, '..'), { recursive: true });
    writeFileSync(`${dir}.lock`, '999999999');
    const reopened = await openPglite(dir);
    expect((await reopened.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await reopened.close();
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }, 60_000);
});

describe('Database.afterCommit and wake-ups', () => {
  it('runs after-commit callbacks only when the outermost transaction commits', async () => {
    const ran: string[] = [];
    await db.tx(async () => {
      db.afterCommit(() => ran.push('outer'));
      await db.tx(async () => db.afterCommit(() => ran.push('savepoint')));
      expect(ran).toEqual([]);
    });
    expect(ran).toEqual(['outer', 'savepoint']);
    await expect(
      db.tx(async () => {
        db.afterCommit(() => ran.push('rolled back'));
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    db.afterCommit(() => ran.push('outside'));
    expect(ran).toEqual(['outer', 'savepoint', 'outside']);
  });

  it('wakes listeners of this process on commit, not on rollback', async () => {
    let wakes = 0;
    const unlisten = await db.onWake('probe_channel', () => (wakes += 1));
    await db.tx(async () => {
      await db.wake('probe_channel');
      await db.wake('probe_channel');
    });
    await expect(
      db.tx(async () => {
        await db.wake('probe_channel');
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await new Promise((resolve) => setTimeout(resolve, 200));
    unlisten();
    // One wake for the committed transaction (in-process), plus its NOTIFY echo on PostgreSQL.
    expect(wakes).toBe(usingPostgres ? 2 : 1);
  });

  (usingPostgres ? it : it.skip)('wakes another connection through NOTIFY, delivered at commit (needs real PostgreSQL; skipped on PGlite)', async () => {
    const other = await openDatabase({ databaseUrl: clone.env.DATABASE_URL as string, pgliteDataDir: '', poolSize: 1 });
    try {
      let woken = 0;
      await other.onWake('cross_process', () => (woken += 1));
      let sawBeforeCommit = -1;
      await db.tx(async () => {
        await db.wake('cross_process');
        await new Promise((resolve) => setTimeout(resolve, 150));
        sawBeforeCommit = woken;
      });
      const deadline = Date.now() + 5000;
      while (woken === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(sawBeforeCommit).toBe(0);
      expect(woken).toBe(1);
    } finally {
      await other.close();
    }
  });
});
