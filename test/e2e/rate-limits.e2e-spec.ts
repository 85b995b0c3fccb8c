import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request, { type Response } from 'supertest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { expectProblem } from '../setup/problem.js';
import { TcpProxy } from '../setup/tcp-proxy.js';
import { freePort } from '../setup/ports.js';
import { eventually } from '../setup/wait.js';
import { registerUser, uniqueEmail } from '../factories/users.js';

/** Small budgets, so each limit is reached in a few requests. */
const small = {
  RATE_LIMIT_LOGIN_PER_IP: '4',
  RATE_LIMIT_LOGIN_PER_ACCOUNT: '100',
  RATE_LIMIT_PUBLIC_PER_IP: '3',
  RATE_LIMIT_ANONYMOUS_PER_IP: '3',
  RATE_LIMIT_PER_USER: '5',
};

function expectLimited(res: Response, limit: number): void {
  expectProblem(res, 429, 'RATE_LIMITED');
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
  expect(res.headers['ratelimit-limit']).toBe(String(limit));
  expect(res.headers['ratelimit-remaining']).toBe('0');
  expect(Number(res.headers['ratelimit-reset'])).toBeGreaterThan(0);
}

describe('in memory (no REDIS_URL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(small);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('limits register per IP (each costs a bcrypt hash and an email)', async () => {
    const register = () =>
      request(t.http).post('/api/v1/auth/register').send({ email: uniqueEmail(), password: 'correct-horse-42', name: 'R' });
    for (let i = 0; i < 4; i += 1) {
      const ok = await register().expect(201);
      expect(ok.headers['ratelimit-limit']).toBe('4');
      expect(ok.headers['ratelimit-remaining']).toBe(String(3 - i));
    }
    expectLimited(await register(), 4);
  });

  it('limits reset-password per IP', async () => {
    const reset = () => request(t.http).post('/api/v1/auth/reset-password').send({ token: 'z'.repeat(43), newPassword: 'brand-new-pass-7' });
    for (let i = 0; i < 4; i += 1) expectProblem(await reset(), 400, 'INVALID_RESET_TOKEN');
    expectLimited(await reset(), 4);
  });

  it('limits other anonymous routes per IP', async () => {
    const refresh = () => request(t.http).post('/api/v1/auth/refresh-token').send({ refreshToken: 'x'.repeat(43) });
    for (let i = 0; i < 3; i += 1) expectProblem(await refresh(), 401, 'INVALID_REFRESH_TOKEN');
    expectLimited(await refresh(), 3);
  });

  it('limits public booking routes per IP', async () => {
    const page = () => request(t.http).get('/api/v1/booking-links/no-such-link');
    for (let i = 0; i < 3; i += 1) expectProblem(await page(), 404, 'NOT_FOUND');
    expectLimited(await page(), 3);
  });

  it('limits authenticated routes per user, and each API key on its own budget', async () => {
    // Budgets are per caller, not per IP: all these calls come from one address.
    const big = await createTestApp({ ...small, RATE_LIMIT_LOGIN_PER_IP: '100' });
    try {
      const alice = await registerUser(big.http);
      const bob = await registerUser(big.http);
      const key = (await request(big.http).post('/api/v1/api-keys').set(alice.auth).send({ name: 'k', scopes: ['users:read'] }).expect(201)).body.key;
      // The key creation above was alice's first request.
      for (let i = 0; i < 4; i += 1) await request(big.http).get('/api/v1/users/me').set(alice.auth).expect(200);
      expectLimited(await request(big.http).get('/api/v1/users/me').set(alice.auth), 5);
      await request(big.http).get('/api/v1/users/me').set(bob.auth).expect(200);
      await request(big.http).get('/api/v1/users/me').set('X-API-Key', key).expect(200);
    } finally {
      await big.close();
    }
  });

  it('never limits the health probes', async () => {
    for (let i = 0; i < 6; i += 1) await request(t.http).get('/health/live').expect(200);
  });
});

describe('in Redis (REDIS_URL)', () => {
  const prefix = `calento-test-rl-${randomBytes(4).toString('hex')}`;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const env = { ...small, REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: prefix };
    a = await createTestApp(env);
    b = await createTestApp(env);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('one budget across two apps (replicas) sharing Redis', async () => {
    const page = (app: TestApp) => request(app.http).get('/api/v1/booking-links/shared-budget');
    expectProblem(await page(a), 404, 'NOT_FOUND');
    expectProblem(await page(b), 404, 'NOT_FOUND');
    expectProblem(await page(a), 404, 'NOT_FOUND');
    expectLimited(await page(b), 3);
    expectLimited(await page(a), 3);
  });

  it('fails open with a warning while Redis is unreachable, and limits again when it is back', async () => {
    const proxy = await TcpProxy.open(6379);
    const env = { ...small, REDIS_URL: proxy.url, REDIS_PREFIX: `${prefix}-proxy` };
    const app = await createTestApp(env, { captureLogs: true });
    try {
      const refresh = () => request(app.http).post('/api/v1/auth/refresh-token').send({ refreshToken: 'x'.repeat(43) });
      await eventually(async () => (await refresh()).headers['ratelimit-limit'] === '3', 5000, 'limits in Redis');
      await proxy.stop();
      for (let i = 0; i < 8; i += 1) expectProblem(await refresh(), 401, 'INVALID_REFRESH_TOKEN');
      expect(app.logs()).toContain('limits fail open');
      await proxy.start();
      await eventually(async () => (await refresh()).status === 429, 15_000, 'limits again once Redis is back');
    } finally {
      await app.close();
      await proxy.stop();
    }
  });

  it('starts and serves with Redis down from the start', async () => {
    const app = await createTestApp({ ...small, REDIS_URL: `redis://127.0.0.1:${await freePort()}`, REDIS_PREFIX: prefix }, { captureLogs: true });
    try {
      for (let i = 0; i < 6; i += 1) expectProblem(await request(app.http).get('/api/v1/booking-links/nothing-here'), 404, 'NOT_FOUND');
      expect(app.logs()).toContain('limits fail open');
    } finally {
      await app.close();
    }
  });
});
