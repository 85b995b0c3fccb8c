import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { calendar_v3 } from 'googleapis/build/src/apis/calendar/index.js';
import { calendarFor, startFakeGoogle, type FakeGoogle, type OAuthClient } from './google/index.js';

let fake: FakeGoogle;
let client: OAuthClient;
let calendar: calendar_v3.Calendar;
const EMAIL = 'events@example.com';
const ZONE = 'America/New_York';

beforeAll(async () => {
  fake = await startFakeGoogle();
  client = fake.registerOAuthClient({ redirectUris: ['http://localhost:3000/cb'] });
  fake.createAccount(EMAIL, { timeZone: ZONE });
  ({ calendar } = calendarFor(fake, client, fake.issueTokens(EMAIL, client.clientId)));
});
afterAll(async () => {
  await fake?.close();
});

const body = (summary: string, startIso = '2030-02-01T15:00:00Z', endIso = '2030-02-01T16:00:00Z') => ({
  summary, start: { dateTime: startIso }, end: { dateTime: endIso },
});
const errorOf = (e: unknown) => (e as { response: { data: { error: { errors: Record<string, string>[]; code: number; message: string } } } }).response.data.error;
const fail = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as { status: number });

describe('insert, get, update, patch, delete', () => {
  it('insert sets id, iCalUID, sequence, status, etag; prints times in the calendar zone', async () => {
    const { data, status } = await calendar.events.insert({ calendarId: 'primary', requestBody: body('Lunch') });
    expect(status).toBe(200);
    expect(data).toMatchObject({
      kind: 'calendar#event', status: 'confirmed', sequence: 0, summary: 'Lunch',
      iCalUID: `${data.id}@google.com`, start: { dateTime: '2030-02-01T10:00:00-05:00' }, end: { dateTime: '2030-02-01T11:00:00-05:00' },
      organizer: { email: EMAIL, self: true }, creator: { email: EMAIL, self: true }, reminders: { useDefault: true }, eventType: 'default',
    });
    expect(data.id).toMatch(/^[a-v0-9]{26}$/);
    expect(data.etag).toMatch(/^"\d+"$/);
  });

  it('a client-chosen id is accepted once; the same id again is 409 duplicate, even after deletion', async () => {
    const id = 'calento0evt0000001';
    await calendar.events.insert({ calendarId: 'primary', requestBody: { ...body('Mine'), id } });
    const dup = await fail(calendar.events.insert({ calendarId: 'primary', requestBody: { ...body('Mine'), id } }));
    expect(dup.status).toBe(409);
    expect(errorOf(dup).errors[0]).toMatchObject({ domain: 'global', reason: 'duplicate' });
    await calendar.events.delete({ calendarId: 'primary', eventId: id });
    expect((await fail(calendar.events.insert({ calendarId: 'primary', requestBody: { ...body('Mine'), id } }))).status).toBe(409);
    const bad = await fail(calendar.events.insert({ calendarId: 'primary', requestBody: { ...body('x'), id: 'Has_Upper' } }));
    expect([bad.status, errorOf(bad).errors[0].reason]).toEqual([400, 'invalid']);
  });

  it('validates times: missing end, end before start, date/dateTime mix, recurring without start.timeZone', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ start: { dateTime: '2030-01-01T10:00:00Z' } }, 'required', 'Missing end time.'],
      [body('x', '2030-01-01T10:00:00Z', '2030-01-01T09:00:00Z'), 'timeRangeEmpty', 'The specified time range is empty.'],
      [{ start: { date: '2030-01-01' }, end: { dateTime: '2030-01-01T09:00:00Z' } }, 'invalid', 'Start and end times must either both be date or both be dateTime.'],
      [{ ...body('x'), recurrence: ['RRULE:FREQ=DAILY'] }, 'invalid', 'Missing time zone definition for start time.'],
      [{ start: { dateTime: '2030-01-01T10:00:00' }, end: { dateTime: '2030-01-01T11:00:00' } }, 'invalid', 'Missing time zone definition for start time.'],
      [{ ...body('x'), recurrence: ['DTSTART:20300101T100000Z', 'RRULE:FREQ=DAILY'] }, 'invalid', 'Invalid recurrence rule.'],
    ];
    for (const [requestBody, reason, message] of cases) {
      const err = await fail(calendar.events.insert({ calendarId: 'primary', requestBody }));
      expect([err.status, errorOf(err).errors[0].reason, errorOf(err).message]).toEqual([400, reason, message]);
    }
  });

  it('get answers 304 to a matching If-None-Match; every change bumps the etag; sequence moves with time changes only', async () => {
    const { data: ev } = await calendar.events.insert({ calendarId: 'primary', requestBody: body('Etags') });
    const same = await calendar.events.get({ calendarId: 'primary', eventId: ev.id! }, { headers: { 'If-None-Match': ev.etag! } });
    expect(same.status).toBe(304);
    const { data: renamed } = await calendar.events.patch({ calendarId: 'primary', eventId: ev.id!, requestBody: { summary: 'Renamed' } });
    expect(renamed.etag).not.toBe(ev.etag);
    expect(renamed.sequence).toBe(0);
    const { data: moved } = await calendar.events.patch({ calendarId: 'primary', eventId: ev.id!, requestBody: { start: { dateTime: '2030-02-01T17:00:00Z' }, end: { dateTime: '2030-02-01T18:00:00Z' } } });
    expect(moved.sequence).toBe(1);
    const changed = await calendar.events.get({ calendarId: 'primary', eventId: ev.id! }, { headers: { 'If-None-Match': ev.etag! } });
    expect([changed.status, changed.data.summary]).toEqual([200, 'Renamed']);
    const stale = await fail(calendar.events.patch({ calendarId: 'primary', eventId: ev.id!, requestBody: { sequence: 0, summary: 'x' } }));
    expect([stale.status, errorOf(stale).message]).toEqual([400, expect.stringContaining('Invalid sequence value')]);
  });

  it('If-Match with a stale etag is 412 conditionNotMet on PATCH, PUT and DELETE; the current etag succeeds', async () => {
    const { data: ev } = await calendar.events.insert({ calendarId: 'primary', requestBody: body('Concurrency') });
    fake.updateEvent(EMAIL, ev.id!, { description: 'edited on Google' });
    const headers = { 'If-Match': ev.etag! };
    for (const call of [
      calendar.events.patch({ calendarId: 'primary', eventId: ev.id!, requestBody: { summary: 'local' } }, { headers }),
      calendar.events.update({ calendarId: 'primary', eventId: ev.id!, requestBody: body('local') }, { headers }),
      calendar.events.delete({ calendarId: 'primary', eventId: ev.id! }, { headers }),
    ]) {
      const err = await fail(call);
      expect(err.status).toBe(412);
      expect(errorOf(err).errors[0]).toEqual({ domain: 'global', reason: 'conditionNotMet', message: 'Precondition Failed', locationType: 'header', location: 'If-Match' });
    }
    const { data: current } = await calendar.events.get({ calendarId: 'primary', eventId: ev.id! });
    const { data: patched } = await calendar.events.patch({ calendarId: 'primary', eventId: ev.id!, requestBody: { summary: 'merged' } }, { headers: { 'If-Match': current.etag! } });
    expect(patched).toMatchObject({ summary: 'merged', description: 'edited on Google' });
    expect(fake.requests({ method: 'PATCH' }).at(-1)!.headers['if-match']).toBe(current.etag);
  });

  it('patch replaces arrays and merges objects; update (PUT) replaces the whole event', async () => {
    const { data: ev } = await calendar.events.insert({
      calendarId: 'primary',
      requestBody: { ...body('Team'), location: 'Room 1', attendees: [{ email: 'a@x.com' }, { email: 'b@x.com' }], extendedProperties: { private: { a: '1', b: '2' } } },
    });
    const { data: patched } = await calendar.events.patch({
      calendarId: 'primary', eventId: ev.id!, requestBody: { attendees: [{ email: 'c@x.com' }], extendedProperties: { private: { b: '3' } } },
    });
    expect(patched.attendees).toEqual([{ email: 'c@x.com' }]);
    expect(patched.extendedProperties).toEqual({ private: { a: '1', b: '3' } });
    expect(patched.location).toBe('Room 1');
    const { data: replaced } = await calendar.events.update({ calendarId: 'primary', eventId: ev.id!, requestBody: body('Only this') });
    expect(replaced.location).toBeUndefined();
    expect(replaced.attendees).toBeUndefined();
    expect(replaced.summary).toBe('Only this');
  });

  it('delete answers 204, then 410 deleted; get still returns the cancelled event; unknown ids are 404', async () => {
    const { data: ev } = await calendar.events.insert({ calendarId: 'primary', requestBody: body('Doomed') });
    expect((await calendar.events.delete({ calendarId: 'primary', eventId: ev.id! })).status).toBe(204);
    const again = await fail(calendar.events.delete({ calendarId: 'primary', eventId: ev.id! }));
    expect([again.status, errorOf(again).errors[0].reason]).toEqual([410, 'deleted']);
    expect((await calendar.events.get({ calendarId: 'primary', eventId: ev.id! })).data.status).toBe('cancelled');
    const missing = await fail(calendar.events.get({ calendarId: 'primary', eventId: 'nosuchevent' }));
    expect([missing.status, errorOf(missing).errors[0].reason]).toEqual([404, 'notFound']);
    const list = await calendar.events.list({ calendarId: 'primary' });
    expect(list.data.items!.map((e) => e.id)).not.toContain(ev.id);
    const withDeleted = await calendar.events.list({ calendarId: 'primary', showDeleted: true });
    expect(withDeleted.data.items!.find((e) => e.id === ev.id)).toMatchObject({ status: 'cancelled', summary: 'Doomed' });
  });
});

