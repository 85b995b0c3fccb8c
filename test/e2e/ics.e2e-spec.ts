import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import request from 'supertest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { expectProblem } from '../setup/problem.js';
import { registerUser, type TestUser } from '../factories/users.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const NY = 'America/New_York';
const api = () => request(t.http);
const create = (user: TestUser, body: object) => api().post('/api/v1/events').set(user.auth).send(body).expect(201);
const importIcs = (user: TestUser, ics: string) => api().post('/api/v1/calendar/import').set(user.auth).send({ ics });
const newFeed = async (user: TestUser) =>
  (await api().post('/api/v1/calendar/feed').set(user.auth).expect(201)).body as { url: string; token: string };
const feedPath = (token: string) => `/api/v1/calendar/feed/${token}.ics`;

/** What a calendar shows in a window: every occurrence, as title and start/end (dates for all-day). */
async function agenda(user: TestUser, from = '2026-02-01T00:00:00Z', to = '2026-05-01T00:00:00Z') {
  const res = await api()
    .get('/api/v1/events')
    .query({ from, to, expand: 'true', limit: 100 })
    .set(user.auth)
    .expect(200);
  return (res.body.data as Array<Record<string, unknown>>).map((item) => ({
    title: item.title,
    start: item.isAllDay ? item.startDate : item.startTime,
    end: item.isAllDay ? item.endDate : item.endTime,
  }));
}

const localTime = (instant: unknown, zone = NY) => DateTime.fromISO(String(instant)).setZone(zone).toFormat('ccc HH:mm');

function parseCalendar(text: string): ICAL.Component {
  return new ICAL.Component(ICAL.parse(text) as unknown[]);
}

const vevents = (calendar: ICAL.Component) => calendar.getAllSubcomponents('vevent');
const byUid = (calendar: ICAL.Component, uid: string) =>
  vevents(calendar).filter((vevent) => vevent.getFirstPropertyValue('uid') === uid);

/** Lines of the iCalendar text, unfolded, for asserting on the exact property syntax. */
const lines = (text: string) => text.replace(/\r\n[ \t]/g, '').split('\r\n');

/** A weekly 09:00 New York series across the 2026-03-08 DST change, one occurrence edited, two cancelled. */
async function seriesWithExceptions(user: TestUser, title = 'Standup') {
  const series = await create(user, {
    title,
    startTime: '2026-03-02T09:00:00-05:00',
    endTime: '2026-03-02T09:30:00-05:00',
    timezone: NY,
    recurrenceRule: 'FREQ=WEEKLY;BYDAY=MO',
    exdates: ['2026-03-16T13:00:00Z'],
  });
  const moved = await api()
    .put(`/api/v1/events/${series.body.id}/occurrences/2026-03-09T13:00:00Z`)
    .set(user.auth)
    .send({ title: `${title} (moved)`, startTime: '2026-03-10T10:00:00-04:00', endTime: '2026-03-10T10:30:00-04:00' })
    .expect(200);
  await api().delete(`/api/v1/events/${series.body.id}/occurrences/2026-03-23T13:00:00Z`).set(user.auth).expect(204);
  return { seriesId: series.body.id as string, overrideId: moved.body.id as string };
}

