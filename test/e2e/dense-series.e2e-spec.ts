import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { DateTime } from 'luxon';
import request from 'supertest';
import { Clock } from '../../src/common/time/clock.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { expectProblem } from '../setup/problem.js';
import { registerUser, type TestUser } from '../factories/users.js';

// A host whose calendar holds a series every minute of every Monday, Wednesday and Friday for five
// years: 38,880 occurrences in a 62-day window, far past EXPANSION_MAX_OCCURRENCES (5000). Busy time,
// check, slots and the booking page must still answer, from the merged spans of the series. Expected
// values are built here from the calendar itself (luxon), not from the code under test.

let t: TestApp;
let host: TestUser;
let seriesId: string;
let slug: string;

const ZONE = 'America/New_York';
const FROM = '2027-02-22T05:00:00.000Z'; // Monday 00:00 EST; New York springs forward on 14 March
const TO = '2027-04-25T05:00:00.000Z'; // 62 days later, Sunday 01:00 EDT
const NOW = '2027-02-20T12:00:00.000Z';
const SLOT_MINUTES = 15;

const api = () => request(t.http);
const local = (date: string, time = '00:00') => DateTime.fromISO(`${date}T${time}`, { zone: ZONE });
const iso = (d: DateTime) => d.toUTC().toISO() as string;

interface Span {
  s: number;
  e: number;
}

/** What the host's calendar holds, as the test builds it up. */
const removedMinutes: Array<[string, string, number]> = []; // [date, from time, minutes] of the dense series no longer there
const extraBusy: Span[] = [];

function span(date: string, from: string, to: string): Span {
  return { s: local(date, from).toMillis(), e: local(date, to).toMillis() };
}

/** Local dates of the window, Monday 22 February to Saturday 24 April. */
function windowDates(): string[] {
  const out: string[] = [];
  for (let d = local('2027-02-22'); d < DateTime.fromISO(TO); d = d.plus({ days: 1 })) out.push(d.toISODate() as string);
  return out;
}

const weekday = (date: string) => local(date).weekday; // 1 = Monday

/** The dense series' busy time: whole Mondays, Wednesdays and Fridays, minus what was cancelled or moved. */
function denseSpans(): Span[] {
  const days = windowDates()
    .filter((date) => [1, 3, 5].includes(weekday(date)))
    .map((date) => ({ s: local(date).toMillis(), e: local(date).plus({ days: 1 }).toMillis() }));
  return subtract(days, removedMinutes.map(([date, time, minutes]) => ({ s: local(date, time).toMillis(), e: local(date, time).plus({ minutes }).toMillis() })));
}

function expectedBusy(): Span[] {
  const thursdays = windowDates()
    .filter((date) => weekday(date) === 4)
    .map((date) => span(date, '09:00', '10:00'));
  return merge([...denseSpans(), ...thursdays, span('2027-03-02', '13:00', '14:00'), ...extraBusy]);
}

/** Every 15 minutes of 09:00–17:00 on weekdays that overlaps no busy time. */
function expectedSlots(): string[] {
  const busy = expectedBusy();
  const out: string[] = [];
  for (const date of windowDates().filter((d) => weekday(d) <= 5)) {
    for (let start = local(date, '09:00'); start < local(date, '17:00'); start = start.plus({ minutes: SLOT_MINUTES })) {
      const s = start.toMillis();
      const e = s + SLOT_MINUTES * 60_000;
      if (!busy.some((b) => b.s < e && s < b.e)) out.push(new Date(s).toISOString());
    }
  }
  return out;
}

function merge(list: Span[]): Span[] {
  const out: Span[] = [];
  for (const x of [...list].sort((a, b) => a.s - b.s)) {
    const last = out[out.length - 1];
    if (last && x.s <= last.e) last.e = Math.max(last.e, x.e);
    else out.push({ ...x });
  }
  return out;
}

function subtract(from: Span[], minus: Span[]): Span[] {
  let out = from;
  for (const m of minus) {
    out = out.flatMap((x) => (m.e <= x.s || m.s >= x.e ? [x] : [{ s: x.s, e: m.s }, { s: m.e, e: x.e }].filter((y) => y.e > y.s)));
  }
  return out;
}

const asStrings = (spans: Span[]) => spans.map((x) => [new Date(x.s).toISOString(), new Date(x.e).toISOString()]);
const clip = (spans: Span[]) =>
  spans.map((x) => ({ s: Math.max(x.s, Date.parse(FROM)), e: Math.min(x.e, Date.parse(TO)) })).filter((x) => x.e > x.s);

const freeBusy = (details = false) => api().get('/api/v1/availability/free-busy').query({ from: FROM, to: TO, details }).set(host.auth);
const hostSlots = () => api().get('/api/v1/availability/slots').query({ from: FROM, to: TO, duration: SLOT_MINUTES }).set(host.auth);
const pageSlots = () => api().get(`/api/v1/booking-links/${slug}/availability`).query({ from: FROM, to: TO });
const starts = (res: request.Response) => res.body.slots.map((slot: { start: string }) => slot.start);

