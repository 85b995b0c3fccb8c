import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import request from 'supertest';
import { Clock } from '../../src/common/time/clock.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { expectProblem } from '../setup/problem.js';
import { eventually } from '../setup/wait.js';
import { registerUser, type TestUser } from '../factories/users.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({}, { captureLogs: true });
});
afterAll(async () => {
  await t?.close();
});

const api = () => request(t.http);
const KEY = /^cal_live_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/;

async function createKey(user: TestUser, body: Record<string, unknown> = {}) {
  const res = await api()
    .post('/api/v1/api-keys')
    .set(user.auth)
    .send({ name: 'CI', scopes: ['events:read'], ...body })
    .expect(201);
  return res.body as { id: string; key: string; prefix: string; scopes: string[]; expiresAt: string | null; lastUsedAt: string | null };
}

describe('POST /api-keys', () => {
  it('issues a key shown once, with a visible prefix, stored as a digest', async () => {
    const user = await registerUser(t.http);
    const created = await createKey(user, { name: 'Zapier', scopes: ['events:write', 'bookings:*', 'events:read'] });
    expect(created).toEqual({
      id: expect.any(String),
      name: 'Zapier',
      prefix: expect.stringMatching(/^cal_live_[a-z0-9]{8}$/),
      key: expect.stringMatching(KEY),
      scopes: ['bookings:*', 'events:read', 'events:write'],
      expiresAt: null,
      lastUsedAt: null,
      createdAt: expect.any(String),
    });
    expect(created.key.startsWith(`${created.prefix}_`)).toBe(true);
    // Never shown again, and not stored: the row holds the prefix and a 32-byte digest only.
    const list = await api().get('/api/v1/api-keys').set(user.auth).expect(200);
    expect(list.body).toEqual([expect.objectContaining({ id: created.id, prefix: created.prefix })]);
    expect(JSON.stringify(list.body)).not.toContain(created.key);
    const { rows } = await t.db.query<{ secret_hash: Buffer }>('SELECT secret_hash FROM api_keys WHERE id = $1', [created.id]);
    expect(rows[0].secret_hash).toHaveLength(32);
    expect(rows[0].secret_hash.toString('utf8')).not.toContain(created.key.slice(18));
    expect(t.logs()).not.toContain(created.key.slice(18));
  });

  it.each([
    [{ scopes: ['events:read'] }, 'name'],
    [{ name: '', scopes: ['events:read'] }, 'name'],
    [{ name: 'x'.repeat(101), scopes: ['events:read'] }, 'name'],
    [{ name: 'k' }, 'scopes'],
    [{ name: 'k', scopes: [] }, 'scopes'],
    [{ name: 'k', scopes: ['events:admin'] }, 'scopes'],
    [{ name: 'k', scopes: ['api-keys:write'] }, 'scopes'],
    [{ name: 'k', scopes: 'events:read' }, 'scopes'],
    [{ name: 'k', scopes: ['events:read'], expiresAt: 'tomorrow' }, 'expiresAt'],
    [{ name: 'k', scopes: ['events:read'], expiresAt: '2001-01-01T00:00:00Z' }, 'expiresAt'],
    [{ name: 'k', scopes: ['events:read'], expiresAt: '9999-01-01T00:00:00Z' }, 'expiresAt'],
    [{ name: 'k', scopes: ['events:read'], role: 'admin' }, 'role'],
  ])('refuses %j naming %s', async (body, field) => {
    const user = await registerUser(t.http);
    expectProblem(await api().post('/api/v1/api-keys').set(user.auth).send(body), 400, 'VALIDATION_FAILED', [field]);
  });

  it('needs a caller', async () => {
    expectProblem(await api().post('/api/v1/api-keys').send({ name: 'k', scopes: ['events:read'] }), 401, 'UNAUTHENTICATED');
  });
});