describe('all-day events and time windows', () => {
  it('keeps date/exclusive end; converts all-day to timed and back with null-clearing patches', async () => {
    const { data: ev } = await calendar.events.insert({ calendarId: 'primary', requestBody: { summary: 'Offsite', start: { date: '2030-03-09' }, end: { date: '2030-03-11' } } });
    expect(ev.start).toEqual({ date: '2030-03-09' });
    expect(ev.end).toEqual({ date: '2030-03-11' });
    // The window is read in the calendar's zone: the event ends at 2030-03-11T00:00-04:00.
    const within = await calendar.events.list({ calendarId: 'primary', timeMin: '2030-03-11T03:59:00Z', timeMax: '2030-03-12T00:00:00Z' });
    expect(within.data.items!.map((e) => e.id)).toContain(ev.id);
    const after = await calendar.events.list({ calendarId: 'primary', timeMin: '2030-03-11T04:00:00Z', timeMax: '2030-03-12T00:00:00Z' });
    expect(after.data.items!.map((e) => e.id)).not.toContain(ev.id);
    const { data: timed } = await calendar.events.patch({
      calendarId: 'primary', eventId: ev.id!,
      requestBody: { start: { date: null, dateTime: '2030-03-09T09:00:00-05:00' }, end: { date: null, dateTime: '2030-03-09T10:00:00-05:00' } },
    });
    expect(timed.start).toEqual({ dateTime: '2030-03-09T09:00:00-05:00' });
    expect(timed.sequence).toBe(1);
    const { data: back } = await calendar.events.patch({
      calendarId: 'primary', eventId: ev.id!, requestBody: { start: { dateTime: null, date: '2030-03-10' }, end: { dateTime: null, date: '2030-03-11' } },
    });
    expect(back.start).toEqual({ date: '2030-03-10' });
  });

  it('timeMin is exclusive on end, timeMax exclusive on start; an empty range is 400 timeRangeEmpty; orderBy=startTime needs singleEvents', async () => {
    const cal = fake.createCalendar(EMAIL, { summary: 'Window' }).id;
    const [a] = fake.seedEvents(cal, [body('A', '2030-05-01T10:00:00Z', '2030-05-01T11:00:00Z')]);
    const ids = async (timeMin: string, timeMax: string) => (await calendar.events.list({ calendarId: cal, timeMin, timeMax })).data.items!.map((e) => e.id);
    expect(await ids('2030-05-01T11:00:00Z', '2030-05-02T00:00:00Z')).toEqual([]);
    expect(await ids('2030-05-01T00:00:00Z', '2030-05-01T10:00:00Z')).toEqual([]);
    expect(await ids('2030-05-01T10:59:59Z', '2030-05-01T12:00:00Z')).toEqual([a]);
    expect(await ids('2030-05-01T09:00:00Z', '2030-05-01T10:00:01Z')).toEqual([a]);
    const empty = await fail(calendar.events.list({ calendarId: cal, timeMin: '2030-05-02T00:00:00Z', timeMax: '2030-05-01T00:00:00Z' }));
    expect([empty.status, errorOf(empty).errors[0].reason]).toEqual([400, 'timeRangeEmpty']);
    const order = await fail(calendar.events.list({ calendarId: cal, orderBy: 'startTime' }));
    expect(order.status).toBe(400);
  });
});

