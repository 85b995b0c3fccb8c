import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { calendar_v3 } from 'googleapis/build/src/apis/calendar/index.js';
import { calendarFor, FakeGoogle, startFakeGoogle, type OAuthClient } from './google/index.js';

let fake: FakeGoogle;
let client: OAuthClient;
let calendar: calendar_v3.Calendar;
const EMAIL = 'series@example.com';
const NY = 'America/New_York';

beforeAll(async () => {
  fake = await startFakeGoogle();
  client = fake.registerOAuthClient({ redirectUris: ['http://localhost:3000/cb'] });
  fake.createAccount(EMAIL, { timeZone: NY });
  ({ calendar } = calendarFor(fake, client, fake.issueTokens(EMAIL, client.clientId)));
});
afterAll(async () => {
  await fake?.close();
});

const newCalendar = (summary: string) => fake.createCalendar(EMAIL, { summary, timeZone: NY }).id;
// 09:00 New York every Monday from 2030-02-25; DST starts on Sunday 2030-03-10.
const weekly = (extra: Record<string, unknown> = {}) => ({
  summary: 'Weekly 09:00',
  start: { dateTime: '2030-02-25T09:00:00', timeZone: NY },
  end: { dateTime: '2030-02-25T10:00:00', timeZone: NY },
  recurrence: ['RRULE:FREQ=WEEKLY;COUNT=6', 'EXDATE;TZID=America/New_York:20300311T090000'],
  ...extra,
});

async function instances(calendarId: string, params: Partial<calendar_v3.Params$Resource$Events$List> = {}) {
  const { data } = await calendar.events.list({ calendarId, singleEvents: true, orderBy: 'startTime', ...params });
  return data.items!;
}

describe('expansion in the series zone across DST', () => {
  it('keeps 09:00 local after the change, drops the EXDATE, and names instances by their UTC start', async () => {
    const cal = newCalendar('DST');
    const { data: master } = await calendar.events.insert({ calendarId: cal, requestBody: weekly() });
    expect(master.recurrence).toEqual(weekly().recurrence);
    expect(master.start).toEqual({ dateTime: '2030-02-25T09:00:00-05:00', timeZone: NY });
    const items = await instances(cal);
    expect(items.map((e) => e.start!.dateTime)).toEqual([
      '2030-02-25T09:00:00-05:00', '2030-03-04T09:00:00-05:00', '2030-03-18T09:00:00-04:00', '2030-03-25T09:00:00-04:00', '2030-04-01T09:00:00-04:00',
    ]);
    expect(items.map((e) => e.id!.slice(master.id!.length))).toEqual([
      '_20300225T140000Z', '_20300304T140000Z', '_20300318T130000Z', '_20300325T130000Z', '_20300401T130000Z',
    ]);
    expect(items[2]).toMatchObject({
      recurringEventId: master.id, originalStartTime: { dateTime: '2030-03-18T09:00:00-04:00', timeZone: NY },
      iCalUID: master.iCalUID, summary: 'Weekly 09:00', start: { timeZone: NY },
    });
    expect(items[2].recurrence).toBeUndefined();
    const { data: single } = await calendar.events.list({ calendarId: cal });
    expect(single.items!.map((e) => e.id)).toEqual([master.id]);
    const { data: one } = await calendar.events.get({ calendarId: cal, eventId: `${master.id}_20300318T130000Z` });
    expect(one.start!.dateTime).toBe('2030-03-18T09:00:00-04:00');
    await expect(calendar.events.get({ calendarId: cal, eventId: `${master.id}_20300311T130000Z` })).rejects.toMatchObject({ status: 404 });
  });

  it('accepts EXDATEs in UTC, ignores EXDATEs that match nothing, and counts a DTSTART off the rule as the first instance (RFC 5545)', async () => {
    const cal = newCalendar('Odd');
    await calendar.events.insert({
      calendarId: cal,
      requestBody: {
        summary: 'Starts on a Tuesday',
        start: { dateTime: '2030-03-05T09:00:00-05:00', timeZone: NY },
        end: { dateTime: '2030-03-05T09:30:00-05:00', timeZone: NY },
        recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4', 'EXDATE:20300318T130000Z', 'EXDATE:20300319T130000Z'],
      },
    });
    expect((await instances(cal)).map((e) => e.start!.dateTime)).toEqual(['2030-03-05T09:00:00-05:00', '2030-03-11T09:00:00-04:00', '2030-03-25T09:00:00-04:00']);
  });

  it('expands an unbounded series only inside the requested window', async () => {
    const cal = newCalendar('Daily');
    await calendar.events.insert({
      calendarId: cal,
      requestBody: { summary: 'Daily', start: { dateTime: '2030-01-01T08:00:00Z', timeZone: 'UTC' }, end: { dateTime: '2030-01-01T08:15:00Z', timeZone: 'UTC' }, recurrence: ['RRULE:FREQ=DAILY'] },
    });
    const items = await instances(cal, { timeMin: '2031-06-01T00:00:00Z', timeMax: '2031-06-04T00:00:00Z' });
    expect(items.map((e) => e.start!.dateTime)).toEqual(['2031-06-01T08:00:00Z', '2031-06-02T08:00:00Z', '2031-06-03T08:00:00Z']);
  });

  it('all-day series use date instance ids', async () => {
    const cal = newCalendar('All-day');
    const { data: master } = await calendar.events.insert({
      calendarId: cal, requestBody: { summary: 'Holiday week', start: { date: '2030-03-09' }, end: { date: '2030-03-10' }, recurrence: ['RRULE:FREQ=DAILY;COUNT=3'] },
    });
    const items = await instances(cal);
    expect(items.map((e) => [e.id, e.start, e.end])).toEqual([
      [`${master.id}_20300309`, { date: '2030-03-09' }, { date: '2030-03-10' }],
      [`${master.id}_20300310`, { date: '2030-03-10' }, { date: '2030-03-11' }],
      [`${master.id}_20300311`, { date: '2030-03-11' }, { date: '2030-03-12' }],
    ]);
    expect(items[1].originalStartTime).toEqual({ date: '2030-03-10' });
  });
});