describe('using a key', () => {
  it('works as X-API-Key and as a bearer token, within its scopes', async () => {
    const user = await registerUser(t.http);
    const { key } = await createKey(user, { scopes: ['events:read'] });
    await api().get('/api/v1/events').set('X-API-Key', key).expect(200);
    await api().get('/api/v1/events').set('Authorization', `Bearer ${key}`).expect(200);
    const denied = await api()
      .post('/api/v1/events')
      .set('X-API-Key', key)
      .send({ title: 'x', startTime: '2030-01-01T10:00:00Z', endTime: '2030-01-01T11:00:00Z' });
    expectProblem(denied, 403, 'INSUFFICIENT_SCOPE');
    expect(denied.body.detail).toContain('events:write');
    // Another area entirely.
    const other = await api().get('/api/v1/booking-links').set('X-API-Key', key);
    expectProblem(other, 403, 'INSUFFICIENT_SCOPE');
    expect(other.body.detail).toContain('bookings:read');
  });

  it('area:* grants read and write; write alone does not grant read', async () => {
    const user = await registerUser(t.http);
    const all = (await createKey(user, { scopes: ['events:*'] })).key;
    const created = await api()
      .post('/api/v1/events')
      .set('X-API-Key', all)
      .send({ title: 'by key', startTime: '2030-01-01T10:00:00Z', endTime: '2030-01-01T11:00:00Z' })
      .expect(201);
    await api().get(`/api/v1/events/${created.body.id}`).set('X-API-Key', all).expect(200);
    const writeOnly = (await createKey(user, { scopes: ['events:write'] })).key;
    expectProblem(await api().get(`/api/v1/events/${created.body.id}`).set('X-API-Key', writeOnly), 403, 'INSUFFICIENT_SCOPE');
    await api().delete(`/api/v1/events/${created.body.id}`).set('X-API-Key', writeOnly).expect(204);
  });

  it('a key cannot manage keys, whatever its scopes', async () => {
    const user = await registerUser(t.http);
    const { key, id } = await createKey(user, { scopes: ['events:*', 'bookings:*', 'availability:*', 'clients:*', 'webhooks:*', 'users:*'] });
    for (const call of [
      api().get('/api/v1/api-keys'),
      api().post('/api/v1/api-keys').send({ name: 'k', scopes: ['events:read'] }),
      api().post(`/api/v1/api-keys/${id}/rotate`),
      api().delete(`/api/v1/api-keys/${id}`),
    ]) {
      expectProblem(await call.set('X-API-Key', key), 403, 'INSUFFICIENT_SCOPE');
    }
  });

  it('refuses unknown, malformed and tampered keys', async () => {
    const user = await registerUser(t.http);
    const { key } = await createKey(user);
    const tampered = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    for (const bad of [tampered, 'cal_live_zzzzzzzz_' + 'A'.repeat(43), 'cal_nope', 'x'.repeat(5000)]) {
      expectProblem(await api().get('/api/v1/events').set('X-API-Key', bad), 401, 'UNAUTHENTICATED');
    }
    expectProblem(await api().get('/api/v1/events').set('Authorization', `Bearer ${tampered}`), 401, 'UNAUTHENTICATED');
  });

  it('stops working when it expires', async () => {
    const user = await registerUser(t.http);
    const { key } = await createKey(user, { expiresAt: '2099-01-01T00:00:00Z' });
    await api().get('/api/v1/events').set('X-API-Key', key).expect(200);
    const spy = jest.spyOn(t.app.get(Clock), 'now').mockReturnValue(new Date('2099-01-01T00:00:01Z'));
    try {
      expectProblem(await api().get('/api/v1/events').set('X-API-Key', key), 401, 'UNAUTHENTICATED');
    } finally {
      spy.mockRestore();
    }
  });

  it('records last use at most once a minute', async () => {
    const user = await registerUser(t.http);
    const { key, id } = await createKey(user);
    await api().get('/api/v1/events').set('X-API-Key', key).expect(200);
    const first = await eventually(async () => {
      const res = await api().get(`/api/v1/api-keys/${id}`).set(user.auth).expect(200);
      return res.body.lastUsedAt ?? undefined;
    }, 5000, 'lastUsedAt');
    for (let i = 0; i < 5; i += 1) await api().get('/api/v1/events').set('X-API-Key', key).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await api().get(`/api/v1/api-keys/${id}`).set(user.auth).expect(200)).body.lastUsedAt).toBe(first);
  });

  it('dies with its owner', async () => {
    const user = await registerUser(t.http);
    const { key } = await createKey(user);
    await api().delete('/api/v1/users/me').set(user.auth).send({ password: user.password }).expect(204);
    expectProblem(await api().get('/api/v1/events').set('X-API-Key', key), 401, 'UNAUTHENTICATED');
  });
});