describe('access roles', () => {
  it('a freeBusyReader sees only times; a reader may read but not write', async () => {
    fake.createAccount('owner@example.com');
    const cal = fake.createCalendar('owner@example.com', { summary: 'Boss' }).id;
    const [id] = fake.seedEvents(cal, [{ ...body('Secret meeting'), description: 'private' }]);
    fake.shareCalendar(cal, EMAIL, 'freeBusyReader');
    const { data } = await calendar.events.list({ calendarId: cal });
    expect(data.accessRole).toBe('freeBusyReader');
    expect(data.items).toEqual([{ kind: 'calendar#event', etag: expect.any(String), id, status: 'confirmed', start: { dateTime: '2030-02-01T15:00:00Z' }, end: { dateTime: '2030-02-01T16:00:00Z' } }]);
    fake.setAccessRole(EMAIL, cal, 'reader');
    expect((await calendar.events.get({ calendarId: cal, eventId: id })).data.summary).toBe('Secret meeting');
    for (const call of [
      calendar.events.patch({ calendarId: cal, eventId: id, requestBody: { summary: 'mine now' } }),
      calendar.events.delete({ calendarId: cal, eventId: id }),
    ]) {
      const err = await fail(call);
      expect([err.status, errorOf(err).errors[0]]).toEqual([403, { domain: 'calendar', reason: 'requiredAccessLevel', message: 'You need to have writer access to this calendar.' }]);
    }
  });
});