describe('exceptions, cancelled instances and splits', () => {
  let cal: string;
  let master: calendar_v3.Schema$Event;
  let token: string;
  beforeAll(async () => {
    cal = newCalendar('Exceptions');
    master = (await calendar.events.insert({ calendarId: cal, requestBody: weekly() })).data;
    token = (await calendar.events.list({ calendarId: cal })).data.nextSyncToken!;
  });

  it('a PATCH to an instance id moves that instance only (an exception with recurringEventId and originalStartTime)', async () => {
    const instanceId = FakeGoogle.instanceId(master.id!, '2030-03-25T09:00:00-04:00');
    const { data: moved } = await calendar.events.patch({
      calendarId: cal, eventId: instanceId,
      requestBody: { start: { dateTime: '2030-03-25T11:00:00-04:00' }, end: { dateTime: '2030-03-25T12:00:00-04:00' } },
    });
    expect(moved).toMatchObject({
      id: instanceId, recurringEventId: master.id, originalStartTime: { dateTime: '2030-03-25T09:00:00-04:00', timeZone: NY },
      start: { dateTime: '2030-03-25T11:00:00-04:00', timeZone: NY }, sequence: 1,
    });
    expect((await instances(cal)).map((e) => e.start!.dateTime)).toContain('2030-03-25T11:00:00-04:00');
    const { data: raw } = await calendar.events.list({ calendarId: cal });
    expect(raw.items!.map((e) => e.id)).toEqual([master.id, instanceId]);
    const { data: inst } = await calendar.events.instances({ calendarId: cal, eventId: master.id! });
    expect(inst.items!.map((e) => e.start!.dateTime)).toEqual([
      '2030-02-25T09:00:00-05:00', '2030-03-04T09:00:00-05:00', '2030-03-18T09:00:00-04:00', '2030-03-25T11:00:00-04:00', '2030-04-01T09:00:00-04:00',
    ]);
  });

  it('deleting an instance hides one occurrence; it stays listed as a stripped cancelled instance where Google does so', async () => {
    const instanceId = `${master.id}_20300304T140000Z`;
    expect((await calendar.events.delete({ calendarId: cal, eventId: instanceId })).status).toBe(204);
    expect((await instances(cal)).map((e) => e.id)).not.toContain(instanceId);
    expect(await instances(cal)).toHaveLength(4);
    const stripped = { kind: 'calendar#event', etag: expect.any(String), id: instanceId, status: 'cancelled', recurringEventId: master.id, originalStartTime: { dateTime: '2030-03-04T09:00:00-05:00', timeZone: NY } };
    // singleEvents=false and showDeleted=false: cancelled instances are still returned.
    const { data: raw } = await calendar.events.list({ calendarId: cal });
    expect(raw.items!.find((e) => e.id === instanceId)).toEqual(stripped);
    const { data: changes } = await calendar.events.list({ calendarId: cal, syncToken: token });
    expect(changes.items!.find((e) => e.id === instanceId)).toEqual(stripped);
    const again = await calendar.events.delete({ calendarId: cal, eventId: instanceId }).catch((e) => e);
    expect(again.status).toBe(410);
    token = changes.nextSyncToken!;
  });

  it('"this and following" in two calls (trim the master with UNTIL, insert a new series) leaves no gap and no duplicate', async () => {
    const { data: trimmed } = await calendar.events.patch({
      calendarId: cal, eventId: master.id!, requestBody: { recurrence: ['RRULE:FREQ=WEEKLY;UNTIL=20300317T235959Z', 'EXDATE;TZID=America/New_York:20300311T090000'] },
    });
    expect(trimmed.sequence).toBe(1);
    const { data: following } = await calendar.events.insert({
      calendarId: cal,
      requestBody: { ...weekly({ summary: 'Weekly 10:00' }), start: { dateTime: '2030-03-18T10:00:00', timeZone: NY }, end: { dateTime: '2030-03-18T11:00:00', timeZone: NY }, recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'] },
    });
    const items = await instances(cal);
    expect(items.map((e) => [e.recurringEventId, e.start!.dateTime])).toEqual([
      [master.id, '2030-02-25T09:00:00-05:00'],
      [following.id, '2030-03-18T10:00:00-04:00'],
      [following.id, '2030-03-25T10:00:00-04:00'],
      [following.id, '2030-04-01T10:00:00-04:00'],
    ]);
    // The moved 03-25 exception no longer belongs to the trimmed series: sync reports it cancelled.
    const { data: changes } = await calendar.events.list({ calendarId: cal, syncToken: token });
    expect(changes.items!.find((e) => e.id === `${master.id}_20300325T130000Z`)).toMatchObject({ status: 'cancelled' });
    token = changes.nextSyncToken!;
  });

  it('deleting the master cancels every occurrence and its exceptions', async () => {
    await calendar.events.delete({ calendarId: cal, eventId: master.id! });
    expect((await instances(cal)).every((e) => e.recurringEventId !== master.id)).toBe(true);
    const { data: changes } = await calendar.events.list({ calendarId: cal, syncToken: token });
    expect(changes.items!.find((e) => e.id === master.id)).toEqual({ kind: 'calendar#event', etag: expect.any(String), id: master.id, status: 'cancelled' });
    await expect(calendar.events.instances({ calendarId: cal, eventId: master.id! })).rejects.toMatchObject({ status: 410 });
  });

  it('remote edits: moveInstance, cancelInstance and splitSeries (Google UI ids: <id>_R<timestamp>)', async () => {
    const remote = newCalendar('Remote');
    const created = fake.createEvent(remote, weekly({ recurrence: ['RRULE:FREQ=WEEKLY;COUNT=5'] }));
    fake.moveInstance(remote, created.id, '2030-03-04T09:00:00-05:00', { start: { dateTime: '2030-03-05T09:00:00-05:00' }, end: { dateTime: '2030-03-05T10:00:00-05:00' } });
    fake.cancelInstance(remote, created.id, '2030-03-11T09:00:00-04:00');
    const { newSeries } = fake.splitSeries(remote, created.id, '2030-03-18T09:00:00-04:00', { summary: 'Renamed from here' });
    expect(newSeries.id).toBe(`${created.id}_R20300318T130000`);
    expect(newSeries.recurrence).toEqual(['RRULE:FREQ=WEEKLY;COUNT=2']);
    const items = await instances(remote);
    expect(items.map((e) => [e.summary, e.start!.dateTime])).toEqual([
      ['Weekly 09:00', '2030-02-25T09:00:00-05:00'],
      ['Weekly 09:00', '2030-03-05T09:00:00-05:00'],
      ['Renamed from here', '2030-03-18T09:00:00-04:00'],
      ['Renamed from here', '2030-03-25T09:00:00-04:00'],
    ]);
    expect(items[3].id).toBe(`${created.id}_R20300318T130000_20300325T130000Z`);
  });
});
