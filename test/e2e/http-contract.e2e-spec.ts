import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { expectProblem } from '../setup/problem.js';
import { registerUser, type TestUser } from '../factories/users.js';

let t: TestApp;
let user: TestUser;

beforeAll(async () => {
  t = await createTestApp({ BODY_LIMIT_BYTES: '4096' });
  user = await registerUser(t.http);
});
afterAll(async () => {
  await t?.close();
});

const api = () => request(t.http);

describe('malformed requests all get a 4xx problem+json, never a 500', () => {
  type Case = [string, () => request.Test, number, string];
  const cases: Case[] = [
    ['malformed JSON', () => api().post('/api/v1/auth/login').set('content-type', 'application/json').send('{"email":'), 400, 'MALFORMED_JSON'],
    // No bytes under a JSON label is no body: the fields it lacks are named, as for no body at all.
    ['an empty JSON body', () => api().post('/api/v1/auth/login').set('content-type', 'application/json').send(''), 400, 'VALIDATION_FAILED'],
    ['a JSON body of whitespace only', () => api().post('/api/v1/auth/login').set('content-type', 'application/json').send('  '), 400, 'MALFORMED_JSON'],
    ['a text/plain body', () => api().post('/api/v1/auth/login').set('content-type', 'text/plain').send('hello'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a form-encoded body', () => api().post('/api/v1/auth/login').type('form').send('email=a@b.c&password=x'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['an oversized body', () => api().post('/api/v1/auth/register').send({ email: 'a@b.co', password: 'x'.repeat(5000), name: 'x' }), 413, 'PAYLOAD_TOO_LARGE'],
    ['a JSON array body', () => api().post('/api/v1/auth/login').send([{ email: 'a@b.co' }]), 400, 'VALIDATION_FAILED'],
    ['a JSON string body', () => api().post('/api/v1/auth/login').set('content-type', 'application/json').send('"hello"'), 400, 'VALIDATION_FAILED'],
    ['a JSON null body', () => api().post('/api/v1/auth/login').set('content-type', 'application/json').send('null'), 400, 'VALIDATION_FAILED'],
    ['a JSON number body', () => api().post('/api/v1/auth/login').set('content-type', 'application/json').send('42'), 400, 'VALIDATION_FAILED'],
    ['no body at all', () => api().post('/api/v1/auth/login'), 400, 'VALIDATION_FAILED'],
    ['nested objects where strings belong', () => api().post('/api/v1/auth/login').send({ email: { $ne: null }, password: { $gt: '' } }), 400, 'VALIDATION_FAILED'],
    ['a prototype-pollution key', () => api().post('/api/v1/auth/login').set('content-type', 'application/json').send('{"__proto__":{"admin":true},"email":"a@b.co","password":"x"}'), 400, 'MALFORMED_JSON'],
    ['an unknown route', () => api().get('/api/v1/does-not-exist'), 404, 'ROUTE_NOT_FOUND'],
    ['a route outside the API prefix', () => api().get('/users/me'), 404, 'ROUTE_NOT_FOUND'],
    ['a wrong method', () => api().put('/api/v1/auth/login').send({}), 404, 'ROUTE_NOT_FOUND'],
    ['a malformed UUID in the path', () => api().get('/api/v1/users/123/public-profile'), 400, 'INVALID_ID'],
    ['a SQL-looking UUID in the path', () => api().get("/api/v1/users/'%20OR%201=1--/public-profile"), 400, 'INVALID_ID'],
    ['a huge number where a string belongs', () => api().post('/api/v1/auth/refresh-token').send({ refreshToken: 1e308 }), 400, 'VALIDATION_FAILED'],
    ['a NUL byte in a field', () => api().post('/api/v1/auth/register').send({ email: 'nul@example.com', password: 'correct-horse-42', name: 'a\u0000b' }), 400, 'VALIDATION_FAILED'],
    ['a malformed bearer header', () => api().get('/api/v1/users/me').set('Authorization', 'Bearer'), 401, 'UNAUTHENTICATED'],
  ];

  it.each(cases)('%s', async (_, send, status, code) => {
    const res = await send();
    expectProblem(res, status, code);
  });

  it('takes a DELETE or a bodiless POST labelled application/json with no bytes as a request without a body', async () => {
    const created = await api()
      .post('/api/v1/events')
      .set(user.auth)
      .send({ title: 'Labelled', startTime: '2026-06-01T09:00:00Z', endTime: '2026-06-01T10:00:00Z' })
      .expect(201);
    // What fetch wrappers and axios send: the JSON label on a request with nothing in it.
    const copy = await api().post(`/api/v1/events/${created.body.id}/duplicate`).set(user.auth).set('content-type', 'application/json').send('');
    expect(copy.status).toBe(201);
    expect(copy.body.title).toBe('Labelled');
    await api().delete(`/api/v1/events/${created.body.id}`).set(user.auth).set('content-type', 'application/json').send('').expect(204);
    await api().get(`/api/v1/events/${created.body.id}`).set(user.auth).expect(404);
  });

  it('names each bad field in validation errors', async () => {
    const res = await api().post('/api/v1/auth/register').send({ email: 'nope', password: 1, name: '', surprise: true });
    expectProblem(res, 400, 'VALIDATION_FAILED', ['email', 'password', 'name', 'surprise']);
    for (const error of res.body.errors) expect(error).toEqual({ field: expect.any(String), message: expect.any(String) });
  });

  it('refuses unknown query parameters on validated routes', async () => {
    const res = await api().patch('/api/v1/users/me?admin=true').set(user.auth).send({ name: 'Q' });
    // PATCH /users/me validates its body; an unknown query string is ignored there, not a crash.
    expect(res.status).toBeLessThan(500);
  });
});

describe('database errors in a row', () => {
  it('keeps serving after many consecutive constraint violations', async () => {
    // Regression: PGlite's node-postgres adapter lost protocol sync after two failed statements in a row.
    for (let i = 0; i < 5; i++) {
      const res = await api().post('/api/v1/auth/register').send({ email: user.email, password: 'correct-horse-42', name: 'Dup' });
      expectProblem(res, 409, 'EMAIL_TAKEN');
    }
    await api().get('/api/v1/users/me').set(user.auth).expect(200);
  });
});

describe('request ids', () => {
  // The shape of an id the server generates (a UUID). A shape, not a substring: its hex digits can spell "bad".
  const generatedId = /^[0-9a-f-]{36}$/;

  it('returns a generated request id on every response', async () => {
    const res = await api().get('/health/live').expect(200);
    expect(res.headers['x-request-id']).toMatch(generatedId);
  });

  it("reuses a caller's well-formed X-Request-Id and ignores a malformed one", async () => {
    const mine = await api().get('/api/v1/nothing-here').set('X-Request-Id', 'trace-abc-12345');
    expect(mine.headers['x-request-id']).toBe('trace-abc-12345');
    expect(mine.body.requestId).toBe('trace-abc-12345');
    const bad = await api().get('/health/live').set('X-Request-Id', 'bad id with spaces');
    expect(bad.headers['x-request-id']).toMatch(generatedId);
  });
});

describe('health', () => {
  it('reports liveness and readiness (database reachable, migrations applied)', async () => {
    expect((await api().get('/health/live').expect(200)).body).toEqual({ status: 'ok' });
    const ready = await api().get('/health/ready').expect(200);
    expect(ready.body.status).toBe('ok');
    expect(ready.body.details.database.status).toBe('up');
    expect(ready.body.details.migrations.status).toBe('up');
  });

  it('is not ready when a migration is missing', async () => {
    const { rows } = await t.db.query<{ version: number; checksum: string; name: string }>(
      'DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations) RETURNING version, name, checksum',
    );
    try {
      expectProblem(await api().get('/health/ready'), 503, 'SERVICE_UNAVAILABLE');
    } finally {
      await t.db.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        rows[0].version,
        rows[0].name,
        rows[0].checksum,
      ]);
    }
    await api().get('/health/ready').expect(200);
  });
});

describe('security headers and CORS', () => {
  it('sets helmet headers and answers CORS preflights', async () => {
    const res = await api().get('/health/live');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    const preflight = await api()
      .options('/api/v1/auth/login')
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', 'POST');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example.com');
  });
});
