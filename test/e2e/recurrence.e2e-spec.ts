import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { expectProblem } from '../setup/problem.js';
import { registerUser, type TestUser } from '../factories/users.js';

let t: TestApp;
let stranger: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  stranger = await registerUser(t.http);
});
afterAll(async () => {
  await t?.close();
});

const api = () => request(t.http);

interface Item {
  id: string;
  title: string;
  startTime: string;
  endTime: string;
  occurrenceId: string | null;
  seriesId: string | null;
  isOverride: boolean;
  startDate: string | null;
}

async function newSeries(user: TestUser, body: object): Promise<string> {
  const res = await api().post('/api/v1/events').set(user.auth).send(body);
  expect(res.status).toBe(201);
  return res.body.id;
}

async function occurrences(user: TestUser, id: string, from: string, to: string): Promise<Item[]> {
  const res = await api().get(`/api/v1/events/${id}/occurrences`).query({ from, to, limit: 200 }).set(user.auth).expect(200);
  return res.body.data;
}

async function calendar(user: TestUser, from: string, to: string): Promise<Item[]> {
  const res = await api().get('/api/v1/events').query({ from, to, expand: true, limit: 200 }).set(user.auth).expect(200);
  return res.body.data;
}

const starts = (items: Item[]) => items.map((item) => item.startTime);

describe('series in local time', () => {
  it('keeps a 09:00 New York weekly meeting at 09:00 across both DST changes', async () => {
    const user = await registerUser(t.http, { timezone: 'America/New_York' });
    const id = await newSeries(user, {
      title: 'Standup',
      startTime: '2026-02-23T09:00:00-05:00',
      endTime: '2026-02-23T09:15:00-05:00',
      recurrenceRule: 'RRULE:FREQ=WEEKLY;BYDAY=MO',
    });
    const march = await occurrences(user, id, '2026-02-28T00:00:00Z', '2026-03-17T00:00:00Z');
    expect(starts(march)).toEqual(['2026-03-02T14:00:00.000Z', '2026-03-09T13:00:00.000Z', '2026-03-16T13:00:00.000Z']);
    const november = await occurrences(user, id, '2026-10-26T00:00:00Z', '2026-11-10T00:00:00Z');
    expect(starts(november)).toEqual(['2026-10-26T13:00:00.000Z', '2026-11-02T14:00:00.000Z', '2026-11-09T14:00:00.000Z']);
    expect(march[1]).toMatchObject({ occurrenceId: '2026-03-09T13:00:00Z', seriesId: id, isOverride: false });
  });

  it('applies BYDAY in local time (Monday 04:00 Kolkata is Sunday in UTC)', async () => {
    const user = await registerUser(t.http, { timezone: 'Asia/Kolkata' });
    const id = await newSeries(user, {
      title: 'Early',
      startTime: '2026-06-01T04:00:00+05:30',
      endTime: '2026-06-01T05:00:00+05:30',
      recurrenceRule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=3',
    });
    const items = await occurrences(user, id, '2026-05-01T00:00:00Z', '2026-07-01T00:00:00Z');
    expect(starts(items)).toEqual(['2026-05-31T22:30:00.000Z', '2026-06-07T22:30:00.000Z', '2026-06-14T22:30:00.000Z']);
    expect(items.map((item) => new Date(item.startTime).getUTCDay())).toEqual([0, 0, 0]);
  });

  it('repeats all-day events by date', async () => {
    const user = await registerUser(t.http, { timezone: 'Europe/Berlin' });
    const id = await newSeries(user, {
      title: 'Trash day',
      startTime: '2026-03-27',
      endTime: '2026-03-28',
      isAllDay: true,
      recurrenceRule: 'FREQ=WEEKLY;COUNT=3',
    });
    const items = await occurrences(user, id, '2026-03-01T00:00:00Z', '2026-05-01T00:00:00Z');
    expect(items.map((item) => [item.startDate, item.occurrenceId, item.startTime])).toEqual([
      ['2026-03-27', '2026-03-27', '2026-03-26T23:00:00.000Z'],
      ['2026-04-03', '2026-04-03', '2026-04-02T22:00:00.000Z'],
      ['2026-04-10', '2026-04-10', '2026-04-09T22:00:00.000Z'],
    ]);
  });

  it('refuses a start that is not an occurrence of its own rule, naming the field', async () => {
    const user = await registerUser(t.http);
    const res = await api().post('/api/v1/events').set(user.auth).send({
      title: 'Off',
      startTime: '2026-06-02T09:00:00Z',
      endTime: '2026-06-02T10:00:00Z',
      recurrenceRule: 'FREQ=WEEKLY;BYDAY=MO',
    });
    expectProblem(res, 400, 'INVALID_RECURRENCE', ['startTime']);
  });

  it.each([
    ['FREQ=SOMETIMES', 'recurrenceRule'],
    ['FREQ=MINUTELY', 'recurrenceRule'],
    ['FREQ=DAILY;COUNT=3;UNTIL=20260701T000000Z', 'recurrenceRule'],
    ['FREQ=MONTHLY;BYMONTHDAY=32', 'recurrenceRule'],
    ['DTSTART:20260601T090000Z\nRRULE:FREQ=DAILY', 'recurrenceRule'],
  ])('refuses the rule %s', async (rule, field) => {
    const user = await registerUser(t.http);
    const res = await api().post('/api/v1/events').set(user.auth).send({
      title: 'Bad',
      startTime: '2026-06-01T09:00:00Z',
      endTime: '2026-06-01T10:00:00Z',
      recurrenceRule: rule,
    });
    expectProblem(res, 400, 'INVALID_RECURRENCE', [field]);
  });

  it('refuses exdates that are not occurrences', async () => {
    const user = await registerUser(t.http);
    const res = await api().post('/api/v1/events').set(user.auth).send({
      title: 'Daily',
      startTime: '2026-06-01T09:00:00Z',
      endTime: '2026-06-01T10:00:00Z',
      recurrenceRule: 'FREQ=DAILY',
      exdates: ['2026-06-03T09:00:00Z', '2026-06-04T10:00:00Z'],
    });
    expectProblem(res, 400, 'VALIDATION_FAILED', ['exdates[1]']);
  });

  it('counts EXDATEs inside COUNT, as RFC 5545 says', async () => {
    const user = await registerUser(t.http);
    const id = await newSeries(user, {
      title: 'Five',
      startTime: '2026-06-01T09:00:00Z',
      endTime: '2026-06-01T10:00:00Z',
      recurrenceRule: 'FREQ=DAILY;COUNT=5',
      exdates: ['2026-06-03T09:00:00+00:00'],
    });
    const items = await occurrences(user, id, '2026-05-01T00:00:00Z', '2026-07-01T00:00:00Z');
    expect(items.map((item) => item.occurrenceId)).toEqual([
      '2026-06-01T09:00:00Z',
      '2026-06-02T09:00:00Z',
      '2026-06-04T09:00:00Z',
      '2026-06-05T09:00:00Z',
    ]);
  });
});