describe('freeBusy', () => {
  it('merges busy intervals, skips transparent and cancelled events, and reports notFound per calendar', async () => {
    const cal = fake.createCalendar(EMAIL, { summary: 'Busy' }).id;
    const [, , gone] = fake.seedEvents(cal, [
      body('a', '2030-06-01T09:00:00Z', '2030-06-01T10:00:00Z'),
      body('b', '2030-06-01T09:30:00Z', '2030-06-01T11:00:00Z'),
      body('c', '2030-06-01T13:00:00Z', '2030-06-01T14:00:00Z'),
      { ...body('free', '2030-06-01T15:00:00Z', '2030-06-01T16:00:00Z'), transparency: 'transparent' },
      body('edge', '2030-06-01T17:30:00Z', '2030-06-01T19:00:00Z'),
    ]);
    fake.deleteEvent(cal, gone);
    const { data } = await calendar.freebusy.query({
      requestBody: { timeMin: '2030-06-01T08:00:00Z', timeMax: '2030-06-01T18:00:00Z', items: [{ id: cal }, { id: 'nobody@example.com' }] },
    });
    expect(data.calendars![cal]).toEqual({
      busy: [{ start: '2030-06-01T09:00:00Z', end: '2030-06-01T11:00:00Z' }, { start: '2030-06-01T17:30:00Z', end: '2030-06-01T18:00:00Z' }],
    });
    expect(data.calendars!['nobody@example.com']).toEqual({ errors: [{ domain: 'global', reason: 'notFound' }], busy: [] });
  });
});

describe('seeding speed', () => {
  it('seeds 10,000 events including 200 weekly series quickly and serves a full singleEvents=false sync in 4 pages', async () => {
    const cal = fake.createCalendar(EMAIL, { summary: 'Big', timeZone: ZONE }).id;
    const events = Array.from({ length: 10_000 }, (_, i) => {
      const start = new Date(Date.UTC(2030, 0, 1, 14) + (i % 365) * 86_400_000 + (i % 8) * 3_600_000);
      const e: Record<string, unknown> = {
        summary: `Seeded ${i}`,
        start: { dateTime: start.toISOString(), timeZone: ZONE },
        end: { dateTime: new Date(start.getTime() + 1_800_000).toISOString(), timeZone: ZONE },
      };
      if (i % 50 === 0) e.recurrence = ['RRULE:FREQ=WEEKLY;COUNT=52'];
      return e;
    });
    const t0 = performance.now();
    fake.seedEvents(cal, events);
    const seedMs = performance.now() - t0;
    const t1 = performance.now();
    let pages = 0;
    let count = 0;
    let pageToken: string | undefined;
    do {
      const { data } = await calendar.events.list({ calendarId: cal, maxResults: 2500, pageToken });
      pages++;
      count += data.items!.length;
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
    const syncMs = performance.now() - t1;
    process.stdout.write(`fake Google: seeded 10,000 events (200 series) in ${seedMs.toFixed(0)} ms; full sync of 4 pages in ${syncMs.toFixed(0)} ms\n`);
    expect([pages, count]).toEqual([4, 10_000]);
  });
});
