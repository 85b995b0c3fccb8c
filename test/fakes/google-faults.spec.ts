import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { calendar_v3 } from 'googleapis/build/src/apis/calendar/index.js';
import { calendarFor, startFakeGoogle, type FakeGoogle, type OAuthClient } from './google/index.js';

let fake: FakeGoogle;
let client: OAuthClient;
let calendar: calendar_v3.Calendar;
const EMAIL = 'faults@example.com';
const EVENTS = '/calendar/v3/calendars/*/events';

beforeAll(async () => {
  fake = await startFakeGoogle();
  client = fake.registerOAuthClient({ redirectUris: ['http://localhost:3000/cb'] });
  fake.createAccount(EMAIL);
  fake.createAccount('bystander@example.com');
  // issueTokens sets expiry_date as a real token exchange would; without one, google-auth-library
  // answers any 401/403 (rate limits included) with a refresh and one retry.
  ({ calendar } = calendarFor(fake, client, fake.issueTokens(EMAIL, client.clientId)));
});
afterEach(() => {
  fake.clearFaults();
  fake.clearRateLimit();
  fake.clearRequests();
});
afterAll(async () => {
  await fake?.close();
});

const event = (extra: Record<string, unknown> = {}) => ({ summary: 'x', start: { dateTime: '2030-01-01T10:00:00Z' }, end: { dateTime: '2030-01-01T11:00:00Z' }, ...extra });
const statuses = (method: string) => fake.requests({ method, path: '/calendar/v3/calendars/' }).map((r) => r.status ?? (r.dropped ? 'dropped' : undefined));