describe('edit one occurrence', () => {
  it('stores an override that replaces exactly that occurrence, and edits it again in place', async () => {
    const user = await registerUser(t.http);
    const id = await newSeries(user, {
      title: 'Daily',
      startTime: '2026-06-01T09:00:00Z',
      endTime: '2026-06-01T09:30:00Z',
      recurrenceRule: 'FREQ=DAILY;COUNT=5',
    });
    const edited = await api()
      .put(`/api/v1/events/${id}/occurrences/2026-06-03T09:00:00Z`)
      .set(user.auth)
      .send({ title: 'Moved', startTime: '2026-06-03T15:00:00Z', endTime: '2026-06-03T16:00:00Z' })
      .expect(200);
    expect(edited.body).toMatchObject({ title: 'Moved', seriesId: id, occurrenceId: '2026-06-03T09:00:00Z', isOverride: true });

    const items = await calendar(user, '2026-06-01T00:00:00Z', '2026-06-10T00:00:00Z');
    expect(items.map((item) => [item.title, item.startTime])).toEqual([
      ['Daily', '2026-06-01T09:00:00.000Z'],
      ['Daily', '2026-06-02T09:00:00.000Z'],
      ['Moved', '2026-06-03T15:00:00.000Z'],
      ['Daily', '2026-06-04T09:00:00.000Z'],
      ['Daily', '2026-06-05T09:00:00.000Z'],
    ]);

    // Moving it out of the window still hides the original occurrence there.
    await api()
      .put(`/api/v1/events/${id}/occurrences/2026-06-03T09:00:00Z`)
      .set(user.auth)
      .send({ startTime: '2026-07-01T09:00:00Z', endTime: '2026-07-01T09:30:00Z' })
      .expect(200);
    const june = await calendar(user, '2026-06-03T00:00:00Z', '2026-06-04T00:00:00Z');
    expect(june).toEqual([]);
    const overrides = await t.db.query('SELECT count(*)::int AS n FROM events WHERE series_id = $1', [id]);
    expect(overrides.rows[0]).toEqual({ n: 1 });
  });

  it('answers 404 for an occurrence the rule does not have, 400 for a malformed one', async () => {
    const user = await registerUser(t.http);
    const id = await newSeries(user, {
      title: 'Daily',
      startTime: '2026-06-01T09:00:00Z',
      endTime: '2026-06-01T09:30:00Z',
      recurrenceRule: 'FREQ=DAILY;COUNT=5',
    });
    expectProblem(await api().put(`/api/v1/events/${id}/occurrences/2026-06-03T10:00:00Z`).set(user.auth).send({ title: 'x' }), 404, 'UNKNOWN_OCCURRENCE');
    expectProblem(await api().put(`/api/v1/events/${id}/occurrences/2026-06-09T09:00:00Z`).set(user.auth).send({ title: 'x' }), 404, 'UNKNOWN_OCCURRENCE');
    expectProblem(await api().put(`/api/v1/events/${id}/occurrences/tuesday`).set(user.auth).send({ title: 'x' }), 400, 'VALIDATION_FAILED', ['occurrenceId']);
    expectProblem(await api().put(`/api/v1/events/${id}/occurrences/2026-06-03T09:00:00Z`).query({ scope: 'all' }).set(user.auth).send({ title: 'x' }), 400, 'VALIDATION_FAILED', ['scope']);
    expectProblem(await api().put(`/api/v1/events/${id}/occurrences/2026-06-03T09:00:00Z`).set(user.auth).send({ timezone: 'UTC' }), 400, 'VALIDATION_FAILED', ['timezone']);
    expectProblem(await api().put(`/api/v1/events/${id}/occurrences/2026-06-03T09:00:00Z`).set(stranger.auth).send({ title: 'x' }), 404, 'NOT_FOUND');
    const single = (await api().post('/api/v1/events').set(user.auth).send({ title: 'One', startTime: '2026-06-01T09:00:00Z', endTime: '2026-06-01T10:00:00Z' })).body;
    expectProblem(await api().put(`/api/v1/events/${single.id}/occurrences/2026-06-01T09:00:00Z`).set(user.auth).send({ title: 'x' }), 400, 'NOT_A_SERIES');
  });

  it('refuses null reminders or attachments for one occurrence, naming the field, and stores nothing', async () => {
    const user = await registerUser(t.http);
    const id = await newSeries(user, {
      title: 'Daily',
      startTime: '2026-06-01T09:00:00Z',
      endTime: '2026-06-01T09:30:00Z',
      recurrenceRule: 'FREQ=DAILY;COUNT=5',
      reminders: [{ method: 'popup', minutesBefore: 5 }],
    });
    for (const field of ['reminders', 'attachments', 'title', 'status']) {
      expectProblem(await api().put(`/api/v1/events/${id}/occurrences/2026-06-03T09:00:00Z`).set(user.auth).send({ [field]: null }), 400, 'VALIDATION_FAILED', [field]);
    }
    const third = (await occurrences(user, id, '2026-06-03T00:00:00Z', '2026-06-04T00:00:00Z'))[0] as unknown as Record<string, unknown>;
    expect(third).toMatchObject({ isOverride: false, reminders: [{ method: 'popup', minutesBefore: 5 }], attachments: [] });
  });
});

