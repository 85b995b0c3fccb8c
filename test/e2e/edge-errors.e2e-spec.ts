import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { expectProblem } from '../setup/problem.js';
import { listenOnLoopback, rawRequest, type RawResponse } from '../setup/raw-http.js';
import { registerUser, type TestUser } from '../factories/users.js';

// What goes wrong before a request reaches a controller: too-deep JSON, malformed or oversized URLs,
// headers and bodies. Every answer is problem+json with a request id and the usual security headers.

const BODY_LIMIT = 65_536;
let t: TestApp;
let user: TestUser;
let port: number;
let normalHeaders: Record<string, string>;

beforeAll(async () => {
  t = await createTestApp({ BODY_LIMIT_BYTES: String(BODY_LIMIT) });
  user = await registerUser(t.http);
  port = await listenOnLoopback(t.app);
  normalHeaders = (await request(t.http).get('/health/live').expect(200)).headers as Record<string, string>;
});
afterAll(async () => {
  await t?.close();
});

const api = () => request(t.http);

const securityHeaderNames = [
  'content-security-policy',
  'x-content-type-options',
  'x-frame-options',
  'referrer-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'origin-agent-cluster',
  'x-dns-prefetch-control',
  'x-permitted-cross-domain-policies',
];

/** The same security headers as an ordinary response (GET /health/live). */
function expectSecurityHeaders(headers: Record<string, string>): void {
  for (const name of securityHeaderNames) expect({ [name]: headers[name] }).toEqual({ [name]: normalHeaders[name] });
}

/** A problem+json read off a raw socket: code, status, request id in body and header, security headers. */
function expectRawProblem(res: RawResponse, status: number, code: string): Record<string, unknown> {
  expect({ status: res.status, error: res.error }).toEqual({ status, error: undefined });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect(body).toMatchObject({ type: `urn:calento:error:${code}`, code, status, title: expect.any(String), detail: expect.any(String) });
  expect(body.requestId).toEqual(expect.any(String));
  expect(res.headers['x-request-id']).toBe(body.requestId);
  expectSecurityHeaders(res.headers);
  return body;
}

/** `{"a":{"a":…1…}}`, `levels` objects deep. */
const nested = (levels: number) => '{"a":'.repeat(levels - 1) + '{"a":1' + '}'.repeat(levels);
const json = (path: string, body: string) => api().post(path).set('content-type', 'application/json').send(body);

describe('deeply nested JSON', () => {
  // About 3,000 levels in 15 KB used to overflow the stack while the body was transformed: a 500.
  const deep = nested(3000);

  it.each([
    ['a public route (login)', '/api/v1/auth/login', false],
    ['a public route (book a slot)', '/api/v1/bookings', false],
    ['an authenticated route (create an event)', '/api/v1/events', true],
    ['the import route', '/api/v1/calendar/import', true],
  ])('is refused with 400 JSON_TOO_DEEP on %s', async (_, path, authenticated) => {
    expect(deep.length).toBeGreaterThan(15_000);
    const res = await json(path, deep).set(authenticated ? user.auth : {});
    expectProblem(res, 400, 'JSON_TOO_DEEP');
    expect(res.body.detail).toContain('32 levels');
    expectSecurityHeaders(res.headers as Record<string, string>);
  });

  it('is refused before authentication too (the parser runs first), never a 500', async () => {
    expectProblem(await json('/api/v1/events', deep), 400, 'JSON_TOO_DEEP');
    expectProblem(await json('/api/v1/events', '['.repeat(3000) + ']'.repeat(3000)), 400, 'JSON_TOO_DEEP');
  });

  it('accepts 32 levels and refuses 33', async () => {
    // 32 levels parse: the login route then names its missing fields.
    expectProblem(await json('/api/v1/auth/login', nested(32)), 400, 'VALIDATION_FAILED', ['email', 'password', 'a']);
    expectProblem(await json('/api/v1/auth/login', nested(33)), 400, 'JSON_TOO_DEEP');
  });

  it('does not count brackets inside strings, and reads escapes right', async () => {
    const brackets = '[{'.repeat(100);
    // An escaped quote does not end the string: the brackets after it are still text.
    const escapedQuote = `{"email":"\\"${brackets}","password":"${brackets}"}`;
    expectProblem(await json('/api/v1/auth/login', escapedQuote), 400, 'VALIDATION_FAILED', ['email']);
    // An escaped backslash does not escape the quote after it: the string ends, and the nesting counts.
    const escapedBackslash = `{"email":"\\\\","x":${nested(40)}}`;
    expectProblem(await json('/api/v1/auth/login', escapedBackslash), 400, 'JSON_TOO_DEEP');
    const ok = await api().post('/api/v1/auth/login').send({ email: user.email, password: user.password });
    expect(ok.status).toBe(200);
  });

  it('keeps the other JSON parser rules: malformed text and prototype-poisoning keys are MALFORMED_JSON', async () => {
    expectProblem(await json('/api/v1/auth/login', '{"email":'), 400, 'MALFORMED_JSON');
    expectProblem(await json('/api/v1/auth/login', '{"constructor":{"prototype":{"x":1}}}'), 400, 'MALFORMED_JSON');
  });
});