async function newEvent(owner: TestUser, body: object): Promise<string> {
  const res = await api().post('/api/v1/events').set(owner.auth).send({ timezone: ZONE, ...body }).expect(201);
  return res.body.id;
}

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PUBLIC_PER_IP: '100000' });
  jest.spyOn(t.app.get(Clock), 'now').mockReturnValue(new Date(NOW));
  host = await registerUser(t.http, { timezone: ZONE, name: 'Busy Host' });
  const rules = [1, 2, 3, 4, 5].map((dayOfWeek) => ({ dayOfWeek, startTime: '09:00', endTime: '17:00' }));
  await api().put('/api/v1/availability/schedule').set(host.auth).send({ timezone: ZONE, rules }).expect(200);
  seriesId = await newEvent(host, {
    title: 'Dense',
    startTime: '2027-01-04T00:00:00-05:00',
    endTime: '2027-01-04T00:01:00-05:00',
    recurrenceRule: 'FREQ=MINUTELY;BYDAY=MO,WE,FR;UNTIL=20311231T235900Z',
  });
  // The same on the other weekdays, but free or cancelled: never busy.
  const tuesdaysAndThursdays = { startTime: '2027-01-05T00:00:00-05:00', endTime: '2027-01-05T00:01:00-05:00', recurrenceRule: 'FREQ=MINUTELY;BYDAY=TU,TH;UNTIL=20311231T235900Z' };
  await newEvent(host, { title: 'Free dense', transparency: 'free', ...tuesdaysAndThursdays });
  await newEvent(host, { title: 'Cancelled dense', status: 'cancelled', ...tuesdaysAndThursdays });
  await newEvent(host, { title: 'Standup', startTime: '2027-01-07T09:00:00-05:00', endTime: '2027-01-07T10:00:00-05:00', recurrenceRule: 'FREQ=WEEKLY;BYDAY=TH' });
  await newEvent(host, { title: 'Dentist', startTime: '2027-03-02T13:00:00-05:00', endTime: '2027-03-02T14:00:00-05:00' });
  slug = `dense-${Date.now().toString(36)}`;
  await api().post('/api/v1/booking-links').set(host.auth).send({ slug, title: 'Intro', durationMinutes: SLOT_MINUTES, bookingWindowDays: 90 }).expect(201);
  // An app and five series (each minutely one walked at creation): past Jest's 30 s on a busy machine.
}, 120_000);
afterAll(async () => {
  jest.restoreAllMocks();
  await t?.close();
});