describe('cancel one occurrence', () => {
  it('adds an EXDATE, idempotently, and drops an override of it', async () => {
    const user = await registerUser(t.http);
    const id = await newSeries(user, {
      title: 'Daily',
      startTime: '2026-06-01T09:00:00Z',
      endTime: '2026-06-01T09:30:00Z',
      recurrenceRule: 'FREQ=DAILY;COUNT=4',
    });
    await api().put(`/api/v1/events/${id}/occurrences/2026-06-02T09:00:00Z`).set(user.auth).send({ title: 'Edited' }).expect(200);
    await api().delete(`/api/v1/events/${id}/occurrences/2026-06-02T09:00:00Z`).set(user.auth).expect(204);
    await api().delete(`/api/v1/events/${id}/occurrences/2026-06-02T09:00:00Z`).set(user.auth).expect(204);
    const items = await occurrences(user, id, '2026-06-01T00:00:00Z', '2026-06-10T00:00:00Z');
    expect(items.map((item) => item.occurrenceId)).toEqual(['2026-06-01T09:00:00Z', '2026-06-03T09:00:00Z', '2026-06-04T09:00:00Z']);
    const series = await api().get(`/api/v1/events/${id}`).set(user.auth).expect(200);
    expect(series.body.recurrence).toEqual({ rule: 'FREQ=DAILY;COUNT=4', exdates: ['2026-06-02T09:00:00Z'] });
    expectProblem(await api().delete(`/api/v1/events/${id}/occurrences/2026-06-02T09:00:00Z`).set(stranger.auth), 404, 'NOT_FOUND');
    expectProblem(await api().delete(`/api/v1/events/${id}/occurrences/2026-06-12T09:00:00Z`).set(user.auth), 404, 'UNKNOWN_OCCURRENCE');
  });
});

