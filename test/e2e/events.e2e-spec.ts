import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { expectProblem } from '../setup/problem.js';
import { registerUser, type TestUser } from '../factories/users.js';

let t: TestApp;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  alice = await registerUser(t.http, { timezone: 'America/New_York' });
  bob = await registerUser(t.http, { timezone: 'Europe/Berlin' });
});
afterAll(async () => {
  await t?.close();
});

const api = () => request(t.http);
const create = (user: TestUser, body: object) => api().post('/api/v1/events').set(user.auth).send(body);
const timed = (title: string, start: string, end: string, extra: object = {}) => ({ title, startTime: start, endTime: end, ...extra });

const ok = timed('X', '2026-05-01T10:00:00Z', '2026-05-01T11:00:00Z');

async function freshUser(zone = 'UTC'): Promise<TestUser> {
  return registerUser(t.http, { timezone: zone });
}

describe('POST /events', () => {
  it('creates a timed event in the user zone by default', async () => {
    const res = await create(alice, timed('Dentist', '2026-03-10T10:00:00-04:00', '2026-03-10T11:00:00-04:00')).expect(201);
    expect(res.body).toMatchObject({
      title: 'Dentist',
      startTime: '2026-03-10T14:00:00.000Z',
      endTime: '2026-03-10T15:00:00.000Z',
      timezone: 'America/New_York',
      isAllDay: false,
      startDate: null,
      endDate: null,
      status: 'confirmed',
      transparency: 'busy',
      visibility: 'default',
      recurrence: null,
      seriesId: null,
      occurrenceId: null,
      isOverride: false,
      tags: [],
      attendees: [],
      role: 'owner',
      readOnly: false,
      myResponse: null,
    });
    await api().get(`/api/v1/events/${res.body.id}`).set(alice.auth).expect(200);
  });

  it('stores every optional field', async () => {
    const tag = (await api().post('/api/v1/tags').set(alice.auth).send({ name: 'Health', color: '#10b981' }).expect(201)).body;
    const res = await create(alice, {
      ...timed('Checkup', '2026-04-01T09:00:00Z', '2026-04-01T09:45:00Z'),
      description: 'Bring the forms',
      location: 'Clinic',
      timezone: 'Europe/London',
      status: 'tentative',
      transparency: 'free',
      color: '#ff0000',
      visibility: 'private',
      tagIds: [tag.id],
      attendees: [{ email: 'Nurse@Example.com', name: 'Nurse' }],
      reminders: [{ method: 'email', minutesBefore: 60 }, { method: 'popup', minutesBefore: 10 }],
      attachments: [{ url: 'https://example.com/form.pdf', title: 'Form', mimeType: 'application/pdf' }],
    }).expect(201);
    expect(res.body).toMatchObject({
      description: 'Bring the forms',
      location: 'Clinic',
      timezone: 'Europe/London',
      status: 'tentative',
      transparency: 'free',
      color: '#ff0000',
      visibility: 'private',
      tags: [{ id: tag.id, name: 'Health', color: '#10b981' }],
      attendees: [{ email: 'nurse@example.com', name: 'Nurse', responseStatus: 'needsAction', respondedAt: null }],
      reminders: [{ method: 'email', minutesBefore: 60 }, { method: 'popup', minutesBefore: 10 }],
      attachments: [{ url: 'https://example.com/form.pdf', title: 'Form', mimeType: 'application/pdf' }],
    });
  });

  it('creates an all-day event from dates, end exclusive, anchored in its zone', async () => {
    const res = await create(alice, {
      title: 'Holiday',
      startTime: '2026-12-24',
      endTime: '2026-12-26',
      isAllDay: true,
      timezone: 'Europe/Berlin',
    }).expect(201);
    expect(res.body).toMatchObject({
      isAllDay: true,
      startDate: '2026-12-24',
      endDate: '2026-12-26',
      startTime: '2026-12-23T23:00:00.000Z',
      endTime: '2026-12-25T23:00:00.000Z',
    });
  });

  it.each([
    ['a missing title', { ...ok, title: undefined }, 'title'],
    ['a blank title', { ...ok, title: '  ' }, 'title'],
    ['a missing start', { ...ok, startTime: undefined }, 'startTime'],
    ['a start without offset', { ...ok, startTime: '2026-05-01T10:00:00' }, 'startTime'],
    ['an impossible date', { ...ok, startTime: '2026-02-30T10:00:00Z' }, 'startTime'],
    ['an end before the start', { ...ok, endTime: '2026-05-01T09:00:00Z' }, 'endTime'],
    ['an end equal to the start', { ...ok, endTime: ok.startTime }, 'endTime'],
    ['dates on a timed event', { ...ok, startTime: '2026-05-01', endTime: '2026-05-02' }, 'startTime'],
    ['date-times on an all-day event', { ...ok, isAllDay: true }, 'startTime'],
    ['an unknown zone', { ...ok, timezone: 'Moon/Base' }, 'timezone'],
    ['a bad status', { ...ok, status: 'maybe' }, 'status'],
    ['a bad transparency', { ...ok, transparency: 'opaque' }, 'transparency'],
    ['a bad color', { ...ok, color: 'red' }, 'color'],
    ['a bad visibility', { ...ok, visibility: 'secret' }, 'visibility'],
    ['a non-uuid tag id', { ...ok, tagIds: ['nope'] }, 'tagIds'],
    ['a bad attendee email', { ...ok, attendees: [{ email: 'nope' }] }, 'attendees[0].email'],
    ['a bad reminder method', { ...ok, reminders: [{ method: 'pigeon', minutesBefore: 5 }] }, 'reminders[0].method'],
    ['a negative reminder', { ...ok, reminders: [{ method: 'email', minutesBefore: -5 }] }, 'reminders[0].minutesBefore'],
    ['an http attachment', { ...ok, attachments: [{ url: 'http://example.com/a', title: 'A', mimeType: 'text/plain' }] }, 'attachments[0].url'],
    ['an attachment without MIME type', { ...ok, attachments: [{ url: 'https://example.com/a', title: 'A' }] }, 'attachments[0].mimeType'],
    ['exdates without a rule', { ...ok, exdates: ['2026-05-01T10:00:00Z'] }, 'exdates'],
    ['an unknown field', { ...ok, owner: 'me' }, 'owner'],
    ['reminders as an object', { ...ok, reminders: { method: 'email' } }, 'reminders'],
  ])('answers 400 naming the field for %s', async (_, body, field) => {
    const user = await freshUser();
    expectProblem(await create(user, body), 400, 'VALIDATION_FAILED', [field]);
    const list = await api().get('/api/v1/events').set(user.auth).expect(200);
    expect(list.body.meta.total).toBe(0);
  });

  it('refuses an invalid recurrence rule naming it', async () => {
    const res = await create(alice, { ...ok, recurrenceRule: 'FREQ=WEEKLY;BYDAY=XX' });
    expectProblem(res, 400, 'INVALID_RECURRENCE', ['recurrenceRule']);
  });

  it("refuses tags that are someone else's", async () => {
    const bobsTag = (await api().post('/api/v1/tags').set(bob.auth).send({ name: 'Bobs' }).expect(201)).body;
    expectProblem(await create(alice, { ...ok, tagIds: [bobsTag.id] }), 400, 'UNKNOWN_TAG');
  });
});

