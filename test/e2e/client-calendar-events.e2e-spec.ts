import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import request from 'supertest';
import { startFakeGoogle, type FakeGoogle, type OAuthClient } from '../fakes/google/index.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { expectProblem } from '../setup/problem.js';
import { eventually } from '../setup/wait.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { CALLBACK_URL, clientWithCredentials, connect, fakeGoogleEnv } from '../factories/clients.js';

/**
 * The events of one client calendar: written on Google (the fake) first, mirrored locally, never
 * pushed back; other users' ids are 404; a calendar that is not synced is a 409.
 */
jest.setTimeout(90_000);

let fake: FakeGoogle;
let t: TestApp;
let acme: OAuthClient;
let ada: TestUser;
let bob: TestUser;
let clientId: string;
let calendarId: string;
let base: string;

beforeAll(async () => {
  fake = await startFakeGoogle({ allowHttpPush: true });
  acme = fake.registerOAuthClient({ redirectUris: [CALLBACK_URL] });
  t = await createTestApp({ ...fakeGoogleEnv(fake), JOB_POLL_INTERVAL_MS: '25', JOB_BACKOFF_BASE_MS: '20', JOB_BACKOFF_MAX_MS: '100' });
  [ada, bob] = await Promise.all([registerUser(t.http), registerUser(t.http)]);
  calendarId = 'cal-events@acme.example';
  fake.createAccount(calendarId, { timeZone: 'Europe/Berlin' });
  const created = await clientWithCredentials(t.http, ada, acme);
  clientId = created.clientId;
  await connect(t.http, fake, ada, created.credentialId, clientId, calendarId);
  await api().get(`/api/v1/clients/${clientId}/calendars`).set(ada.auth).expect(200);
  await api().post('/api/v1/calendar/sync/initial').set(ada.auth).send({ clientId, calendarId, strategy: 'merge' }).expect(202);
  await eventually(async () => (await api().get('/api/v1/calendar/sync/status').set(ada.auth)).body.data[0]?.state === 'idle', 30_000, 'the first sync');
  base = `/api/v1/clients/${clientId}/calendars/${encodeURIComponent(calendarId)}/events`;
}, 120_000);
afterAll(async () => {
  await t?.close();
  await fake?.close();
});
beforeEach(() => fake.clearFaults());

const api = () => request(t.http);
/** A start or end as Google holds it. */
type When = { date?: string; dateTime?: string; timeZone?: string };
const WINDOW = { from: '2027-05-01T00:00:00Z', to: '2027-05-31T00:00:00Z' };