describe('this and following', () => {
  it('splits a series at an occurrence with no occurrence duplicated or lost, across DST', async () => {
    const user = await registerUser(t.http, { timezone: 'America/New_York' });
    const id = await newSeries(user, {
      title: 'Weekly',
      startTime: '2026-02-16T09:00:00-05:00',
      endTime: '2026-02-16T10:00:00-05:00',
      recurrenceRule: 'FREQ=WEEKLY;COUNT=8',
    });
    const window = ['2026-02-01T00:00:00Z', '2026-05-01T00:00:00Z'] as const;
    const before = await calendar(user, ...window);
    expect(before).toHaveLength(8);
    await api().delete(`/api/v1/events/${id}/occurrences/2026-03-30T13:00:00Z`).set(user.auth).expect(204);
    await api().put(`/api/v1/events/${id}/occurrences/2026-04-06T13:00:00Z`).set(user.auth).send({ title: 'Special' }).expect(200);

    // From 9 March on (after the DST change), the meeting is called "Planning".
    const res = await api()
      .put(`/api/v1/events/${id}/occurrences/2026-03-09T13:00:00Z`)
      .query({ scope: 'following' })
      .set(user.auth)
      .send({ title: 'Planning' })
      .expect(200);
    const newId = res.body.id;
    expect(newId).not.toBe(id);
    const after = await calendar(user, ...window);
    expect(after.map((item) => [item.title, item.startTime])).toEqual([
      ['Weekly', '2026-02-16T14:00:00.000Z'],
      ['Weekly', '2026-02-23T14:00:00.000Z'],
      ['Weekly', '2026-03-02T14:00:00.000Z'],
      ['Planning', '2026-03-09T13:00:00.000Z'],
      ['Planning', '2026-03-16T13:00:00.000Z'],
      ['Planning', '2026-03-23T13:00:00.000Z'],
      ['Special', '2026-04-06T13:00:00.000Z'],
    ]);
    const old = await api().get(`/api/v1/events/${id}`).set(user.auth).expect(200);
    expect(old.body.recurrence.rule).toBe('FREQ=WEEKLY;COUNT=3');
    const created = await api().get(`/api/v1/events/${newId}`).set(user.auth).expect(200);
    expect(created.body.recurrence).toEqual({ rule: 'FREQ=WEEKLY;COUNT=5', exdates: ['2026-03-30T13:00:00Z'] });
  });

  it('moves the following occurrences to a new time', async () => {
    const user = await registerUser(t.http);
    const id = await newSeries(user, {
      title: 'Daily',
      startTime: '2026-06-01T09:00:00Z',
      endTime: '2026-06-01T09:30:00Z',
      recurrenceRule: 'FREQ=DAILY;UNTIL=20260605T235959Z',
    });
    await api()
      .put(`/api/v1/events/${id}/occurrences/2026-06-03T09:00:00Z`)
      .query({ scope: 'following' })
      .set(user.auth)
      .send({ startTime: '2026-06-03T11:00:00Z', endTime: '2026-06-03T11:30:00Z' })
      .expect(200);
    const items = await calendar(user, '2026-06-01T00:00:00Z', '2026-06-10T00:00:00Z');
    expect(starts(items)).toEqual([
      '2026-06-01T09:00:00.000Z',
      '2026-06-02T09:00:00.000Z',
      '2026-06-03T11:00:00.000Z',
      '2026-06-04T11:00:00.000Z',
      '2026-06-05T11:00:00.000Z',
    ]);
  });

  it('ends a series before an occurrence, or deletes it all from the first one', async () => {
    const user = await registerUser(t.http);
    const id = await newSeries(user, {
      title: 'Daily',
      startTime: '2026-06-01T09:00:00Z',
      endTime: '2026-06-01T09:30:00Z',
      recurrenceRule: 'FREQ=DAILY',
    });
    await api().put(`/api/v1/events/${id}/occurrences/2026-06-05T09:00:00Z`).set(user.auth).send({ title: 'Late edit' }).expect(200);
    await api().delete(`/api/v1/events/${id}/occurrences/2026-06-04T09:00:00Z`).query({ scope: 'following' }).set(user.auth).expect(204);
    const items = await calendar(user, '2026-06-01T00:00:00Z', '2026-07-01T00:00:00Z');
    expect(items.map((item) => item.occurrenceId)).toEqual(['2026-06-01T09:00:00Z', '2026-06-02T09:00:00Z', '2026-06-03T09:00:00Z']);
    await api().delete(`/api/v1/events/${id}/occurrences/2026-06-01T09:00:00Z`).query({ scope: 'following' }).set(user.auth).expect(204);
    expectProblem(await api().get(`/api/v1/events/${id}`).set(user.auth), 404, 'NOT_FOUND');
  });
});