describe('calendar feed URL', () => {
  it('is created, shown as existing without its token, regenerated and revoked', async () => {
    const alice = await registerUser(t.http);
    expect((await api().get('/api/v1/calendar/feed').set(alice.auth).expect(200)).body).toEqual({ exists: false, createdAt: null });

    const first = await newFeed(alice);
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.url).toBe(`http://calento.test/api/v1/calendar/feed/${first.token}.ics`);
    const status = await api().get('/api/v1/calendar/feed').set(alice.auth).expect(200);
    expect(status.body).toEqual({ exists: true, createdAt: expect.any(String) });
    expect(JSON.stringify(status.body)).not.toContain(first.token);
    const stored = await t.db.query<{ token_hash: Buffer }>('SELECT token_hash FROM calendar_feeds WHERE user_id = $1', [alice.id]);
    expect(Buffer.from(stored.rows[0].token_hash).equals(createHash('sha256').update(first.token).digest())).toBe(true);

    const res = await api().get(feedPath(first.token)).expect(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(res.headers['cache-control']).toBe('private, max-age=300');
    expect(res.text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);

    const second = await newFeed(alice);
    expect(second.token).not.toBe(first.token);
    expectProblem(await api().get(feedPath(first.token)), 404, 'NOT_FOUND');
    await api().get(feedPath(second.token)).expect(200);

    await api().delete('/api/v1/calendar/feed').set(alice.auth).expect(204);
    expectProblem(await api().get(feedPath(second.token)), 404, 'NOT_FOUND');
    expectProblem(await api().delete('/api/v1/calendar/feed').set(alice.auth), 404, 'NOT_FOUND');
    expect((await api().get('/api/v1/calendar/feed').set(alice.auth).expect(200)).body.exists).toBe(false);
  });

  it('needs a login to manage, and answers 404 for unknown or malformed tokens', async () => {
    expectProblem(await api().post('/api/v1/calendar/feed'), 401, 'UNAUTHENTICATED');
    expectProblem(await api().get('/api/v1/calendar/feed'), 401, 'UNAUTHENTICATED');
    expectProblem(await api().delete('/api/v1/calendar/feed'), 401, 'UNAUTHENTICATED');
    const unknown = await api().get(feedPath('A'.repeat(43)));
    expectProblem(unknown, 404, 'NOT_FOUND');
    expect(unknown.headers['cache-control']).not.toBe('private, max-age=300');
    expectProblem(await api().get(feedPath('short')), 404, 'NOT_FOUND');
    expectProblem(await api().get(`/api/v1/calendar/feed/${'A'.repeat(43)}`), 404, 'ROUTE_NOT_FOUND');
  });

  it('publishes your events: series with RRULE, EXDATE and RECURRENCE-ID overrides in their zone, all-day as dates', async () => {
    const alice = await registerUser(t.http, { timezone: NY });
    const bob = await registerUser(t.http);
    const { seriesId } = await seriesWithExceptions(alice);
    // Dated from now so they stay inside the feed's window whenever the test runs.
    const year = new Date().getUTCFullYear() + 1;
    await create(alice, { title: 'Offsite', startTime: `${year}-06-11`, endTime: `${year}-06-13`, isAllDay: true });
    await create(alice, { title: 'Dentist', startTime: `${year}-06-10T10:00:00Z`, endTime: `${year}-06-10T11:00:00Z`, timezone: 'UTC' });
    await create(alice, { title: 'Long ago', startTime: '2020-01-06T10:00:00Z', endTime: '2020-01-06T11:00:00Z' });
    await create(bob, { title: 'Bob only', startTime: `${year}-06-10T10:00:00Z`, endTime: `${year}-06-10T11:00:00Z` });
    await create(bob, {
      title: 'Bob invites Alice',
      startTime: `${year}-06-10T12:00:00Z`,
      endTime: `${year}-06-10T13:00:00Z`,
      attendees: [{ email: alice.email }],
    });

    const { token } = await newFeed(alice);
    const res = await api().get(feedPath(token)).expect(200);
    const calendar = parseCalendar(res.text);
    const events = vevents(calendar);
    expect(events.map((vevent) => vevent.getFirstPropertyValue('summary')).sort()).toEqual(
      ['Dentist', 'Offsite', 'Standup', 'Standup (moved)'],
    );
    expect(calendar.getFirstPropertyValue('method')).toBe('PUBLISH');
    expect(calendar.getAllSubcomponents('vtimezone').map((zone) => zone.getFirstPropertyValue('tzid'))).toEqual([NY]);

    const [master, override] = byUid(calendar, `${seriesId}@calento`);
    const text = lines(res.text);
    expect(text).toContain('DTSTART;TZID=America/New_York:20260302T090000');
    expect(text).toContain('RRULE:FREQ=WEEKLY;BYDAY=MO');
    expect(text).toContain('EXDATE;TZID=America/New_York:20260316T090000');
    expect(text).toContain('EXDATE;TZID=America/New_York:20260323T090000');
    expect(text).toContain('RECURRENCE-ID;TZID=America/New_York:20260309T090000');
    expect(text).toContain(`DTSTART;VALUE=DATE:${year}0611`);
    expect(text).toContain(`DTEND;VALUE=DATE:${year}0613`);
    expect(text).toContain(`DTSTART:${year}0610T100000Z`);
    expect(master.getFirstPropertyValue('rrule')?.toString()).toBe('FREQ=WEEKLY;BYDAY=MO');
    expect(override.getFirstPropertyValue('summary')).toBe('Standup (moved)');

    // A client that reads the VTIMEZONE (ical.js here) sees Calento's occurrences, DST included.
    const expansion = new ICAL.Event(master, { exceptions: [override] });
    const iterator = expansion.iterator();
    const seen: string[] = [];
    for (let next = iterator.next(); next && seen.length < 5; next = iterator.next()) {
      const occurrence = expansion.getOccurrenceDetails(next);
      seen.push(`${occurrence.item.summary} ${occurrence.startDate.toJSDate().toISOString()}`);
    }
    expect(seen).toEqual([
      'Standup 2026-03-02T14:00:00.000Z',
      'Standup (moved) 2026-03-10T14:00:00.000Z',
      'Standup 2026-03-30T13:00:00.000Z',
      'Standup 2026-04-06T13:00:00.000Z',
      'Standup 2026-04-13T13:00:00.000Z',
    ]);
  });
});

