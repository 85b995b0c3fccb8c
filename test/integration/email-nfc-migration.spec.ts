import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Database } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/database.factory.js';
import { migrate } from '../../src/db/migrator.js';
import { cloneTestDatabase, type TestDatabase } from '../setup/test-db.js';

// Migration 0022 on a database that already holds addresses in both Unicode forms: it composes what it
// can and leaves a row alone where composing it would collide, instead of failing the boot.

let clone: TestDatabase;
let db: Database;

beforeAll(async () => {
  clone = await cloneTestDatabase();
  db = await openDatabase({ databaseUrl: clone.env.DATABASE_URL ?? null, pgliteDataDir: clone.env.PGLITE_DATA_DIR ?? '', poolSize: 2 });
});
afterAll(async () => {
  await db?.close();
  await clone?.drop();
});

async function addUser(email: string): Promise<string> {
  const id = randomUUID();
  await db.query("INSERT INTO users (id, email, password_hash, name) VALUES ($1, $2, 'x', 'N')", [id, email]);
  return id;
}
async function addAddress(userId: string, email: string): Promise<string> {
  const id = randomUUID();
  await db.query('INSERT INTO email_addresses (id, user_id, email) VALUES ($1, $2, $3)', [id, userId, email]);
  return id;
}
const emailOf = async (table: 'users' | 'email_addresses', id: string) =>
  (await db.query<{ email: string }>(`SELECT email::text AS email FROM ${table} WHERE id = $1`, [id])).rows[0].email;

describe('0022_email_nfc', () => {
  it('composes stored addresses, and leaves alone the ones whose composed form is taken', async () => {
    const lone = 'lone-ren\u00e9e@example.com';
    const twin = 'twin-ren\u00e9e@example.com';
    const loneUser = await addUser(lone.normalize('NFD'));
    const loneAccountRow = await addAddress(loneUser, lone.normalize('NFD'));
    const loneExtra = await addAddress(loneUser, 'Alerts-R\u00c9SUM\u00c9@Example.COM'.normalize('NFD'));
    const twinComposed = await addUser(twin);
    const twinDecomposed = await addUser(twin.normalize('NFD'));
    const twinAccountRow = await addAddress(twinDecomposed, twin.normalize('NFD'));
    // One user's two spellings of one extra address: neither can become the other.
    const pairA = await addAddress(twinComposed, 'pair-\u00e9@example.com');
    const pairB = await addAddress(twinComposed, 'pair-\u00e9@example.com'.normalize('NFD'));

    await db.query('DELETE FROM schema_migrations WHERE version = 22');
    expect(await migrate(db)).toEqual(['0022_email_nfc']);

    expect(await emailOf('users', loneUser)).toBe(lone);
    expect(await emailOf('email_addresses', loneAccountRow)).toBe(lone);
    expect(await emailOf('email_addresses', loneExtra)).toBe('alerts-r\u00e9sum\u00e9@example.com');
    expect(await emailOf('users', twinComposed)).toBe(twin);
    expect(await emailOf('users', twinDecomposed)).toBe(twin.normalize('NFD'));
    expect(await emailOf('email_addresses', twinAccountRow)).toBe(twin.normalize('NFD'));
    expect(await emailOf('email_addresses', pairA)).toBe('pair-\u00e9@example.com');
    expect(await emailOf('email_addresses', pairB)).toBe('pair-\u00e9@example.com'.normalize('NFD'));
  });
});