describe('edit all', () => {
  it('moves a series with its cancelled and edited occurrences', async () => {
    const user = await registerUser(t.http);
    const id = await newSeries(user, {
      title: 'Daily',
      startTime: '2026-06-01T09:00:00Z',
      endTime: '2026-06-01T09:30:00Z',
      recurrenceRule: 'FREQ=DAILY;COUNT=4',
      exdates: ['2026-06-02T09:00:00Z'],
    });
    await api().put(`/api/v1/events/${id}/occurrences/2026-06-03T09:00:00Z`).set(user.auth).send({ title: 'Edited' }).expect(200);
    await api().patch(`/api/v1/events/${id}`).set(user.auth).send({ startTime: '2026-06-01T10:00:00Z', endTime: '2026-06-01T10:30:00Z', title: 'Renamed' }).expect(200);
    const items = await calendar(user, '2026-06-01T00:00:00Z', '2026-06-10T00:00:00Z');
    expect(items.map((item) => [item.title, item.occurrenceId])).toEqual([
      ['Renamed', '2026-06-01T10:00:00Z'],
      ['Renamed', '2026-06-03T10:00:00Z'],
      ['Renamed', '2026-06-04T10:00:00Z'],
    ]);
    expect(items[1].isOverride).toBe(true);
  });

  it('changes the rule; exceptions that no longer fit are dropped, the rest kept', async () => {
    const user = await registerUser(t.http);
    const id = await newSeries(user, {
      title: 'Daily',
      startTime: '2026-06-01T09:00:00Z',
      endTime: '2026-06-01T09:30:00Z',
      recurrenceRule: 'FREQ=DAILY;COUNT=10',
      exdates: ['2026-06-02T09:00:00Z', '2026-06-03T09:00:00Z'],
    });
    await api().put(`/api/v1/events/${id}/occurrences/2026-06-04T09:00:00Z`).set(user.auth).send({ title: 'Gone later' }).expect(200);
    await api().put(`/api/v1/events/${id}/occurrences/2026-06-05T09:00:00Z`).set(user.auth).send({ title: 'Kept' }).expect(200);
    const res = await api().put(`/api/v1/events/${id}/recurrence`).set(user.auth).send({ recurrenceRule: 'FREQ=DAILY;INTERVAL=2;COUNT=5' }).expect(200);
    expect(res.body.recurrence).toEqual({ rule: 'FREQ=DAILY;INTERVAL=2;COUNT=5', exdates: ['2026-06-03T09:00:00Z'] });
    const items = await occurrences(user, id, '2026-06-01T00:00:00Z', '2026-06-30T00:00:00Z');
    expect(items.map((item) => [item.title, item.occurrenceId])).toEqual([
      ['Daily', '2026-06-01T09:00:00Z'],
      ['Kept', '2026-06-05T09:00:00Z'],
      ['Daily', '2026-06-07T09:00:00Z'],
      ['Daily', '2026-06-09T09:00:00Z'],
    ]);
  });

  it('turns a single event into a series and back', async () => {
    const user = await registerUser(t.http);
    const single = (await api().post('/api/v1/events').set(user.auth).send({ title: 'Once', startTime: '2026-06-01T09:00:00Z', endTime: '2026-06-01T10:00:00Z' })).body;
    await api().put(`/api/v1/events/${single.id}/recurrence`).set(user.auth).send({ recurrenceRule: 'FREQ=DAILY;COUNT=3' }).expect(200);
    expect(await occurrences(user, single.id, '2026-06-01T00:00:00Z', '2026-06-10T00:00:00Z')).toHaveLength(3);
    const back = await api().delete(`/api/v1/events/${single.id}/recurrence`).set(user.auth).expect(200);
    expect(back.body).toMatchObject({ recurrence: null, startTime: '2026-06-01T09:00:00.000Z' });
    expectProblem(await api().delete(`/api/v1/events/${single.id}/recurrence`).set(user.auth), 400, 'NOT_A_SERIES');
    expectProblem(await api().get(`/api/v1/events/${single.id}/occurrences`).query({ from: '2026-06-01T00:00:00Z', to: '2026-06-10T00:00:00Z' }).set(user.auth), 400, 'NOT_A_SERIES');
  });

  it('takes a WEEKLY BYSETPOS series starting mid-week, reading the whole week as RFC 5545 does', async () => {
    const user = await registerUser(t.http);
    const body = { title: 'setpos', startTime: '2027-01-05T09:00:00Z', endTime: '2027-01-05T10:00:00Z', timezone: 'UTC' };
    const id = await newSeries(user, { ...body, recurrenceRule: 'FREQ=WEEKLY;BYDAY=MO,TU;BYSETPOS=2;COUNT=3' });
    const items = await occurrences(user, id, '2027-01-01T00:00:00Z', '2027-02-01T00:00:00Z');
    expect(items.map((item) => item.occurrenceId)).toEqual(['2027-01-05T09:00:00Z', '2027-01-12T09:00:00Z', '2027-01-19T09:00:00Z']);
  });

  describe('DELETE /recurrence keeps the first occurrence as the calendar shows it', () => {
    const firstdel = {
      title: 'firstdel',
      startTime: '2027-03-01T09:00:00Z',
      endTime: '2027-03-01T10:00:00Z',
      timezone: 'UTC',
      recurrenceRule: 'FREQ=DAILY;COUNT=3',
    };
    const all = async (user: TestUser) =>
      (await api().get('/api/v1/events').query({ from: '2027-02-01T00:00:00Z', to: '2027-04-01T00:00:00Z' }).set(user.auth).expect(200)).body.data;

    it('a cancelled first occurrence stays cancelled: the first one left is kept', async () => {
      const user = await registerUser(t.http);
      const id = await newSeries(user, firstdel);
      await api().delete(`/api/v1/events/${id}/occurrences/2027-03-01T09:00:00Z`).set(user.auth).expect(204);
      const res = await api().delete(`/api/v1/events/${id}/recurrence`).set(user.auth).expect(200);
      expect(res.body).toMatchObject({
        id,
        title: 'firstdel',
        status: 'confirmed',
        startTime: '2027-03-02T09:00:00.000Z',
        endTime: '2027-03-02T10:00:00.000Z',
        recurrence: null,
      });
      expect((await all(user)).map((event: Item) => [event.id, event.startTime])).toEqual([[id, '2027-03-02T09:00:00.000Z']]);
    });

    it('an edited first occurrence keeps its edit', async () => {
      const user = await registerUser(t.http);
      const id = await newSeries(user, firstdel);
      await api()
        .put(`/api/v1/events/${id}/occurrences/2027-03-01T09:00:00Z`)
        .set(user.auth)
        .send({ title: 'first moved', startTime: '2027-03-01T14:00:00Z', endTime: '2027-03-01T15:00:00Z' })
        .expect(200);
      await api().put(`/api/v1/events/${id}/occurrences/2027-03-03T09:00:00Z`).set(user.auth).send({ title: 'third' }).expect(200);
      const res = await api().delete(`/api/v1/events/${id}/recurrence`).set(user.auth).expect(200);
      expect(res.body).toMatchObject({
        id,
        title: 'first moved',
        startTime: '2027-03-01T14:00:00.000Z',
        endTime: '2027-03-01T15:00:00.000Z',
        timezone: 'UTC',
        recurrence: null,
        isOverride: false,
      });
      // The other occurrences and their overrides are gone with the rule.
      expect((await all(user)).map((event: Item) => [event.id, event.title])).toEqual([[id, 'first moved']]);
    });

    it('after a cancelled first, an edited second is kept with its edit; all-day series alike', async () => {
      const user = await registerUser(t.http);
      const id = await newSeries(user, { ...firstdel, title: 'days', isAllDay: true, startTime: '2027-03-01', endTime: '2027-03-02' });
      await api().delete(`/api/v1/events/${id}/occurrences/2027-03-01`).set(user.auth).expect(204);
      await api().put(`/api/v1/events/${id}/occurrences/2027-03-02`).set(user.auth).send({ title: 'second', status: 'tentative' }).expect(200);
      const res = await api().delete(`/api/v1/events/${id}/recurrence`).set(user.auth).expect(200);
      expect(res.body).toMatchObject({ title: 'second', status: 'tentative', isAllDay: true, startDate: '2027-03-02', endDate: '2027-03-03', recurrence: null });
    });

    it('refuses with 409 when every occurrence is cancelled, and leaves the series as it was', async () => {
      const user = await registerUser(t.http);
      const id = await newSeries(user, { ...firstdel, recurrenceRule: 'FREQ=DAILY;COUNT=2' });
      await api().delete(`/api/v1/events/${id}/occurrences/2027-03-01T09:00:00Z`).set(user.auth).expect(204);
      await api().delete(`/api/v1/events/${id}/occurrences/2027-03-02T09:00:00Z`).set(user.auth).expect(204);
      expectProblem(await api().delete(`/api/v1/events/${id}/recurrence`).set(user.auth), 409, 'SERIES_ALL_CANCELLED');
      const series = await api().get(`/api/v1/events/${id}`).set(user.auth).expect(200);
      expect(series.body.recurrence).toEqual({ rule: 'FREQ=DAILY;COUNT=2', exdates: ['2027-03-01T09:00:00Z', '2027-03-02T09:00:00Z'] });
    });
  });

  it('validates PUT /recurrence and hides it from other users', async () => {
    const user = await registerUser(t.http);
    const id = await newSeries(user, { title: 'D', startTime: '2026-06-01T09:00:00Z', endTime: '2026-06-01T10:00:00Z', recurrenceRule: 'FREQ=DAILY' });
    expectProblem(await api().put(`/api/v1/events/${id}/recurrence`).set(user.auth).send({}), 400, 'VALIDATION_FAILED', ['recurrenceRule']);
    expectProblem(await api().put(`/api/v1/events/${id}/recurrence`).set(user.auth).send({ recurrenceRule: 'FREQ=WHENEVER' }), 400, 'INVALID_RECURRENCE', ['recurrenceRule']);
    expectProblem(await api().put(`/api/v1/events/${id}/recurrence`).set(user.auth).send({ recurrenceRule: 'FREQ=DAILY', exdates: ['soon'] }), 400, 'VALIDATION_FAILED', ['exdates[0]']);
    expectProblem(await api().put(`/api/v1/events/${id}/recurrence`).set(stranger.auth).send({ recurrenceRule: 'FREQ=DAILY' }), 404, 'NOT_FOUND');
    expectProblem(await api().delete(`/api/v1/events/${id}/recurrence`).set(stranger.auth), 404, 'NOT_FOUND');
    expectProblem(await api().get(`/api/v1/events/${id}/occurrences`).query({ from: '2026-06-01T00:00:00Z', to: '2026-06-02T00:00:00Z' }).set(stranger.auth), 404, 'NOT_FOUND');
    expectProblem(await api().get(`/api/v1/events/${id}/occurrences`).query({ from: '2026-06-01' }).set(user.auth), 400, 'VALIDATION_FAILED', ['from']);
    expectProblem(await api().get(`/api/v1/events/${id}/occurrences`).query({ from: '2026-06-01T00:00:00Z' }).set(user.auth), 400, 'WINDOW_REQUIRED', ['to']);
  });
});