describe('years outside 1900-2999', () => {
  const YEARS = 'must be in the years 1900 to 2999';
  const fieldMessages = (res: request.Response) =>
    Object.fromEntries((res.body.errors ?? []).map((error: { field: string; message: string }) => [error.field, error.message]));

  it.each([
    ['year 99 (read back as 1999 before)', '0099-06-01T10:00:00Z', '0099-06-01T11:00:00Z'],
    ['year 1', '0001-01-01T10:00:00Z', '0001-01-01T11:00:00Z'],
    ['1899', '1899-12-31T10:00:00Z', '1899-12-31T11:00:00Z'],
    ['3000', '3000-01-01T10:00:00Z', '3000-01-01T11:00:00Z'],
    ['9999', '9999-12-31T10:00:00Z', '9999-12-31T11:00:00Z'],
    ['an offset that lands before 1900', '1900-01-01T00:15:00+01:00', '1900-01-01T00:45:00+01:00'],
  ])('POST refuses a timed event in %s, naming startTime and endTime, and stores nothing', async (_, startTime, endTime) => {
    const user = await freshUser();
    const res = await create(user, timed('year', startTime, endTime));
    expectProblem(res, 400, 'VALIDATION_FAILED', ['startTime', 'endTime']);
    expect(fieldMessages(res)).toMatchObject({ startTime: YEARS, endTime: YEARS });
    expect((await api().get('/api/v1/events').set(user.auth).expect(200)).body.meta.total).toBe(0);
  });

  it('POST refuses all-day dates outside the years but takes the first and last moments of the range', async () => {
    const res = await create(alice, { title: 'd', isAllDay: true, startTime: '0099-06-01', endTime: '0099-06-02' });
    expectProblem(res, 400, 'VALIDATION_FAILED', ['startTime', 'endTime']);
    expect(fieldMessages(res)).toMatchObject({ startTime: YEARS, endTime: YEARS });
    const malformed = await create(alice, { ...ok, startTime: '99-06-01T10:00:00Z' });
    expect(fieldMessages(malformed).startTime).toMatch(/^must be an ISO 8601 date-time/);

    await create(alice, timed('first', '1900-01-01T00:00:00Z', '1900-01-01T01:00:00Z')).expect(201);
    // An all-day event on the last day ends (exclusively) on 3000-01-01.
    const last = await create(alice, { title: 'last', isAllDay: true, startTime: '2999-12-31', endTime: '3000-01-01', timezone: 'UTC' }).expect(201);
    expect(last.body).toMatchObject({ startDate: '2999-12-31', endDate: '3000-01-01' });
  });

  it('PATCH, duplicate and an occurrence edit refuse them too, and the event is unchanged', async () => {
    const event = (await create(alice, ok).expect(201)).body;
    expectProblem(await api().patch(`/api/v1/events/${event.id}`).set(alice.auth).send({ startTime: '0099-05-01T10:00:00Z' }), 400, 'VALIDATION_FAILED', ['startTime']);
    expectProblem(await api().post(`/api/v1/events/${event.id}/duplicate`).set(alice.auth).send({ startTime: '0099-05-01T10:00:00Z' }), 400, 'VALIDATION_FAILED', ['startTime']);
    // A start inside the years whose copy (an hour long) would end after them.
    expectProblem(await api().post(`/api/v1/events/${event.id}/duplicate`).set(alice.auth).send({ startTime: '2999-12-31T23:30:00Z' }), 400, 'VALIDATION_FAILED', ['startTime']);
    await api().post(`/api/v1/events/${event.id}/duplicate`).set(alice.auth).send({ startTime: '2999-12-31T23:00:00Z' }).expect(201);
    expect((await api().get(`/api/v1/events/${event.id}`).set(alice.auth).expect(200)).body.startTime).toBe('2026-05-01T10:00:00.000Z');
    const series = (await create(alice, { ...ok, recurrenceRule: 'FREQ=DAILY;COUNT=3' }).expect(201)).body;
    const res = await api()
      .put(`/api/v1/events/${series.id}/occurrences/2026-05-02T10:00:00Z`)
      .set(alice.auth)
      .send({ startTime: '0099-05-02T10:00:00Z', endTime: '0099-05-02T11:00:00Z' });
    expectProblem(res, 400, 'VALIDATION_FAILED', ['startTime', 'endTime']);
  });
});