describe('a host with a series every minute for five years', () => {
  it('free/busy over 62 days answers with the merged busy time; details list the series as one span a day', async () => {
    const res = await freeBusy(true).expect(200);
    expect(res.body.busy.map((b: { start: string; end: string }) => [b.start, b.end])).toEqual(asStrings(clip(expectedBusy())));
    const dense = res.body.sources.filter((source: { id: string }) => source.id === seriesId);
    expect(dense.map((b: { start: string; end: string }) => [b.start, b.end])).toEqual(asStrings(denseSpans()));
    expect(dense).toHaveLength(27);
    expect(new Set(dense.map((b: { title: string; source: string }) => `${b.source}:${b.title}`))).toEqual(new Set(['event:Dense']));
    expect(res.body.sources.some((source: { title: string }) => /dense/i.test(source.title) && source.title !== 'Dense')).toBe(false);
  });

  it('check answers with the series as the conflict, and available beside it', async () => {
    const busy = await api()
      .post('/api/v1/availability/check')
      .set(host.auth)
      .send({ start: iso(local('2027-03-03', '10:00')), end: iso(local('2027-03-03', '10:30')) })
      .expect(200);
    expect(busy.body.available).toBe(false);
    expect(busy.body.reasons).toEqual([
      {
        code: 'BUSY',
        message: 'Overlaps 1 busy interval.',
        // The occurrences that overlap the asked time, merged: one conflict, not thirty.
        conflicts: [{ source: 'event', id: seriesId, title: 'Dense', start: iso(local('2027-03-03', '10:00')), end: iso(local('2027-03-03', '10:30')) }],
      },
    ]);
    const free = await api()
      .post('/api/v1/availability/check')
      .set(host.auth)
      .send({ start: iso(local('2027-03-02', '10:00')), end: iso(local('2027-03-02', '10:30')) })
      .expect(200);
    expect(free.body).toMatchObject({ available: true, reasons: [] });
    // A whole-window check (62 days) answers too.
    const all = await api().post('/api/v1/availability/check').set(host.auth).send({ start: FROM, end: TO }).expect(200);
    expect(all.body.reasons.find((r: { code: string }) => r.code === 'BUSY').conflicts.length).toBe(27 + 9 + 1);
  });

  it("the host's slots and the booking page's slots lie only outside the busy time", async () => {
    const expected = expectedSlots();
    expect(expected.length).toBe(9 * 32 - 4 + 9 * 28); // Tuesdays and Thursdays, less the dentist and the standups
    expect(starts(await hostSlots().expect(200))).toEqual(expected);
    expect(starts(await pageSlots().expect(200))).toEqual(expected);
  });

  it('refuses a booking into the series, and books beside it', async () => {
    const booker = { name: 'Grace Hopper', email: 'grace@example.com', timezone: 'Europe/London' };
    expectProblem(await api().post('/api/v1/bookings').send({ ...booker, slug, start: iso(local('2027-03-03', '10:00')) }), 409, 'BOOKING_SLOT_TAKEN');
    await api().post('/api/v1/bookings').send({ ...booker, slug, start: iso(local('2027-03-09', '10:00')) }).expect(201);
    extraBusy.push(span('2027-03-09', '10:00', '10:15'));
    const slots = starts(await pageSlots().expect(200));
    expect(slots).toEqual(expectedSlots());
    expect(slots).not.toContain(iso(local('2027-03-09', '10:00')));
  });

  it('lists of occurrences keep their cap: EXPANSION_TOO_LARGE there', async () => {
    expectProblem(await api().get('/api/v1/calendar/recurring/expand').query({ from: FROM, to: TO }).set(host.auth), 400, 'EXPANSION_TOO_LARGE');
    expectProblem(await api().get(`/api/v1/events/${seriesId}/occurrences`).query({ from: FROM, to: TO }).set(host.auth), 400, 'EXPANSION_TOO_LARGE');
  });

  it('frees the time of occurrences cancelled (EXDATE, DELETE) or moved, on those days only', async () => {
    const minutes = (date: string, time: string, n: number) =>
      Array.from({ length: n }, (_, i) => local(date, time).plus({ minutes: i }).toUTC().toISO({ suppressMilliseconds: true }) as string);
    // Wednesday 10 March 10:00–10:15 through EXDATEs, Friday 12 March 14:00–14:15 through DELETE.
    await api()
      .put(`/api/v1/events/${seriesId}/recurrence`)
      .set(host.auth)
      .send({ recurrenceRule: 'FREQ=MINUTELY;BYDAY=MO,WE,FR;UNTIL=20311231T235900Z', exdates: minutes('2027-03-10', '10:00', SLOT_MINUTES) })
      .expect(200);
    for (const id of minutes('2027-03-12', '14:00', SLOT_MINUTES)) {
      await api().delete(`/api/v1/events/${seriesId}/occurrences/${id}`).set(host.auth).expect(204);
    }
    // Friday 19 March 09:00 moved to Tuesday 16 March 16:00–16:30.
    await api()
      .put(`/api/v1/events/${seriesId}/occurrences/${minutes('2027-03-19', '09:00', 1)[0]}`)
      .set(host.auth)
      .send({ startTime: iso(local('2027-03-16', '16:00')), endTime: iso(local('2027-03-16', '16:30')) })
      .expect(200);
    removedMinutes.push(['2027-03-10', '10:00', SLOT_MINUTES], ['2027-03-12', '14:00', SLOT_MINUTES], ['2027-03-19', '09:00', 1]);
    extraBusy.push(span('2027-03-16', '16:00', '16:30'));

    const res = await freeBusy(true).expect(200);
    expect(res.body.busy.map((b: { start: string; end: string }) => [b.start, b.end])).toEqual(asStrings(clip(expectedBusy())));
    const dense = res.body.sources.filter((source: { id: string }) => source.id === seriesId);
    expect(dense.map((b: { start: string; end: string }) => [b.start, b.end])).toEqual(asStrings(denseSpans()));
    expect(dense).toHaveLength(27 + 3);

    const expected = expectedSlots();
    for (const freed of [local('2027-03-10', '10:00'), local('2027-03-12', '14:00')]) expect(expected).toContain(freed.toUTC().toISO());
    expect(expected).not.toContain(local('2027-03-16', '16:00').toUTC().toISO());
    expect(starts(await hostSlots().expect(200))).toEqual(expected);
    expect(starts(await pageSlots().expect(200))).toEqual(expected);
    const check = await api()
      .post('/api/v1/availability/check')
      .set(host.auth)
      .send({ start: iso(local('2027-03-10', '10:00')), end: iso(local('2027-03-10', '10:15')) })
      .expect(200);
    expect(check.body).toMatchObject({ available: true, reasons: [] });
  });

  it("counts another user's dense series once the invitation is accepted", async () => {
    const organiser = await registerUser(t.http, { timezone: ZONE });
    const invitation = await newEvent(organiser, {
      title: 'Saturday drills',
      startTime: '2027-01-02T10:00:00-05:00',
      endTime: '2027-01-02T10:02:00-05:00',
      recurrenceRule: 'FREQ=MINUTELY;INTERVAL=2;BYDAY=SA;UNTIL=20301231T235900Z',
      attendees: [{ email: host.email }],
    });
    const drills = async () => (await freeBusy(true).expect(200)).body.sources.filter((s: { id: string }) => s.id === invitation);
    expect(await drills()).toEqual([]);
    await api().post(`/api/v1/events/${invitation}/rsvp`).set(host.auth).send({ response: 'accepted' }).expect(200);
    const saturdays = windowDates().filter((date) => weekday(date) === 6);
    expect((await drills()).map((b: { start: string; end: string }) => [b.start, b.end])).toEqual(
      saturdays.map((date) => [iso(local(date)), iso(local(date).plus({ days: 1 }))]),
    );
  });
});
