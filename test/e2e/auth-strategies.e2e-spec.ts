import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createApp } from '../../src/app.setup.js';
import { UsersRepository } from '../../src/modules/users/users.repository.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { expectProblem } from '../setup/problem.js';
import { announcePgOnly, pgOnly, PG_ONLY } from '../setup/pg-only.js';
import { eventually } from '../setup/wait.js';
import { registerUser, type TestUser } from '../factories/users.js';

/**
 * The two passport strategies (jwt, api-key) live in passport's process-wide registry, where the last
 * app built in a process wins. These tests build several apps in one process and check that each
 * request is still judged by the app (and database) that received it.
 */
announcePgOnly('Revocation heard by a second app on the same database');

let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  a = await createTestApp();
  b = await createTestApp();
}, 120_000); // three apps on three databases: slow to build on a loaded machine
afterAll(async () => {
  await a?.close();
  await b?.close();
});

const me = (app: TestApp, auth: Record<string, string>) => request(app.http).get('/api/v1/users/me').set(auth);

async function apiKey(app: TestApp, user: TestUser, scopes = ['users:read']): Promise<string> {
  const res = await request(app.http).post('/api/v1/api-keys').set(user.auth).send({ name: 'k', scopes }).expect(201);
  return res.body.key;
}

describe('two apps on two databases in one process', () => {
  it('checks each token against the database of the app that received it', async () => {
    // Both share JWT_SECRET, so only the database can tell their users apart.
    const onA = await registerUser(a.http);
    const onB = await registerUser(b.http);
    // B was built last: with a strategy that kept its own app's verifier, A's requests would be
    // checked against B's database and fail.
    expect((await me(a, onA.auth).expect(200)).body.id).toBe(onA.id);
    expect((await me(b, onB.auth).expect(200)).body.id).toBe(onB.id);
    expectProblem(await me(b, onA.auth), 401, 'UNAUTHENTICATED');
    expectProblem(await me(a, onB.auth), 401, 'UNAUTHENTICATED');
  });

  it('checks each API key against the database of the app that received it', async () => {
    const onA = await registerUser(a.http);
    const onB = await registerUser(b.http);
    const keyA = await apiKey(a, onA);
    const keyB = await apiKey(b, onB);
    expect((await me(a, { 'X-API-Key': keyA }).expect(200)).body.id).toBe(onA.id);
    expect((await me(b, { Authorization: `Bearer ${keyB}` }).expect(200)).body.id).toBe(onB.id);
    expectProblem(await me(b, { 'X-API-Key': keyA }), 401, 'UNAUTHENTICATED');
    expectProblem(await me(a, { 'X-API-Key': keyB }), 401, 'UNAUTHENTICATED');
  });

  it('a third app built later changes neither', async () => {
    const c = await createTestApp();
    try {
      const onA = await registerUser(a.http);
      const onC = await registerUser(c.http);
      await me(a, onA.auth).expect(200);
      await me(c, onC.auth).expect(200);
      expectProblem(await me(c, onA.auth), 401, 'UNAUTHENTICATED');
    } finally {
      await c.close();
    }
  });
});

describe('the session cache', () => {
  it('a password change revokes tokens at once in the app that made it', async () => {
    const user = await registerUser(a.http);
    await me(a, user.auth).expect(200); // cached now
    await request(a.http)
      .patch('/api/v1/users/me')
      .set(user.auth)
      .send({ currentPassword: user.password, newPassword: 'another-horse-43' })
      .expect(200);
    expectProblem(await me(a, user.auth), 401, 'UNAUTHENTICATED');
  });

  it('costs no users query per request once the session is cached', async () => {
    const user = await registerUser(a.http);
    await me(a, user.auth).expect(200);
    // On the prototype: every instance counts (UsersModule and AuthModule each hold one).
    const reads = jest.spyOn(UsersRepository.prototype, 'findById');
    try {
      // /users/me itself reads the user once per call (the route's own query); authentication adds none.
      for (let i = 0; i < 5; i += 1) await me(a, user.auth).expect(200);
      expect(reads).toHaveBeenCalledTimes(5);
      for (let i = 0; i < 5; i += 1) await request(a.http).get('/api/v1/tags').set(user.auth).expect(200);
      expect(reads).toHaveBeenCalledTimes(5);
    } finally {
      reads.mockRestore();
    }
  });

  it('a new zone is seen by the next request', async () => {
    const user = await registerUser(a.http, { timezone: 'UTC' });
    await me(a, user.auth).expect(200);
    await request(a.http).patch('/api/v1/users/me').set(user.auth).send({ timezone: 'Europe/Paris' }).expect(200);
    expect((await me(a, user.auth).expect(200)).body.timezone).toBe('Europe/Paris');
  });
});

describe('a second app on the same database (another replica)', () => {
  let replica: NestFastifyApplication | undefined;

  afterAll(async () => {
    await replica?.close();
  });

  const onReplica = (auth: Record<string, string>) => request(replica!.getHttpServer()).get('/api/v1/users/me').set(auth);

  pgOnly(`hears a password change and an API key revocation made on the first ${PG_ONLY}`, async () => {
    replica = await createApp(a.config);
    await replica.init();
    await replica.getHttpAdapter().getInstance().ready();

    const user = await registerUser(a.http);
    const key = await apiKey(a, user);
    // The replica caches the session and the key.
    await onReplica(user.auth).expect(200);
    await onReplica({ 'X-API-Key': key }).expect(200);

    const keys = await request(a.http).get('/api/v1/api-keys').set(user.auth).expect(200);
    await request(a.http).delete(`/api/v1/api-keys/${keys.body[0].id}`).set(user.auth).expect(204);
    await eventually(async () => (await onReplica({ 'X-API-Key': key })).status === 401, 5000, 'key revoked on the replica');

    await request(a.http)
      .patch('/api/v1/users/me')
      .set(user.auth)
      .send({ currentPassword: user.password, newPassword: 'another-horse-43' })
      .expect(200);
    await eventually(async () => (await onReplica(user.auth)).status === 401, 5000, 'session revoked on the replica');
    expectProblem(await onReplica(user.auth), 401, 'UNAUTHENTICATED');
  });
});