describe('GET /events/:id', () => {
  it("answers 404 for another user's event and 400 for a malformed id", async () => {
    const event = (await create(alice, ok)).body;
    expectProblem(await api().get(`/api/v1/events/${event.id}`).set(bob.auth), 404, 'NOT_FOUND');
    expectProblem(await api().get('/api/v1/events/12345').set(alice.auth), 400, 'INVALID_ID');
    expectProblem(await api().get(`/api/v1/events/${event.id}`), 401, 'UNAUTHENTICATED');
  });
});

describe('GET /events', () => {
  let user: TestUser;
  let tagId: string;
  beforeAll(async () => {
    user = await freshUser();
    tagId = (await api().post('/api/v1/tags').set(user.auth).send({ name: 'Work' }).expect(201)).body.id;
    await create(user, timed('Alpha planning', '2026-06-01T09:00:00Z', '2026-06-01T10:00:00Z', { tagIds: [tagId] })).expect(201);
    await create(user, timed('Bravo review', '2026-06-02T09:00:00Z', '2026-06-02T10:00:00Z', { status: 'tentative' })).expect(201);
    await create(user, timed('Charlie lunch', '2026-06-03T12:00:00Z', '2026-06-03T13:00:00Z', { location: 'Planning room' })).expect(201);
    await create(user, timed('Delta overnight', '2026-05-31T22:00:00Z', '2026-06-01T02:00:00Z')).expect(201);
  });

  const titles = (res: request.Response) => res.body.data.map((e: { title: string }) => e.title);

  it('filters by window with overlap semantics', async () => {
    const res = await api()
      .get('/api/v1/events')
      .query({ from: '2026-06-01T00:00:00Z', to: '2026-06-02T09:00:00Z' })
      .set(user.auth)
      .expect(200);
    // Delta overlaps the start; Bravo starts exactly at `to` (excluded).
    expect(titles(res)).toEqual(['Delta overnight', 'Alpha planning']);
    expect(res.body.meta).toEqual({ page: 1, limit: 50, total: 2 });
  });

  it('searches words by prefix over title, location and description', async () => {
    const res = await api().get('/api/v1/events').query({ q: 'plan' }).set(user.auth).expect(200);
    expect(titles(res).sort()).toEqual(['Alpha planning', 'Charlie lunch']);
  });

  it('filters by tag and by status', async () => {
    expect(titles(await api().get('/api/v1/events').query({ tagId }).set(user.auth).expect(200))).toEqual(['Alpha planning']);
    expect(titles(await api().get('/api/v1/events').query({ status: 'tentative' }).set(user.auth).expect(200))).toEqual([
      'Bravo review',
    ]);
  });

  it('sorts and paginates', async () => {
    const page1 = await api().get('/api/v1/events').query({ sort: 'title', order: 'desc', limit: 2 }).set(user.auth).expect(200);
    expect(titles(page1)).toEqual(['Delta overnight', 'Charlie lunch']);
    expect(page1.body.meta).toEqual({ page: 1, limit: 2, total: 4 });
    const page2 = await api().get('/api/v1/events').query({ sort: 'title', order: 'desc', limit: 2, page: 2 }).set(user.auth).expect(200);
    expect(titles(page2)).toEqual(['Bravo review', 'Alpha planning']);
    const beyond = await api().get('/api/v1/events').query({ limit: 2, page: 9 }).set(user.auth).expect(200);
    expect(beyond.body).toEqual({ data: [], meta: { page: 9, limit: 2, total: 4 } });
  });

  it('never shows another user the events', async () => {
    const res = await api().get('/api/v1/events').query({ q: 'planning' }).set(bob.auth).expect(200);
    expect(titles(res)).not.toContain('Alpha planning');
  });

  it.each([
    [{ from: 'yesterday' }, 'from'],
    [{ to: '2026-06-01' }, 'to'],
    [{ limit: 1000 }, 'limit'],
    [{ limit: 0 }, 'limit'],
    [{ page: 'two' }, 'page'],
    [{ sort: 'color' }, 'sort'],
    [{ order: 'up' }, 'order'],
    [{ status: 'gone' }, 'status'],
    [{ tagId: 'x' }, 'tagId'],
    [{ expand: 'yes' }, 'expand'],
    [{ unknown: 1 }, 'unknown'],
  ])('answers 400 for %j', async (query, field) => {
    expectProblem(await api().get('/api/v1/events').query(query).set(user.auth), 400, 'VALIDATION_FAILED', [field]);
  });

  it('needs a window for expand and a window that is not backwards', async () => {
    expectProblem(await api().get('/api/v1/events').query({ expand: true }).set(user.auth), 400, 'WINDOW_REQUIRED', ['from', 'to']);
    expectProblem(
      await api().get('/api/v1/events').query({ from: '2026-06-02T00:00:00Z', to: '2026-06-01T00:00:00Z' }).set(user.auth),
      400,
      'VALIDATION_FAILED',
      ['to'],
    );
  });

  it('expands series occurrences merged with single events', async () => {
    const owner = await freshUser('America/New_York');
    await create(owner, timed('Weekly', '2026-06-01T09:00:00-04:00', '2026-06-01T09:30:00-04:00', { recurrenceRule: 'FREQ=WEEKLY' })).expect(201);
    await create(owner, timed('One-off', '2026-06-09T12:00:00-04:00', '2026-06-09T13:00:00-04:00')).expect(201);
    const res = await api()
      .get('/api/v1/events')
      .query({ from: '2026-06-01T00:00:00Z', to: '2026-06-16T00:00:00Z', expand: true })
      .set(owner.auth)
      .expect(200);
    expect(res.body.data.map((e: { title: string; startTime: string }) => [e.title, e.startTime])).toEqual([
      ['Weekly', '2026-06-01T13:00:00.000Z'],
      ['Weekly', '2026-06-08T13:00:00.000Z'],
      ['One-off', '2026-06-09T16:00:00.000Z'],
      ['Weekly', '2026-06-15T13:00:00.000Z'],
    ]);
    expect(res.body.data[1]).toMatchObject({ occurrenceId: '2026-06-08T13:00:00Z', isOverride: false });
    expect(res.body.data[1].seriesId).toBe(res.body.data[0].id);
  });
});