describe('GET /api-keys/:id, rotate, DELETE', () => {
  it('rotates: new prefix and key shown once, old key dead, same id and scopes', async () => {
    const user = await registerUser(t.http);
    const created = await createKey(user, { scopes: ['events:read'] });
    await api().get('/api/v1/events').set('X-API-Key', created.key).expect(200);
    const rotated = await api().post(`/api/v1/api-keys/${created.id}/rotate`).set(user.auth).expect(200);
    expect(rotated.body).toMatchObject({ id: created.id, scopes: ['events:read'], key: expect.stringMatching(KEY) });
    expect(rotated.body.prefix).not.toBe(created.prefix);
    expectProblem(await api().get('/api/v1/events').set('X-API-Key', created.key), 401, 'UNAUTHENTICATED');
    await api().get('/api/v1/events').set('X-API-Key', rotated.body.key).expect(200);
  });

  it('deletes: the key stops working at once', async () => {
    const user = await registerUser(t.http);
    const created = await createKey(user);
    await api().get('/api/v1/events').set('X-API-Key', created.key).expect(200);
    await api().delete(`/api/v1/api-keys/${created.id}`).set(user.auth).expect(204);
    expectProblem(await api().get('/api/v1/events').set('X-API-Key', created.key), 401, 'UNAUTHENTICATED');
    expectProblem(await api().get(`/api/v1/api-keys/${created.id}`).set(user.auth), 404, 'NOT_FOUND');
    expectProblem(await api().delete(`/api/v1/api-keys/${created.id}`).set(user.auth), 404, 'NOT_FOUND');
  });

  it("answers 404 for another user's key on every route, and changes nothing", async () => {
    const owner = await registerUser(t.http);
    const other = await registerUser(t.http);
    const created = await createKey(owner);
    expectProblem(await api().get(`/api/v1/api-keys/${created.id}`).set(other.auth), 404, 'NOT_FOUND');
    expectProblem(await api().post(`/api/v1/api-keys/${created.id}/rotate`).set(other.auth), 404, 'NOT_FOUND');
    expectProblem(await api().delete(`/api/v1/api-keys/${created.id}`).set(other.auth), 404, 'NOT_FOUND');
    expect((await api().get('/api/v1/api-keys').set(other.auth).expect(200)).body).toEqual([]);
    await api().get('/api/v1/events').set('X-API-Key', created.key).expect(200);
  });

  it('refuses a malformed id naming it', async () => {
    const user = await registerUser(t.http);
    expectProblem(await api().get('/api/v1/api-keys/nope').set(user.auth), 400, 'INVALID_ID');
    expectProblem(await api().post('/api/v1/api-keys/nope/rotate').set(user.auth), 400, 'INVALID_ID');
    expectProblem(await api().delete('/api/v1/api-keys/nope').set(user.auth), 400, 'INVALID_ID');
  });

  it('caps the keys one user may hold', async () => {
    const user = await registerUser(t.http);
    for (let i = 0; i < 50; i += 1) await createKey(user, { name: `k${i}` });
    expectProblem(
      await api().post('/api/v1/api-keys').set(user.auth).send({ name: 'one too many', scopes: ['events:read'] }),
      409,
      'API_KEY_LIMIT_REACHED',
    );
  });
});

describe('OpenAPI', () => {
  it('documents both security schemes', async () => {
    const doc = (await api().get('/docs-json').expect(200)).body;
    expect(doc.components.securitySchemes).toMatchObject({
      bearer: { type: 'http', scheme: 'bearer' },
      'api-key': { type: 'apiKey', in: 'header', name: 'X-API-Key' },
    });
    expect(doc.paths['/api/v1/events'].get.security).toEqual(expect.arrayContaining([{ bearer: [] }, { 'api-key': [] }]));
  });
});
