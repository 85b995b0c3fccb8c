import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import request from 'supertest';
import { startFakeGoogle, type FakeGoogle, type OAuthClient } from '../fakes/google/index.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { expectProblem } from '../setup/problem.js';
import { eventually } from '../setup/wait.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { Database } from '../../src/db/database.js';
import { ChangeFeed } from '../../src/modules/changes/change-feed.service.js';
import { GoogleSyncTick } from '../../src/modules/google-sync/google-sync.jobs.js';
import { GooglePushSubscriber } from '../../src/modules/google-sync/google-push.subscriber.js';
import { CALLBACK_URL, clientWithCredentials, connect, fakeGoogleEnv } from '../factories/clients.js';

/**
 * Google two-way sync through HTTP, against the fake Google (reference §6): initial sync with each
 * strategy, incremental sync from the syncToken, 410 → full resync, local changes pushed with If-Match,
 * 412 merged or recorded as a conflict, conflicts resolved, push notifications, echo suppression.
 */

// Runs wait for jobs on a shared 2-core machine: room beyond the default 30 s.
jest.setTimeout(90_000);

let fake: FakeGoogle;
let t: TestApp;
let acme: OAuthClient;
let ada: TestUser;
let bob: TestUser;
let n = 0;

beforeAll(async () => {
  fake = await startFakeGoogle({ allowHttpPush: true });
  acme = fake.registerOAuthClient({ redirectUris: [CALLBACK_URL] });
  t = await createTestApp({ ...fakeGoogleEnv(fake), JOB_POLL_INTERVAL_MS: '25', JOB_BACKOFF_BASE_MS: '20', JOB_BACKOFF_MAX_MS: '100', GOOGLE_PUSH_DEBOUNCE_MS: '1000' });
  [ada, bob] = await Promise.all([registerUser(t.http), registerUser(t.http)]);
}, 120_000);
afterAll(async () => {
  await t?.close();
  await fake?.close();
});
beforeEach(() => fake.clearFaults());

const api = () => request(t.http);
/** A start or end as Google holds it. */
type When = { date?: string; dateTime?: string; timeZone?: string };
const FROM = '2026-01-01T00:00:00Z';
const TO = '2027-12-31T00:00:00Z';

interface Connected {
  clientId: string;
  /** The client's OAuth credentials: connecting again (after a refused grant) goes through them. */
  credentialId: string;
  email: string;
  calendarId: string;
}

/** A fresh Google account (primary calendar in Europe/Berlin) connected to a new client of `user`. */
async function connectedAccount(user: TestUser = ada): Promise<Connected> {
  n += 1;
  const email = `sync${n}@acme.example`;
  fake.createAccount(email, { timeZone: 'Europe/Berlin' });
  const { clientId, credentialId } = await clientWithCredentials(t.http, user, acme);
  await connect(t.http, fake, user, credentialId, clientId, email);
  await api().get(`/api/v1/clients/${clientId}/calendars`).set(user.auth).expect(200);
  return { clientId, credentialId, email, calendarId: email };
}

interface Status {
  clientId: string;
  calendarId: string;
  state: string;
  enabled: boolean;
  strategy: string;
  lastSyncedAt: string | null;
  lastError: string | null;
  counts: Record<string, number>;
  push: { active: boolean };
}

async function statusOf(c: Connected, user: TestUser = ada): Promise<Status> {
  const res = await api().get(`/api/v1/calendar/sync/status?clientId=${c.clientId}`).set(user.auth).expect(200);
  return res.body.data.find((s: Status) => s.calendarId === c.calendarId);
}

/** Waits until the calendar's sync is idle again after `since` (a run finished). */
async function synced(c: Connected, since = 0, user: TestUser = ada): Promise<Status> {
  let last: Status | undefined;
  try {
    await eventually(async () => {
      last = await statusOf(c, user);
      return last.state === 'idle' && last.lastSyncedAt !== null && Date.parse(last.lastSyncedAt) >= since;
    }, 30_000, 'the sync');
  } catch (error) {
    throw new Error(`${(error as Error).message}; last status ${JSON.stringify(last)}`);
  }
  return last as Status;
}

async function startSync(c: Connected, strategy: 'merge' | 'import' | 'export', user: TestUser = ada): Promise<Status> {
  const res = await api().post('/api/v1/calendar/sync/initial').set(user.auth).send({ clientId: c.clientId, calendarId: c.calendarId, strategy }).expect(202);
  return res.body;
}

interface LocalEvent {
  id: string;
  title: string;
  startTime: string;
  endTime: string;
  seriesId: string | null;
  source?: string;
  isAllDay: boolean;
  startDate: string | null;
}

async function localEvents(user: TestUser = ada): Promise<LocalEvent[]> {
  const res = await api().get(`/api/v1/events?from=${FROM}&to=${TO}&expand=true&limit=200`).set(user.auth).expect(200);
  return res.body.data;
}

/** Pushes a change notification as Google would, for the calendar's open channel. */
function notify(c: Connected, number: number, state = 'exists') {
  const channel = fake.channels().find((ch) => ch.email === c.email && !ch.stopped);
  expect(channel).toBeDefined();
  return api()
    .post('/api/v1/webhooks/google')
    .set({
      'X-Goog-Channel-ID': channel!.id,
      'X-Goog-Channel-Token': channel!.token ?? '',
      'X-Goog-Resource-ID': channel!.resourceId,
      'X-Goog-Resource-State': state,
      'X-Goog-Message-Number': String(number),
    });
}

