import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import request from 'supertest';
import { Clock } from '../../src/common/time/clock.js';
import { blocksTime } from '../../src/modules/events/event-busy.js';
import { EventsRepository } from '../../src/modules/events/events.repository.js';
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
afterEach(() => {
  jest.restoreAllMocks();
});

const api = () => request(t.http);
const A = '/api/v1/availability';
const X = '/api/v1/availability/exceptions';
const MISSING = '00000000-0000-4000-8000-000000000000';

const fresh = (timezone = 'UTC') => registerUser(t.http, { timezone });
const addRule = (user: TestUser, body: object) => api().post(A).set(user.auth).send(body);
const addException = (user: TestUser, body: object) => api().post(X).set(user.auth).send(body);
const schedule = (user: TestUser, body: object) => api().put(`${A}/schedule`).set(user.auth).send(body);
const event = (user: TestUser, body: object) => api().post('/api/v1/events').set(user.auth).send(body).expect(201);
const check = (user: TestUser, start: string, end: string) => api().post(`${A}/check`).set(user.auth).send({ start, end });
const fixNow = (iso: string) => jest.spyOn(t.app.get(Clock), 'now').mockReturnValue(new Date(iso));

/** Mon-Fri 09:00-17:00 in the user's zone. */
const workWeek = [1, 2, 3, 4, 5].map((dayOfWeek) => ({ dayOfWeek, startTime: '09:00', endTime: '17:00' }));