describe('deep and huge query strings and path parameters', () => {
  it('keeps bracketed query keys flat: a 500-level a[b][c]… is one unknown field, not a nested object', async () => {
    const res = await api().get(`/api/v1/events?${'a' + '[b]'.repeat(500)}=1`).set(user.auth);
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors).toEqual([{ field: `a${'[b]'.repeat(500)}`, message: 'is not an allowed field' }]);
    const pub = await api().get(`/api/v1/booking-links/nobody-here/availability?from[a][b]=1&to[c]=2`);
    expectProblem(pub, 400, 'VALIDATION_FAILED');
  });

  it('answers a path segment over 100 characters with 414 URI_TOO_LONG, and 100 characters reach the route', async () => {
    expectProblem(await api().get(`/api/v1/users/${'a'.repeat(100)}/public-profile`), 400, 'INVALID_ID');
    const res = await api().get(`/api/v1/users/${'a'.repeat(101)}/public-profile`).set('X-Request-Id', 'trace-long-param-1');
    expectProblem(res, 414, 'URI_TOO_LONG');
    expect(res.body.requestId).toBe('trace-long-param-1');
    expect(res.body.detail).toContain('100 characters');
    expectSecurityHeaders(res.headers as Record<string, string>);
    expectProblem(await api().get(`/book/manage/${'x'.repeat(5000)}`), 414, 'URI_TOO_LONG');
  });
});

describe('URLs the router refuses', () => {
  it.each(['/api/v1/events/%ZZ', '/api/v1/users/%E0%A4%A/public-profile', '/book/%C0%AF'])(
    'answers bad percent-encoding (%s) with 400 MALFORMED_URL',
    async (path) => {
      const res = await api().get(path).set(user.auth);
      expectProblem(res, 400, 'MALFORMED_URL');
      expectSecurityHeaders(res.headers as Record<string, string>);
    },
  );
});

describe('requests Node refuses before any route (raw sockets)', () => {
  it('answers headers over 16 KiB with 431 HEADERS_TOO_LARGE and closes', async () => {
    const res = await rawRequest(port, `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    const body = expectRawProblem(res, 431, 'HEADERS_TOO_LARGE');
    expect(body.detail).toContain('16384 bytes');
    expect(res.headers.connection).toBe('close');
  });

  it('answers a query string over 16 KiB with 431 HEADERS_TOO_LARGE', async () => {
    const res = await rawRequest(port, `GET /api/v1/events?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expectRawProblem(res, 431, 'HEADERS_TOO_LARGE');
  });

  it('answers bytes that are not HTTP with 400 MALFORMED_REQUEST', async () => {
    expectRawProblem(await rawRequest(port, 'HELLO THERE\r\n\r\n'), 400, 'MALFORMED_REQUEST');
    expectRawProblem(await rawRequest(port, 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n'), 400, 'MALFORMED_REQUEST');
  });

  it('keeps serving afterwards', async () => {
    await api().get('/health/live').expect(200);
  });
});

describe('bodies over the limit', () => {
  const head = (length: number, extra = '') =>
    `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n${extra}\r\n`;

  it('answers a 20 MB body with a 413 the client reads, not a connection reset', async () => {
    // The client writes everything before reading, as many HTTP clients do: the server drains the body
    // before it closes, so the write completes and the answer is there.
    const size = 20_000_000;
    const res = await rawRequest(port, head(size), Buffer.alloc(size, 'a'));
    const body = expectRawProblem(res, 413, 'PAYLOAD_TOO_LARGE');
    expect(body.detail).toContain(String(BODY_LIMIT));
    expect(res.headers.connection).toBe('close');
  });

  it('answers a chunked body that grows past the limit with a 413 too', async () => {
    const size = 2_000_000;
    const chunked = `${size.toString(16)}\r\n${'a'.repeat(size)}\r\n0\r\n\r\n`;
    const res = await rawRequest(
      port,
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
      chunked,
    );
    expectRawProblem(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('answers Expect: 100-continue with the 413 instead of "continue" when the declared body is too large', async () => {
    const res = await rawRequest(port, head(20_000_000, 'Expect: 100-continue\r\n'));
    expectRawProblem(res, 413, 'PAYLOAD_TOO_LARGE');
    expect(res.statusLines).toEqual(['HTTP/1.1 413 Payload Too Large']);
  });

  it('still says "continue" to a body within the limit', async () => {
    const body = JSON.stringify({ email: user.email, password: user.password });
    const res = await rawRequest(port, head(Buffer.byteLength(body), 'Expect: 100-continue\r\nConnection: close\r\n'), body);
    expect(res.statusLines).toEqual(['HTTP/1.1 100 Continue', 'HTTP/1.1 200 OK']);
    expect(JSON.parse(res.body).accessToken).toEqual(expect.any(String));
  });

  it('answers a supertest-sized oversized body as before', async () => {
    const res = await api().post('/api/v1/auth/login').send({ email: 'a@b.co', password: 'x'.repeat(BODY_LIMIT) });
    expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
    expectSecurityHeaders(res.headers as Record<string, string>);
  });
});
