import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { expectProblem } from '../setup/problem.js';
import { listenOnLoopback, rawRequest } from '../setup/raw-http.js';
import { registerUser, type TestUser } from '../factories/users.js';

// CORS for a browser app on another origin, and the security headers that only belong on HTTPS.
// (The same flows from a real page in Chromium: test/browser/cors.browser-spec.ts.)

const SPA = 'https://app.example.com';
let proxied: TestApp; // behind a TLS-terminating proxy (TRUST_PROXY), one allowed origin
let direct: TestApp; // no proxy, any origin
let user: TestUser;

beforeAll(async () => {
  [proxied, direct] = await Promise.all([
    createTestApp({ TRUST_PROXY: 'true', CORS_ORIGINS: `${SPA}, http://127.0.0.1:5173` }),
    createTestApp(),
  ]);
  user = await registerUser(proxied.http);
});
afterAll(async () => {
  await Promise.all([proxied?.close(), direct?.close()]);
});

const list = (header: string | undefined) => (header ?? '').split(',').map((item) => item.trim().toLowerCase());

describe('CORS', () => {
  const requestHeaders = 'authorization, x-api-key, content-type, idempotency-key, if-match, if-none-match, x-request-id';

  it.each(['PATCH', 'PUT', 'DELETE', 'POST', 'GET'])('lets an allowed origin preflight %s with the API headers', async (method) => {
    const res = await request(proxied.http)
      .options('/api/v1/events/3f0c3c4e-8d1e-4a43-a0e5-0b3b1f7f7a10')
      .set('Origin', SPA)
      .set('Access-Control-Request-Method', method)
      .set('Access-Control-Request-Headers', requestHeaders);
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(SPA);
    expect(list(res.headers['access-control-allow-methods'])).toEqual(
      expect.arrayContaining(['get', 'head', 'post', 'put', 'patch', 'delete', 'options']),
    );
    expect(list(res.headers['access-control-allow-headers'])).toEqual(expect.arrayContaining(list(requestHeaders)));
    expect(res.headers['access-control-max-age']).toBe('600');
    expect(list(res.headers.vary)).toContain('origin');
    // Answered by @fastify/cors before Calento's onRequest hook: its request id and security headers all the same.
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('does not allow an origin outside CORS_ORIGINS', async () => {
    const res = await request(proxied.http)
      .options('/api/v1/events/3f0c3c4e-8d1e-4a43-a0e5-0b3b1f7f7a10')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'DELETE')
      .set('Access-Control-Request-Headers', 'authorization');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('exposes the response headers a browser app reads', async () => {
    const res = await request(proxied.http).get('/api/v1/users/me').set(user.auth).set('Origin', SPA).expect(200);
    expect(res.headers['access-control-allow-origin']).toBe(SPA);
    expect(list(res.headers['access-control-expose-headers'])).toEqual(
      expect.arrayContaining([
        'x-request-id',
        'retry-after',
        'location',
        'etag',
        'idempotent-replayed',
        'ratelimit',
        'ratelimit-policy',
        'ratelimit-limit',
        'ratelimit-remaining',
        'ratelimit-reset',
      ]),
    );
  });

  // Not a preflight: curl, a monitor, or a browser's actual OPTIONS once its preflight passed.
  it.each([
    ['no Origin and no Access-Control-Request-Method', {}],
    ['Access-Control-Request-Method without Origin', { 'Access-Control-Request-Method': 'POST' }],
    ['Origin without Access-Control-Request-Method', { Origin: SPA }],
  ])('answers an OPTIONS with %s like HTTP does: 204 and the methods of its path', async (_, headers: Record<string, string>) => {
    const res = await request(proxied.http).options('/api/v1/events?from=x').set(headers).set('X-Request-Id', 'options-probe-1');
    expect(res.status).toBe(204);
    expect(res.headers.allow).toBe('GET, HEAD, POST, OPTIONS');
    expect(res.headers['content-type']).toBeUndefined();
    expect(res.headers['x-request-id']).toBe('options-probe-1');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['access-control-allow-methods']).toBeUndefined();
    expect(res.headers['access-control-allow-origin']).toBe(headers.Origin);
    const one = await request(proxied.http).options('/api/v1/events/3f0c3c4e-8d1e-4a43-a0e5-0b3b1f7f7a10').set(headers);
    expect(one.headers.allow).toBe('GET, HEAD, PATCH, DELETE, OPTIONS');
  });

  it('answers an OPTIONS that is not a preflight on a path with no route with 404 problem+json', async () => {
    const res = await request(proxied.http).options('/api/v1/nothing-here');
    expectProblem(res, 404, 'ROUTE_NOT_FOUND');
    expect(res.body.detail).toBe('No route matches OPTIONS /api/v1/nothing-here.');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('reflects any origin when CORS_ORIGINS is *', async () => {
    const res = await request(direct.http)
      .options('/api/v1/auth/login')
      .set('Origin', 'http://localhost:4200')
      .set('Access-Control-Request-Method', 'PATCH')
      .set('Access-Control-Request-Headers', 'authorization, if-match');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:4200');
    expect(list(res.headers['access-control-allow-methods'])).toContain('patch');
  });
});

describe('HSTS and upgrade-insecure-requests only over HTTPS', () => {
  function expectHttpsOnlyHeaders(headers: Record<string, string>, https: boolean): void {
    expect(headers['content-security-policy']).toContain("default-src 'self'");
    expect(headers['x-content-type-options']).toBe('nosniff');
    if (https) {
      expect(headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expect(headers['content-security-policy']).toContain('upgrade-insecure-requests');
    } else {
      expect(headers['strict-transport-security']).toBeUndefined();
      expect(headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    }
  }

  it('leaves both out over plain HTTP, on API responses, errors and web pages', async () => {
    for (const t of [proxied, direct]) {
      expectHttpsOnlyHeaders((await request(t.http).get('/health/live')).headers as Record<string, string>, false);
      expectHttpsOnlyHeaders((await request(t.http).get('/api/v1/nothing')).headers as Record<string, string>, false);
      expectHttpsOnlyHeaders((await request(t.http).get('/book/no-such-link')).headers as Record<string, string>, false);
    }
  });

  it('sends both when a trusted proxy says the request came over HTTPS (X-Forwarded-Proto)', async () => {
    const https = (path: string) => request(proxied.http).get(path).set('X-Forwarded-Proto', 'https');
    expectHttpsOnlyHeaders((await https('/health/live')).headers as Record<string, string>, true);
    expectHttpsOnlyHeaders((await https('/book/no-such-link')).headers as Record<string, string>, true);
    const longParam = await https(`/api/v1/users/${'a'.repeat(1100)}/public-profile`);
    expectProblem(longParam, 414, 'URI_TOO_LONG');
    expectHttpsOnlyHeaders(longParam.headers as Record<string, string>, true);
    // The last hop counts: "https, http" means the proxy nearest to us was reached over plain HTTP.
    expectHttpsOnlyHeaders((await request(proxied.http).get('/health/live').set('X-Forwarded-Proto', 'https, http')).headers as Record<string, string>, false);
  });

  it('ignores X-Forwarded-Proto without TRUST_PROXY (anyone could send it)', async () => {
    const res = await request(direct.http).get('/health/live').set('X-Forwarded-Proto', 'https');
    expectHttpsOnlyHeaders(res.headers as Record<string, string>, false);
  });

  it('answers a raw-socket 431 with the plain-HTTP set', async () => {
    const port = await listenOnLoopback(direct.app);
    const res = await rawRequest(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(17_000)}\r\n\r\n`);
    expect(res.status).toBe(431);
    expectHttpsOnlyHeaders(res.headers, false);
  });
});