describe('weekly rules: POST/GET/PATCH/DELETE /availability', () => {
  it('creates a rule in the user zone, active by default, and lists it', async () => {
    const res = await addRule(alice, { dayOfWeek: 1, startTime: '09:00', endTime: '17:00' }).expect(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      dayOfWeek: 1,
      startTime: '09:00',
      endTime: '17:00',
      timezone: 'America/New_York',
      isActive: true,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const list = await api().get(A).set(alice.auth).expect(200);
    expect(list.body.map((r: { id: string }) => r.id)).toContain(res.body.id);
    expect((await api().get(`${A}/${res.body.id}`).set(alice.auth).expect(200)).body).toEqual(res.body);
  });

  it('keeps several intervals a day, touching ones and 24:00, sorted by weekday and start', async () => {
    const user = await fresh('Europe/Berlin');
    await addRule(user, { dayOfWeek: 3, startTime: '13:00', endTime: '24:00' }).expect(201);
    await addRule(user, { dayOfWeek: 3, startTime: '08:00', endTime: '13:00' }).expect(201);
    await addRule(user, { dayOfWeek: 0, startTime: '10:00', endTime: '11:00', timezone: 'Asia/Tokyo', isActive: false }).expect(201);
    const list = (await api().get(A).set(user.auth).expect(200)).body;
    expect(list.map((r: { dayOfWeek: number; startTime: string; endTime: string; timezone: string; isActive: boolean }) => [r.dayOfWeek, r.startTime, r.endTime, r.timezone, r.isActive])).toEqual([
      [0, '10:00', '11:00', 'Asia/Tokyo', false],
      [3, '08:00', '13:00', 'Europe/Berlin', true],
      [3, '13:00', '24:00', 'Europe/Berlin', true],
    ]);
  });

  it('refuses overlapping active hours of a day and zone with 409, but not inactive ones or other zones', async () => {
    const user = await fresh();
    const base = (await addRule(user, { dayOfWeek: 2, startTime: '09:00', endTime: '12:00' }).expect(201)).body;
    expectProblem(await addRule(user, { dayOfWeek: 2, startTime: '11:00', endTime: '13:00' }), 409, 'AVAILABILITY_OVERLAP');
    expectProblem(await addRule(user, { dayOfWeek: 2, startTime: '08:00', endTime: '18:00' }), 409, 'AVAILABILITY_OVERLAP');
    const inactive = (await addRule(user, { dayOfWeek: 2, startTime: '11:00', endTime: '13:00', isActive: false }).expect(201)).body;
    await addRule(user, { dayOfWeek: 2, startTime: '11:00', endTime: '13:00', timezone: 'Asia/Tokyo' }).expect(201);
    await addRule(user, { dayOfWeek: 3, startTime: '11:00', endTime: '13:00' }).expect(201);
    // Activating the overlapping one, or moving one onto another, is refused the same way.
    expectProblem(await api().patch(`${A}/${inactive.id}`).set(user.auth).send({ isActive: true }), 409, 'AVAILABILITY_OVERLAP');
    expectProblem(await api().patch(`${A}/${base.id}`).set(user.auth).send({ dayOfWeek: 3 }), 409, 'AVAILABILITY_OVERLAP');
    expect((await api().get(A).set(user.auth).expect(200)).body).toHaveLength(4);
  });

  const ok = { dayOfWeek: 1, startTime: '09:00', endTime: '17:00' };
  it.each([
    ['a missing dayOfWeek', { ...ok, dayOfWeek: undefined }, 'dayOfWeek'],
    ['dayOfWeek 7', { ...ok, dayOfWeek: 7 }, 'dayOfWeek'],
    ['dayOfWeek -1', { ...ok, dayOfWeek: -1 }, 'dayOfWeek'],
    ['a fractional dayOfWeek', { ...ok, dayOfWeek: 1.5 }, 'dayOfWeek'],
    ['dayOfWeek as a string', { ...ok, dayOfWeek: '1' }, 'dayOfWeek'],
    ['a missing startTime', { ...ok, startTime: undefined }, 'startTime'],
    ['a startTime without leading zero', { ...ok, startTime: '9:00' }, 'startTime'],
    ['startTime 24:00', { ...ok, startTime: '24:00' }, 'startTime'],
    ['minute 60', { ...ok, startTime: '09:60' }, 'startTime'],
    ['seconds', { ...ok, startTime: '09:00:00' }, 'startTime'],
    ['endTime 24:30', { ...ok, endTime: '24:30' }, 'endTime'],
    ['an end before the start', { ...ok, endTime: '08:00' }, 'endTime'],
    ['an end equal to the start', { ...ok, endTime: '09:00' }, 'endTime'],
    ['an unknown zone', { ...ok, timezone: 'Moon/Base' }, 'timezone'],
    ['an offset as zone', { ...ok, timezone: '+02:00' }, 'timezone'],
    ['isActive as a string', { ...ok, isActive: 'yes' }, 'isActive'],
    ['an unknown field', { ...ok, userId: MISSING }, 'userId'],
  ])('POST answers 400 naming the field for %s', async (_, body, field) => {
    const user = await fresh();
    expectProblem(await addRule(user, body), 400, 'VALIDATION_FAILED', [field]);
    expect((await api().get(A).set(user.auth).expect(200)).body).toEqual([]);
  });

  it('changes a rule and checks the merged hours', async () => {
    const user = await fresh();
    const rule = (await addRule(user, ok).expect(201)).body;
    const res = await api().patch(`${A}/${rule.id}`).set(user.auth).send({ startTime: '10:00', timezone: 'Europe/Paris', isActive: false }).expect(200);
    expect(res.body).toMatchObject({ id: rule.id, dayOfWeek: 1, startTime: '10:00', endTime: '17:00', timezone: 'Europe/Paris', isActive: false });
    expectProblem(await api().patch(`${A}/${rule.id}`).set(user.auth).send({ endTime: '10:00' }), 400, 'VALIDATION_FAILED', ['endTime']);
    expectProblem(await api().patch(`${A}/${rule.id}`).set(user.auth).send({ startTime: null }), 400, 'VALIDATION_FAILED', ['startTime']);
    expectProblem(await api().patch(`${A}/${rule.id}`).set(user.auth).send({ dayOfWeek: 9 }), 400, 'VALIDATION_FAILED', ['dayOfWeek']);
    expectProblem(await api().patch(`${A}/${rule.id}`).set(user.auth).send({ id: MISSING }), 400, 'VALIDATION_FAILED', ['id']);
  });

  it("answers 404 for another user's rule and 400 for a malformed id on every route", async () => {
    const rule = (await addRule(alice, { dayOfWeek: 6, startTime: '10:00', endTime: '11:00' }).expect(201)).body;
    expectProblem(await api().get(`${A}/${rule.id}`).set(bob.auth), 404, 'NOT_FOUND');
    expectProblem(await api().patch(`${A}/${rule.id}`).set(bob.auth).send({ startTime: '09:00' }), 404, 'NOT_FOUND');
    expectProblem(await api().delete(`${A}/${rule.id}`).set(bob.auth), 404, 'NOT_FOUND');
    expectProblem(await api().get(`${A}/${MISSING}`).set(alice.auth), 404, 'NOT_FOUND');
    expectProblem(await api().get(`${A}/nope`).set(alice.auth), 400, 'INVALID_ID');
    expectProblem(await api().patch(`${A}/nope`).set(alice.auth).send({}), 400, 'INVALID_ID');
    expectProblem(await api().delete(`${A}/nope`).set(alice.auth), 400, 'INVALID_ID');
    expect((await api().get(A).set(bob.auth).expect(200)).body.map((r: { id: string }) => r.id)).not.toContain(rule.id);
    // Untouched by Bob's attempts.
    expect((await api().get(`${A}/${rule.id}`).set(alice.auth).expect(200)).body).toMatchObject({ startTime: '10:00' });
    expectProblem(await api().get(A), 401, 'UNAUTHENTICATED');
  });

  it('deletes a rule', async () => {
    const user = await fresh();
    const rule = (await addRule(user, ok).expect(201)).body;
    await api().delete(`${A}/${rule.id}`).set(user.auth).expect(204);
    expectProblem(await api().delete(`${A}/${rule.id}`).set(user.auth), 404, 'NOT_FOUND');
    expect((await api().get(A).set(user.auth).expect(200)).body).toEqual([]);
  });
});

describe('PUT /availability/schedule', () => {
  it('replaces every rule, inactive ones included, in one zone', async () => {
    const user = await fresh('Europe/Berlin');
    await addRule(user, { dayOfWeek: 6, startTime: '10:00', endTime: '12:00' }).expect(201);
    await addRule(user, { dayOfWeek: 0, startTime: '10:00', endTime: '12:00', isActive: false }).expect(201);
    const res = await schedule(user, {
      timezone: 'America/New_York',
      rules: [
        { dayOfWeek: 2, startTime: '13:00', endTime: '17:00' },
        { dayOfWeek: 2, startTime: '09:00', endTime: '12:00' },
        { dayOfWeek: 1, startTime: '09:00', endTime: '17:00' },
      ],
    }).expect(200);
    const shape = (rules: Array<{ dayOfWeek: number; startTime: string; endTime: string; timezone: string; isActive: boolean }>) =>
      rules.map((r) => [r.dayOfWeek, r.startTime, r.endTime, r.timezone, r.isActive]);
    const expected = [
      [1, '09:00', '17:00', 'America/New_York', true],
      [2, '09:00', '12:00', 'America/New_York', true],
      [2, '13:00', '17:00', 'America/New_York', true],
    ];
    expect(shape(res.body)).toEqual(expected);
    expect(shape((await api().get(A).set(user.auth).expect(200)).body)).toEqual(expected);
  });

  it('defaults to the user zone and clears the week with an empty list', async () => {
    const user = await fresh('Asia/Kolkata');
    const res = await schedule(user, { rules: workWeek }).expect(200);
    expect(res.body).toHaveLength(5);
    expect(new Set(res.body.map((r: { timezone: string }) => r.timezone))).toEqual(new Set(['Asia/Kolkata']));
    expect((await schedule(user, { rules: [] }).expect(200)).body).toEqual([]);
    expect((await api().get(A).set(user.auth).expect(200)).body).toEqual([]);
  });

  it.each([
    ['missing rules', {}, 'rules'],
    ['rules as an object', { rules: { dayOfWeek: 1 } }, 'rules'],
    ['a bad day', { rules: [{ dayOfWeek: 8, startTime: '09:00', endTime: '10:00' }] }, 'rules[0].dayOfWeek'],
    ['a bad time', { rules: [{ dayOfWeek: 1, startTime: '9am', endTime: '10:00' }] }, 'rules[0].startTime'],
    ['an end before the start', { rules: [workWeek[0], { dayOfWeek: 2, startTime: '10:00', endTime: '09:00' }] }, 'rules[1].endTime'],
    ['overlapping rules', { rules: [workWeek[0], { dayOfWeek: 1, startTime: '16:00', endTime: '18:00' }] }, 'rules[1]'],
    ['a per-rule zone', { rules: [{ ...workWeek[0], timezone: 'UTC' }] }, 'rules[0].timezone'],
    ['an unknown zone', { timezone: 'Nowhere', rules: workWeek }, 'timezone'],
    ['an unknown field', { rules: workWeek, replace: true }, 'replace'],
  ])('answers 400 naming the field for %s and keeps the old week', async (_, body, field) => {
    const user = await fresh();
    await schedule(user, { rules: workWeek }).expect(200);
    expectProblem(await schedule(user, body), 400, 'VALIDATION_FAILED', [field]);
    expect((await api().get(A).set(user.auth).expect(200)).body).toHaveLength(5);
  });

  it('leaves one of two concurrent weeks, never their union', async () => {
    const user = await fresh();
    const mornings = [{ dayOfWeek: 1, startTime: '09:00', endTime: '12:00' }];
    const afternoons = [{ dayOfWeek: 1, startTime: '13:00', endTime: '17:00' }];
    for (let round = 0; round < 5; round++) {
      await Promise.all([schedule(user, { rules: mornings }).expect(200), schedule(user, { rules: afternoons }).expect(200)]);
      const week = (await api().get(A).set(user.auth).expect(200)).body;
      expect(week).toHaveLength(1);
    }
  });

  it("never touches another user's rules", async () => {
    const other = await fresh();
    await schedule(other, { rules: workWeek }).expect(200);
    const user = await fresh();
    await schedule(user, { rules: [] }).expect(200);
    expect((await api().get(A).set(other.auth).expect(200)).body).toHaveLength(5);
  });
});

describe('date exceptions: /availability/exceptions', () => {
  it('creates a day off by default and a day with other hours when hours are given', async () => {
    const off = await addException(alice, { date: '2026-12-24', reason: 'Christmas Eve' }).expect(201);
    expect(off.body).toEqual({
      id: expect.any(String),
      date: '2026-12-24',
      isUnavailable: true,
      startTime: null,
      endTime: null,
      timezone: 'America/New_York',
      reason: 'Christmas Eve',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const hours = await addException(alice, { date: '2026-12-31', startTime: '10:00', endTime: '13:00', timezone: 'Europe/Berlin' }).expect(201);
    expect(hours.body).toMatchObject({ date: '2026-12-31', isUnavailable: false, startTime: '10:00', endTime: '13:00', timezone: 'Europe/Berlin', reason: null });
    expect((await api().get(`${X}/${hours.body.id}`).set(alice.auth).expect(200)).body).toEqual(hours.body);
  });

  it('allows several intervals on one date, refuses overlaps and a day off beside hours', async () => {
    const user = await fresh();
    await addException(user, { date: '2026-07-01', isUnavailable: false, startTime: '09:00', endTime: '11:00' }).expect(201);
    await addException(user, { date: '2026-07-01', startTime: '11:00', endTime: '12:00' }).expect(201);
    expectProblem(await addException(user, { date: '2026-07-01', startTime: '10:30', endTime: '11:30' }), 409, 'AVAILABILITY_OVERLAP');
    expectProblem(await addException(user, { date: '2026-07-01' }), 409, 'AVAILABILITY_OVERLAP');
    await addException(user, { date: '2026-07-02' }).expect(201);
    expectProblem(await addException(user, { date: '2026-07-02', reason: 'twice' }), 409, 'AVAILABILITY_OVERLAP');
    expectProblem(await addException(user, { date: '2026-07-02', startTime: '09:00', endTime: '10:00' }), 409, 'AVAILABILITY_OVERLAP');
    const list = (await api().get(X).set(user.auth).expect(200)).body;
    expect(list.meta).toEqual({ page: 1, limit: 50, total: 3 });
  });

  it('lists by date with from/to and pages', async () => {
    const user = await fresh();
    for (const date of ['2026-08-03', '2026-08-01', '2026-09-01', '2026-08-02']) await addException(user, { date }).expect(201);
    const dates = (res: request.Response) => res.body.data.map((x: { date: string }) => x.date);
    const all = await api().get(X).set(user.auth).expect(200);
    expect(dates(all)).toEqual(['2026-08-01', '2026-08-02', '2026-08-03', '2026-09-01']);
    const august = await api().get(X).query({ from: '2026-08-02', to: '2026-08-31' }).set(user.auth).expect(200);
    expect(dates(august)).toEqual(['2026-08-02', '2026-08-03']);
    const page2 = await api().get(X).query({ limit: 3, page: 2 }).set(user.auth).expect(200);
    expect(page2.body).toMatchObject({ meta: { page: 2, limit: 3, total: 4 } });
    expect(dates(page2)).toEqual(['2026-09-01']);
    const beyond = await api().get(X).query({ limit: 3, page: 5 }).set(user.auth).expect(200);
    expect(beyond.body).toEqual({ data: [], meta: { page: 5, limit: 3, total: 4 } });
    expectProblem(await api().get(X).query({ from: '2026-13-01' }).set(user.auth), 400, 'VALIDATION_FAILED', ['from']);
    expectProblem(await api().get(X).query({ limit: 500 }).set(user.auth), 400, 'VALIDATION_FAILED', ['limit']);
    expectProblem(await api().get(X).query({ year: 2026 }).set(user.auth), 400, 'VALIDATION_FAILED', ['year']);
  });

  const day = { date: '2026-05-05' };
  it.each([
    ['a missing date', {}, 'date'],
    ['an impossible date', { date: '2026-02-30' }, 'date'],
    ['a date without zero padding', { date: '2026-5-5' }, 'date'],
    ['a date-time', { date: '2026-05-05T00:00:00Z' }, 'date'],
    ['a date after 2999', { date: '3000-01-01' }, 'date'],
    ['a date before 1900', { date: '1899-12-31' }, 'date'],
    ['isUnavailable as a string', { ...day, isUnavailable: 'no' }, 'isUnavailable'],
    ['hours on a day off', { ...day, isUnavailable: true, startTime: '09:00', endTime: '10:00' }, 'startTime'],
    ['no hours on an available day', { ...day, isUnavailable: false }, 'startTime'],
    ['a start without an end', { ...day, startTime: '09:00' }, 'endTime'],
    ['an end before the start', { ...day, startTime: '10:00', endTime: '09:00' }, 'endTime'],
    ['a bad time', { ...day, startTime: '25:00', endTime: '26:00' }, 'startTime'],
    ['a null time', { ...day, startTime: null, endTime: '10:00' }, 'startTime'],
    ['an unknown zone', { ...day, timezone: 'Mars/Olympus' }, 'timezone'],
    ['a reason too long', { ...day, reason: 'x'.repeat(501) }, 'reason'],
    ['an unknown field', { ...day, allDay: true }, 'allDay'],
  ])('POST answers 400 naming the field for %s', async (_, body, field) => {
    const user = await fresh();
    expectProblem(await addException(user, body), 400, 'VALIDATION_FAILED', [field]);
    expect((await api().get(X).set(user.auth).expect(200)).body.meta.total).toBe(0);
  });

  it('changes an exception: hours, back to a day off, reason cleared', async () => {
    const user = await fresh('Europe/Berlin');
    const x = (await addException(user, { date: '2026-05-05', reason: 'Dentist' }).expect(201)).body;
    const hours = await api().patch(`${X}/${x.id}`).set(user.auth).send({ startTime: '14:00', endTime: '18:00' }).expect(200);
    expect(hours.body).toMatchObject({ date: '2026-05-05', isUnavailable: false, startTime: '14:00', endTime: '18:00', reason: 'Dentist', timezone: 'Europe/Berlin' });
    const moved = await api().patch(`${X}/${x.id}`).set(user.auth).send({ date: '2026-05-06', endTime: '16:00', reason: null }).expect(200);
    expect(moved.body).toMatchObject({ date: '2026-05-06', isUnavailable: false, startTime: '14:00', endTime: '16:00', reason: null });
    const off = await api().patch(`${X}/${x.id}`).set(user.auth).send({ isUnavailable: true }).expect(200);
    expect(off.body).toMatchObject({ isUnavailable: true, startTime: null, endTime: null });
    expectProblem(await api().patch(`${X}/${x.id}`).set(user.auth).send({ isUnavailable: false }), 400, 'VALIDATION_FAILED', ['startTime', 'endTime']);
    expectProblem(await api().patch(`${X}/${x.id}`).set(user.auth).send({ isUnavailable: true, endTime: '10:00' }), 400, 'VALIDATION_FAILED', ['endTime']);
    expectProblem(await api().patch(`${X}/${x.id}`).set(user.auth).send({ date: null }), 400, 'VALIDATION_FAILED', ['date']);
    expectProblem(await api().patch(`${X}/${x.id}`).set(user.auth).send({ date: '2026-02-29' }), 400, 'VALIDATION_FAILED', ['date']);
    const other = (await addException(user, { date: '2026-05-07' }).expect(201)).body;
    expectProblem(await api().patch(`${X}/${other.id}`).set(user.auth).send({ date: '2026-05-06' }), 409, 'AVAILABILITY_OVERLAP');
  });

  it("answers 404 for another user's exception and 400 for a malformed id on every route", async () => {
    const x = (await addException(alice, { date: '2026-04-04' }).expect(201)).body;
    expectProblem(await api().get(`${X}/${x.id}`).set(bob.auth), 404, 'NOT_FOUND');
    expectProblem(await api().patch(`${X}/${x.id}`).set(bob.auth).send({ reason: 'mine' }), 404, 'NOT_FOUND');
    expectProblem(await api().delete(`${X}/${x.id}`).set(bob.auth), 404, 'NOT_FOUND');
    expectProblem(await api().get(`${X}/nope`).set(alice.auth), 400, 'INVALID_ID');
    expectProblem(await api().patch(`${X}/nope`).set(alice.auth).send({}), 400, 'INVALID_ID');
    expectProblem(await api().delete(`${X}/nope`).set(alice.auth), 400, 'INVALID_ID');
    const bobs = (await api().get(X).set(bob.auth).expect(200)).body.data.map((e: { id: string }) => e.id);
    expect(bobs).not.toContain(x.id);
    await api().delete(`${X}/${x.id}`).set(alice.auth).expect(204);
    expectProblem(await api().get(`${X}/${x.id}`).set(alice.auth), 404, 'NOT_FOUND');
  });
});

describe('GET /availability/free-busy', () => {
  let user: TestUser;
  let host: TestUser;
  const ids: Record<string, string> = {};
  const window = { from: '2026-06-01T00:00:00Z', to: '2026-06-08T00:00:00Z' };

  beforeAll(async () => {
    user = await fresh();
    host = await fresh('Europe/Berlin');
    const timed = (title: string, startTime: string, endTime: string, extra: object = {}) => ({ title, startTime, endTime, ...extra });
    ids.edge = (await event(user, timed('Edge', '2026-05-31T23:00:00Z', '2026-06-01T01:00:00Z'))).body.id;
    ids.a = (await event(user, timed('A', '2026-06-01T10:00:00Z', '2026-06-01T11:00:00Z'))).body.id;
    ids.b = (await event(user, timed('B', '2026-06-01T10:30:00Z', '2026-06-01T12:00:00Z'))).body.id;
    ids.c = (await event(user, timed('C', '2026-06-01T12:00:00Z', '2026-06-01T12:30:00Z'))).body.id;
    await event(user, timed('Free', '2026-06-01T14:00:00Z', '2026-06-01T15:00:00Z', { transparency: 'free' }));
    await event(user, timed('Cancelled', '2026-06-01T16:00:00Z', '2026-06-01T17:00:00Z', { status: 'cancelled' }));
    await event(user, timed('Later', '2026-06-10T10:00:00Z', '2026-06-10T11:00:00Z'));
    ids.tentative = (await event(user, timed('Maybe', '2026-06-07T08:00:00Z', '2026-06-07T09:00:00Z', { status: 'tentative' }))).body.id;

    // A daily series: 06-02 as is, 06-03 moved, 06-04 cancelled, 06-05 edited to free.
    ids.series = (await event(user, timed('Daily', '2026-06-02T09:00:00Z', '2026-06-02T09:30:00Z', { recurrenceRule: 'FREQ=DAILY;COUNT=4' }))).body.id;
    const occurrence = (id: string) => `/api/v1/events/${ids.series}/occurrences/${id}`;
    ids.moved = (
      await api().put(occurrence('2026-06-03T09:00:00Z')).set(user.auth).send({ title: 'Moved', startTime: '2026-06-03T15:00:00Z', endTime: '2026-06-03T16:00:00Z' }).expect(200)
    ).body.id;
    await api().delete(occurrence('2026-06-04T09:00:00Z')).set(user.auth).expect(204);
    await api().put(occurrence('2026-06-05T09:00:00Z')).set(user.auth).send({ transparency: 'free' }).expect(200);

    // Invitations from another user: only the accepted one counts.
    const invite = (title: string, startTime: string, endTime: string) =>
      event(host, timed(title, startTime, endTime, { attendees: [{ email: user.email }] }));
    ids.accepted = (await invite('Accepted', '2026-06-06T10:00:00Z', '2026-06-06T11:00:00Z')).body.id;
    await api().post(`/api/v1/events/${ids.accepted}/rsvp`).set(user.auth).send({ response: 'accepted' }).expect(200);
    await invite('Unanswered', '2026-06-06T13:00:00Z', '2026-06-06T14:00:00Z');
    const declined = (await invite('Declined', '2026-06-06T15:00:00Z', '2026-06-06T16:00:00Z')).body.id;
    await api().post(`/api/v1/events/${declined}/rsvp`).set(user.auth).send({ response: 'declined' }).expect(200);
    await event(host, timed('Host only', '2026-06-06T17:00:00Z', '2026-06-06T18:00:00Z'));
  });

  const freeBusy = (who: TestUser, query: object) => api().get(`${A}/free-busy`).query(query).set(who.auth);

  it('merges busy events, series occurrences and overrides and accepted invitations, clipped to the window', async () => {
    const res = await freeBusy(user, window).expect(200);
    expect(res.body).toEqual({
      from: '2026-06-01T00:00:00.000Z',
      to: '2026-06-08T00:00:00.000Z',
      busy: [
        { start: '2026-06-01T00:00:00.000Z', end: '2026-06-01T01:00:00.000Z' },
        { start: '2026-06-01T10:00:00.000Z', end: '2026-06-01T12:30:00.000Z' },
        { start: '2026-06-02T09:00:00.000Z', end: '2026-06-02T09:30:00.000Z' },
        { start: '2026-06-03T15:00:00.000Z', end: '2026-06-03T16:00:00.000Z' },
        { start: '2026-06-06T10:00:00.000Z', end: '2026-06-06T11:00:00.000Z' },
        { start: '2026-06-07T08:00:00.000Z', end: '2026-06-07T09:00:00.000Z' },
      ],
    });
  });

  it('lists each source interval with its id and title with details=true', async () => {
    const res = await freeBusy(user, { ...window, details: 'true' }).expect(200);
    expect(res.body.sources).toEqual([
      { source: 'event', id: ids.edge, title: 'Edge', start: '2026-05-31T23:00:00.000Z', end: '2026-06-01T01:00:00.000Z' },
      { source: 'event', id: ids.a, title: 'A', start: '2026-06-01T10:00:00.000Z', end: '2026-06-01T11:00:00.000Z' },
      { source: 'event', id: ids.b, title: 'B', start: '2026-06-01T10:30:00.000Z', end: '2026-06-01T12:00:00.000Z' },
      { source: 'event', id: ids.c, title: 'C', start: '2026-06-01T12:00:00.000Z', end: '2026-06-01T12:30:00.000Z' },
      { source: 'event', id: ids.series, title: 'Daily', start: '2026-06-02T09:00:00.000Z', end: '2026-06-02T09:30:00.000Z' },
      { source: 'event', id: ids.moved, title: 'Moved', start: '2026-06-03T15:00:00.000Z', end: '2026-06-03T16:00:00.000Z' },
      { source: 'event', id: ids.accepted, title: 'Accepted', start: '2026-06-06T10:00:00.000Z', end: '2026-06-06T11:00:00.000Z' },
      { source: 'event', id: ids.tentative, title: 'Maybe', start: '2026-06-07T08:00:00.000Z', end: '2026-06-07T09:00:00.000Z' },
    ]);
    expect((await freeBusy(user, { ...window, details: 'false' }).expect(200)).body.sources).toBeUndefined();
  });

  it('reads from PostgreSQL only the events that can block time', async () => {
    const visible = await t.app.get(EventsRepository).findBusyInWindow(user.id, user.email, { from: new Date(window.from), to: new Date(window.to) });
    // Not the free or cancelled events, the series' cancelled and free overrides, or the unanswered and
    // declined invitations: busy time would drop them anyway (blocksTime), and the free-busy tests above
    // show the occurrences those overrides replace stay replaced.
    expect(visible.map((entry) => entry.event.id).sort()).toEqual([ids.edge, ids.a, ids.b, ids.c, ids.series, ids.moved, ids.accepted, ids.tentative].sort());
    expect(visible.every((entry) => blocksTime(entry))).toBe(true);
  });

  it("shows each user only their own busy time", async () => {
    const res = await freeBusy(host, window).expect(200);
    expect(res.body.busy).toEqual([
      { start: '2026-06-06T10:00:00.000Z', end: '2026-06-06T11:00:00.000Z' },
      { start: '2026-06-06T13:00:00.000Z', end: '2026-06-06T14:00:00.000Z' },
      { start: '2026-06-06T15:00:00.000Z', end: '2026-06-06T16:00:00.000Z' },
      { start: '2026-06-06T17:00:00.000Z', end: '2026-06-06T18:00:00.000Z' },
    ]);
    expect((await freeBusy(await fresh(), window).expect(200)).body.busy).toEqual([]);
  });

  it.each([
    ['a missing from', { to: window.to }, 'from', 'WINDOW_REQUIRED'],
    ['a missing to', { from: window.from }, 'to', 'WINDOW_REQUIRED'],
    ['a from without offset', { ...window, from: '2026-06-01T00:00:00' }, 'from', 'VALIDATION_FAILED'],
    ['a date as to', { ...window, to: '2026-06-08' }, 'to', 'VALIDATION_FAILED'],
    ['to before from', { from: window.to, to: window.from }, 'to', 'VALIDATION_FAILED'],
    ['to equal to from', { from: window.from, to: window.from }, 'to', 'VALIDATION_FAILED'],
    ['a window over 62 days', { from: '2026-06-01T00:00:00Z', to: '2026-08-02T00:00:01Z' }, 'to', 'WINDOW_TOO_LARGE'],
    ['a from before 1900', { from: '1899-12-31T00:00:00Z', to: '1900-01-02T00:00:00Z' }, 'from', 'VALIDATION_FAILED'],
    ['a to after 2999', { from: '2999-12-31T00:00:00Z', to: '3000-01-01T00:00:01Z' }, 'to', 'VALIDATION_FAILED'],
    ['details=maybe', { ...window, details: 'maybe' }, 'details', 'VALIDATION_FAILED'],
    ['an unknown parameter', { ...window, userId: MISSING }, 'userId', 'VALIDATION_FAILED'],
  ])('answers 400 naming the field for %s', async (_, query, field, code) => {
    expectProblem(await freeBusy(user, query), 400, code, [field]);
  });

  it('accepts exactly 62 days', async () => {
    await freeBusy(user, { from: '2026-06-01T00:00:00Z', to: '2026-08-02T00:00:00Z' }).expect(200);
  });
});

describe('POST /availability/check', () => {
  it('reads the hours in the host zone across the DST change (America/New_York)', async () => {
    const host = await fresh('America/New_York');
    await schedule(host, { rules: workWeek }).expect(200);
    // Monday 2026-03-09 is in EDT (UTC-4): 13:00Z is 09:00, 21:30Z is 17:30.
    expect((await check(host, '2026-03-09T13:00:00Z', '2026-03-09T13:30:00Z').expect(200)).body).toEqual({
      available: true,
      start: '2026-03-09T13:00:00.000Z',
      end: '2026-03-09T13:30:00.000Z',
      reasons: [],
    });
    const late = (await check(host, '2026-03-09T21:30:00Z', '2026-03-09T22:00:00Z').expect(200)).body;
    expect(late).toMatchObject({ available: false, reasons: [{ code: 'OUTSIDE_HOURS', message: expect.any(String) }] });
    // The Friday before is in EST (UTC-5): the same UTC times are 08:00 (outside) and 16:30 (inside).
    expect((await check(host, '2026-03-06T13:00:00Z', '2026-03-06T13:30:00Z').expect(200)).body.available).toBe(false);
    expect((await check(host, '2026-03-06T21:30:00Z', '2026-03-06T22:00:00Z').expect(200)).body.available).toBe(true);
    // Offsets in the input are honoured: 16:30-17:00 EDT is inside, up to 17:01 is not.
    expect((await check(host, '2026-03-09T16:30:00-04:00', '2026-03-09T17:00:00-04:00').expect(200)).body.available).toBe(true);
    expect((await check(host, '2026-03-09T16:30:00-04:00', '2026-03-09T17:01:00-04:00').expect(200)).body.available).toBe(false);
  });

  it('reports exceptions: a day off, and hours outside the replacement hours', async () => {
    const user = await fresh();
    await schedule(user, { rules: workWeek }).expect(200);
    const off = (await addException(user, { date: '2026-06-09', reason: 'Conference' }).expect(201)).body;
    const short = (await addException(user, { date: '2026-06-10', startTime: '13:00', endTime: '15:00' }).expect(201)).body;

    const dayOff = (await check(user, '2026-06-09T10:00:00Z', '2026-06-09T11:00:00Z').expect(200)).body;
    expect(dayOff).toMatchObject({ available: false, reasons: [{ code: 'EXCEPTION', exceptions: [{ id: off.id, isUnavailable: true, reason: 'Conference' }] }] });
    expect(dayOff.reasons).toHaveLength(1);

    expect((await check(user, '2026-06-10T13:30:00Z', '2026-06-10T14:30:00Z').expect(200)).body.available).toBe(true);
    const morning = (await check(user, '2026-06-10T10:00:00Z', '2026-06-10T11:00:00Z').expect(200)).body;
    expect(morning).toMatchObject({ available: false, reasons: [{ code: 'EXCEPTION', exceptions: [{ id: short.id, startTime: '13:00', endTime: '15:00' }] }] });
    // Outside the weekly hours anyway: that is OUTSIDE_HOURS, not the exception.
    const evening = (await check(user, '2026-06-10T18:00:00Z', '2026-06-10T19:00:00Z').expect(200)).body;
    expect(evening.reasons.map((r: { code: string }) => r.code)).toEqual(['OUTSIDE_HOURS']);
    const saturday = (await check(user, '2026-06-13T10:00:00Z', '2026-06-13T11:00:00Z').expect(200)).body;
    expect(saturday.reasons.map((r: { code: string }) => r.code)).toEqual(['OUTSIDE_HOURS']);
  });

  it('reports busy time with the conflicting ids and titles, beside the hours', async () => {
    const user = await fresh();
    await schedule(user, { rules: workWeek }).expect(200);
    const dentist = (await event(user, { title: 'Dentist', startTime: '2026-06-11T10:00:00Z', endTime: '2026-06-11T11:00:00Z' })).body;
    const standup = (
      await event(user, { title: 'Standup', startTime: '2026-06-08T11:15:00Z', endTime: '2026-06-08T11:30:00Z', recurrenceRule: 'FREQ=DAILY;COUNT=5' })
    ).body;
    await event(user, { title: 'Gym', startTime: '2026-06-11T20:30:00Z', endTime: '2026-06-11T21:30:00Z' });
    await event(user, { title: 'Free', startTime: '2026-06-11T14:00:00Z', endTime: '2026-06-11T15:00:00Z', transparency: 'free' });

    const busy = (await check(user, '2026-06-11T10:30:00Z', '2026-06-11T11:30:00Z').expect(200)).body;
    expect(busy).toEqual({
      available: false,
      start: '2026-06-11T10:30:00.000Z',
      end: '2026-06-11T11:30:00.000Z',
      reasons: [
        {
          code: 'BUSY',
          message: 'Overlaps 2 busy intervals.',
          conflicts: [
            { source: 'event', id: dentist.id, title: 'Dentist', start: '2026-06-11T10:00:00.000Z', end: '2026-06-11T11:00:00.000Z' },
            { source: 'event', id: standup.id, title: 'Standup', start: '2026-06-11T11:15:00.000Z', end: '2026-06-11T11:30:00.000Z' },
          ],
        },
      ],
    });
    // Touching is not overlapping; free events never conflict.
    expect((await check(user, '2026-06-11T11:00:00Z', '2026-06-11T11:15:00Z').expect(200)).body.available).toBe(true);
    expect((await check(user, '2026-06-11T14:00:00Z', '2026-06-11T15:00:00Z').expect(200)).body.available).toBe(true);
    const evening = (await check(user, '2026-06-11T20:00:00Z', '2026-06-11T21:00:00Z').expect(200)).body;
    expect(evening.reasons.map((r: { code: string }) => r.code)).toEqual(['OUTSIDE_HOURS', 'BUSY']);
    // Another user's calendar does not make this one busy.
    expect((await check(bob, '2026-06-11T10:30:00Z', '2026-06-11T11:30:00Z').expect(200)).body.reasons.map((r: { code: string }) => r.code)).toEqual(['OUTSIDE_HOURS']);
  });

  const ok = { start: '2026-06-11T10:00:00Z', end: '2026-06-11T11:00:00Z' };
  it.each([
    ['a missing start', { end: ok.end }, 'start', 'VALIDATION_FAILED'],
    ['a missing end', { start: ok.start }, 'end', 'VALIDATION_FAILED'],
    ['a start without offset', { ...ok, start: '2026-06-11T10:00:00' }, 'start', 'VALIDATION_FAILED'],
    ['a numeric end', { ...ok, end: 1781172000000 }, 'end', 'VALIDATION_FAILED'],
    ['an end before the start', { start: ok.end, end: ok.start }, 'end', 'VALIDATION_FAILED'],
    ['an interval over 62 days', { ...ok, end: '2026-09-11T10:00:00Z' }, 'end', 'WINDOW_TOO_LARGE'],
    ['an unknown field', { ...ok, userId: MISSING }, 'userId', 'VALIDATION_FAILED'],
  ])('answers 400 naming the field for %s', async (_, body, field, code) => {
    expectProblem(await api().post(`${A}/check`).set(alice.auth).send(body), 400, code, [field]);
  });
});

describe('GET /availability/slots', () => {
  const slots = (who: TestUser, query: object) => api().get(`${A}/slots`).query(query).set(who.auth);
  const week = { from: '2026-10-23T00:00:00Z', to: '2026-10-27T00:00:00Z', duration: 60 };
  // Friday and Monday mornings, and Sunday 01:00-04:00 across the end of summer time (03:00 CEST -> 02:00 CET).
  const berlinRules = [
    { dayOfWeek: 5, startTime: '09:00', endTime: '12:00' },
    { dayOfWeek: 0, startTime: '01:00', endTime: '04:00' },
    { dayOfWeek: 1, startTime: '09:00', endTime: '12:00' },
  ];
  const starts = (res: request.Response) => res.body.slots.map((s: { start: string }) => s.start);

  it('lists slots for a Europe/Berlin user in the week summer time ends', async () => {
    fixNow('2026-10-01T00:00:00Z');
    const user = await fresh('Europe/Berlin');
    await schedule(user, { rules: berlinRules }).expect(200);
    const res = await slots(user, week).expect(200);
    expect(res.body).toMatchObject({ from: '2026-10-23T00:00:00.000Z', to: '2026-10-27T00:00:00.000Z', duration: 60, timezone: 'Europe/Berlin' });
    expect(res.body.slots.map((s: { start: string; end: string; localStart: string }) => [s.start, s.end, s.localStart])).toEqual([
      // Friday in CEST (UTC+2)
      ['2026-10-23T07:00:00.000Z', '2026-10-23T08:00:00.000Z', '2026-10-23T09:00:00+02:00'],
      ['2026-10-23T08:00:00.000Z', '2026-10-23T09:00:00.000Z', '2026-10-23T10:00:00+02:00'],
      ['2026-10-23T09:00:00.000Z', '2026-10-23T10:00:00.000Z', '2026-10-23T11:00:00+02:00'],
      // Sunday 01:00 CEST to 04:00 CET is four real hours: 02:00 happens twice.
      ['2026-10-24T23:00:00.000Z', '2026-10-25T00:00:00.000Z', '2026-10-25T01:00:00+02:00'],
      ['2026-10-25T00:00:00.000Z', '2026-10-25T01:00:00.000Z', '2026-10-25T02:00:00+02:00'],
      ['2026-10-25T01:00:00.000Z', '2026-10-25T02:00:00.000Z', '2026-10-25T02:00:00+01:00'],
      ['2026-10-25T02:00:00.000Z', '2026-10-25T03:00:00.000Z', '2026-10-25T03:00:00+01:00'],
      // Monday in CET (UTC+1)
      ['2026-10-26T08:00:00.000Z', '2026-10-26T09:00:00.000Z', '2026-10-26T09:00:00+01:00'],
      ['2026-10-26T09:00:00.000Z', '2026-10-26T10:00:00.000Z', '2026-10-26T10:00:00+01:00'],
      ['2026-10-26T10:00:00.000Z', '2026-10-26T11:00:00.000Z', '2026-10-26T11:00:00+01:00'],
    ]);

    // timezone only changes localStart (New York is still on EDT until November 1).
    const ny = await slots(user, { ...week, timezone: 'America/New_York' }).expect(200);
    expect(starts(ny)).toEqual(starts(res));
    expect(ny.body.timezone).toBe('America/New_York');
    expect(ny.body.slots[7].localStart).toBe('2026-10-26T04:00:00-04:00');

    // 90-minute slots: two fit in Friday's three hours, the rest is left over.
    const long = await slots(user, { ...week, duration: 90 }).expect(200);
    expect(starts(long)).toEqual([
      '2026-10-23T07:00:00.000Z',
      '2026-10-23T08:30:00.000Z',
      '2026-10-24T23:00:00.000Z',
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T08:00:00.000Z',
      '2026-10-26T09:30:00.000Z',
    ]);
  });

  it('reflects exceptions and busy time', async () => {
    fixNow('2026-10-01T00:00:00Z');
    const user = await fresh('Europe/Berlin');
    await schedule(user, { rules: berlinRules }).expect(200);
    await addException(user, { date: '2026-10-23', reason: 'Bridge day' }).expect(201);
    await addException(user, { date: '2026-10-26', startTime: '14:00', endTime: '15:30' }).expect(201);
    await addException(user, { date: '2026-10-26', startTime: '16:00', endTime: '18:00' }).expect(201);
    await event(user, { title: 'Late call', startTime: '2026-10-25T00:30:00Z', endTime: '2026-10-25T00:45:00Z' });
    await event(user, { title: 'Review', startTime: '2026-10-26T15:30:00Z', endTime: '2026-10-26T16:30:00Z' });
    const res = await slots(user, week).expect(200);
    expect(starts(res)).toEqual([
      '2026-10-24T23:00:00.000Z',
      // 00:00Z is taken by the late call.
      '2026-10-25T01:00:00.000Z',
      '2026-10-25T02:00:00.000Z',
      // Monday: 14:00-15:30 CET holds one hour; 16:00-18:00 CET (15:00Z-17:00Z) loses 15:00Z to the review.
      '2026-10-26T13:00:00.000Z',
      // The review ends 16:30Z, after which one hour no longer fits before 17:00Z.
    ]);
  });

  it('never offers the past, and keeps the grid', async () => {
    fixNow('2026-10-26T08:30:00Z');
    const user = await fresh('Europe/Berlin');
    await schedule(user, { rules: berlinRules }).expect(200);
    expect(starts(await slots(user, week).expect(200))).toEqual(['2026-10-26T09:00:00.000Z', '2026-10-26T10:00:00.000Z']);
    fixNow('2026-12-01T00:00:00Z');
    expect((await slots(user, week).expect(200)).body.slots).toEqual([]);
  });

  it('has no slots without rules', async () => {
    fixNow('2026-10-01T00:00:00Z');
    expect((await slots(await fresh(), week).expect(200)).body.slots).toEqual([]);
  });

  it.each([
    ['a missing duration', { from: week.from, to: week.to }, 'duration', 'VALIDATION_FAILED'],
    ['a zero duration', { ...week, duration: 0 }, 'duration', 'VALIDATION_FAILED'],
    ['a duration over a day', { ...week, duration: 1441 }, 'duration', 'VALIDATION_FAILED'],
    ['a fractional duration', { ...week, duration: 2.5 }, 'duration', 'VALIDATION_FAILED'],
    ['a word as duration', { ...week, duration: 'hour' }, 'duration', 'VALIDATION_FAILED'],
    ['an unknown zone', { ...week, timezone: 'Europe/Atlantis' }, 'timezone', 'VALIDATION_FAILED'],
    ['a missing from', { to: week.to, duration: 30 }, 'from', 'WINDOW_REQUIRED'],
    ['to before from', { ...week, from: week.to, to: week.from }, 'to', 'VALIDATION_FAILED'],
    ['a window over 62 days', { ...week, to: '2027-01-01T00:00:00Z' }, 'to', 'WINDOW_TOO_LARGE'],
    ['a window in the year 9999', { ...week, from: '9999-12-30T00:00:00Z', to: '9999-12-31T00:00:00Z' }, 'from', 'VALIDATION_FAILED'],
    ['an unknown parameter', { ...week, step: 15 }, 'step', 'VALIDATION_FAILED'],
  ])('answers 400 naming the field for %s', async (_, query, field, code) => {
    expectProblem(await slots(alice, query), 400, code, [field]);
  });
});