describe('GET /events: the page PostgreSQL writes', () => {
  it('lists each event byte for byte as GET /events/:id answers it', async () => {
    const host = await freshUser('America/New_York');
    const guest = await freshUser();
    const tags = [
      (await api().post('/api/v1/tags').set(host.auth).send({ name: 'Zeta "quoted" ✓', color: '#10b981' }).expect(201)).body,
      (await api().post('/api/v1/tags').set(host.auth).send({ name: 'alpha', color: '#ff0000' }).expect(201)).body,
    ];
    const awkward = 'Quote " back\\slash\nnew line\ttab \u0001\u001f é 😀 \u2028 </script>';
    const full = (
      await create(host, {
        ...timed('Awkward', '2026-06-01T09:00:00.123-04:00', '2026-06-01T10:30:00-04:00'),
        description: awkward,
        location: 'Room "7"',
        timezone: 'Europe/London',
        status: 'tentative',
        transparency: 'free',
        color: '#123abc',
        visibility: 'private',
        tagIds: tags.map((tag) => tag.id),
        attendees: [{ email: guest.email, name: 'Guest "G"' }, { email: 'other@example.com' }],
        reminders: [{ method: 'email', minutesBefore: 60 }, { method: 'popup', minutesBefore: 0 }],
        attachments: [{ url: 'https://example.com/a?b=1&c="2"', title: 'Form ✓', mimeType: 'application/pdf' }],
      }).expect(201)
    ).body;
    await api().post(`/api/v1/events/${full.id}/rsvp`).set(guest.auth).send({ response: 'accepted' }).expect(200);
    // The API takes titles on one line; Google's may hold anything, and the JSON must still be right.
    await t.db.query('UPDATE events SET title = $2 WHERE id = $1', [full.id, awkward]);
    const allDay = (await create(host, { title: 'Away', isAllDay: true, startTime: '2026-06-02', endTime: '2026-06-04', timezone: 'Asia/Tokyo' }).expect(201)).body;
    const series = (
      await create(host, {
        ...timed('Weekly', '2026-05-25T13:00:00Z', '2026-05-25T13:30:00Z'),
        timezone: 'America/New_York',
        recurrenceRule: 'FREQ=WEEKLY;COUNT=10',
      }).expect(201)
    ).body;
    // A cancelled occurrence (an exdate), and an edited one: an override, not listed on its own without expand.
    await api().delete(`/api/v1/events/${series.id}/occurrences/2026-06-01T13:00:00.000Z`).set(host.auth).expect(204);
    await api().put(`/api/v1/events/${series.id}/occurrences/2026-06-08T13:00:00.000Z`).set(host.auth).send({ title: 'Moved' }).expect(200);
    const plain = (await create(host, timed('Plain', '2026-06-03T08:00:00Z', '2026-06-03T08:15:00Z')).expect(201)).body;

    for (const [user, ids] of [
      [host, [series.id, full.id, allDay.id, plain.id]],
      [guest, [full.id]],
    ] as const) {
      for (const [sort, order] of [['startTime', 'asc'], ['title', 'desc']] as const) {
        const list = await api()
          .get(`/api/v1/events?from=2026-05-01T00:00:00Z&to=2026-07-01T00:00:00Z&sort=${sort}&order=${order}&limit=10`)
          .set(user.auth)
          .expect(200)
          .expect('content-type', /^application\/json/);
        expect(list.body.data.map((event: { id: string }) => event.id).sort()).toEqual([...ids].sort());
        const singles = await Promise.all(list.body.data.map((event: { id: string }) => api().get(`/api/v1/events/${event.id}`).set(user.auth).expect(200)));
        const meta = JSON.stringify({ page: 1, limit: 10, total: ids.length });
        expect(list.text).toBe(`{"data":[${singles.map((single) => single.text).join(',')}],"meta":${meta}}`);
      }
    }
    const invited = (await api().get('/api/v1/events?from=2026-05-01T00:00:00Z&to=2026-07-01T00:00:00Z').set(guest.auth)).body.data[0];
    expect(invited).toMatchObject({ role: 'attendee', readOnly: true, myResponse: 'accepted', title: awkward });
    expect(invited.attendees.find((a: { email: string }) => a.email === guest.email)).toEqual({ email: guest.email, name: 'Guest "G"', responseStatus: 'accepted', respondedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) });

    // Past the last page: no events, and the total still counted.
    const beyond = await api().get('/api/v1/events?from=2026-05-01T00:00:00Z&to=2026-07-01T00:00:00Z&page=3&limit=2').set(host.auth).expect(200);
    expect(beyond.text).toBe('{"data":[],"meta":{"page":3,"limit":2,"total":4}}');
    const none = await api().get('/api/v1/events?from=2030-05-01T00:00:00Z&to=2030-07-01T00:00:00Z').set(host.auth).expect(200);
    expect(none.text).toBe('{"data":[],"meta":{"page":1,"limit":50,"total":0}}');
  });
});

