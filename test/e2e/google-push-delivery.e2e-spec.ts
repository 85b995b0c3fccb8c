import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startFrontDoor, type FrontDoor, type Forwarded } from '../setup/front-door.js';
import request from 'supertest';
import { startFakeGoogle, type FakeGoogle, type OAuthClient } from '../fakes/google/index.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { eventually } from '../setup/wait.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { CALLBACK_URL, clientWithCredentials, connect, fakeGoogleEnv } from '../factories/clients.js';

/**
 * Google's push notifications reaching Calento over HTTP, as Google sends them (reference §6.19), and a
 * run that keeps failing (§6.21): the fake posts to a front door that hands each notification to the app
 * and then, the first time, answers Google 503 as a proxy that lost the app's answer would. Google
 * delivers again; the app must act once.
 */
jest.setTimeout(90_000);

interface Seen {
  channelId: string;
  messageNumber: string;
  state: string;
  appStatus: number;
  outcome: string | undefined;
  answered: number;
}

let fake: FakeGoogle;
let t: TestApp;
let acme: OAuthClient;
let ada: TestUser;
let front: FrontDoor;
const seen: Seen[] = [];

const answeredOnce = new Set<string>();

/** The front door answers 503 the first time it sees a message (Google must deliver it again) and records what it saw. */
function firstTimeUnavailable({ req, statusCode, body }: Forwarded): { status: number; body: string } {
  const key = `${req.headers['x-goog-channel-id']}#${req.headers['x-goog-message-number']}`;
  const answered = answeredOnce.has(key) ? statusCode : 503;
  answeredOnce.add(key);
  let outcome: string | undefined;
  try {
    outcome = (JSON.parse(body) as { outcome?: string }).outcome;
  } catch {
    outcome = undefined;
  }
  seen.push({
    channelId: String(req.headers['x-goog-channel-id']),
    messageNumber: String(req.headers['x-goog-message-number']),
    state: String(req.headers['x-goog-resource-state']),
    appStatus: statusCode,
    outcome,
    answered,
  });
  return { status: answered, body: answered === 503 ? 'unavailable' : 'ok' };
}

beforeAll(async () => {
  fake = await startFakeGoogle({ allowHttpPush: true, pushRetryBaseMs: 50 });
  acme = fake.registerOAuthClient({ redirectUris: [CALLBACK_URL] });
  front = await startFrontDoor(() => t.app, firstTimeUnavailable);
  t = await createTestApp({
    ...fakeGoogleEnv(fake),
    GOOGLE_PUSH_URL: front.url('/api/v1/webhooks/google'),
    GOOGLE_PUSH_DEBOUNCE_MS: '300',
    JOB_POLL_INTERVAL_MS: '25',
    JOB_BACKOFF_BASE_MS: '20',
    JOB_BACKOFF_MAX_MS: '100',
  });
  ada = await registerUser(t.http);
}, 120_000);
afterAll(async () => {
  await front?.close();
  await t?.close();
  await fake?.close();
});

const api = () => request(t.http);

interface Status {
  calendarId: string;
  state: string;
  lastSyncedAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  counts: Record<string, number>;
  push: { active: boolean };
}

async function connectedCalendar(email: string): Promise<{ clientId: string; calendarId: string }> {
  fake.createAccount(email, { timeZone: 'Europe/Berlin' });
  const { clientId, credentialId } = await clientWithCredentials(t.http, ada, acme);
  await connect(t.http, fake, ada, credentialId, clientId, email);
  await api().get(`/api/v1/clients/${clientId}/calendars`).set(ada.auth).expect(200);
  return { clientId, calendarId: email };
}

async function statusOf(c: { clientId: string; calendarId: string }): Promise<Status> {
  const res = await api().get(`/api/v1/calendar/sync/status?clientId=${c.clientId}`).set(ada.auth).expect(200);
  return res.body.data.find((s: Status) => s.calendarId === c.calendarId);
}

async function titles(): Promise<string[]> {
  const res = await api().get('/api/v1/events?from=2027-01-01T00:00:00Z&to=2027-12-31T00:00:00Z&limit=200').set(ada.auth).expect(200);
  return res.body.data.map((e: { title: string }) => e.title);
}

