import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Database, SessionClient } from './database.js';

export const migrationsDir = resolve(import.meta.dirname, '..', '..', 'migrations');

// Any constant shared by all replicas works; this one spells "calento" in ASCII.
const MIGRATION_LOCK_KEY = 0x63616c656e746f;

export interface MigrationFile {
  /** The file name without .sql, e.g. "0001_foundation". */
  id: string;
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {}

export function readMigrations(dir = migrationsDir): MigrationFile[] {
  const files = readdirSync(dir).filter((file) => file.endsWith('.sql')).sort();
  return files.map((file) => {
    const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match) throw new MigrationError(`Migration file name must look like 0001_name.sql: ${file}`);
    const sql = readFileSync(join(dir, file), 'utf8');
    return {
      id: `${match[1]}_${match[2]}`,
      version: Number(match[1]),
      name: match[2],
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    };
  });
}

/**
 * Applies pending migrations in order, each in its own transaction, and refuses to boot when an applied
 * file has changed. Replicas booting together queue on a session advisory lock (on PGlite, with one
 * session, the lock is always granted, which is fine: there is one process).
 */
export async function migrate(db: Database, dir = migrationsDir): Promise<string[]> {
  const applied = await applyPending(db, readMigrations(dir));
  if (applied.length) await db.schemaChanged();
  return applied;
}

async function applyPending(db: Database, files: MigrationFile[]): Promise<string[]> {
  return db.withSession(async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const applied = await appliedMigrations(client);
      const done: string[] = [];
      for (const file of files) {
        const previous = applied.get(file.version);
        if (previous) {
          if (previous.checksum !== file.checksum) {
            throw new MigrationError(
              `Migration ${file.id} was changed after it was applied ` +
                '(checksum mismatch). Add a new migration instead of editing an applied one.',
            );
          }
          continue;
        }
        await client.query('BEGIN');
        try {
          // Parameterless: the simple query protocol allows several statements in one file.
          await client.query(file.sql);
          await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
            file.version,
            file.name,
            file.checksum,
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw new MigrationError(`Migration ${file.id} failed: ${(error as Error).message}`);
        }
        done.push(`${file.id}`);
      }
      return done;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  });
}

async function appliedMigrations(client: SessionClient): Promise<Map<number, { checksum: string }>> {
  const { rows } = await client.query<{ version: number; checksum: string }>(
    'SELECT version, checksum FROM schema_migrations',
  );
  return new Map(rows.map((row) => [row.version, { checksum: row.checksum }]));
}