describe('GET /calendar/recurring/expand', () => {
  it('returns every series occurrence of the user in the window, paginated', async () => {
    const user = await registerUser(t.http);
    await newSeries(user, { title: 'A', startTime: '2026-06-01T09:00:00Z', endTime: '2026-06-01T10:00:00Z', recurrenceRule: 'FREQ=DAILY' });
    await newSeries(user, { title: 'B', startTime: '2026-06-01T12:00:00Z', endTime: '2026-06-01T13:00:00Z', recurrenceRule: 'FREQ=WEEKLY' });
    await api().post('/api/v1/events').set(user.auth).send({ title: 'Single', startTime: '2026-06-02T09:00:00Z', endTime: '2026-06-02T10:00:00Z' }).expect(201);
    const res = await api()
      .get('/api/v1/calendar/recurring/expand')
      .query({ from: '2026-06-01T00:00:00Z', to: '2026-06-15T00:00:00Z', limit: 5 })
      .set(user.auth)
      .expect(200);
    expect(res.body.meta).toEqual({ page: 1, limit: 5, total: 16 });
    expect(res.body.data.map((item: Item) => item.title)).toEqual(['A', 'B', 'A', 'A', 'A']);
    const others = await api().get('/api/v1/calendar/recurring/expand').query({ from: '2026-06-01T00:00:00Z', to: '2026-06-15T00:00:00Z' }).set(stranger.auth).expect(200);
    expect(others.body.meta.total).toBe(0);
  });

  it('refuses windows past the occurrence cap instead of cutting them', async () => {
    const capped = await createTestApp({ EXPANSION_MAX_OCCURRENCES: '10' });
    try {
      const user = await registerUser(capped.http);
      await request(capped.http).post('/api/v1/events').set(user.auth).send({ title: 'Hourly-ish', startTime: '2026-06-01T09:00:00Z', endTime: '2026-06-01T09:30:00Z', recurrenceRule: 'FREQ=DAILY' }).expect(201);
      await request(capped.http).get('/api/v1/calendar/recurring/expand').query({ from: '2026-06-01T00:00:00Z', to: '2026-06-08T00:00:00Z' }).set(user.auth).expect(200);
      const res = await request(capped.http).get('/api/v1/calendar/recurring/expand').query({ from: '2026-06-01T00:00:00Z', to: '2026-07-01T00:00:00Z' }).set(user.auth);
      expectProblem(res, 400, 'EXPANSION_TOO_LARGE');
      expect(res.body.detail).toContain('10');
      expectProblem(await request(capped.http).get('/api/v1/events').query({ from: '2026-06-01T00:00:00Z', to: '2026-07-01T00:00:00Z', expand: true }).set(user.auth), 400, 'EXPANSION_TOO_LARGE');
    } finally {
      await capped.close();
    }
  });

  it('needs a window', async () => {
    expectProblem(await api().get('/api/v1/calendar/recurring/expand').set(stranger.auth), 400, 'WINDOW_REQUIRED', ['from', 'to']);
    expectProblem(await api().get('/api/v1/calendar/recurring/expand').query({ from: '2026-06-02T00:00:00Z', to: '2026-06-01T00:00:00Z' }).set(stranger.auth), 400, 'VALIDATION_FAILED', ['to']);
  });
});