describe('push notifications over HTTP', () => {
  it('acts once on a notification Google delivers again after a 503 (§6.19)', async () => {
    const c = await connectedCalendar('push-503@acme.example');
    const [googleId] = fake.seedEvents(c.calendarId, [{ summary: 'Before', start: { dateTime: '2027-02-01T09:00:00Z' }, end: { dateTime: '2027-02-01T10:00:00Z' } }]);
    await api().post('/api/v1/calendar/sync/initial').set(ada.auth).send({ ...c, strategy: 'import' }).expect(202);
    await eventually(async () => (await statusOf(c)).state === 'idle' && (await titles()).includes('Before'), 30_000, 'the first sync');
    await fake.waitForPush();
    const channel = fake.channels().find((ch) => ch.email === c.calendarId && !ch.stopped)!;
    expect(channel.address).toContain('127.0.0.1');

    fake.clearRequests();
    seen.length = 0;
    fake.updateEvent(c.calendarId, googleId, { summary: 'After' });
    await eventually(async () => (await titles()).includes('After'), 30_000, 'the change from the push');
    await fake.waitForPush();

    // Google saw a 503, waited, and delivered the same message again; the app answered both with 200.
    const exists = seen.filter((s) => s.channelId === channel.id && s.state === 'exists');
    expect(exists.length).toBe(2);
    expect(new Set(exists.map((s) => s.messageNumber)).size).toBe(1);
    expect(exists.map((s) => s.answered)).toEqual([503, 200]);
    expect(exists.map((s) => s.appStatus)).toEqual([200, 200]);
    expect(exists[1].outcome).toBe('repeated');
    const deliveries = fake.pushDeliveries().filter((d) => d.channelId === channel.id && d.state === 'exists');
    expect(deliveries.map((d) => d.outcome)).toEqual(['retrying', 'delivered']);
    // One run for the one change: one incremental listing, with the token.
    await new Promise((resolve) => setTimeout(resolve, 800));
    const lists = fake.requests({ method: 'GET', path: /\/events$/, account: c.calendarId });
    expect(lists).toHaveLength(1);
    expect(lists[0].query.syncToken).toEqual(expect.any(String));
    expect((await titles()).filter((title) => title === 'After')).toHaveLength(1);
  });

  it('keeps the sync token when Google keeps failing, and resumes from it once Google is back (§6.21)', async () => {
    const c = await connectedCalendar('down-503@acme.example');
    const [googleId] = fake.seedEvents(c.calendarId, [{ summary: 'Stable', start: { dateTime: '2027-03-01T09:00:00Z' }, end: { dateTime: '2027-03-01T10:00:00Z' } }]);
    await api().post('/api/v1/calendar/sync/initial').set(ada.auth).send({ ...c, strategy: 'import' }).expect(202);
    await eventually(async () => (await statusOf(c)).state === 'idle' && (await titles()).includes('Stable'), 30_000, 'the first sync');
    await fake.waitForPush();

    fake.clearRequests();
    fake.injectFault({ method: 'GET', path: '/calendar/v3/calendars/*/events', status: 503, times: 1000 });
    fake.updateEvent(c.calendarId, googleId, { summary: 'Changed while Google was down' });
    // Runs fail (the client retries each GET, the queue retries the run with backoff): the status says why in
    // plain words, and nothing local changes.
    const failures = new Set<string>();
    const failed = await eventually(async () => {
      const status = await statusOf(c);
      if (status.lastErrorAt) failures.add(status.lastErrorAt);
      return failures.size >= 2 ? status : undefined;
    }, 40_000, 'two failed runs');
    expect(failed.lastError).toMatch(/503/);
    expect(failed.counts.fullSyncs).toBe(1);
    expect(await titles()).toContain('Stable');

    // Google is back; the next notification resumes from the same token and applies the change.
    fake.clearFaults();
    fake.updateEvent(c.calendarId, googleId, { description: 'and back' });
    await eventually(async () => (await titles()).includes('Changed while Google was down'), 30_000, 'the run after the outage');
    const status = await eventually(async () => {
      const s = await statusOf(c);
      return s.state === 'idle' && s.lastError === null ? s : undefined;
    }, 30_000, 'the sync idle again');
    expect(status.counts.fullSyncs).toBe(1);
    // The failed runs kept the token: the run after the outage listed incrementally from it (the fake answers a
    // stale or missing token with a full listing), and no full listing happened.
    const lists = fake.requests({ method: 'GET', path: /\/events$/, account: c.calendarId });
    expect(lists.length).toBeGreaterThan(0);
    expect(lists.every((r) => typeof r.query.syncToken === 'string')).toBe(true);
  });
});