describe('initial sync, import', () => {
  it('imports single, all-day and recurring events with their moved and cancelled occurrences', async () => {
    const c = await connectedAccount();
    const [single, allDay, weekly] = fake.seedEvents(c.calendarId, [
      { summary: 'Kick-off', start: { dateTime: '2026-03-02T10:00:00+01:00' }, end: { dateTime: '2026-03-02T11:00:00+01:00' } },
      { summary: 'Offsite', start: { date: '2026-03-10' }, end: { date: '2026-03-12' } },
      {
        summary: 'Weekly sync',
        start: { dateTime: '2026-03-16T09:00:00', timeZone: 'Europe/Berlin' },
        end: { dateTime: '2026-03-16T09:30:00', timeZone: 'Europe/Berlin' },
        recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4'],
      },
    ]);
    fake.moveInstance(c.calendarId, weekly, '2026-03-23T08:00:00Z', {
      start: { dateTime: '2026-03-23T11:00:00+01:00' },
      end: { dateTime: '2026-03-23T11:30:00+01:00' },
    });
    fake.cancelInstance(c.calendarId, weekly, '2026-03-30T07:00:00Z');
    const queued = await startSync(c, 'import');
    expect(queued).toMatchObject({ clientId: c.clientId, calendarId: c.calendarId, strategy: 'import', enabled: true });
    const status = await synced(c);
    expect(status.counts).toMatchObject({ imported: 3, fullSyncs: 1 });
    expect(status.push.active).toBe(true);

    const events = (await localEvents()).filter((e) => e.source === undefined || true);
    const titles = events.map((e) => `${e.title}@${e.isAllDay ? e.startDate : e.startTime}`).sort();
    expect(titles).toEqual(
      [
        'Kick-off@2026-03-02T09:00:00.000Z',
        'Offsite@2026-03-10',
        'Weekly sync@2026-03-16T08:00:00.000Z',
        'Weekly sync@2026-03-23T10:00:00.000Z',
        'Weekly sync@2026-04-06T07:00:00.000Z',
      ].sort(),
    );
    expect([single, allDay, weekly].every(Boolean)).toBe(true);
  });

  it('applies remote creates, updates and deletes incrementally after a push, and runs once for a burst', async () => {
    const c = await connectedAccount();
    const [keep, drop] = fake.seedEvents(c.calendarId, [
      { summary: 'Keep me', start: { dateTime: '2026-05-04T10:00:00Z' }, end: { dateTime: '2026-05-04T11:00:00Z' } },
      { summary: 'Drop me', start: { dateTime: '2026-05-05T10:00:00Z' }, end: { dateTime: '2026-05-05T11:00:00Z' } },
    ]);
    await startSync(c, 'import');
    const first = await synced(c);
    fake.updateEvent(c.calendarId, keep, { summary: 'Kept and renamed' });
    fake.deleteEvent(c.calendarId, drop);
    fake.createEvent(c.calendarId, { summary: 'New at Google', start: { dateTime: '2026-05-06T10:00:00Z' }, end: { dateTime: '2026-05-06T11:00:00Z' } });
    fake.clearRequests();
    const since = Date.now();
    const answers = await Promise.all([notify(c, 1000), notify(c, 1001), notify(c, 1002), notify(c, 1002)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(answers.map((a) => a.body.outcome)).toContain('repeated');
    const after = await synced(c, since);
    const titles = (await localEvents()).map((e) => e.title);
    expect(titles).toEqual(expect.arrayContaining(['Kept and renamed', 'New at Google']));
    expect(titles).not.toContain('Drop me');
    expect(titles).not.toContain('Keep me');
    expect(after.counts.fullSyncs).toBe(first.counts.fullSyncs);
    // Incremental listings carry the syncToken and none of the parameters Google refuses with it.
    const lists = fake.requests({ method: 'GET', path: /\/events$/, account: c.email });
    expect(lists).toHaveLength(1);
    expect(lists[0].query.syncToken).toEqual(expect.any(String));
    for (const refused of ['timeMin', 'timeMax', 'orderBy', 'q', 'updatedMin', 'iCalUID']) expect(lists[0].query).not.toHaveProperty(refused);
  });

  it('lists everything again after a 410 and leaves no duplicate and no orphan', async () => {
    const c = await connectedAccount();
    const [stays, goes] = fake.seedEvents(c.calendarId, [
      { summary: 'Stays', start: { dateTime: '2026-06-01T10:00:00Z' }, end: { dateTime: '2026-06-01T11:00:00Z' } },
      { summary: 'Goes', start: { dateTime: '2026-06-02T10:00:00Z' }, end: { dateTime: '2026-06-02T11:00:00Z' } },
    ]);
    await startSync(c, 'import');
    await synced(c);
    fake.deleteEvent(c.calendarId, goes);
    fake.invalidateSyncTokens({ calendarId: c.calendarId });
    const since = Date.now();
    await notify(c, 2000).expect(200);
    const status = await synced(c, since);
    expect(status.counts.fullSyncs).toBe(2);
    const mine = (await localEvents()).filter((e) => ['Stays', 'Goes'].includes(e.title));
    expect(mine.map((e) => e.title)).toEqual(['Stays']);
    expect(stays).toBeTruthy();
  });
});

describe('merge and export', () => {
  it('matches existing events instead of duplicating them, imports the rest and exports your own', async () => {
    const user = await registerUser(t.http);
    const c = await connectedAccount(user);
    const same = { title: 'Board meeting', startTime: '2027-07-01T09:00:00Z', endTime: '2027-07-01T10:00:00Z', timezone: 'UTC' };
    await api().post('/api/v1/events').set(user.auth).send(same).expect(201);
    const mineOnly = (await api().post('/api/v1/events').set(user.auth).send({ ...same, title: 'Only in Calento', startTime: '2027-07-02T09:00:00Z', endTime: '2027-07-02T10:00:00Z' }).expect(201)).body;
    fake.seedEvents(c.calendarId, [
      { summary: 'Board meeting', start: { dateTime: '2027-07-01T11:00:00+02:00' }, end: { dateTime: '2027-07-01T12:00:00+02:00' } },
      { summary: 'Only at Google', start: { dateTime: '2027-07-03T09:00:00Z' }, end: { dateTime: '2027-07-03T10:00:00Z' } },
    ]);
    // Past events (ended over 30 days ago) stay local; recent and future ones are exported.
    await api().post('/api/v1/events').set(user.auth).send({ ...same, title: 'Long ago', startTime: '2026-01-05T09:00:00Z', endTime: '2026-01-05T10:00:00Z' }).expect(201);
    await startSync(c, 'merge', user);
    await synced(c, 0, user);
    const titles = (await localEvents(user)).map((e) => e.title).sort();
    expect(titles).toEqual(['Board meeting', 'Long ago', 'Only at Google', 'Only in Calento']);
    await eventually(() => fake.events(c.calendarId).some((e) => e.summary === 'Only in Calento'), 20_000, 'the export');
    const atGoogle = fake.events(c.calendarId).map((e) => e.summary).sort();
    expect(atGoogle).toEqual(['Board meeting', 'Only at Google', 'Only in Calento']);
    expect(fake.events(c.calendarId).find((e) => e.summary === 'Only in Calento')?.iCalUID).toBe(`${mineOnly.id}@calento`);
  });

  it('leaves a new event made before the sync to the initial export, even when its change is dispatched after the sync was set up', async () => {
    const user = await registerUser(t.http);
    const c = await connectedAccount(user);
    const made = async (title: string, startTime: string, endTime: string) =>
      (await api().post('/api/v1/events').set(user.auth).send({ title, startTime, endTime, timezone: 'UTC' }).expect(201)).body.id as string;
    const before = await made('Before the sync, long ago', '2026-01-05T09:00:00Z', '2026-01-05T10:00:00Z');
    const feed = t.app.get(ChangeFeed);
    const beforeChange = (await feed.since(user.id)).find((change) => change.eventId === before && change.kind === 'event.created')!;
    await startSync(c, 'merge', user);
    await synced(c, 0, user);
    const after = await made('After the sync, long ago', '2026-01-06T09:00:00Z', '2026-01-06T10:00:00Z');
    const afterChange = (await feed.since(user.id)).find((change) => change.eventId === after && change.kind === 'event.created')!;
    expect(beforeChange.createdAt.getTime()).toBeLessThan(afterChange.createdAt.getTime());

    // The dispatcher hands both changes to the push-back subscriber late (as a busy dispatcher does): only
    // the event made once the sync existed goes to Google.
    const pushJobs = async (eventId: string) =>
      (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE kind = 'google.push' AND payload->>'eventId' = $1`, [eventId])).rows[0].n;
    // First the live dispatch of the later event's change.
    const afterJobs = await eventually(async () => ((await pushJobs(after)) >= 1 ? pushJobs(after) : undefined), 20_000, 'the live push job');
    const subscriber = t.app.get(GooglePushSubscriber);
    await t.db.tx(() => subscriber.onChanges([beforeChange, afterChange]));
    expect(await pushJobs(before)).toBe(0);
    expect(await pushJobs(after)).toBe(afterJobs + 1);
    await eventually(() => fake.events(c.calendarId).some((e) => e.summary === 'After the sync, long ago'), 20_000, 'the push of the later event');
    expect(fake.events(c.calendarId).map((e) => e.summary)).not.toContain('Before the sync, long ago');
  });

  it('imports a page of new events together: one change each with the calendar as origin, matches and a twice-listed invitation kept apart', async () => {
    const user = await registerUser(t.http);
    const c = await connectedAccount(user);
    // Local: one event with an iCalUID (from an .ics file), one with a title Google spells differently.
    const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', 'BEGIN:VEVENT', 'UID:shared-1@example.com', 'DTSTAMP:20270101T000000Z',
      'DTSTART:20270801T090000Z', 'DTEND:20270801T100000Z', 'SUMMARY:From a file', 'END:VEVENT', 'END:VCALENDAR'].join('\r\n');
    await api().post('/api/v1/calendar/import').set(user.auth).send({ ics }).expect(200);
    await api().post('/api/v1/events').set(user.auth).send({ title: 'Quarterly Review', startTime: '2027-08-02T09:00:00Z', endTime: '2027-08-02T10:00:00Z', timezone: 'UTC' }).expect(201);
    const feed = t.app.get(ChangeFeed);
    const before = (await feed.since(user.id)).at(-1)?.seq ?? 0;
    fake.seedEvents(c.calendarId, [
      { summary: 'Renamed at Google', iCalUID: 'shared-1@example.com', start: { dateTime: '2027-08-01T09:00:00Z' }, end: { dateTime: '2027-08-01T10:00:00Z' } },
      { summary: 'quarterly review', start: { dateTime: '2027-08-02T09:00:00Z' }, end: { dateTime: '2027-08-02T10:00:00Z' } },
      { summary: 'Invitation', iCalUID: 'invite-7@example.com', start: { dateTime: '2027-08-03T09:00:00Z' }, end: { dateTime: '2027-08-03T10:00:00Z' }, attendees: [{ email: 'ann@example.com' }, { email: 'Ann@example.com' }, { email: 'bo@example.com', displayName: 'Bo' }] },
      { summary: 'Invitation', iCalUID: 'invite-7@example.com', start: { dateTime: '2027-08-03T09:00:00Z' }, end: { dateTime: '2027-08-03T10:00:00Z' } },
      ...Array.from({ length: 6 }, (_, i) => ({ summary: `New ${i}`, start: { dateTime: `2027-08-1${i}T09:00:00Z` }, end: { dateTime: `2027-08-1${i}T09:30:00Z` } })),
      { summary: 'Weekly at Google', start: { dateTime: '2027-08-04T08:00:00', timeZone: 'Europe/Berlin' }, end: { dateTime: '2027-08-04T08:30:00', timeZone: 'Europe/Berlin' }, recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'] },
    ]);
    await startSync(c, 'merge', user);
    const status = await synced(c, 0, user);
    expect(status.counts.imported).toBe(9);

    const all = await localEvents(user);
    const titles = all.filter((e) => !e.seriesId).map((e) => e.title).sort();
    // The two matches are updated in place (Google's copy is newer), not duplicated.
    expect(titles).toEqual(['Invitation', 'Invitation', 'New 0', 'New 1', 'New 2', 'New 3', 'New 4', 'New 5', 'Renamed at Google', 'quarterly review'].sort());
    expect(all.filter((e) => e.title === 'Weekly at Google').map((e) => e.startTime)).toEqual(['2027-08-04T06:00:00.000Z', '2027-08-11T06:00:00.000Z', '2027-08-18T06:00:00.000Z']);

    const changes = (await feed.since(user.id, before)).filter((change) => change.kind.startsWith('event.'));
    const created = changes.filter((change) => change.kind === 'event.created');
    expect(created).toHaveLength(9);
    expect(new Set(created.map((change) => change.eventId)).size).toBe(9);
    expect(changes.every((change) => change.origin.startsWith('google:'))).toBe(true);
    expect(changes.filter((change) => change.kind === 'event.updated')).toHaveLength(2);
    // The first copy of the invitation keeps its iCalUID and attendees (one per address); the second keeps none.
    const invitations = created.map((change) => (change.data as { after: { title: string; icalUid: string | null; attendees: Array<{ email: string; name: string | null }> } }).after).filter((after) => after.title === 'Invitation');
    expect(invitations.map((after) => after.icalUid).sort()).toEqual(['invite-7@example.com', null]);
    const first = invitations.find((after) => after.icalUid)!;
    expect(first.attendees.map((a) => `${a.email.toLowerCase()}|${a.name}`).sort()).toEqual(['ann@example.com|null', 'bo@example.com|Bo']);
    // Google mails the guests of its events: Calento's invitation emails skip changes from Google.
    await eventually(async () => (await feed.backlog()).count === 0, 30_000, 'the dispatch of the changes');
    const mailed = await t.app.get(Database).query('SELECT recipient FROM email_queue WHERE recipient = ANY($1::text[])', [['ann@example.com', 'bo@example.com']]);
    expect(mailed.rows).toEqual([]);
    // Listing again changes nothing: every event is linked.
    fake.invalidateSyncTokens({ calendarId: c.calendarId });
    const since = Date.now();
    await notify(c, 5000).expect(200);
    await synced(c, since, user);
    expect((await localEvents(user)).length).toBe(all.length);
    expect((await feed.since(user.id, changes.at(-1)!.seq)).filter((change) => change.kind.startsWith('event.'))).toEqual([]);
  });

  it('sends local edits and deletions of synced events to Google, and Google does not echo them back', async () => {
    const user = await registerUser(t.http);
    const c = await connectedAccount(user);
    const [googleId] = fake.seedEvents(c.calendarId, [
      { summary: 'Planning', start: { dateTime: '2026-08-03T09:00:00Z' }, end: { dateTime: '2026-08-03T10:00:00Z' }, location: 'Room 1' },
    ]);
    await startSync(c, 'merge', user);
    await synced(c, 0, user);
    const [local] = await localEvents(user);
    await api().patch(`/api/v1/events/${local.id}`).set(user.auth).send({ title: 'Planning (moved)', startTime: '2026-08-03T13:00:00Z', endTime: '2026-08-03T14:00:00Z' }).expect(200);
    await eventually(() => fake.getEvent(c.calendarId, googleId)?.summary === 'Planning (moved)', 20_000, 'the edit at Google');
    expect(fake.getEvent(c.calendarId, googleId)?.location).toBe('Room 1');
    const patches = fake.requests({ method: 'PATCH', account: c.email });
    expect(patches.length).toBe(1);
    expect(patches[0].headers['if-match']).toBeTruthy();
    // Google's push of Calento's own write: a sync runs, changes nothing, and nothing goes back.
    const since = Date.now();
    await notify(c, 3000).expect(200);
    await synced(c, since, user);
    expect((await api().get(`/api/v1/events/${local.id}`).set(user.auth).expect(200)).body.title).toBe('Planning (moved)');
    expect(fake.requests({ method: 'PATCH', account: c.email }).length).toBe(1);

    await api().delete(`/api/v1/events/${local.id}`).set(user.auth).expect(204);
    await eventually(() => fake.getEvent(c.calendarId, googleId)?.status === 'cancelled', 20_000, 'the deletion at Google');
  });

  it('keeps local changes made while the sync is off or its client must be authorized again, and sends them when it resumes', async () => {
    const user = await registerUser(t.http);
    const c = await connectedAccount(user);
    const { clientId, credentialId, email } = c;
    const [editedId, deletedId] = fake.seedEvents(c.calendarId, [
      { summary: 'Edited while off', start: { dateTime: '2026-09-07T09:00:00Z' }, end: { dateTime: '2026-09-07T10:00:00Z' } },
      { summary: 'Deleted while off', start: { dateTime: '2026-09-08T09:00:00Z' }, end: { dateTime: '2026-09-08T10:00:00Z' } },
    ]);
    await startSync(c, 'merge', user);
    await synced(c, 0, user);
    const local = await localEvents(user);
    const idOf = (title: string) => local.find((event) => event.title === title)!.id;
    const kept = async () => Number((await t.db.query<{ count: string }>('SELECT count(*) FROM google_push_backlog')).rows[0].count);
    const before = await kept();

    // Off: an edit, a deletion and a new event are kept back, and nothing reaches Google.
    const ref = { clientId, calendarId: c.calendarId };
    await api().post('/api/v1/calendar/sync/toggle').set(user.auth).send({ ...ref, enabled: false }).expect(200);
    // Event writes (not the channel's stop, which turning off sends).
    const writes = () => fake.requests({ account: email, path: /\/events(\/|$)/ }).filter((r) => r.method !== 'GET').length;
    const writesWhileOff = writes();
    await api().patch(`/api/v1/events/${idOf('Edited while off')}`).set(user.auth).send({ title: 'Edited while off (new)' }).expect(200);
    await api().delete(`/api/v1/events/${idOf('Deleted while off')}`).set(user.auth).expect(204);
    await api().post('/api/v1/events').set(user.auth).send({ title: 'Made while off', startTime: '2026-09-09T09:00:00Z', endTime: '2026-09-09T10:00:00Z' }).expect(201);
    await eventually(async () => (await kept()) - before === 3, 20_000, 'three kept pushes');
    expect(writes()).toBe(writesWhileOff);
    expect(fake.getEvent(c.calendarId, editedId)?.summary).toBe('Edited while off');

    // On: all three reach Google.
    await api().post('/api/v1/calendar/sync/toggle').set(user.auth).send({ ...ref, enabled: true }).expect(200);
    await eventually(() => fake.getEvent(c.calendarId, editedId)?.summary === 'Edited while off (new)', 20_000, 'the edit at Google');
    await eventually(() => fake.getEvent(c.calendarId, deletedId)?.status === 'cancelled', 20_000, 'the deletion at Google');
    await eventually(() => fake.events(c.calendarId).some((event) => event.summary === 'Made while off'), 20_000, 'the new event at Google');
    expect(await kept()).toBe(before);
    expect(writes()).toBeGreaterThan(writesWhileOff);
    await synced(c, 0, user);

    // Google refuses the grant: an edit made then waits for the client to be authorized again.
    fake.revokeGrant(email);
    fake.expireAccessTokens({ email });
    await api().patch(`/api/v1/events/${idOf('Edited while off')}`).set(user.auth).send({ title: 'Edited while unauthorized' }).expect(200);
    await eventually(async () => (await statusOf(c, user)).state === 'paused', 20_000, 'the pause');
    await eventually(async () => (await kept()) - before === 1, 20_000, 'the kept push');
    await connect(t.http, fake, user, credentialId, clientId, email);
    await eventually(() => fake.getEvent(c.calendarId, editedId)?.summary === 'Edited while unauthorized', 20_000, 'the edit at Google after authorizing again');
    expect(await kept()).toBe(before);
  });

  it('exports a series, an all-day event, one edited and one cancelled occurrence to Google instances', async () => {
    const user = await registerUser(t.http);
    const c = await connectedAccount(user);
    await startSync(c, 'merge', user);
    await synced(c, 0, user);
    const series = (
      await api()
        .post('/api/v1/events')
        .set(user.auth)
        .send({ title: 'Weekly 1:1', startTime: '2027-03-22T09:00:00+01:00', endTime: '2027-03-22T09:30:00+01:00', timezone: 'Europe/Berlin', recurrenceRule: 'FREQ=WEEKLY;COUNT=4' })
        .expect(201)
    ).body;
    await api().post('/api/v1/events').set(user.auth).send({ title: 'Holiday', startTime: '2027-04-05', endTime: '2027-04-07', isAllDay: true, timezone: 'Europe/Berlin' }).expect(201);
    const exported = async (title: string) => {
      let found: ReturnType<FakeGoogle['events']>[number] | undefined;
      await eventually(() => (found = fake.events(c.calendarId).find((e) => e.summary === title)), 10_000, `${title} at Google`);
      return found!;
    };
    const master = await exported('Weekly 1:1');
    expect(master.recurrence).toEqual([expect.stringMatching(/^RRULE:FREQ=WEEKLY;COUNT=4/)]);
    expect(master.start).toMatchObject({ timeZone: 'Europe/Berlin' });
    expect((await exported('Holiday')).start).toEqual({ date: '2027-04-05' });

    // One occurrence moved (across the DST change: 29 March 2027 is summer time), another cancelled.
    await api()
      .put(`/api/v1/events/${series.id}/occurrences/2027-03-29T07:00:00Z`)
      .set(user.auth)
      .send({ title: 'Weekly 1:1 (moved)', startTime: '2027-03-29T11:00:00+02:00', endTime: '2027-03-29T11:30:00+02:00' })
      .expect(200);
    await api().delete(`/api/v1/events/${series.id}/occurrences/2027-04-05T07:00:00Z`).set(user.auth).expect(204);
    const moved = fake.instanceId(master.id as string, '2027-03-29T07:00:00Z');
    const cancelled = fake.instanceId(master.id as string, '2027-04-05T07:00:00Z');
    await eventually(() => fake.getEvent(c.calendarId, moved)?.summary === 'Weekly 1:1 (moved)', 20_000, 'the moved instance');
    expect(new Date((fake.getEvent(c.calendarId, moved)?.start as { dateTime: string }).dateTime).toISOString()).toBe('2027-03-29T09:00:00.000Z');
    await eventually(() => fake.getEvent(c.calendarId, cancelled)?.status === 'cancelled', 20_000, 'the cancelled instance');
    // The series itself is untouched at Google, and the echo of these writes changes nothing here.
    expect(fake.getEvent(c.calendarId, master.id as string)?.status).toBe('confirmed');
    const since = Date.now();
    await notify(c, 6000).expect(200);
    await synced(c, since, user);
    const weekly = (await localEvents(user)).filter((e) => e.title.startsWith('Weekly 1:1')).map((e) => `${e.title}@${e.startTime}`);
    expect(weekly).toEqual(['Weekly 1:1@2027-03-22T08:00:00.000Z', 'Weekly 1:1 (moved)@2027-03-29T09:00:00.000Z', 'Weekly 1:1@2027-04-12T07:00:00.000Z']);
  });

  it('merges a 412 when Google and Calento changed different fields; records a conflict when the same', async () => {
    const user = await registerUser(t.http);
    const c = await connectedAccount(user);
    const [googleId] = fake.seedEvents(c.calendarId, [
      { summary: 'Review', start: { dateTime: '2026-09-07T09:00:00Z' }, end: { dateTime: '2026-09-07T10:00:00Z' } },
    ]);
    await startSync(c, 'merge', user);
    await synced(c, 0, user);
    const [local] = await localEvents(user);

    // Different fields: Google moved the location, Calento renames.
    fake.updateEvent(c.calendarId, googleId, { location: 'Room 7' });
    await api().patch(`/api/v1/events/${local.id}`).set(user.auth).send({ title: 'Review (v2)' }).expect(200);
    await eventually(() => fake.getEvent(c.calendarId, googleId)?.summary === 'Review (v2)', 20_000, 'the merged edit');
    expect(fake.getEvent(c.calendarId, googleId)?.location).toBe('Room 7');
    await eventually(async () => (await api().get(`/api/v1/events/${local.id}`).set(user.auth)).body.location === 'Room 7', 20_000, 'Google’s field locally');

    // The same field: a conflict, kept for the user.
    fake.updateEvent(c.calendarId, googleId, { summary: 'Review (Google)' });
    await api().patch(`/api/v1/events/${local.id}`).set(user.auth).send({ title: 'Review (Calento)' }).expect(200);
    let conflicts: Array<{ id: string; fields: string[]; eventId: string; clientId: string; calendarId: string }> = [];
    await eventually(async () => {
      conflicts = (await api().get('/api/v1/calendar/sync/conflicts').set(user.auth).expect(200)).body.data;
      return conflicts.length === 1;
    }, 20_000, 'the conflict');
    expect(conflicts[0]).toMatchObject({ eventId: local.id, clientId: c.clientId, calendarId: c.calendarId, fields: ['summary'] });
    expect(fake.getEvent(c.calendarId, googleId)?.summary).toBe('Review (Google)');
    expect((await statusOf(c, user)).counts.conflicts).toBe(1);

    // Another user sees none of it, and cannot resolve it.
    expect((await api().get('/api/v1/calendar/sync/conflicts').set(bob.auth).expect(200)).body.data).toEqual([]);
    expectProblem(await api().post(`/api/v1/calendar/sync/conflicts/${conflicts[0].id}/resolve`).set(bob.auth).send({ resolution: 'local' }), 404, 'NOT_FOUND');

    const resolved = await api().post(`/api/v1/calendar/sync/conflicts/${conflicts[0].id}/resolve`).set(user.auth).send({ resolution: 'local' }).expect(200);
    expect(resolved.body).toMatchObject({ status: 'resolved', resolution: 'local' });
    expect(fake.getEvent(c.calendarId, googleId)?.summary).toBe('Review (Calento)');
    expectProblem(await api().post(`/api/v1/calendar/sync/conflicts/${conflicts[0].id}/resolve`).set(user.auth).send({ resolution: 'google' }), 409, 'CONFLICT_RESOLVED');
    expect((await api().get('/api/v1/calendar/sync/conflicts?status=resolved').set(user.auth).expect(200)).body.data).toHaveLength(1);
  });

  it.each(['local', 'merged'] as const)('resolving a conflict as %s keeps what Google alone changed (the time) and takes it here', async (resolution) => {
    const user = await registerUser(t.http);
    const c = await connectedAccount(user);
    const [googleId] = fake.seedEvents(c.calendarId, [{ summary: 'Demo', start: { dateTime: '2026-09-09T10:00:00Z' }, end: { dateTime: '2026-09-09T11:00:00Z' } }]);
    await startSync(c, 'merge', user);
    await synced(c, 0, user);
    const [local] = await localEvents(user);
    // Google renames and moves it; Calento renames it: only the title conflicts.
    fake.updateEvent(c.calendarId, googleId, { summary: 'Demo (Google)', start: { dateTime: '2026-09-09T14:00:00Z' }, end: { dateTime: '2026-09-09T15:00:00Z' } });
    await api().patch(`/api/v1/events/${local.id}`).set(user.auth).send({ title: 'Demo (Calento)' }).expect(200);
    let conflict: { id: string; fields: string[] } | undefined;
    await eventually(async () => (conflict = (await api().get('/api/v1/calendar/sync/conflicts').set(user.auth).expect(200)).body.data[0]), 20_000, 'the conflict');
    expect(conflict!.fields).toEqual(['summary']);
    const body = resolution === 'merged' ? { resolution, event: { title: 'Demo (agreed)' } } : { resolution };
    await api().post(`/api/v1/calendar/sync/conflicts/${conflict!.id}/resolve`).set(user.auth).send(body).expect(200);
    const title = resolution === 'merged' ? 'Demo (agreed)' : 'Demo (Calento)';
    const atGoogle = fake.getEvent(c.calendarId, googleId)!;
    expect({ summary: atGoogle.summary, start: new Date((atGoogle.start as { dateTime: string }).dateTime).toISOString() }).toEqual({ summary: title, start: '2026-09-09T14:00:00.000Z' });
    const here = (await api().get(`/api/v1/events/${local.id}`).set(user.auth).expect(200)).body;
    expect({ title: here.title, startTime: here.startTime, endTime: here.endTime }).toEqual({ title, startTime: '2026-09-09T14:00:00.000Z', endTime: '2026-09-09T15:00:00.000Z' });
  });

  it('resolves a conflict with Google’s version', async () => {
    const user = await registerUser(t.http);
    const c = await connectedAccount(user);
    const [googleId] = fake.seedEvents(c.calendarId, [{ summary: 'Retro', start: { dateTime: '2026-09-08T09:00:00Z' }, end: { dateTime: '2026-09-08T10:00:00Z' } }]);
    await startSync(c, 'merge', user);
    await synced(c, 0, user);
    const [local] = await localEvents(user);
    fake.updateEvent(c.calendarId, googleId, { summary: 'Retro (Google)' });
    await api().patch(`/api/v1/events/${local.id}`).set(user.auth).send({ title: 'Retro (Calento)' }).expect(200);
    let id = '';
    await eventually(async () => {
      id = (await api().get('/api/v1/calendar/sync/conflicts').set(user.auth).expect(200)).body.data[0]?.id ?? '';
      return id !== '';
    }, 20_000, 'the conflict');
    await api().post(`/api/v1/calendar/sync/conflicts/${id}/resolve`).set(user.auth).send({ resolution: 'google' }).expect(200);
    expect((await api().get(`/api/v1/events/${local.id}`).set(user.auth).expect(200)).body.title).toBe('Retro (Google)');
  });
});

describe('faults', () => {
  it('completes through a storm of 429, 403 rateLimitExceeded and 503, keeping the token until a run succeeds', async () => {
    const c = await connectedAccount();
    fake.seedEvents(c.calendarId, [{ summary: 'Storm', start: { dateTime: '2026-10-05T09:00:00Z' }, end: { dateTime: '2026-10-05T10:00:00Z' } }]);
    fake.injectFault({ method: 'GET', path: '/calendar/v3/calendars/*/events', status: 429, reason: 'rateLimitExceeded', times: 4 });
    fake.injectFault({ method: 'GET', path: '/calendar/v3/calendars/*/events', status: 403, reason: 'userRateLimitExceeded', times: 2 });
    fake.injectFault({ method: 'GET', path: '/calendar/v3/calendars/*/events', status: 503, times: 4 });
    await startSync(c, 'import');
    const status = await synced(c);
    expect(status.counts.imported).toBe(1);
    expect((await localEvents()).filter((e) => e.title === 'Storm')).toHaveLength(1);
  });

  it('survives a run that dies after some pages committed: the retry lists again and duplicates nothing', async () => {
    const c = await connectedAccount();
    fake.seedEvents(
      c.calendarId,
      Array.from({ length: 35 }, (_, i) => ({ summary: `Paged ${i}`, start: { dateTime: `2027-03-${String(1 + (i % 28)).padStart(2, '0')}T${String(8 + (i % 9)).padStart(2, '0')}:00:00Z` }, end: { dateTime: `2027-03-${String(1 + (i % 28)).padStart(2, '0')}T${String(8 + (i % 9)).padStart(2, '0')}:30:00Z` } })),
    );
    fake.setListSettings({ pageSizeCap: 10 });
    try {
      // Page 1 and 2 answer; then every retry of page 3 loses its connection: the run fails after two commits.
      fake.injectFault({ method: 'GET', path: '/calendar/v3/calendars/*/events', delayMs: 1, times: 2 });
      fake.injectFault({ method: 'GET', path: '/calendar/v3/calendars/*/events', dropConnection: 'before', times: 4 });
      await startSync(c, 'import');
      const status = await synced(c);
      const paged = (await localEvents()).filter((e) => e.title.startsWith('Paged '));
      expect(paged).toHaveLength(35);
      expect(new Set(paged.map((e) => e.title)).size).toBe(35);
      expect(status.counts.imported).toBe(35);
    } finally {
      fake.setListSettings({ pageSizeCap: undefined });
    }
  });

  it('restarts a full listing once when Google answers 410 between two pages', async () => {
    const c = await connectedAccount();
    fake.seedEvents(
      c.calendarId,
      Array.from({ length: 25 }, (_, i) => ({ summary: `Gone-token ${i}`, start: { dateTime: `2027-04-${String(1 + i).padStart(2, '0')}T09:00:00Z` }, end: { dateTime: `2027-04-${String(1 + i).padStart(2, '0')}T10:00:00Z` } })),
    );
    fake.setListSettings({ pageSizeCap: 10 });
    try {
      fake.injectFault({ method: 'GET', path: '/calendar/v3/calendars/*/events', delayMs: 1, times: 1 });
      fake.injectFault({ method: 'GET', path: '/calendar/v3/calendars/*/events', status: 410, reason: 'fullSyncRequired', domain: 'calendar', times: 1 });
      await startSync(c, 'import');
      const status = await synced(c);
      expect(status.counts.fullSyncs).toBe(2);
      const listed = (await localEvents()).filter((e) => e.title.startsWith('Gone-token '));
      expect(listed).toHaveLength(25);
    } finally {
      fake.setListSettings({ pageSizeCap: undefined });
    }
  });

  it('runs one sync for the same push delivered five times', async () => {
    const c = await connectedAccount();
    await startSync(c, 'import');
    await synced(c);
    fake.createEvent(c.calendarId, { summary: 'Pushed once', start: { dateTime: '2027-05-03T09:00:00Z' }, end: { dateTime: '2027-05-03T10:00:00Z' } });
    fake.clearRequests();
    const since = Date.now();
    const outcomes = [];
    for (let i = 0; i < 5; i++) outcomes.push((await notify(c, 5000).expect(200)).body.outcome);
    expect(outcomes).toEqual(['queued', 'repeated', 'repeated', 'repeated', 'repeated']);
    await synced(c, since);
    expect(fake.requests({ method: 'GET', path: /\/events$/, account: c.email })).toHaveLength(1);
    expect((await localEvents()).filter((e) => e.title === 'Pushed once')).toHaveLength(1);
  });

  it('pauses the sync when Google refuses the grant, without retrying forever', async () => {
    const c = await connectedAccount();
    await startSync(c, 'import');
    await synced(c);
    fake.revokeGrant(c.email);
    fake.expireAccessTokens({ email: c.email });
    await notify(c, 4000).expect(200);
    let status: Status | undefined;
    await eventually(async () => {
      status = await statusOf(c);
      return status.state === 'paused';
    }, 15_000, 'the pause');
    expect(status?.lastError).toMatch(/authoriz/i);
    const client = (await api().get(`/api/v1/clients/${c.clientId}`).set(ada.auth).expect(200)).body;
    expect(client.status).toBe('needs_reauth');
  });
});

describe('the sync API: bad input and other users', () => {
  let c: Connected;
  beforeAll(async () => {
    c = await connectedAccount();
  });

  it('refuses bad bodies with a 400 naming the field', async () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['/initial', { clientId: c.clientId, calendarId: c.calendarId, strategy: 'both' }, 'strategy'],
      ['/initial', { clientId: 'nope', calendarId: c.calendarId, strategy: 'merge' }, 'clientId'],
      ['/initial', { clientId: c.clientId, strategy: 'merge' }, 'calendarId'],
      ['/toggle', { clientId: c.clientId, calendarId: c.calendarId, enabled: 'yes' }, 'enabled'],
      ['/disconnect', {}, 'clientId'],
    ];
    for (const [path, body, field] of cases) {
      const res = await api().post(`/api/v1/calendar/sync${path}`).set(ada.auth).send(body);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expectProblem(await api().get('/api/v1/calendar/sync/status?clientId=x').set(ada.auth), 400, 'VALIDATION_FAILED');
    expectProblem(await api().get('/api/v1/calendar/sync/conflicts?status=all').set(ada.auth), 400, 'VALIDATION_FAILED');
    expectProblem(await api().post('/api/v1/calendar/sync/conflicts/not-a-uuid/resolve').set(ada.auth).send({ resolution: 'local' }), 400, 'INVALID_ID');
    const merged = await api().post('/api/v1/calendar/sync/conflicts/00000000-0000-4000-8000-000000000000/resolve').set(ada.auth).send({ resolution: 'merged' });
    expectProblem(merged, 400, 'VALIDATION_FAILED');
  });

  it("answers another user's client, calendar and conflict ids with 404", async () => {
    const ref = { clientId: c.clientId, calendarId: c.calendarId };
    expectProblem(await api().post('/api/v1/calendar/sync/initial').set(bob.auth).send({ ...ref, strategy: 'import' }), 404, 'NOT_FOUND');
    expectProblem(await api().post('/api/v1/calendar/sync/toggle').set(bob.auth).send({ ...ref, enabled: false }), 404, 'NOT_FOUND');
    expectProblem(await api().post('/api/v1/calendar/sync/disconnect').set(bob.auth).send({ clientId: c.clientId }), 404, 'NOT_FOUND');
    expectProblem(await api().get(`/api/v1/calendar/sync/status?clientId=${c.clientId}`).set(bob.auth), 404, 'NOT_FOUND');
    expectProblem(await api().post('/api/v1/calendar/sync/initial').set(ada.auth).send({ clientId: c.clientId, calendarId: 'nobody@example.com', strategy: 'import' }), 404, 'NOT_FOUND');
    expectProblem(await api().post('/api/v1/calendar/sync/conflicts/00000000-0000-4000-8000-000000000000/resolve').set(ada.auth).send({ resolution: 'local' }), 404, 'NOT_FOUND');
  });

  it('refuses to sync a client that is not connected, and a read-only calendar both ways', async () => {
    const { clientId } = await clientWithCredentials(t.http, ada, acme);
    expectProblem(await api().post('/api/v1/calendar/sync/initial').set(ada.auth).send({ clientId, calendarId: 'x@example.com', strategy: 'import' }), 409, 'CLIENT_NOT_CONNECTED');
    const holidays = fake.createCalendar(c.email, { summary: 'Holidays', accessRole: 'reader' }).id;
    await api().get(`/api/v1/clients/${c.clientId}/calendars`).set(ada.auth).expect(200);
    expectProblem(await api().post('/api/v1/calendar/sync/initial').set(ada.auth).send({ clientId: c.clientId, calendarId: holidays, strategy: 'merge' }), 409, 'CALENDAR_NOT_SYNCABLE');
    await api().post('/api/v1/calendar/sync/initial').set(ada.auth).send({ clientId: c.clientId, calendarId: holidays, strategy: 'import' }).expect(202);
  });

  it('turns a sync off (stopping its channel) and on again, and disconnects a client keeping the events', async () => {
    const d = await connectedAccount();
    fake.seedEvents(d.calendarId, [{ summary: 'Survivor', start: { dateTime: '2026-11-02T09:00:00Z' }, end: { dateTime: '2026-11-02T10:00:00Z' } }]);
    await startSync(d, 'import');
    await synced(d);
    const off = await api().post('/api/v1/calendar/sync/toggle').set(ada.auth).send({ clientId: d.clientId, calendarId: d.calendarId, enabled: false }).expect(200);
    expect(off.body).toMatchObject({ enabled: false, state: 'paused', push: { active: false } });
    await eventually(() => fake.channels().filter((ch) => ch.email === d.email).every((ch) => ch.stopped), 20_000, 'the channel stop');
    const since = Date.now();
    await api().post('/api/v1/calendar/sync/toggle').set(ada.auth).send({ clientId: d.clientId, calendarId: d.calendarId, enabled: true }).expect(200);
    await synced(d, since);
    await api().post('/api/v1/calendar/sync/disconnect').set(ada.auth).send({ clientId: d.clientId }).expect(204);
    const status = await statusOf(d);
    expect(status).toMatchObject({ enabled: false, state: 'paused', push: { active: false } });
    expect((await api().get(`/api/v1/clients/${d.clientId}`).set(ada.auth).expect(200)).body.status).toBe('disconnected');
    expect((await localEvents()).some((e) => e.title === 'Survivor')).toBe(true);
  });
});

describe('POST /webhooks/google', () => {
  it('refuses unknown channels and wrong tokens; acknowledges the first sync message without a run', async () => {
    const c = await connectedAccount();
    await startSync(c, 'import');
    await synced(c);
    expectProblem(await api().post('/api/v1/webhooks/google').set({ 'X-Goog-Channel-ID': 'nope', 'X-Goog-Channel-Token': 'x' }), 404, 'NOT_FOUND');
    expectProblem(await api().post('/api/v1/webhooks/google'), 404, 'NOT_FOUND');
    const channel = fake.channels().find((ch) => ch.email === c.email && !ch.stopped)!;
    const forged = await api()
      .post('/api/v1/webhooks/google')
      .set({ 'X-Goog-Channel-ID': channel.id, 'X-Goog-Channel-Token': 'forged', 'X-Goog-Resource-ID': channel.resourceId, 'X-Goog-Message-Number': '99' });
    expectProblem(forged, 403, 'FORBIDDEN');
    expect((await notify(c, 1, 'sync').expect(200)).body.outcome).toBe('ignored');
    expect((await notify(c, 1, 'sync').expect(200)).body.outcome).toBe('repeated');
  });
});

describe('the stacked view and busy time', () => {
  it('shows each synced event with its client and calendar, filters by client and calendar, and counts busy calendars only', async () => {
    const user = await registerUser(t.http);
    const acmeAccount = await connectedAccount(user);
    const globex = await connectedAccount(user);
    const team = fake.createCalendar(globex.email, { summary: 'Team', timeZone: 'UTC' }).id;
    await api().get(`/api/v1/clients/${globex.clientId}/calendars`).set(user.auth).expect(200);
    fake.seedEvents(acmeAccount.calendarId, [{ summary: 'Acme call', start: { dateTime: '2027-02-01T09:00:00Z' }, end: { dateTime: '2027-02-01T10:00:00Z' } }]);
    fake.seedEvents(globex.calendarId, [{ summary: 'Globex call', start: { dateTime: '2027-02-01T11:00:00Z' }, end: { dateTime: '2027-02-01T12:00:00Z' } }]);
    fake.seedEvents(team, [
      {
        summary: 'Globex standup',
        start: { dateTime: '2027-02-01T08:00:00Z', timeZone: 'UTC' },
        end: { dateTime: '2027-02-01T08:15:00Z', timeZone: 'UTC' },
        recurrence: ['RRULE:FREQ=DAILY;COUNT=3'],
      },
    ]);
    await api().post('/api/v1/events').set(user.auth).send({ title: 'Mine', startTime: '2027-02-01T13:00:00Z', endTime: '2027-02-01T14:00:00Z', timezone: 'UTC' }).expect(201);
    const teamRef: Connected = { ...globex, calendarId: team };
    for (const ref of [acmeAccount, globex, teamRef]) await startSync(ref, 'import', user);
    for (const ref of [acmeAccount, globex, teamRef]) await synced(ref, 0, user);
    // The team calendar is not busy time (only the primary and owned calendars are, by default: make it so).
    await api().patch(`/api/v1/clients/${globex.clientId}/calendars/${encodeURIComponent(team)}`).set(user.auth).send({ busy: false }).expect(200);

    const window = { from: '2027-02-01T00:00:00Z', to: '2027-02-04T00:00:00Z' };
    const all = (await api().get('/api/v1/events').query({ ...window, expand: true }).set(user.auth).expect(200)).body.data as Array<{ title: string; calendar: unknown }>;
    const acmeClient = (await api().get(`/api/v1/clients/${acmeAccount.clientId}`).set(user.auth).expect(200)).body;
    expect(all.find((e) => e.title === 'Acme call')?.calendar).toEqual({ clientId: acmeAccount.clientId, calendarId: acmeAccount.calendarId, clientName: acmeClient.name, color: acmeClient.color });
    expect(all.find((e) => e.title === 'Mine')?.calendar).toBeNull();
    expect(all.filter((e) => e.title === 'Globex standup').map((e) => (e.calendar as { calendarId: string }).calendarId)).toEqual([team, team, team]);
    // The paged list (JSON written by PostgreSQL) carries the same object.
    const paged = (await api().get('/api/v1/events').query(window).set(user.auth).expect(200)).body.data as Array<{ title: string; calendar: unknown }>;
    expect(paged.find((e) => e.title === 'Acme call')?.calendar).toEqual(all.find((e) => e.title === 'Acme call')?.calendar);

    const titles = async (query: Record<string, unknown>) =>
      ((await api().get('/api/v1/events').query({ ...window, expand: true, ...query }).set(user.auth).expect(200)).body.data as Array<{ title: string }>).map((e) => e.title).sort();
    expect(await titles({ clientId: globex.clientId })).toEqual(['Globex call', 'Globex standup', 'Globex standup', 'Globex standup']);
    expect(await titles({ clientId: globex.clientId, calendarId: team })).toEqual(['Globex standup', 'Globex standup', 'Globex standup']);
    expect(await titles({ calendarId: acmeAccount.calendarId })).toEqual(['Acme call']);
    // Another user's client id selects nothing of theirs.
    expect((await api().get('/api/v1/events').query({ ...window, clientId: globex.clientId }).set(bob.auth).expect(200)).body.data).toEqual([]);
    expectProblem(await api().get('/api/v1/events').query({ ...window, clientId: 'acme' }).set(user.auth), 400, 'VALIDATION_FAILED');

    const freeBusy = (await api().get('/api/v1/availability/free-busy').query({ ...window, details: true }).set(user.auth).expect(200)).body;
    const sources = (freeBusy.sources as Array<{ source: string; title: string }>).map((s) => `${s.source}:${s.title}`).sort();
    expect(sources).toEqual(['event:Mine', 'google:Acme call', 'google:Globex call']);

    // Deleting a client deletes the events synced from its calendars; the rest stays.
    await api().delete(`/api/v1/clients/${globex.clientId}`).set(user.auth).expect(204);
    expect(await titles({})).toEqual(['Acme call', 'Mine']);
    expect((await api().get('/api/v1/calendar/sync/status').set(user.auth).expect(200)).body.data.map((s: Status) => s.clientId)).toEqual([acmeAccount.clientId]);
  });
});

describe('more of the reference scenarios', () => {
  it('keeps an event inserted at Google between two pages of the first listing (§6.2), and pages incremental listings with the same syncToken (§6.4)', async () => {
    const c = await connectedAccount();
    fake.seedEvents(
      c.calendarId,
      Array.from({ length: 15 }, (_, i) => ({ summary: `Page ${i}`, start: { dateTime: `2027-06-${String(1 + i).padStart(2, '0')}T09:00:00Z` }, end: { dateTime: `2027-06-${String(1 + i).padStart(2, '0')}T10:00:00Z` } })),
    );
    fake.setListSettings({ pageSizeCap: 5 });
    try {
      // The second page request waits; meanwhile an event is inserted at Google.
      fake.injectFault({ method: 'GET', path: '/calendar/v3/calendars/*/events', delayMs: 1, times: 1 });
      fake.injectFault({ method: 'GET', path: '/calendar/v3/calendars/*/events', delayMs: 400, times: 1 });
      await startSync(c, 'import');
      await eventually(() => fake.requests({ method: 'GET', path: /\/events$/, account: c.email }).length >= 1, 20_000, 'the first page');
      fake.createEvent(c.calendarId, { summary: 'Inserted while paging', start: { dateTime: '2027-06-20T09:00:00Z' }, end: { dateTime: '2027-06-20T10:00:00Z' } });
      await synced(c);
      const since = Date.now();
      await notify(c, 7000).expect(200);
      await synced(c, since);
      const titles = (await localEvents()).map((e) => e.title);
      expect(titles.filter((title) => title.startsWith('Page '))).toHaveLength(15);
      expect(titles.filter((title) => title === 'Inserted while paging')).toHaveLength(1);

      for (let i = 0; i < 12; i++) fake.createEvent(c.calendarId, { summary: `Later ${i}`, start: { dateTime: `2027-07-${String(1 + i).padStart(2, '0')}T09:00:00Z` }, end: { dateTime: `2027-07-${String(1 + i).padStart(2, '0')}T10:00:00Z` } });
      fake.clearRequests();
      const again = Date.now();
      await notify(c, 7001).expect(200);
      await synced(c, again);
      const pages = fake.requests({ method: 'GET', path: /\/events$/, account: c.email });
      expect(pages.length).toBeGreaterThanOrEqual(3);
      expect(new Set(pages.map((page) => page.query.syncToken)).size).toBe(1);
      expect(pages.slice(1).every((page) => typeof page.query.pageToken === 'string')).toBe(true);
      expect((await localEvents()).filter((e) => e.title.startsWith('Later '))).toHaveLength(12);
    } finally {
      fake.setListSettings({ pageSizeCap: undefined });
    }
  });

  it('makes no second copy when an insert reached Google but its answer was lost (§6.9)', async () => {
    const user = await registerUser(t.http);
    const c = await connectedAccount(user);
    await startSync(c, 'merge', user);
    await synced(c, 0, user);
    fake.injectFault({ method: 'POST', path: '/calendar/v3/calendars/*/events', dropConnection: 'after', times: 1 });
    await api().post('/api/v1/events').set(user.auth).send({ title: 'Exactly once', startTime: '2027-08-02T09:00:00Z', endTime: '2027-08-02T10:00:00Z', timezone: 'UTC' }).expect(201);
    await eventually(() => fake.requests({ method: 'POST', path: /\/events$/, account: c.email }).length >= 2, 20_000, 'the retried insert');
    await eventually(async () => {
      const since = Date.now();
      await notify(c, 8000 + Math.floor(Math.random() * 1000)).expect(200);
      await synced(c, since, user);
      return true;
    }, 20_000, 'a sync after the insert');
    expect(fake.events(c.calendarId).filter((e) => e.summary === 'Exactly once')).toHaveLength(1);
    expect((await localEvents(user)).filter((e) => e.title === 'Exactly once')).toHaveLength(1);
  });

  it("imports Google's 'this and following' split with no occurrence missing or doubled (§6.13)", async () => {
    const c = await connectedAccount();
    const [weekly] = fake.seedEvents(c.calendarId, [
      { summary: 'Split me', start: { dateTime: '2027-09-06T09:00:00', timeZone: 'Europe/Berlin' }, end: { dateTime: '2027-09-06T10:00:00', timeZone: 'Europe/Berlin' }, recurrence: ['RRULE:FREQ=WEEKLY;COUNT=6'] },
    ]);
    await startSync(c, 'import');
    await synced(c);
    fake.splitSeries(c.calendarId, weekly, '2027-09-20T07:00:00Z', { summary: 'Split me (later)' });
    const since = Date.now();
    await notify(c, 9000).expect(200);
    await synced(c, since);
    const occurrences = (await localEvents()).filter((e) => e.title.startsWith('Split me')).map((e) => `${e.title}@${e.startTime}`);
    expect(occurrences).toEqual([
      'Split me@2027-09-06T07:00:00.000Z',
      'Split me@2027-09-13T07:00:00.000Z',
      'Split me (later)@2027-09-20T07:00:00.000Z',
      'Split me (later)@2027-09-27T07:00:00.000Z',
      'Split me (later)@2027-10-04T07:00:00.000Z',
      'Split me (later)@2027-10-11T07:00:00.000Z',
    ]);
  });

  it('renews a push channel before it expires and stops the old one (§6.18)', async () => {
    const c = await connectedAccount();
    await startSync(c, 'import');
    const before = await synced(c);
    const old = fake.channels().find((ch) => ch.email === c.email && !ch.stopped)!;
    const report = await t.app.get(GoogleSyncTick).tick(new Date(Date.now() + 7 * 86_400_000));
    expect(report.renewed).toBeGreaterThanOrEqual(1);
    await eventually(() => fake.channels().find((ch) => ch.id === old.id)?.stopped, 20_000, 'the old channel stopped');
    const fresh = fake.channels().filter((ch) => ch.email === c.email && !ch.stopped);
    expect(fresh).toHaveLength(1);
    expect(fresh[0].id).not.toBe(old.id);
    expect((await statusOf(c)).push.active).toBe(true);
    expect(before.push.active).toBe(true);
    // Notifications of the new channel are accepted; the old channel is forgotten.
    expect((await notify(c, 1, 'sync').expect(200)).body.outcome).toBe('ignored');
    const stale = await api()
      .post('/api/v1/webhooks/google')
      .set({ 'X-Goog-Channel-ID': old.id, 'X-Goog-Channel-Token': old.token ?? '', 'X-Goog-Resource-ID': old.resourceId, 'X-Goog-Message-Number': '5' });
    expectProblem(stale, 404, 'NOT_FOUND');
  });
});

describe('local changes that must reach Google as they are', () => {
  it('switches a synced event between all-day and timed at Google, both ways', async () => {
    const c = await connectedAccount();
    fake.seedEvents(c.calendarId, [
      { summary: 'Was all day', start: { date: '2027-09-06' }, end: { date: '2027-09-07' } },
      { summary: 'Was timed', start: { dateTime: '2027-09-07T10:00:00+02:00' }, end: { dateTime: '2027-09-07T11:00:00+02:00' } },
    ]);
    await startSync(c, 'merge');
    await synced(c);
    const local = await localEvents();
    const id = (title: string) => local.find((e) => e.title === title)?.id as string;
    await api().patch(`/api/v1/events/${id('Was all day')}`).set(ada.auth).send({ isAllDay: false, startTime: '2027-09-06T09:00:00+02:00', endTime: '2027-09-06T10:00:00+02:00', timezone: 'Europe/Berlin' }).expect(200);
    await api().patch(`/api/v1/events/${id('Was timed')}`).set(ada.auth).send({ isAllDay: true, startTime: '2027-09-07', endTime: '2027-09-08' }).expect(200);
    const atGoogle = (summary: string) => fake.events(c.calendarId).find((e) => e.summary === summary) as { start?: When; end?: When } | undefined;
    await eventually(() => atGoogle('Was all day')?.start?.dateTime === '2027-09-06T09:00:00+02:00' && atGoogle('Was timed')?.start?.date === '2027-09-07', 20_000, 'both pushes');
    expect(atGoogle('Was all day')?.start?.date).toBeUndefined();
    expect(atGoogle('Was timed')?.end).toEqual({ date: '2027-09-08' });
    expect((await statusOf(c)).lastError).toBeNull();
  });

  it('shows a change Google refused for good as lastError on the sync status, and a listing does not clear it', async () => {
    const c = await connectedAccount();
    fake.seedEvents(c.calendarId, [{ summary: 'Refused', start: { dateTime: '2027-09-08T10:00:00Z' }, end: { dateTime: '2027-09-08T11:00:00Z' } }]);
    await startSync(c, 'merge');
    await synced(c);
    const event = (await localEvents()).find((e) => e.title === 'Refused') as LocalEvent;
    fake.injectFault({ method: 'PATCH', path: '/calendar/v3/calendars/*/events/*', status: 400, reason: 'invalid', message: 'Invalid start time.', times: 1 });
    await api().patch(`/api/v1/events/${event.id}`).set(ada.auth).send({ title: 'Refused, renamed' }).expect(200);
    const failed = await eventually(async () => {
      const status = await statusOf(c);
      return status.lastError ? status : undefined;
    }, 20_000, 'the failed push on the status');
    expect(failed.lastError).toContain(event.id);
    expect(failed.lastError).toContain('Invalid start time.');
    const since = Date.now();
    await notify(c, 9000).expect(200);
    const after = await synced(c, since);
    expect(after.lastError).toBe(failed.lastError);
  });

  it('sends back the RDATEs and off-rule start of a series read from Google when only its description changes', async () => {
    const c = await connectedAccount();
    const [offRule, withRdate] = fake.seedEvents(c.calendarId, [
      // Starts on a Tuesday, the rule names Mondays: Google counts the start as the first instance.
      { summary: 'Off rule', start: { dateTime: '2027-10-05T09:00:00', timeZone: 'Europe/Berlin' }, end: { dateTime: '2027-10-05T10:00:00', timeZone: 'Europe/Berlin' }, recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4'] },
      {
        summary: 'With RDATE',
        start: { dateTime: '2027-10-06T09:00:00', timeZone: 'Europe/Berlin' },
        end: { dateTime: '2027-10-06T09:30:00', timeZone: 'Europe/Berlin' },
        recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=WE;COUNT=3', 'RDATE;TZID=Europe/Berlin:20271009T150000'],
      },
    ]);
    const { access_token } = fake.issueTokens(c.email, acme.clientId);
    const instances = async (id: string) => {
      const res = await fetch(`${fake.apiRootUrl}calendar/v3/calendars/${encodeURIComponent(c.calendarId)}/events/${id}/instances?timeMax=2028-01-01T00:00:00Z`, { headers: { authorization: `Bearer ${access_token}` } });
      return ((await res.json()) as { items: Array<{ start: { dateTime: string } }> }).items.map((item) => item.start.dateTime);
    };
    const before = { offRule: await instances(offRule), withRdate: await instances(withRdate) };
    expect(before.offRule).toHaveLength(4);
    expect(before.withRdate).toHaveLength(4);
    await startSync(c, 'merge');
    await synced(c);
    const series = (await api().get(`/api/v1/events?from=${FROM}&to=${TO}&limit=200`).set(ada.auth).expect(200)).body.data as LocalEvent[];
    fake.clearRequests();
    for (const title of ['Off rule', 'With RDATE']) {
      const id = series.find((e) => e.title === title && !e.seriesId)?.id as string;
      await api().patch(`/api/v1/events/${id}`).set(ada.auth).send({ description: 'edited in Calento' }).expect(200);
    }
    await eventually(() => [offRule, withRdate].every((id) => fake.getEvent(c.calendarId, id)?.description === 'edited in Calento'), 20_000, 'both pushes');
    expect(await instances(offRule)).toEqual(before.offRule);
    expect(await instances(withRdate)).toEqual(before.withRdate);
    expect(fake.getEvent(c.calendarId, withRdate)?.recurrence).toEqual(expect.arrayContaining([expect.stringMatching(/^RDATE/)]));
  });
});

describe('connecting and disconnecting', () => {
  it('starts a sync right after consent, without GET /clients/:id/calendars first (the list is read from Google)', async () => {
    n += 1;
    const email = `fresh${n}@acme.example`;
    fake.createAccount(email, { timeZone: 'Europe/Berlin' });
    fake.seedEvents(email, [{ summary: 'Named origin', start: { dateTime: '2027-11-02T09:00:00Z' }, end: { dateTime: '2027-11-02T10:00:00Z' } }]);
    const { clientId, credentialId } = await clientWithCredentials(t.http, ada, acme);
    await connect(t.http, fake, ada, credentialId, clientId, email);
    const feed = t.app.get(ChangeFeed);
    const seq = (await feed.since(ada.id)).at(-1)?.seq ?? 0;
    const started = await api().post('/api/v1/calendar/sync/initial').set(ada.auth).send({ clientId, calendarId: email, strategy: 'import' }).expect(202);
    expect(started.body).toMatchObject({ clientId, calendarId: email, strategy: 'import' });
    await synced({ clientId, credentialId, email, calendarId: email });
    // The origin of the calendar's changes is listed with the calendar, so a client can tell where a change came from.
    const listed = (await api().get(`/api/v1/clients/${clientId}/calendars`).set(ada.auth).expect(200)).body.data.find((cal: { id: string }) => cal.id === email);
    expect(listed.origin).toMatch(/^google:[0-9a-f-]{36}$/);
    const imported = (await feed.since(ada.id, seq)).filter((change) => change.kind === 'event.created');
    expect(imported.map((change) => change.origin)).toEqual([listed.origin]);
    // A calendar Google does not have either is still a 404.
    expectProblem(await api().post('/api/v1/calendar/sync/initial').set(ada.auth).send({ clientId, calendarId: 'nobody@example.com', strategy: 'import' }), 404, 'NOT_FOUND');
  });

  it('stops the push channels at Google when the OAuth credentials are removed (DELETE /oauth/:id)', async () => {
    const c = await connectedAccount();
    const { credentialId, email } = c;
    await startSync(c, 'import');
    expect((await synced(c)).push.active).toBe(true);
    expect(fake.channels().filter((ch) => ch.email === email && !ch.stopped)).toHaveLength(1);
    await api().delete(`/api/v1/oauth/${credentialId}`).set(ada.auth).expect(204);
    expect(fake.channels().filter((ch) => ch.email === email && !ch.stopped)).toHaveLength(0);
    expect((await statusOf(c)).push.active).toBe(false);
  });
});