describe('the events of a client calendar', () => {
  it('creates at Google, lists, changes and deletes, mirrored locally and never pushed back', async () => {
    const created = await api()
      .post(base)
      .set(ada.auth)
      .send({ title: 'Acme kick-off', startTime: '2027-05-03T10:00:00+02:00', endTime: '2027-05-03T11:00:00+02:00', timezone: 'Europe/Berlin', location: 'HQ' })
      .expect(201);
    expect(created.body).toMatchObject({ title: 'Acme kick-off', location: 'HQ', calendar: { clientId, calendarId } });
    // The local mirror is where it is read, like any event.
    expect(created.headers.location).toBe(`/api/v1/events/${created.body.id}`);
    const atGoogle = fake.events(calendarId).find((e) => e.summary === 'Acme kick-off');
    expect(atGoogle?.location).toBe('HQ');

    const listed = await api().get(base).query({ ...WINDOW, expand: true }).set(ada.auth).expect(200);
    expect(listed.body.data.map((e: { id: string }) => e.id)).toEqual([created.body.id]);

    fake.clearRequests();
    const changed = await api().put(`${base}/${created.body.id}`).set(ada.auth).send({ title: 'Acme kick-off (moved)', startTime: '2027-05-04T10:00:00+02:00', endTime: '2027-05-04T11:00:00+02:00' }).expect(200);
    expect(changed.body).toMatchObject({ title: 'Acme kick-off (moved)', startTime: '2027-05-04T08:00:00.000Z', location: 'HQ' });
    expect(fake.getEvent(calendarId, atGoogle?.id as string)?.summary).toBe('Acme kick-off (moved)');
    const patches = fake.requests({ method: 'PATCH', account: calendarId });
    expect(patches).toHaveLength(1);
    expect(patches[0].headers['if-match']).toBe(atGoogle?.etag);
    // The calendar is the organizer: Google mails the guests of what is written there.
    expect(patches[0].query.sendUpdates).toBe('all');

    await api().delete(`${base}/${created.body.id}`).set(ada.auth).expect(204);
    expect(fake.getEvent(calendarId, atGoogle?.id as string)?.status).toBe('cancelled');
    await api().get(`/api/v1/events/${created.body.id}`).set(ada.auth).expect(404);
    // Nothing went back to Google through the push-back subscriber (the writes were Google's own).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.requests({ method: 'PATCH', account: calendarId })).toHaveLength(1);
    expect(fake.requests({ method: 'POST', account: calendarId }).filter((r) => r.path.endsWith('/events'))).toHaveLength(0);
  });

  it('creates a new event even when one of your own has the same title and times (it is not adopted)', async () => {
    // A calendar synced one way (import): the user's own events stay local, so the look-alike is never linked.
    const account = 'bob-import@acme.example';
    fake.createAccount(account, { timeZone: 'Europe/Berlin' });
    const bobs = await clientWithCredentials(t.http, bob, acme);
    await connect(t.http, fake, bob, bobs.credentialId, bobs.clientId, account);
    await api().get(`/api/v1/clients/${bobs.clientId}/calendars`).set(bob.auth).expect(200);
    await api().post('/api/v1/calendar/sync/initial').set(bob.auth).send({ clientId: bobs.clientId, calendarId: account, strategy: 'import' }).expect(202);
    await eventually(async () => (await api().get('/api/v1/calendar/sync/status').set(bob.auth)).body.data[0]?.state === 'idle', 30_000, 'bob’s first sync');
    const same = { title: 'Same slot', startTime: '2027-05-20T09:00:00Z', endTime: '2027-05-20T10:00:00Z', timezone: 'UTC' };
    const own = (await api().post('/api/v1/events').set(bob.auth).send(same).expect(201)).body;
    const created = (await api().post(`/api/v1/clients/${bobs.clientId}/calendars/${encodeURIComponent(account)}/events`).set(bob.auth).send(same).expect(201)).body;
    expect(created.id).not.toBe(own.id);
    expect(created.calendar).toMatchObject({ clientId: bobs.clientId, calendarId: account });
    expect((await api().get(`/api/v1/events/${own.id}`).set(bob.auth).expect(200)).body.calendar).toBeNull();
    const listed = (await api().get('/api/v1/events').query({ ...WINDOW, expand: true }).set(bob.auth).expect(200)).body.data.filter((e: { title: string }) => e.title === 'Same slot');
    expect(listed).toHaveLength(2);
  });

  it('answers 409 CHANGED_AT_GOOGLE when Google changed the event since, and 502 when Google is down (nothing local)', async () => {
    const created = (await api().post(base).set(ada.auth).send({ title: 'Contested', startTime: '2027-05-10T09:00:00Z', endTime: '2027-05-10T10:00:00Z', timezone: 'UTC' }).expect(201)).body;
    const googleId = fake.events(calendarId).find((e) => e.summary === 'Contested')?.id as string;
    fake.updateEvent(calendarId, googleId, { location: 'Changed at Google' });
    expectProblem(await api().put(`${base}/${created.id}`).set(ada.auth).send({ title: 'Mine' }), 409, 'CHANGED_AT_GOOGLE');
    expect(fake.getEvent(calendarId, googleId)?.summary).toBe('Contested');

    fake.injectFault({ method: 'POST', path: '/calendar/v3/calendars/*/events', status: 503, times: 1 });
    expectProblem(
      await api().post(base).set(ada.auth).send({ title: 'Never', startTime: '2027-05-11T09:00:00Z', endTime: '2027-05-11T10:00:00Z', timezone: 'UTC' }),
      502,
      'GOOGLE_UNAVAILABLE',
    );
    // A refusal no retry changes is not "try again later".
    fake.injectFault({ method: 'POST', path: '/calendar/v3/calendars/*/events', status: 400, reason: 'invalid', message: 'Invalid value', times: 1 });
    const refused = await api().post(base).set(ada.auth).send({ title: 'Refused', startTime: '2027-05-11T09:00:00Z', endTime: '2027-05-11T10:00:00Z', timezone: 'UTC' });
    expectProblem(refused, 422, 'GOOGLE_REFUSED');
    expect(refused.body.detail).toContain('invalid');
    fake.injectFault({ method: 'POST', path: '/calendar/v3/calendars/*/events', status: 403, reason: 'rateLimitExceeded', times: 1 });
    expectProblem(
      await api().post(base).set(ada.auth).send({ title: 'Later', startTime: '2027-05-11T09:00:00Z', endTime: '2027-05-11T10:00:00Z', timezone: 'UTC' }),
      502,
      'GOOGLE_UNAVAILABLE',
    );
    const titles = (await api().get('/api/v1/events').query({ ...WINDOW, expand: true }).set(ada.auth).expect(200)).body.data.map((e: { title: string }) => e.title);
    expect(titles).not.toContain('Never');
    expect(titles).not.toContain('Refused');
  });

  it('refuses bad input with a 400 naming the field', async () => {
    const bad = await api().post(base).set(ada.auth).send({ title: '', startTime: 'soon', endTime: '2027-05-11T10:00:00Z' });
    expectProblem(bad, 400, 'VALIDATION_FAILED');
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['title', 'startTime']));
    expectProblem(await api().get(base).query({ from: 'x', to: WINDOW.to }).set(ada.auth), 400, 'VALIDATION_FAILED');
    expectProblem(await api().put(`${base}/not-a-uuid`).set(ada.auth).send({ title: 'x' }), 400, 'INVALID_ID');
    expectProblem(await api().get(`/api/v1/clients/nope/calendars/${encodeURIComponent(calendarId)}/events`).query(WINDOW).set(ada.auth), 400, 'INVALID_ID');
  });

  it("answers another user's client, calendar and event ids with 404, and a calendar without a sync with 409", async () => {
    const mine = (await api().post(base).set(ada.auth).send({ title: 'Private', startTime: '2027-05-12T09:00:00Z', endTime: '2027-05-12T10:00:00Z', timezone: 'UTC' }).expect(201)).body;
    expectProblem(await api().get(base).query(WINDOW).set(bob.auth), 404, 'NOT_FOUND');
    expectProblem(await api().post(base).set(bob.auth).send({ title: 'x', startTime: '2027-05-12T09:00:00Z', endTime: '2027-05-12T10:00:00Z' }), 404, 'NOT_FOUND');
    expectProblem(await api().put(`${base}/${mine.id}`).set(bob.auth).send({ title: 'x' }), 404, 'NOT_FOUND');
    expectProblem(await api().delete(`${base}/${mine.id}`).set(bob.auth), 404, 'NOT_FOUND');
    // A local event of Ada's that is not on this calendar is not one of its events.
    const local = (await api().post('/api/v1/events').set(ada.auth).send({ title: 'Local', startTime: '2027-05-13T09:00:00Z', endTime: '2027-05-13T10:00:00Z', timezone: 'UTC' }).expect(201)).body;
    await eventually(() => fake.events(calendarId).some((e) => e.summary === 'Local'), 20_000, 'the export');
    const unknown = `/api/v1/clients/${clientId}/calendars/${encodeURIComponent('nobody@example.com')}/events`;
    expectProblem(await api().get(unknown).query(WINDOW).set(ada.auth), 404, 'NOT_FOUND');
    const team = fake.createCalendar(calendarId, { summary: 'Team' }).id;
    await api().get(`/api/v1/clients/${clientId}/calendars`).set(ada.auth).expect(200);
    const unsynced = `/api/v1/clients/${clientId}/calendars/${encodeURIComponent(team)}/events`;
    expectProblem(await api().get(unsynced).query(WINDOW).set(ada.auth), 409, 'CALENDAR_NOT_SYNCED');
    expectProblem(await api().delete(`${unsynced}/${local.id}`).set(ada.auth), 409, 'CALENDAR_NOT_SYNCED');
  });

  it('switches an event between all-day and timed at Google, both ways (a patch clears the other key)', async () => {
    const allDay = (await api().post(base).set(ada.auth).send({ title: 'Day to time', isAllDay: true, startTime: '2027-05-14', endTime: '2027-05-15' }).expect(201)).body;
    const timed = (await api().post(base).set(ada.auth).send({ title: 'Time to day', startTime: '2027-05-15T09:00:00+02:00', endTime: '2027-05-15T10:00:00+02:00', timezone: 'Europe/Berlin' }).expect(201)).body;
    await api().put(`${base}/${allDay.id}`).set(ada.auth).send({ isAllDay: false, startTime: '2027-05-14T09:00:00+02:00', endTime: '2027-05-14T10:00:00+02:00', timezone: 'Europe/Berlin' }).expect(200);
    await api().put(`${base}/${timed.id}`).set(ada.auth).send({ isAllDay: true, startTime: '2027-05-15', endTime: '2027-05-16' }).expect(200);
    const atGoogle = (summary: string) => fake.events(calendarId).find((e) => e.summary === summary) as { start?: When; end?: When } | undefined;
    expect(atGoogle('Day to time')?.start).toMatchObject({ dateTime: '2027-05-14T09:00:00+02:00', timeZone: 'Europe/Berlin' });
    expect(atGoogle('Day to time')?.start?.date).toBeUndefined();
    expect(atGoogle('Time to day')?.start).toEqual({ date: '2027-05-15' });
    expect(atGoogle('Time to day')?.end).toEqual({ date: '2027-05-16' });
  });

  it('sends attachments with supportsAttachments=true, so Google keeps them', async () => {
    fake.clearRequests();
    const attachment = { url: 'https://files.acme.example/agenda.pdf', title: 'Agenda', mimeType: 'application/pdf' };
    const created = (await api().post(base).set(ada.auth).send({ title: 'With agenda', startTime: '2027-05-16T09:00:00Z', endTime: '2027-05-16T10:00:00Z', timezone: 'UTC', attachments: [attachment] }).expect(201)).body;
    expect(created.attachments).toEqual([attachment]);
    const atGoogle = fake.events(calendarId).find((e) => e.summary === 'With agenda');
    expect(atGoogle?.attachments).toEqual([{ fileUrl: attachment.url, title: 'Agenda', mimeType: 'application/pdf' }]);
    const second = { url: 'https://files.acme.example/minutes.pdf', title: 'Minutes', mimeType: 'application/pdf' };
    await api().put(`${base}/${created.id}`).set(ada.auth).send({ attachments: [attachment, second] }).expect(200);
    expect(fake.getEvent(calendarId, atGoogle?.id as string)?.attachments).toHaveLength(2);
    for (const write of fake.requests({ account: calendarId }).filter((r) => r.method === 'POST' || r.method === 'PATCH')) {
      expect(write.query.supportsAttachments).toBe('true');
    }
  });

  it('with an Idempotency-Key, a retry after a lost answer returns the first event instead of a second one', async () => {
    const body = { title: 'Only once', startTime: '2027-05-17T09:00:00Z', endTime: '2027-05-17T10:00:00Z', timezone: 'UTC', attendees: [{ email: 'guest@example.com' }] };
    fake.injectFault({ method: 'POST', path: '/calendar/v3/calendars/*/events', dropConnection: 'after', times: 1 });
    expectProblem(await api().post(base).set(ada.auth).set('Idempotency-Key', 'once-1').send(body), 502, 'GOOGLE_UNAVAILABLE');
    expect(fake.events(calendarId).filter((e) => e.summary === 'Only once')).toHaveLength(1);
    const retried = (await api().post(base).set(ada.auth).set('Idempotency-Key', 'once-1').send(body).expect(201)).body;
    const again = (await api().post(base).set(ada.auth).set('Idempotency-Key', 'once-1').send(body).expect(201)).body;
    expect(again.id).toBe(retried.id);
    expect(fake.events(calendarId).filter((e) => e.summary === 'Only once')).toHaveLength(1);
    const local = (await api().get(base).query({ ...WINDOW, expand: true }).set(ada.auth).expect(200)).body.data.filter((e: { title: string }) => e.title === 'Only once');
    expect(local).toHaveLength(1);
    // Another key is another event.
    await api().post(base).set(ada.auth).set('Idempotency-Key', 'once-2').send(body).expect(201);
    expect(fake.events(calendarId).filter((e) => e.summary === 'Only once')).toHaveLength(2);
    // Deleted since: the key's event is gone, and it is not made again.
    await api().delete(`${base}/${retried.id}`).set(ada.auth).expect(204);
    expectProblem(await api().post(base).set(ada.auth).set('Idempotency-Key', 'once-1').send(body), 404, 'NOT_FOUND');
    const bad = await api().post(base).set(ada.auth).set('Idempotency-Key', 'a b').send(body);
    expectProblem(bad, 400, 'VALIDATION_FAILED');
    expect(bad.body.errors[0].field).toBe('Idempotency-Key');
  });

  it('refuses status "cancelled" on create and change with a 400 naming status, before Google is called', async () => {
    fake.clearRequests();
    const refused = await api().post(base).set(ada.auth).send({ title: 'Born cancelled', startTime: '2027-05-18T09:00:00Z', endTime: '2027-05-18T10:00:00Z', timezone: 'UTC', status: 'cancelled' });
    expectProblem(refused, 400, 'VALIDATION_FAILED');
    expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual(['status']);
    expect(fake.events(calendarId, { includeCancelled: true }).some((e) => e.summary === 'Born cancelled')).toBe(false);
    const kept = (await api().post(base).set(ada.auth).send({ title: 'Kept', startTime: '2027-05-18T11:00:00Z', endTime: '2027-05-18T12:00:00Z', timezone: 'UTC' }).expect(201)).body;
    fake.clearRequests();
    const put = await api().put(`${base}/${kept.id}`).set(ada.auth).send({ status: 'cancelled' });
    expectProblem(put, 400, 'VALIDATION_FAILED');
    expect(put.body.errors.map((e: { field: string }) => e.field)).toEqual(['status']);
    expect(fake.requests({ account: calendarId }).filter((r) => r.method !== 'GET')).toHaveLength(0);
    await api().get(`/api/v1/events/${kept.id}`).set(ada.auth).expect(200);
    await api().put(`${base}/${kept.id}`).set(ada.auth).send({ status: 'tentative' }).expect(200);
  });

  it('checks tagIds as POST /events does (UNKNOWN_TAG before Google is called) and sets them', async () => {
    const tag = (await api().post('/api/v1/tags').set(ada.auth).send({ name: 'Acme work' }).expect(201)).body;
    const bobsTag = (await api().post('/api/v1/tags').set(bob.auth).send({ name: 'Bob only' }).expect(201)).body;
    fake.clearRequests();
    const body = { title: 'Tagged', startTime: '2027-05-19T09:00:00Z', endTime: '2027-05-19T10:00:00Z', timezone: 'UTC' };
    expectProblem(await api().post(base).set(ada.auth).send({ ...body, tagIds: [bobsTag.id] }), 400, 'UNKNOWN_TAG');
    expect(fake.requests({ account: calendarId, method: 'POST' })).toHaveLength(0);
    const created = (await api().post(base).set(ada.auth).send({ ...body, tagIds: [tag.id] }).expect(201)).body;
    expect(created.tags.map((t: { id: string }) => t.id)).toEqual([tag.id]);
    expectProblem(await api().put(`${base}/${created.id}`).set(ada.auth).send({ tagIds: [bobsTag.id] }), 400, 'UNKNOWN_TAG');
    const cleared = (await api().put(`${base}/${created.id}`).set(ada.auth).send({ tagIds: [] }).expect(200)).body;
    expect(cleared.tags).toEqual([]);
  });
});
