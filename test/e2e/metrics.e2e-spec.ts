import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { expectProblem } from '../setup/problem.js';
import { eventually } from '../setup/wait.js';
import { registerUser, uniqueEmail } from '../factories/users.js';

const TOKEN = 'metrics-token-0123456789abcdef';
const ADMIN = uniqueEmail('ops');

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ METRICS_TOKEN: TOKEN, ADMIN_EMAILS: ` Someone@Example.com, ${ADMIN.toUpperCase()} ` });
});
afterAll(async () => {
  await t?.close();
});

const scrape = () => request(t.http).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);

describe('GET /metrics', () => {
  it('answers 401 without the token or with a wrong one', async () => {
    const missing = await request(t.http).get('/metrics');
    expectProblem(missing, 401, 'UNAUTHENTICATED');
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    expectProblem(await request(t.http).get('/metrics').set('Authorization', 'Bearer wrong'), 401, 'UNAUTHENTICATED');
    expectProblem(await request(t.http).get('/metrics').set('Authorization', `Bearer ${TOKEN}x`), 401, 'UNAUTHENTICATED');
    // A user's access token is not the metrics token.
    const user = await registerUser(t.http);
    expectProblem(await request(t.http).get('/metrics').set(user.auth), 401, 'UNAUTHENTICATED');
  });

  it('exposes HTTP durations by route pattern, never the raw URL', async () => {
    const user = await registerUser(t.http);
    const id = randomUUID();
    expectProblem(await request(t.http).get(`/api/v1/events/${id}`).set(user.auth), 404, 'NOT_FOUND');
    const res = await scrape().expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toMatch(/calento_http_request_duration_seconds_bucket\{le="[^"]+",method="GET",route="\/api\/v1\/events\/:id",status="404"\}/);
    expect(res.text).toMatch(/calento_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/auth\/register",status="201"\} \d+/);
    expect(res.text).not.toContain(id);
    expect(res.text).not.toContain(user.accessToken);
  });

  it('writes one request line per request: its request id, method, route pattern, status and duration, never the URL or a token', async () => {
    const app = await createTestApp({}, { captureLogs: true });
    try {
      const user = await registerUser(app.http);
      const id = randomUUID();
      const res = await request(app.http).get(`/api/v1/events/${id}?secret=query-value`).set(user.auth).set('X-Request-Id', 'trace-me-0123456789');
      expectProblem(res, 404, 'NOT_FOUND');
      expect(res.headers['x-request-id']).toBe('trace-me-0123456789');
      const lines = app.logs().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      const mine = lines.filter((line) => line.reqId === 'trace-me-0123456789');
      expect(mine).toEqual([
        expect.objectContaining({ level: 30, msg: 'request', method: 'GET', route: '/api/v1/events/:id', status: 404, ms: expect.any(Number) }),
      ]);
      expect(app.logs()).not.toContain(id);
      expect(app.logs()).not.toContain('query-value');
      expect(app.logs()).not.toContain(user.accessToken);
    } finally {
      await app.close();
    }
  });

  it('exposes job queue depth and ages per kind, job durations, pool and process metrics', async () => {
    await registerUser(t.http); // queues a welcome email, which this process's worker sends
    const text = await eventually(async () => {
      const body = (await scrape().expect(200)).text;
      return /calento_job_duration_seconds_count\{kind="email\.send",outcome="succeeded"\} [1-9]/.test(body) ? body : undefined;
    }, 15_000, 'a job duration');
    expect(text).toMatch(/calento_jobs\{kind="email\.send",state="queued"\} \d+/);
    expect(text).toMatch(/calento_jobs_oldest_due_seconds\{kind="email\.send"\} [\d.]+/);
    expect(text).toContain('# TYPE calento_job_failures_total counter');
    expect(text).toMatch(/calento_db_pool_total \d+/);
    expect(text).toMatch(/calento_process_resident_memory_bytes \d+/);
    expect(text).toMatch(/calento_nodejs_eventloop_lag_seconds [\d.e-]+/);
  });

  it('is not part of the OpenAPI document', async () => {
    const doc = (await request(t.http).get('/docs-json').expect(200)).body;
    expect(Object.keys(doc.paths).some((path) => path.includes('metrics') && !path.includes('jobs'))).toBe(false);
  });
});

describe('GET /metrics without METRICS_TOKEN', () => {
  it('does not exist (404)', async () => {
    const bare = await createTestApp();
    try {
      expectProblem(await request(bare.http).get('/metrics'), 404, 'ROUTE_NOT_FOUND');
      expectProblem(await request(bare.http).get('/metrics').set('Authorization', 'Bearer anything-at-all-here'), 404, 'ROUTE_NOT_FOUND');
    } finally {
      await bare.close();
    }
  });
});

describe('GET /jobs/metrics (admins only)', () => {
  it('refuses a user who is not an admin', async () => {
    const user = await registerUser(t.http);
    expectProblem(await request(t.http).get('/api/v1/jobs/metrics').set(user.auth), 403, 'FORBIDDEN');
    expectProblem(await request(t.http).get('/api/v1/jobs/metrics'), 401, 'UNAUTHENTICATED');
  });

  it('serves an admin named in ADMIN_EMAILS (case-insensitively)', async () => {
    const admin = await registerUser(t.http, { email: ADMIN });
    const res = await request(t.http).get('/api/v1/jobs/metrics').set(admin.auth).expect(200);
    expect(res.body).toMatchObject({ totals: expect.objectContaining({ queued: expect.any(Number) }), kinds: expect.any(Array) });
  });

  it('serves a user whose role is admin', async () => {
    const user = await registerUser(t.http);
    await t.db.query("UPDATE users SET role = 'admin' WHERE id = $1", [user.id]);
    // Roles granted with SQL reach processes that cached the user within 30 s; ring the wake to apply at once.
    await t.db.wake('calento_sessions');
    await request(t.http).get('/api/v1/jobs/metrics').set(user.auth).expect(200);
  });

  it("never serves an admin's API key, whatever its scopes", async () => {
    const admin = await registerUser(t.http, { email: uniqueEmail('ops') });
    await t.db.query("UPDATE users SET role = 'admin' WHERE id = $1", [admin.id]);
    await t.db.wake('calento_sessions');
    const key = await request(t.http)
      .post('/api/v1/api-keys')
      .set(admin.auth)
      .send({ name: 'ops', scopes: ['events:*', 'bookings:*', 'availability:*', 'clients:*', 'webhooks:*', 'users:*'] })
      .expect(201);
    expectProblem(await request(t.http).get('/api/v1/jobs/metrics').set('X-API-Key', key.body.key), 403, 'FORBIDDEN');
  });
});