describe('GET /events/search and /events/upcoming', () => {
  it('ranks title matches above description matches', async () => {
    const user = await freshUser();
    await create(user, timed('Notes', '2026-07-01T09:00:00Z', '2026-07-01T10:00:00Z', { description: 'budget talk' })).expect(201);
    await create(user, timed('Budget review', '2026-07-02T09:00:00Z', '2026-07-02T10:00:00Z')).expect(201);
    const res = await api().get('/api/v1/events/search').query({ q: 'budget' }).set(user.auth).expect(200);
    expect(res.body.data.map((e: { title: string }) => e.title)).toEqual(['Budget review', 'Notes']);
    expect(res.body.meta.total).toBe(2);
    expectProblem(await api().get('/api/v1/events/search').set(user.auth), 400, 'VALIDATION_FAILED', ['q']);
  });

  it('lists what comes next, series occurrences included, cancelled events left out', async () => {
    const user = await freshUser();
    const soon = new Date(Date.now() + 3600_000);
    const iso = (d: Date) => d.toISOString();
    const plus = (ms: number) => new Date(soon.getTime() + ms);
    await create(user, timed('Daily', iso(soon), iso(plus(1800_000)), { recurrenceRule: 'FREQ=DAILY;COUNT=5' })).expect(201);
    await create(user, timed('Soon single', iso(plus(3600_000)), iso(plus(7200_000)))).expect(201);
    await create(user, timed('Called off', iso(plus(600_000)), iso(plus(900_000)), { status: 'cancelled' })).expect(201);
    await create(user, timed('Past', '2020-01-01T09:00:00Z', '2020-01-01T10:00:00Z')).expect(201);
    const res = await api().get('/api/v1/events/upcoming').query({ limit: 3 }).set(user.auth).expect(200);
    expect(res.body.map((e: { title: string }) => e.title)).toEqual(['Daily', 'Soon single', 'Daily']);
    expectProblem(await api().get('/api/v1/events/upcoming').query({ limit: 500 }).set(user.auth), 400, 'VALIDATION_FAILED', ['limit']);
  });
});