describe('GET /events/:id/ics', () => {
  it('downloads a series with its overrides for the owner, and for an attendee', async () => {
    const alice = await registerUser(t.http, { timezone: NY });
    const bob = await registerUser(t.http);
    const { seriesId, overrideId } = await seriesWithExceptions(alice, 'Team Sync: Q1!');
    await api()
      .patch(`/api/v1/events/${seriesId}`)
      .set(alice.auth)
      .send({ attendees: [{ email: bob.email }] })
      .expect(200);

    for (const [user, id] of [[alice, seriesId], [bob, seriesId], [alice, overrideId]] as const) {
      const res = await api().get(`/api/v1/events/${id}/ics`).set(user.auth).expect(200);
      expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
      expect(res.headers['content-disposition']).toBe('attachment; filename="team-sync-q1.ics"');
      const calendar = parseCalendar(res.text);
      expect(calendar.getFirstPropertyValue('method')).toBe('PUBLISH');
      expect(vevents(calendar).map((vevent) => vevent.getFirstPropertyValue('uid'))).toEqual([
        `${seriesId}@calento`,
        `${seriesId}@calento`,
      ]);
      expect(vevents(calendar)[1].getFirstPropertyValue('recurrence-id')).not.toBeNull();
    }
  });

  it('exports a single event', async () => {
    const alice = await registerUser(t.http);
    const event = await create(alice, { title: 'Ünïcödé', startTime: '2026-03-10T10:00:00Z', endTime: '2026-03-10T11:00:00Z' });
    const res = await api().get(`/api/v1/events/${event.body.id}/ics`).set(alice.auth).expect(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="unicode.ics"');
    const [vevent] = vevents(parseCalendar(res.text));
    expect(vevent.getFirstPropertyValue('summary')).toBe('Ünïcödé');
    expect(lines(res.text)).toContain('DTSTART:20260310T100000Z');
  });

  it('writes line breaks in text as escaped newlines and drops other control characters', async () => {
    const alice = await registerUser(t.http);
    const event = await create(alice, {
      title: 'Bell ring',
      description: 'Line A\r\nLine B\rLine C\nTab\there\u001b',
      location: 'Room\u007f 4',
      startTime: '2026-03-10T10:00:00Z',
      endTime: '2026-03-10T11:00:00Z',
    });
    // A title the API refuses but Google may hold (synced events keep Google's text).
    await t.db.query('UPDATE events SET title = $2 WHERE id = $1', [event.body.id, 'Bell\u0007 ring']);
    const res = await api().get(`/api/v1/events/${event.body.id}/ics`).set(alice.auth).expect(200);
    // CR only in CRLF line ends; no control character but HTAB inside a line.
    expect(res.text).not.toMatch(/\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/);
    expect(lines(res.text)).toEqual(
      expect.arrayContaining(['SUMMARY:Bell ring', 'DESCRIPTION:Line A\\nLine B\\nLine C\\nTab\there', 'LOCATION:Room 4']),
    );
  });

  it('folds lines at 75 octets, the leading space included, never inside a UTF-8 sequence', async () => {
    const alice = await registerUser(t.http);
    const titles = ['A long title '.repeat(30).trim(), 'Réunion € 日本語テキスト 😀 '.repeat(16).trim()];
    for (const title of titles) {
      const event = await create(alice, { title, startTime: '2026-03-10T10:00:00Z', endTime: '2026-03-10T11:00:00Z' });
      const res = await api().get(`/api/v1/events/${event.body.id}/ics`).set(alice.auth).expect(200);
      const raw = res.text.split('\r\n');
      expect(raw.filter((line) => Buffer.byteLength(line) > 75)).toEqual([]);
      // Each line is whole UTF-8: no replacement characters where a sequence was cut.
      expect(res.text).not.toContain('\uFFFD');
      expect(raw.filter((line) => line.startsWith(' ')).length).toBeGreaterThan(3);
      expect(lines(res.text)).toContain(`SUMMARY:${title}`);
      expect(vevents(parseCalendar(res.text))[0].getFirstPropertyValue('summary')).toBe(title);
    }
  });

  it("answers 404 for another user's event, 400 for a malformed id, 401 without login", async () => {
    const alice = await registerUser(t.http);
    const carol = await registerUser(t.http);
    const event = await create(alice, { title: 'Private', startTime: '2026-03-10T10:00:00Z', endTime: '2026-03-10T11:00:00Z' });
    expectProblem(await api().get(`/api/v1/events/${event.body.id}/ics`).set(carol.auth), 404, 'NOT_FOUND');
    expectProblem(await api().get('/api/v1/events/not-a-uuid/ics').set(carol.auth), 400, 'INVALID_ID');
    expectProblem(await api().get(`/api/v1/events/${event.body.id}/ics`), 401, 'UNAUTHENTICATED');
  });
});

const CRLF = (text: string) => text.trim().split('\n').map((line) => line.trim()).join('\r\n');

/** New York weekly 09:00 across the 2026-03-08 DST change: one EXDATE, one moved and one cancelled instance. */
const SAMPLE = CRLF(`
  BEGIN:VCALENDAR
  VERSION:2.0
  PRODID:-//Example Corp//Calendar//EN
  BEGIN:VEVENT
  UID:weekly-1@example.com
  DTSTAMP:20260101T000000Z
  DTSTART;TZID=America/New_York:20260302T090000
  DTEND;TZID=America/New_York:20260302T093000
  RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=6
  EXDATE;TZID=America/New_York:20260316T090000
  SUMMARY:Planning
  LOCATION:Room 4
  DESCRIPTION:Line one\\nLine two\\, with a comma
  END:VEVENT
  BEGIN:VEVENT
  UID:weekly-1@example.com
  DTSTAMP:20260101T000000Z
  RECURRENCE-ID;TZID=America/New_York:20260323T090000
  DTSTART;TZID=America/New_York:20260324T140000
  DTEND;TZID=America/New_York:20260324T150000
  SUMMARY:Planning (moved)
  END:VEVENT
  BEGIN:VEVENT
  UID:weekly-1@example.com
  DTSTAMP:20260101T000000Z
  RECURRENCE-ID;TZID=America/New_York:20260330T090000
  DTSTART;TZID=America/New_York:20260330T090000
  DTEND;TZID=America/New_York:20260330T093000
  STATUS:CANCELLED
  SUMMARY:Planning
  END:VEVENT
  BEGIN:VEVENT
  UID:allday-1@example.com
  DTSTAMP:20260101T000000Z
  DTSTART;VALUE=DATE:20260305
  DTEND;VALUE=DATE:20260307
  SUMMARY:Conference
  TRANSP:TRANSPARENT
  END:VEVENT
  BEGIN:VEVENT
  UID:single-1@example.com
  DTSTAMP:20260101T000000Z
  DTSTART:20260309T150000Z
  DURATION:PT45M
  SUMMARY:Call
  STATUS:TENTATIVE
  CLASS:PRIVATE
  END:VEVENT
  END:VCALENDAR
`);

const SAMPLE_AGENDA = [
  { title: 'Planning', start: '2026-03-02T14:00:00.000Z', end: '2026-03-02T14:30:00.000Z' },
  { title: 'Conference', start: '2026-03-05', end: '2026-03-07' },
  { title: 'Planning', start: '2026-03-09T13:00:00.000Z', end: '2026-03-09T13:30:00.000Z' },
  { title: 'Call', start: '2026-03-09T15:00:00.000Z', end: '2026-03-09T15:45:00.000Z' },
  { title: 'Planning (moved)', start: '2026-03-24T18:00:00.000Z', end: '2026-03-24T19:00:00.000Z' },
  { title: 'Planning', start: '2026-04-06T13:00:00.000Z', end: '2026-04-06T13:30:00.000Z' },
];

describe('POST /calendar/import', () => {
  it('imports a series with EXDATE, a moved and a cancelled occurrence, an all-day and a timed event', async () => {
    // The user's own zone is not New York: the series keeps the zone its file names.
    const alice = await registerUser(t.http, { timezone: 'Europe/Berlin' });
    const res = await importIcs(alice, SAMPLE).expect(200);
    expect(res.body).toEqual({ created: 4, updated: 0, unchanged: 0, cancelled: 1, skipped: [] });

    const shown = await agenda(alice);
    expect(shown.map(({ title, start, end }) => ({ title, start, end }))).toEqual(SAMPLE_AGENDA);
    // 09:00 in New York before and after the DST change.
    const planning = shown.filter((item) => item.title === 'Planning').map((item) => localTime(item.start));
    expect(planning).toEqual(['Mon 09:00', 'Mon 09:00', 'Mon 09:00']);

    const all = (await api().get('/api/v1/events').set(alice.auth).expect(200)).body.data as Array<Record<string, unknown>>;
    const byTitle = Object.fromEntries(all.map((event) => [event.title, event]));
    expect(byTitle.Planning).toMatchObject({
      timezone: NY,
      location: 'Room 4',
      description: 'Line one\nLine two, with a comma',
      recurrence: { rule: 'FREQ=WEEKLY;COUNT=6;BYDAY=MO', exdates: ['2026-03-16T13:00:00Z', '2026-03-30T13:00:00Z'] },
    });
    expect(byTitle.Conference).toMatchObject({ isAllDay: true, transparency: 'free', timezone: 'Europe/Berlin' });
    expect(byTitle.Call).toMatchObject({ status: 'tentative', visibility: 'private', timezone: 'Europe/Berlin' });
  });

  it('is idempotent on UID: importing the same file again changes nothing', async () => {
    const alice = await registerUser(t.http, { timezone: NY });
    await importIcs(alice, SAMPLE).expect(200);
    const rows = async () =>
      (await t.db.query<{ id: string; updated_at: Date }>('SELECT id, updated_at FROM events WHERE user_id = $1 ORDER BY id', [alice.id])).rows;
    const before = await rows();
    expect(before).toHaveLength(4);

    const again = await importIcs(alice, SAMPLE).expect(200);
    expect(again.body).toEqual({ created: 0, updated: 0, unchanged: 4, cancelled: 1, skipped: [] });
    expect(await rows()).toEqual(before);
    expect(await agenda(alice)).toEqual(SAMPLE_AGENDA);
  });

  it('updates what changed; a file with the series replaces its exceptions', async () => {
    const alice = await registerUser(t.http, { timezone: NY });
    await importIcs(alice, SAMPLE).expect(200);
    // Only the series, renamed: its moved and cancelled occurrences are gone from the file.
    const seriesOnly = SAMPLE.split('END:VEVENT')[0] + 'END:VEVENT\r\nEND:VCALENDAR';
    const res = await importIcs(alice, seriesOnly.replace('SUMMARY:Planning', 'SUMMARY:Planning v2')).expect(200);
    expect(res.body).toEqual({ created: 0, updated: 1, unchanged: 0, cancelled: 0, skipped: [] });
    const planning = (await agenda(alice)).filter((item) => String(item.title).startsWith('Planning'));
    expect(planning.map((item) => `${item.title} ${localTime(item.start)} ${String(item.start).slice(0, 10)}`)).toEqual([
      'Planning v2 Mon 09:00 2026-03-02',
      'Planning v2 Mon 09:00 2026-03-09',
      'Planning v2 Mon 09:00 2026-03-23',
      'Planning v2 Mon 09:00 2026-03-30',
      'Planning v2 Mon 09:00 2026-04-06',
    ]);
  });

  it("reads zones as other producers write them: Outlook's own VTIMEZONE, path TZIDs, floating times", async () => {
    const alice = await registerUser(t.http, { timezone: 'UTC' });
    const file = CRLF(`
      BEGIN:VCALENDAR
      VERSION:2.0
      PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN
      X-WR-TIMEZONE:Asia/Tokyo
      BEGIN:VTIMEZONE
      TZID:W. Europe Standard Time
      BEGIN:STANDARD
      DTSTART:16010101T030000
      TZOFFSETFROM:+0200
      TZOFFSETTO:+0100
      RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
      END:STANDARD
      BEGIN:DAYLIGHT
      DTSTART:16010101T020000
      TZOFFSETFROM:+0100
      TZOFFSETTO:+0200
      RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
      END:DAYLIGHT
      END:VTIMEZONE
      BEGIN:VEVENT
      UID:outlook@example.com
      DTSTART;TZID=W. Europe Standard Time:20260401T100000
      DTEND;TZID=W. Europe Standard Time:20260401T110000
      SUMMARY:Outlook meeting
      END:VEVENT
      BEGIN:VEVENT
      UID:lightning@example.com
      DTSTART;TZID=/mozilla.org/20050126_1/America/New_York:20260307T120000
      DURATION:P1D
      SUMMARY:Across the DST change
      END:VEVENT
      BEGIN:VEVENT
      UID:floating@example.com
      DTSTART:20260402T090000
      DTEND:20260402T100000
      SUMMARY:Floating
      END:VEVENT
      BEGIN:VEVENT
      UID:daily@example.com
      DTSTART;TZID=America/New_York:20260406T080000
      DTEND;TZID=America/New_York:20260406T081500
      RRULE:FREQ=DAILY;UNTIL=20260409
      EXDATE;VALUE=DATE:20260407
      SUMMARY:Daily
      END:VEVENT
      END:VCALENDAR
    `);
    expect((await importIcs(alice, file).expect(200)).body).toMatchObject({ created: 4, skipped: [] });
    expect(await agenda(alice)).toEqual([
      // 24 hours of P1D would end at 13:00 EDT; a calendar day ends at 12:00 again.
      { title: 'Across the DST change', start: '2026-03-07T17:00:00.000Z', end: '2026-03-08T16:00:00.000Z' },
      { title: 'Outlook meeting', start: '2026-04-01T08:00:00.000Z', end: '2026-04-01T09:00:00.000Z' },
      { title: 'Floating', start: '2026-04-02T00:00:00.000Z', end: '2026-04-02T01:00:00.000Z' },
      { title: 'Daily', start: '2026-04-06T12:00:00.000Z', end: '2026-04-06T12:15:00.000Z' },
      { title: 'Daily', start: '2026-04-08T12:00:00.000Z', end: '2026-04-08T12:15:00.000Z' },
      { title: 'Daily', start: '2026-04-09T12:00:00.000Z', end: '2026-04-09T12:15:00.000Z' },
    ]);
  });

  it("repeats an Outlook series in the zone its Windows TZID stands for, with its EXDATE and override in that TZID", async () => {
    // A UTC user: before the fix the series repeated at 08:00Z all year and lost the summer exceptions.
    const alice = await registerUser(t.http, { timezone: 'UTC' });
    const tzid = 'W. Europe Standard Time';
    const file = CRLF(`
      BEGIN:VCALENDAR
      VERSION:2.0
      PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN
      BEGIN:VTIMEZONE
      TZID:${tzid}
      BEGIN:STANDARD
      DTSTART:16011028T030000
      RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
      TZOFFSETFROM:+0200
      TZOFFSETTO:+0100
      END:STANDARD
      BEGIN:DAYLIGHT
      DTSTART:16010325T020000
      RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
      TZOFFSETFROM:+0100
      TZOFFSETTO:+0200
      END:DAYLIGHT
      END:VTIMEZONE
      BEGIN:VEVENT
      UID:outlook-weekly@example.com
      DTSTART;TZID="${tzid}":20270315T090000
      DTEND;TZID="${tzid}":20270315T100000
      RRULE:FREQ=WEEKLY;COUNT=6;BYDAY=MO
      EXDATE;TZID="${tzid}":20270412T090000
      SUMMARY:Jour fixe
      END:VEVENT
      BEGIN:VEVENT
      UID:outlook-weekly@example.com
      RECURRENCE-ID;TZID="${tzid}":20270405T090000
      DTSTART;TZID="${tzid}":20270405T140000
      DTEND;TZID="${tzid}":20270405T150000
      SUMMARY:Jour fixe (afternoon)
      END:VEVENT
      END:VCALENDAR
    `);
    const res = await api().post('/api/v1/calendar/import').set(alice.auth).set('content-type', 'text/calendar').send(file).expect(200);
    expect(res.body).toEqual({ created: 2, updated: 0, unchanged: 0, cancelled: 0, skipped: [] });

    const [series] = (await api().get('/api/v1/events').query({ q: 'Jour fixe' }).set(alice.auth).expect(200)).body.data;
    expect(series).toMatchObject({
      timezone: 'Europe/Berlin',
      recurrence: { exdates: ['2027-04-12T07:00:00Z'] },
    });
    const occurrences = await api()
      .get(`/api/v1/events/${series.id}/occurrences`)
      .query({ from: '2027-03-01T00:00:00Z', to: '2027-05-01T00:00:00Z' })
      .set(alice.auth)
      .expect(200);
    expect((occurrences.body.data as Array<Record<string, unknown>>).map((o) => [o.startTime, o.title])).toEqual([
      ['2027-03-15T08:00:00.000Z', 'Jour fixe'],
      ['2027-03-22T08:00:00.000Z', 'Jour fixe'],
      // Berlin is on summer time from 2027-03-28: 09:00 there is 07:00Z.
      ['2027-03-29T07:00:00.000Z', 'Jour fixe'],
      ['2027-04-05T12:00:00.000Z', 'Jour fixe (afternoon)'],
      ['2027-04-19T07:00:00.000Z', 'Jour fixe'],
    ]);
  });

  it('takes the file itself as text/calendar, on the import route only', async () => {
    const alice = await registerUser(t.http, { timezone: NY });
    const res = await api()
      .post('/api/v1/calendar/import')
      .set(alice.auth)
      .set('content-type', 'text/calendar; charset=utf-8')
      .send(SAMPLE)
      .expect(200);
    expect(res.body).toMatchObject({ created: 4, skipped: [] });
    const elsewhere = await api().post('/api/v1/events').set(alice.auth).set('content-type', 'text/calendar').send(SAMPLE);
    expectProblem(elsewhere, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('decodes a text/calendar body in the charset it declares', async () => {
    const alice = await registerUser(t.http);
    const file = (uid: string) =>
      CRLF(`
        BEGIN:VCALENDAR
        VERSION:2.0
        PRODID:-//Example//EN
        BEGIN:VEVENT
        UID:${uid}
        DTSTART:20270401T090000Z
        DTEND:20270401T100000Z
        SUMMARY:Café Müller – ½ Stunde
        END:VEVENT
        END:VCALENDAR
      `);
    const post = (contentType: string, body: Buffer) =>
      api().post('/api/v1/calendar/import').set(alice.auth).set('content-type', contentType).send(body);
    // One byte a character; "–" is 0x96 in windows-1252, which the WHATWG Encoding Standard also reads iso-8859-1 as.
    const eightBit = (uid: string) => Buffer.from(file(uid).replace('–', '\u0096'), 'latin1');
    expect((await post('text/calendar; charset=iso-8859-1', eightBit('latin@example.com')).expect(200)).body).toMatchObject({ created: 1 });
    expect((await post('text/calendar; charset="Windows-1252"', eightBit('cp1252@example.com')).expect(200)).body).toMatchObject({ created: 1 });
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(file('utf16@example.com'), 'utf16le')]);
    expect((await post('text/calendar; charset=utf-16le', utf16).expect(200)).body).toMatchObject({ created: 1 });
    const titles = (await api().get('/api/v1/events').set(alice.auth).expect(200)).body.data.map((event: { title: string }) => event.title);
    expect(titles).toEqual(['Café Müller – ½ Stunde', 'Café Müller – ½ Stunde', 'Café Müller – ½ Stunde']);
  });

  it('refuses an unknown charset with 415, and bytes that are not valid UTF-8 with 400, storing nothing', async () => {
    const alice = await registerUser(t.http);
    const latin = Buffer.from(SAMPLE.replace('Room 4', 'Salle à côté'), 'latin1');
    const post = (contentType: string) =>
      api().post('/api/v1/calendar/import').set(alice.auth).set('content-type', contentType).send(latin);
    const unknown = await post('text/calendar; charset=klingon-8');
    expectProblem(unknown, 415, 'UNSUPPORTED_CHARSET', ['Content-Type']);
    expect(unknown.body.detail).toContain('klingon-8');
    expect(unknown.body.errors[0].message).toContain('klingon-8');
    for (const contentType of ['text/calendar', 'text/calendar; charset=utf-8']) {
      const res = await post(contentType);
      expectProblem(res, 400, 'INVALID_ICALENDAR', ['ics']);
      expect(res.body.errors[0].message).toMatch(/not valid utf-8 text.*charset/);
    }
    const count = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE user_id = $1', [alice.id]);
    expect(count.rows[0].n).toBe(0);
  });

  it('skips the VEVENTs it cannot import, with a reason, and imports the rest', async () => {
    const alice = await registerUser(t.http, { timezone: NY });
    const file = CRLF(`
      BEGIN:VCALENDAR
      VERSION:2.0
      PRODID:-//Example//EN
      BEGIN:VEVENT
      UID:backwards@example.com
      DTSTART:20260310T100000Z
      DTEND:20260310T090000Z
      SUMMARY:Ends before it starts
      END:VEVENT
      BEGIN:VEVENT
      DTSTART:20260310T100000Z
      DTEND:20260310T110000Z
      SUMMARY:No UID
      END:VEVENT
      BEGIN:VEVENT
      UID:bad-rule@example.com
      DTSTART:20260310T100000Z
      DTEND:20260310T110000Z
      RRULE:FREQ=FORTNIGHTLY
      SUMMARY:Bad rule
      END:VEVENT
      BEGIN:VEVENT
      UID:unbounded@example.com
      DTSTART:20260310T100000Z
      DTEND:20260310T100500Z
      RRULE:FREQ=MINUTELY;INTERVAL=5
      SUMMARY:Every five minutes, forever
      END:VEVENT
      BEGIN:VEVENT
      UID:bad-date@example.com
      DTSTART:2026-99-99
      DTEND:20260310T110000Z
      SUMMARY:Bad date
      END:VEVENT
      BEGIN:VEVENT
      UID:orphan@example.com
      RECURRENCE-ID:20260310T100000Z
      DTSTART:20260311T100000Z
      DTEND:20260311T110000Z
      SUMMARY:Orphan occurrence
      END:VEVENT
      BEGIN:VEVENT
      UID:weekly@example.com
      DTSTART:20260302T100000Z
      DTEND:20260302T110000Z
      RRULE:FREQ=WEEKLY;COUNT=3
      SUMMARY:Weekly
      END:VEVENT
      BEGIN:VEVENT
      UID:weekly@example.com
      RECURRENCE-ID:20260303T100000Z
      DTSTART:20260303T120000Z
      DTEND:20260303T130000Z
      SUMMARY:Not an occurrence
      END:VEVENT
      BEGIN:VEVENT
      UID:good@example.com
      DTSTART:20260312T100000Z
      DTEND:20260312T110000Z
      SUMMARY:Good
      END:VEVENT
      END:VCALENDAR
    `);
    const res = await importIcs(alice, file).expect(200);
    expect(res.body).toMatchObject({ created: 2, updated: 0, unchanged: 0, cancelled: 0 });
    const reasons = Object.fromEntries(
      (res.body.skipped as Array<{ uid: string | null; reason: string }>).map((skip) => [String(skip.uid), skip.reason]),
    );
    expect(reasons).toEqual({
      'backwards@example.com': 'DTEND must be after DTSTART',
      null: 'has no UID',
      'bad-rule@example.com': expect.stringMatching(/^unreadable: .*FORTNIGHTLY/),
      'unbounded@example.com': 'RRULE FREQ=MINUTELY needs COUNT or UNTIL',
      'bad-date@example.com': expect.stringContaining('unreadable'),
      'orphan@example.com': expect.stringContaining('RECURRENCE-ID without its series'),
      'weekly@example.com': 'RECURRENCE-ID 2026-03-03T10:00:00 is not an occurrence of the series',
    });
    expect((await agenda(alice)).map((item) => item.title)).toEqual(['Weekly', 'Weekly', 'Good', 'Weekly']);
  });

  it.each([
    ['no ics field', {}, 'VALIDATION_FAILED', 'ics'],
    ['an empty ics field', { ics: '' }, 'VALIDATION_FAILED', 'ics'],
    ['ics that is not a string', { ics: 42 }, 'VALIDATION_FAILED', 'ics'],
    ['text that is not iCalendar', { ics: 'hello world' }, 'INVALID_ICALENDAR', 'ics'],
    ['JSON text', { ics: '{"events": []}' }, 'INVALID_ICALENDAR', 'ics'],
    ['a vCard', { ics: 'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Grace\r\nEND:VCARD' }, 'INVALID_ICALENDAR', 'ics'],
    ['an unterminated calendar', { ics: 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VEVENT' }, 'INVALID_ICALENDAR', 'ics'],
    ['an unknown field', { ics: SAMPLE, merge: true }, 'VALIDATION_FAILED', 'merge'],
  ])('answers 400 naming the field for %s, storing nothing', async (_, body, code, field) => {
    const alice = await registerUser(t.http);
    const res = await api().post('/api/v1/calendar/import').set(alice.auth).send(body);
    expectProblem(res, 400, code, [field]);
    const count = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE user_id = $1', [alice.id]);
    expect(count.rows[0].n).toBe(0);
  });

  it('reads a file that starts with a UTF-8 byte order mark, sent as JSON or as the file itself', async () => {
    const alice = await registerUser(t.http, { timezone: NY });
    const withBom = `\uFEFF${SAMPLE}`;
    expect((await importIcs(alice, withBom).expect(200)).body).toMatchObject({ created: 4, skipped: [] });
    const raw = await api()
      .post('/api/v1/calendar/import')
      .set(alice.auth)
      .set('content-type', 'text/calendar')
      .send(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SAMPLE)]))
      .expect(200);
    expect(raw.body).toMatchObject({ unchanged: 4, skipped: [] });
  });

  it.each([
    ['JSON text', '{"events": []}', 'is not iCalendar text (it does not start with BEGIN:VCALENDAR)'],
    ['a property before BEGIN:VCALENDAR', 'VERSION:2.0\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR', 'is not iCalendar text (it does not start with BEGIN:VCALENDAR)'],
    ['an unterminated calendar', 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT', expect.stringMatching(/^is not iCalendar text \(invalid ical body/)],
  ])('says why %s is not iCalendar without internal error texts', async (_, ics, message) => {
    const alice = await registerUser(t.http);
    const res = await importIcs(alice, ics);
    expectProblem(res, 400, 'INVALID_ICALENDAR', ['ics']);
    expect(res.body.errors).toEqual([{ field: 'ics', message }]);
    expect(JSON.stringify(res.body)).not.toMatch(/Cannot read|undefined|TypeError/);
  });

  it('needs a login', async () => {
    expectProblem(await api().post('/api/v1/calendar/import').send({ ics: SAMPLE }), 401, 'UNAUTHENTICATED');
  });

  it("keeps each user's imports to themselves, even with the same UIDs", async () => {
    const alice = await registerUser(t.http, { timezone: NY });
    const bob = await registerUser(t.http, { timezone: NY });
    await importIcs(alice, SAMPLE).expect(200);
    expect(await agenda(bob)).toEqual([]);
    const [event] = (await api().get('/api/v1/events').query({ q: 'Call' }).set(alice.auth).expect(200)).body.data;
    expectProblem(await api().get(`/api/v1/events/${event.id}`).set(bob.auth), 404, 'NOT_FOUND');
    expectProblem(await api().get(`/api/v1/events/${event.id}/ics`).set(bob.auth), 404, 'NOT_FOUND');

    expect((await importIcs(bob, SAMPLE).expect(200)).body).toMatchObject({ created: 4, updated: 0 });
    expect(await agenda(alice)).toEqual(SAMPLE_AGENDA);
  });
});

describe('round trip', () => {
  it("a series exported by one user's feed imports into another calendar with the same occurrences", async () => {
    const alice = await registerUser(t.http, { timezone: NY });
    const bob = await registerUser(t.http, { timezone: 'Asia/Tokyo' });
    await seriesWithExceptions(alice, 'Review');
    // Series never end, so they stay in the feed's window whenever the test runs.
    await create(alice, {
      title: 'Birthday',
      startTime: '2026-03-12',
      endTime: '2026-03-13',
      isAllDay: true,
      recurrenceRule: 'FREQ=YEARLY',
      exdates: ['2027-03-12'],
    });
    const { token } = await newFeed(alice);
    const feed = (await api().get(feedPath(token)).expect(200)).text;

    const first = await importIcs(bob, feed).expect(200);
    expect(first.body).toEqual({ created: 3, updated: 0, unchanged: 0, cancelled: 0, skipped: [] });
    const aliceSees = await agenda(alice);
    expect(aliceSees).toHaveLength(8);
    expect(await agenda(bob)).toEqual(aliceSees);

    const again = await importIcs(bob, feed).expect(200);
    expect(again.body).toEqual({ created: 0, updated: 0, unchanged: 3, cancelled: 0, skipped: [] });
  });

  it('importing your own feed back finds your events by their UID and changes nothing', async () => {
    const alice = await registerUser(t.http, { timezone: NY });
    await seriesWithExceptions(alice, 'Review');
    const before = await agenda(alice);
    const { token } = await newFeed(alice);
    const feed = (await api().get(feedPath(token)).expect(200)).text;
    expect((await importIcs(alice, feed).expect(200)).body).toEqual({ created: 0, updated: 0, unchanged: 2, cancelled: 0, skipped: [] });
    expect(await agenda(alice)).toEqual(before);
  });
});

describe('feed rate limit', () => {
  it('counts feed requests per IP, guesses at tokens included', async () => {
    const limited = await createTestApp({ RATE_LIMIT_PUBLIC_PER_IP: '3' });
    try {
      const guess = () => request(limited.http).get(feedPath('B'.repeat(43)));
      for (let i = 0; i < 3; i += 1) expectProblem(await guess(), 404, 'NOT_FOUND');
      const res = await guess();
      expectProblem(res, 429, 'RATE_LIMITED');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});
