import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { Database } from '../../src/db/database.js';
import { translatePgError, DbUnavailableError } from '../../src/db/pg-errors.js';
import { registerUser } from '../factories/users.js';
import { announcePgOnly, pgOnly, PG_ONLY, usingPostgres } from '../setup/pg-only.js';
import { expectProblem } from '../setup/problem.js';
import { TcpProxy } from '../setup/tcp-proxy.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { cloneTestDatabase } from '../setup/test-db.js';

announcePgOnly('database-outage: "answers 503, never 500, while PostgreSQL cannot be reached" and "loses a connection held by a transaction or a session to an error of that work"');

describe('errors of an unreachable database', () => {
  it('are 503 SERVICE_UNAVAILABLE errors, whatever the driver called them', () => {
    const cases: unknown[] = [
      new Error('timeout exceeded when trying to connect'),
      new Error('Connection terminated unexpectedly'),
      new Error('Client has encountered a connection error and is not queryable'),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('sorry, too many clients already'), { code: '53300' }),
      Object.assign(new Error('the database system is shutting down'), { code: '57P03' }),
    ];
    for (const error of cases) expect(translatePgError(error)).toBeInstanceOf(DbUnavailableError);
    // Anything else keeps its own meaning.
    expect(translatePgError(new Error('boom'))).not.toBeInstanceOf(DbUnavailableError);
    expect(translatePgError(Object.assign(new Error('dup'), { code: '23505' }))).not.toBeInstanceOf(DbUnavailableError);
  });
});

describe('an outage of PostgreSQL', () => {
  let t: TestApp;
  let proxy: TcpProxy;

  beforeAll(async () => {
    if (!usingPostgres) return;
    // The app reaches its database through a relay that the test can cut, as a network outage would.
    const database = await cloneTestDatabase();
    const url = new URL(database.env.DATABASE_URL);
    proxy = await TcpProxy.open(Number(url.port || 5432));
    url.port = String(proxy.port);
    url.hostname = '127.0.0.1';
    t = await createTestApp({}, { database: { env: { DATABASE_URL: url.toString() }, drop: database.drop } });
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.stop();
  });

  pgOnly(
    `answers 503, never 500, while PostgreSQL cannot be reached, and serves again once it is back ${PG_ONLY}`,
    async () => {
      const user = await registerUser(t.http);
      await request(t.http).get('/api/v1/events').set(user.auth).expect(200);
      await proxy.stop();
      for (const path of ['/api/v1/events', '/api/v1/users/me']) {
        const refused = await request(t.http).get(path).set(user.auth);
        expectProblem(refused, 503, 'SERVICE_UNAVAILABLE');
        expect(refused.headers['retry-after']).toBe('2');
      }
      const create = await request(t.http)
        .post('/api/v1/events')
        .set(user.auth)
        .send({ title: 'During the outage', startTime: '2026-03-02T09:00:00Z', endTime: '2026-03-02T10:00:00Z' });
      expectProblem(create, 503, 'SERVICE_UNAVAILABLE');
      await proxy.start();
      await request(t.http).get('/api/v1/events').set(user.auth).expect(200);
      const list = await request(t.http).get('/api/v1/events').set(user.auth).expect(200);
      // The write refused during the outage left nothing behind.
      expect((list.body as { data: { title: string }[] }).data.map((event) => event.title)).not.toContain('During the outage');
    },
    60_000,
  );

  pgOnly(
    `loses a connection held by a transaction or a session to an error of that work, not of the process ${PG_ONLY}`,
    async () => {
      // pg emits 'error' on a checked-out client whose connection dies, and pg-pool listens only while the
      // client is idle: unheard, that event would end the process (it once ended this test file in CI).
      const db = t.app.get(Database);
      const cut = async () => {
        await proxy.stop();
        await new Promise((resolve) => setTimeout(resolve, 300)); // the socket's close reaches the client
      };
      try {
        const inTransaction = db.tx(async (q) => {
          await q.query('SELECT 1');
          await cut();
          return q.query('SELECT 2');
        });
        await expect(inTransaction).rejects.toBeInstanceOf(DbUnavailableError);
        await proxy.start();
        const inSession = db.withSession(async (client) => {
          await client.query('SELECT 1');
          await cut();
          return client.query('SELECT 2');
        });
        await expect(inSession).rejects.toBeInstanceOf(DbUnavailableError);
      } finally {
        await proxy.start();
      }
      // The pool let the broken connections go: work goes on.
      expect((await db.query<{ ok: number }>('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
      await db.tx((q) => q.query('SELECT 1'));
    },
    60_000,
  );
});