describe('PATCH /events/:id', () => {
  it('changes fields and keeps the rest', async () => {
    const event = (await create(alice, timed('Old', '2026-08-01T10:00:00Z', '2026-08-01T11:00:00Z', { location: 'Here' }))).body;
    const res = await api()
      .patch(`/api/v1/events/${event.id}`)
      .set(alice.auth)
      .send({ title: 'New', endTime: '2026-08-01T12:00:00Z' })
      .expect(200);
    expect(res.body).toMatchObject({ title: 'New', location: 'Here', startTime: '2026-08-01T10:00:00.000Z', endTime: '2026-08-01T12:00:00.000Z' });
  });

  it('turns a timed event into an all-day one only with new dates', async () => {
    const event = (await create(alice, ok)).body;
    expectProblem(await api().patch(`/api/v1/events/${event.id}`).set(alice.auth).send({ isAllDay: true }), 400, 'VALIDATION_FAILED', ['startTime']);
    const res = await api()
      .patch(`/api/v1/events/${event.id}`)
      .set(alice.auth)
      .send({ isAllDay: true, startTime: '2026-05-01', endTime: '2026-05-02' })
      .expect(200);
    expect(res.body).toMatchObject({ isAllDay: true, startDate: '2026-05-01', endDate: '2026-05-02' });
  });

  it('refuses bad input and changes nothing', async () => {
    const event = (await create(alice, timed('Keep', '2026-08-01T10:00:00Z', '2026-08-01T11:00:00Z'))).body;
    expectProblem(await api().patch(`/api/v1/events/${event.id}`).set(alice.auth).send({ title: 'Lost', endTime: '2026-08-01T09:00:00Z' }), 400, 'VALIDATION_FAILED', ['endTime']);
    expectProblem(await api().patch(`/api/v1/events/${event.id}`).set(alice.auth).send({ title: 'Lost', userId: bob.id }), 400, 'VALIDATION_FAILED', ['userId']);
    expectProblem(await api().patch(`/api/v1/events/${event.id}`).set(alice.auth).send({ recurrenceRule: 'FREQ=DAILY' }), 400, 'VALIDATION_FAILED', ['recurrenceRule']);
    const after = await api().get(`/api/v1/events/${event.id}`).set(alice.auth).expect(200);
    expect(after.body).toMatchObject({ title: 'Keep', endTime: '2026-08-01T11:00:00.000Z' });
  });

  it('refuses null for a field that has no null value, naming it, and changes nothing', async () => {
    const reminders = [{ method: 'email', minutesBefore: 10 }];
    const attachments = [{ url: 'https://docs.example.com/a.pdf', title: 'Agenda', mimeType: 'application/pdf' }];
    const event = (await create(alice, timed('Keep', '2026-08-01T10:00:00Z', '2026-08-01T11:00:00Z', { reminders, attachments }))).body;
    const fields = ['title', 'startTime', 'endTime', 'timezone', 'isAllDay', 'status', 'transparency', 'visibility', 'tagIds', 'attendees', 'reminders', 'attachments'];
    for (const field of fields) {
      expectProblem(await api().patch(`/api/v1/events/${event.id}`).set(alice.auth).send({ [field]: null }), 400, 'VALIDATION_FAILED', [field]);
    }
    const after = await api().get(`/api/v1/events/${event.id}`).set(alice.auth).expect(200);
    expect(after.body).toMatchObject({ title: 'Keep', status: 'confirmed', reminders, attachments });
    expectProblem(await create(alice, { ...ok, reminders: null }), 400, 'VALIDATION_FAILED', ['reminders']);
    expectProblem(await create(alice, { ...ok, attendees: null }), 400, 'VALIDATION_FAILED', ['attendees']);
  });

  it('keeps reminders and attachments arrays in the database too (migration 0025)', async () => {
    const event = (await create(alice, ok)).body;
    for (const column of ['reminders', 'attachments']) {
      await expect(t.db.query(`UPDATE events SET ${column} = 'null'::jsonb WHERE id = $1`, [event.id])).rejects.toThrow(`events_${column}_array`);
    }
    const after = await api().get(`/api/v1/events/${event.id}`).set(alice.auth).expect(200);
    expect(after.body).toMatchObject({ reminders: [], attachments: [] });
  });

  it('takes null for description, location and color: it removes them', async () => {
    const event = (await create(alice, timed('Full', '2026-08-01T10:00:00Z', '2026-08-01T11:00:00Z', { description: 'D', location: 'L', color: '#112233' }))).body;
    const res = await api().patch(`/api/v1/events/${event.id}`).set(alice.auth).send({ description: null, location: null, color: null }).expect(200);
    expect(res.body).toMatchObject({ title: 'Full', description: null, location: null, color: null });
  });

  it("answers 404 for another user's event", async () => {
    const event = (await create(alice, ok)).body;
    expectProblem(await api().patch(`/api/v1/events/${event.id}`).set(bob.auth).send({ title: 'Mine' }), 404, 'NOT_FOUND');
    expectProblem(await api().patch('/api/v1/events/not-a-uuid').set(alice.auth).send({ title: 'x' }), 400, 'INVALID_ID');
  });
});