describe('injected HTTP failures, as googleapis sees them', () => {
  it('403 rateLimitExceeded reaches the app at once (googleapis never retries a 403)', async () => {
    fake.injectFault({ method: 'GET', path: EVENTS, status: 403, reason: 'rateLimitExceeded' });
    const err = await calendar.events.list({ calendarId: 'primary' }).catch((e) => e);
    expect(err.status).toBe(403);
    expect(err.response.data.error).toEqual({
      errors: [{ domain: 'usageLimits', reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded' }], code: 403, message: 'Rate Limit Exceeded',
    });
    expect(statuses('GET')).toEqual([403]);
  });

  it('gaxios retries a GET after 429 and 503 by itself, and the call succeeds', async () => {
    fake.injectFault({ method: 'GET', path: EVENTS, status: 429 });
    fake.injectFault({ method: 'GET', path: EVENTS, status: 503 });
    const { status } = await calendar.events.list({ calendarId: 'primary' });
    expect(status).toBe(200);
    expect(statuses('GET')).toEqual([429, 503, 200]);
  });

  it('POST and PATCH are not retried: a 503 or 429 on insert/patch is the app\'s to handle', async () => {
    fake.injectFault({ method: 'POST', path: EVENTS, status: 503 });
    const err = await calendar.events.insert({ calendarId: 'primary', requestBody: event() }).catch((e) => e);
    expect([err.status, err.response.data.error.errors[0].reason]).toEqual([503, 'backendError']);
    const { data: ev } = await calendar.events.insert({ calendarId: 'primary', requestBody: event() });
    fake.injectFault({ method: 'PATCH', path: `${EVENTS}/*`, status: 429, times: Infinity });
    await expect(calendar.events.patch({ calendarId: 'primary', eventId: ev.id!, requestBody: { summary: 'y' } })).rejects.toMatchObject({ status: 429 });
    expect(statuses('POST')).toEqual([503, 200]);
    expect(statuses('PATCH')).toEqual([429]);
  });

  it('a connection dropped after the commit: the insert happened; retrying with the same id gets 409 duplicate', async () => {
    fake.injectFault({ method: 'POST', path: EVENTS, dropConnection: 'after' });
    const id = 'retrsafe00000001';
    const err = await calendar.events.insert({ calendarId: 'primary', requestBody: event({ id }) }).catch((e) => e);
    expect(err.response).toBeUndefined();
    expect(fake.requests({ method: 'POST' }).map((r) => [r.status, r.dropped])).toEqual([[200, true]]);
    expect(fake.getEvent(EMAIL, id)).toMatchObject({ id, status: 'confirmed' });
    const dup = await calendar.events.insert({ calendarId: 'primary', requestBody: event({ id }) }).catch((e) => e);
    expect([dup.status, dup.response.data.error.errors[0].reason]).toEqual([409, 'duplicate']);
  });

  it('a connection dropped before handling a GET is retried by gaxios', async () => {
    fake.injectFault({ method: 'GET', path: EVENTS, dropConnection: 'before' });
    await expect(calendar.events.list({ calendarId: 'primary' })).resolves.toMatchObject({ status: 200 });
    expect(fake.requests({ method: 'GET', path: '/events' }).map((r) => r.dropped ?? false)).toEqual([true, false]);
  });

  it('faults can target one account; a 503 on /token is retried by google-auth-library', async () => {
    fake.injectFault({ path: '/calendar/v3/users/me/calendarList', account: 'bystander@example.com', status: 500, times: Infinity });
    await expect(calendar.calendarList.list()).resolves.toMatchObject({ status: 200 });
    const tokens = fake.issueTokens(EMAIL, client.clientId);
    const { auth } = calendarFor(fake, client, { refresh_token: tokens.refresh_token });
    fake.injectFault({ method: 'POST', path: '/token', status: 503 });
    await expect(auth.getAccessToken()).resolves.toMatchObject({ token: expect.stringMatching(/^ya29\./) });
    expect(fake.requests({ path: '/token' }).map((r) => r.status)).toEqual([503, 200]);
  });
});

describe('per-account rate limiter', () => {
  it('answers 403 userRateLimitExceeded past the limit (or 429 when configured), for that account only', async () => {
    fake.setRateLimit(EMAIL, { limit: 2, windowMs: 60_000 });
    await calendar.calendarList.list();
    await calendar.calendarList.list();
    const err = await calendar.calendarList.list().catch((e) => e);
    expect([err.status, err.response.data.error.errors[0]]).toEqual([403, { domain: 'usageLimits', reason: 'userRateLimitExceeded', message: 'User Rate Limit Exceeded' }]);
    fake.setRateLimit(EMAIL, { limit: 1, windowMs: 60_000, status: 429 });
    await calendar.events.insert({ calendarId: 'primary', requestBody: event() });
    await expect(calendar.events.insert({ calendarId: 'primary', requestBody: event() })).rejects.toMatchObject({ status: 429 });
  });
});

describe('admin API over HTTP', () => {
  it('mirrors the typed helpers (accounts, seeding, faults, request log)', async () => {
    const post = async (path: string, body: unknown, method = 'POST') => {
      const res = await fetch(`${fake.url}/__admin${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: res.status === 204 ? undefined : ((await res.json()) as Record<string, unknown>) };
    };
    expect((await post('/accounts', { email: 'http@example.com', timeZone: 'Asia/Tokyo' })).body).toEqual({ email: 'http@example.com', primaryCalendarId: 'http@example.com' });
    const seeded = await post('/calendars/http@example.com/seed', { events: [event({ summary: 'seeded over http' })] });
    expect((seeded.body!.ids as string[])).toHaveLength(1);
    expect((await post('/faults', { path: '^/calendar/v3/calendars/[^/]+/events$', regex: true, status: 503, times: -1 })).body).toMatchObject({ status: 503, remaining: -1 });
    const index = (await (await fetch(`${fake.url}/__admin`)).json()) as { routes: string[] };
    expect(index.routes.length).toBeGreaterThan(30);
    expect((await post('/accounts', { email: 'http@example.com' })).status).toBe(400);
    await post('/faults', {}, 'DELETE');
    const log = await fetch(`${fake.url}/__admin/requests?path=/token`);
    expect(log.status).toBe(200);
  });
});