describe('DELETE /events/:id', () => {
  it("deletes, then 404; another user's id is 404", async () => {
    const event = (await create(alice, ok)).body;
    expectProblem(await api().delete(`/api/v1/events/${event.id}`).set(bob.auth), 404, 'NOT_FOUND');
    await api().delete(`/api/v1/events/${event.id}`).set(alice.auth).expect(204);
    expectProblem(await api().get(`/api/v1/events/${event.id}`).set(alice.auth), 404, 'NOT_FOUND');
    expectProblem(await api().delete(`/api/v1/events/${event.id}`).set(alice.auth), 404, 'NOT_FOUND');
  });
});

describe('POST /events/:id/duplicate', () => {
  it('copies an event with its tags, optionally to a new start', async () => {
    const tag = (await api().post('/api/v1/tags').set(alice.auth).send({ name: `Dup ${Date.now()}` }).expect(201)).body;
    const event = (await create(alice, timed('Original', '2026-09-01T10:00:00Z', '2026-09-01T11:30:00Z', { tagIds: [tag.id], attendees: [{ email: bob.email }] }))).body;
    const same = await api().post(`/api/v1/events/${event.id}/duplicate`).set(alice.auth).send({}).expect(201);
    expect(same.body).toMatchObject({ title: 'Original', startTime: event.startTime, tags: [{ id: tag.id }], attendees: [] });
    expect(same.body.id).not.toBe(event.id);
    const moved = await api().post(`/api/v1/events/${event.id}/duplicate`).set(alice.auth).send({ startTime: '2026-09-08T10:00:00Z' }).expect(201);
    expect(moved.body).toMatchObject({ startTime: '2026-09-08T10:00:00.000Z', endTime: '2026-09-08T11:30:00.000Z' });
  });

  it("refuses a bad start and another user's event", async () => {
    const event = (await create(alice, ok)).body;
    expectProblem(await api().post(`/api/v1/events/${event.id}/duplicate`).set(alice.auth).send({ startTime: 'soon' }), 400, 'VALIDATION_FAILED', ['startTime']);
    expectProblem(await api().post(`/api/v1/events/${event.id}/duplicate`).set(bob.auth).send({}), 404, 'NOT_FOUND');
  });
});

describe('attendees', () => {
  it('shows an invitation read-only to a Calento user who answers; the owner sees the answer', async () => {
    const host = await freshUser();
    const guest = await freshUser();
    const event = (await create(host, timed('Party', '2026-10-01T18:00:00Z', '2026-10-01T22:00:00Z', { attendees: [{ email: guest.email.toUpperCase(), name: 'Guest' }] }))).body;

    const invited = await api().get('/api/v1/events').set(guest.auth).expect(200);
    expect(invited.body.data).toEqual([expect.objectContaining({ id: event.id, role: 'attendee', readOnly: true, myResponse: 'needsAction' })]);

    expectProblem(await api().patch(`/api/v1/events/${event.id}`).set(guest.auth).send({ title: 'Mine now' }), 403, 'EVENT_READ_ONLY');
    expectProblem(await api().delete(`/api/v1/events/${event.id}`).set(guest.auth), 403, 'EVENT_READ_ONLY');

    const answered = await api().post(`/api/v1/events/${event.id}/rsvp`).set(guest.auth).send({ response: 'accepted' }).expect(200);
    expect(answered.body.myResponse).toBe('accepted');
    const seen = await api().get(`/api/v1/events/${event.id}`).set(host.auth).expect(200);
    expect(seen.body.attendees).toEqual([{ email: guest.email, name: 'Guest', responseStatus: 'accepted', respondedAt: expect.any(String) }]);

    // Removing the guest ends their access; keeping them keeps their answer.
    await api().patch(`/api/v1/events/${event.id}`).set(host.auth).send({ attendees: [{ email: guest.email }, { email: 'x@example.com' }] }).expect(200);
    expect((await api().get(`/api/v1/events/${event.id}`).set(host.auth)).body.attendees[0].responseStatus).toBe('accepted');
    await api().patch(`/api/v1/events/${event.id}`).set(host.auth).send({ attendees: [] }).expect(200);
    expectProblem(await api().get(`/api/v1/events/${event.id}`).set(guest.auth), 404, 'NOT_FOUND');
  });

  it('refuses an answer from the owner, a stranger or with a bad value', async () => {
    const host = await freshUser();
    const event = (await create(host, timed('Talk', '2026-10-02T18:00:00Z', '2026-10-02T19:00:00Z', { attendees: [{ email: alice.email }] }))).body;
    expectProblem(await api().post(`/api/v1/events/${event.id}/rsvp`).set(host.auth).send({ response: 'accepted' }), 400, 'NOT_AN_ATTENDEE');
    expectProblem(await api().post(`/api/v1/events/${event.id}/rsvp`).set(bob.auth).send({ response: 'accepted' }), 404, 'NOT_FOUND');
    expectProblem(await api().post(`/api/v1/events/${event.id}/rsvp`).set(alice.auth).send({ response: 'perhaps' }), 400, 'VALIDATION_FAILED', ['response']);
  });
});

describe('tags', () => {
  it('creates, lists, renames, attaches, detaches and deletes', async () => {
    const user = await freshUser();
    const work = (await api().post('/api/v1/tags').set(user.auth).send({ name: 'Work' }).expect(201)).body;
    expect(work).toMatchObject({ name: 'Work', color: '#3b82f6' });
    expectProblem(await api().post('/api/v1/tags').set(user.auth).send({ name: 'work' }), 409, 'TAG_NAME_TAKEN');
    const home = (await api().post('/api/v1/tags').set(user.auth).send({ name: 'Home', color: '#000000' }).expect(201)).body;
    expect((await api().get('/api/v1/tags').set(user.auth).expect(200)).body.map((x: { name: string }) => x.name)).toEqual(['Home', 'Work']);
    expect((await api().patch(`/api/v1/tags/${home.id}`).set(user.auth).send({ color: '#ffffff' }).expect(200)).body.color).toBe('#ffffff');
    expectProblem(await api().patch(`/api/v1/tags/${home.id}`).set(user.auth).send({ name: 'Work' }), 409, 'TAG_NAME_TAKEN');
    // A tag always has a name and a color: null is a 400 naming the field, not "leave it as it is".
    expectProblem(await api().patch(`/api/v1/tags/${home.id}`).set(user.auth).send({ name: null }), 400, 'VALIDATION_FAILED', ['name']);
    expectProblem(await api().patch(`/api/v1/tags/${home.id}`).set(user.auth).send({ color: null }), 400, 'VALIDATION_FAILED', ['color']);

    const event = (await create(user, ok)).body;
    const tagged = await api().post(`/api/v1/events/${event.id}/tags/${work.id}`).set(user.auth).expect(200);
    expect(tagged.body.tags.map((x: { name: string }) => x.name)).toEqual(['Work']);
    await api().post(`/api/v1/events/${event.id}/tags/${work.id}`).set(user.auth).expect(200);
    await api().delete(`/api/v1/events/${event.id}/tags/${work.id}`).set(user.auth).expect(204);
    expectProblem(await api().delete(`/api/v1/events/${event.id}/tags/${work.id}`).set(user.auth), 404, 'NOT_FOUND');

    await api().post(`/api/v1/events/${event.id}/tags/${home.id}`).set(user.auth).expect(200);
    await api().delete(`/api/v1/tags/${home.id}`).set(user.auth).expect(204);
    expect((await api().get(`/api/v1/events/${event.id}`).set(user.auth)).body.tags).toEqual([]);
    expectProblem(await api().get(`/api/v1/tags/${home.id}`).set(user.auth), 404, 'NOT_FOUND');
  });

  it("keeps users' tags apart", async () => {
    const mine = (await api().post('/api/v1/tags').set(alice.auth).send({ name: `Private ${Date.now()}` }).expect(201)).body;
    const bobsEvent = (await create(bob, ok)).body;
    expectProblem(await api().get(`/api/v1/tags/${mine.id}`).set(bob.auth), 404, 'NOT_FOUND');
    expectProblem(await api().patch(`/api/v1/tags/${mine.id}`).set(bob.auth).send({ name: 'Stolen' }), 404, 'NOT_FOUND');
    expectProblem(await api().delete(`/api/v1/tags/${mine.id}`).set(bob.auth), 404, 'NOT_FOUND');
    expectProblem(await api().post(`/api/v1/events/${bobsEvent.id}/tags/${mine.id}`).set(bob.auth), 404, 'NOT_FOUND');
    expectProblem(await api().post(`/api/v1/events/${bobsEvent.id}/tags/${mine.id}`).set(alice.auth), 404, 'NOT_FOUND');
  });

  it.each([
    [{}, 'name'],
    [{ name: '' }, 'name'],
    [{ name: 'x'.repeat(51) }, 'name'],
    [{ name: 'A', color: 'blue' }, 'color'],
    [{ name: 'A', extra: true }, 'extra'],
  ])('answers 400 for %j', async (body, field) => {
    expectProblem(await api().post('/api/v1/tags').set(alice.auth).send(body), 400, 'VALIDATION_FAILED', [field]);
  });

  it('answers 400 for malformed ids', async () => {
    expectProblem(await api().get('/api/v1/tags/abc').set(alice.auth), 400, 'INVALID_ID');
    const event = (await create(alice, ok)).body;
    expectProblem(await api().post(`/api/v1/events/${event.id}/tags/abc`).set(alice.auth), 400, 'INVALID_ID');
  });
});
