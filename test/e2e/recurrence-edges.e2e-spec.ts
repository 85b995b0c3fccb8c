import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { expectProblem } from '../setup/problem.js';
import { registerUser, type TestUser } from '../factories/users.js';

/** Series at the edges: the calendar's last year, and edits at cancelled occurrences. */

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const api = () => request(t.http);

async function newSeries(user: TestUser, body: object): Promise<string> {
  const res = await api().post('/api/v1/events').set(user.auth).send(body);
  expect(res.status).toBe(201);
  return res.body.id;
}

describe('the calendar ends with year 2999', () => {
  it('takes all-day series whose rule runs past it, and ends them on 31 December 2999', async () => {
    const user = await registerUser(t.http, { timezone: 'UTC' });
    // Yearly on 31 December: COUNT=9000 and UNTIL=99991231 both reach rrule.js's last year, 9999.
    for (const rule of ['FREQ=YEARLY;COUNT=9000', 'FREQ=YEARLY;UNTIL=99991231']) {
      const id = await newSeries(user, { title: 'New Year', isAllDay: true, startTime: '2026-12-31', endTime: '2027-01-01', recurrenceRule: rule });
      const last = await api()
        .get(`/api/v1/events/${id}/occurrences`)
        .query({ from: '2998-06-01T00:00:00Z', to: '3000-01-01T00:00:00Z' })
        .set(user.auth)
        .expect(200);
      expect(last.body.data.map((item: { startDate: string }) => item.startDate)).toEqual(['2998-12-31', '2999-12-31']);
      await api().put(`/api/v1/events/${id}/occurrences/2999-12-31`).set(user.auth).send({ title: 'Last' }).expect(200);
    }
  });

  it('has no occurrence after it: 404, never an edit stored in year 3000 or a 500', async () => {
    const user = await registerUser(t.http, { timezone: 'UTC' });
    const allDay = await newSeries(user, { title: 'Daily', isAllDay: true, startTime: '2026-03-02', endTime: '2026-03-03', recurrenceRule: 'FREQ=DAILY' });
    for (const id of ['3000-01-01', '5000-06-01', '9999-12-31']) {
      expectProblem(await api().put(`/api/v1/events/${allDay}/occurrences/${id}`).set(user.auth).send({ title: 'x' }), 404, 'UNKNOWN_OCCURRENCE');
      expectProblem(await api().delete(`/api/v1/events/${allDay}/occurrences/${id}`).set(user.auth), 404, 'UNKNOWN_OCCURRENCE');
    }
    const timed = await newSeries(user, {
      title: 'Daily',
      startTime: '2026-03-02T10:00:00Z',
      endTime: '2026-03-02T11:00:00Z',
      recurrenceRule: 'FREQ=DAILY',
    });
    expectProblem(await api().put(`/api/v1/events/${timed}/occurrences/3000-01-01T10:00:00Z`).set(user.auth).send({ title: 'x' }), 404, 'UNKNOWN_OCCURRENCE');
    await api().put(`/api/v1/events/${timed}/occurrences/2999-12-31T10:00:00Z`).set(user.auth).send({ title: 'Last' }).expect(200);
    const stored = await t.db.query('SELECT count(*)::int AS n FROM events WHERE series_id = ANY($1::uuid[])', [[allDay, timed]]);
    expect(stored.rows[0]).toEqual({ n: 1 });
    const series = await api().get(`/api/v1/events/${allDay}`).set(user.auth).expect(200);
    expect(series.body.recurrence.exdates).toEqual([]);
  });

  it('takes a timed series with UNTIL in year 9999', async () => {
    const user = await registerUser(t.http, { timezone: 'UTC' });
    const res = await api().post('/api/v1/events').set(user.auth).send({
      title: 'Late',
      startTime: '2026-12-31T23:00:00Z',
      endTime: '2027-01-01T01:00:00Z',
      recurrenceRule: 'FREQ=YEARLY;UNTIL=99991231T235959Z',
    });
    expect(res.status).toBe(201);
  });
});

describe('this and following from a cancelled occurrence', () => {
  it('DELETE ?scope=following at a cancelled occurrence ends the series before it', async () => {
    const user = await registerUser(t.http, { timezone: 'America/New_York' });
    const counted = await newSeries(user, {
      title: 'Daily',
      startTime: '2026-03-02T09:00:00-05:00',
      endTime: '2026-03-02T10:00:00-05:00',
      recurrenceRule: 'FREQ=DAILY;COUNT=6',
    });
    await api().delete(`/api/v1/events/${counted}/occurrences/2026-03-03T14:00:00Z`).set(user.auth).expect(204);
    await api().delete(`/api/v1/events/${counted}/occurrences/2026-03-04T14:00:00Z`).set(user.auth).expect(204);
    await api().delete(`/api/v1/events/${counted}/occurrences/2026-03-04T14:00:00Z`).query({ scope: 'following' }).set(user.auth).expect(204);
    const series = await api().get(`/api/v1/events/${counted}`).set(user.auth).expect(200);
    expect(series.body.recurrence).toEqual({ rule: 'FREQ=DAILY;COUNT=2', exdates: ['2026-03-03T14:00:00Z'] });

    const endless = await newSeries(user, {
      title: 'Daily',
      startTime: '2026-03-02T09:00:00-05:00',
      endTime: '2026-03-02T10:00:00-05:00',
      recurrenceRule: 'FREQ=DAILY',
    });
    await api().delete(`/api/v1/events/${endless}/occurrences/2026-03-09T13:00:00Z`).set(user.auth).expect(204);
    await api().delete(`/api/v1/events/${endless}/occurrences/2026-03-09T13:00:00Z`).query({ scope: 'following' }).set(user.auth).expect(204);
    const items = await api()
      .get(`/api/v1/events/${endless}/occurrences`)
      .query({ from: '2026-03-06T00:00:00Z', to: '2026-04-01T00:00:00Z' })
      .set(user.auth)
      .expect(200);
    expect(items.body.data.map((item: { occurrenceId: string }) => item.occurrenceId)).toEqual([
      '2026-03-06T14:00:00Z',
      '2026-03-07T14:00:00Z',
      '2026-03-08T13:00:00Z',
    ]);
    // Cancelling "this and following" from a cancelled first occurrence deletes the series, as from any first one.
    await api().delete(`/api/v1/events/${endless}/occurrences/2026-03-02T14:00:00Z`).set(user.auth).expect(204);
    await api().delete(`/api/v1/events/${endless}/occurrences/2026-03-02T14:00:00Z`).query({ scope: 'following' }).set(user.auth).expect(204);
    expectProblem(await api().get(`/api/v1/events/${endless}`).set(user.auth), 404, 'NOT_FOUND');
  });
});

describe('this and following keeps the guests', () => {
  it("the new series keeps each attendee's answer, so an accepted series stays busy for the invitee", async () => {
    const owner = await registerUser(t.http, { timezone: 'America/New_York' });
    const guest = await registerUser(t.http, { timezone: 'Europe/Berlin' });
    const id = await newSeries(owner, {
      title: 'Sync',
      startTime: '2026-03-02T09:00:00-05:00',
      endTime: '2026-03-02T10:00:00-05:00',
      recurrenceRule: 'FREQ=DAILY;COUNT=6',
      attendees: [{ email: guest.email }, { email: 'outside@example.com', name: 'Outside' }],
    });
    await api().post(`/api/v1/events/${id}/rsvp`).set(guest.auth).send({ response: 'accepted' }).expect(200);
    const split = await api()
      .put(`/api/v1/events/${id}/occurrences/2026-03-05T14:00:00Z`)
      .query({ scope: 'following' })
      .set(owner.auth)
      .send({ title: 'Sync (new room)' })
      .expect(200);
    expect(split.body.id).not.toBe(id);
    const answers = (body: { attendees: Array<{ email: string; responseStatus: string }> }) =>
      body.attendees.map((attendee) => [attendee.email, attendee.responseStatus]).sort();
    expect(answers(split.body)).toEqual(
      [
        [guest.email, 'accepted'],
        ['outside@example.com', 'needsAction'],
      ].sort(),
    );
    const mine = await api()
      .get('/api/v1/events')
      .query({ from: '2026-03-05T00:00:00Z', to: '2026-03-06T00:00:00Z', expand: true })
      .set(guest.auth)
      .expect(200);
    expect(mine.body.data.map((item: { title: string; myResponse: string }) => [item.title, item.myResponse])).toEqual([
      ['Sync (new room)', 'accepted'],
    ]);
    const busy = await api()
      .get('/api/v1/availability/free-busy')
      .query({ from: '2026-03-05T00:00:00Z', to: '2026-03-06T00:00:00Z' })
      .set(guest.auth)
      .expect(200);
    expect(busy.body.busy).toEqual([{ start: '2026-03-05T14:00:00.000Z', end: '2026-03-05T15:00:00.000Z' }]);
  });
});

describe('PUT /recurrence with exdates', () => {
  it('cancels an edited occurrence it lists: the edit goes, as with DELETE of that occurrence', async () => {
    const user = await registerUser(t.http, { timezone: 'America/New_York' });
    const id = await newSeries(user, {
      title: 'Daily',
      startTime: '2026-03-02T09:00:00-05:00',
      endTime: '2026-03-02T10:00:00-05:00',
      recurrenceRule: 'FREQ=DAILY;COUNT=5',
    });
    await api().put(`/api/v1/events/${id}/occurrences/2026-03-04T14:00:00Z`).set(user.auth).send({ title: 'Edited' }).expect(200);
    await api().put(`/api/v1/events/${id}/occurrences/2026-03-05T14:00:00Z`).set(user.auth).send({ title: 'Kept' }).expect(200);
    const set = await api()
      .put(`/api/v1/events/${id}/recurrence`)
      .set(user.auth)
      .send({ recurrenceRule: 'FREQ=DAILY;COUNT=5', exdates: ['2026-03-04T14:00:00Z'] })
      .expect(200);
    expect(set.body.recurrence).toEqual({ rule: 'FREQ=DAILY;COUNT=5', exdates: ['2026-03-04T14:00:00Z'] });
    const items = await api()
      .get(`/api/v1/events/${id}/occurrences`)
      .query({ from: '2026-03-01T00:00:00Z', to: '2026-03-10T00:00:00Z' })
      .set(user.auth)
      .expect(200);
    expect(items.body.data.map((item: { occurrenceId: string; title: string }) => [item.occurrenceId, item.title])).toEqual([
      ['2026-03-02T14:00:00Z', 'Daily'],
      ['2026-03-03T14:00:00Z', 'Daily'],
      ['2026-03-05T14:00:00Z', 'Kept'],
      ['2026-03-06T14:00:00Z', 'Daily'],
    ]);
    const busy = await api()
      .get('/api/v1/availability/free-busy')
      .query({ from: '2026-03-04T00:00:00Z', to: '2026-03-05T00:00:00Z' })
      .set(user.auth)
      .expect(200);
    expect(busy.body.busy).toEqual([]);
  });
});

describe('GET /events/:id/occurrences/:occurrenceId', () => {
  it('answers one occurrence as the list shows it: the series occurrence, or its edit; cancelled is 404', async () => {
    const owner = await registerUser(t.http, { timezone: 'America/New_York' });
    const guest = await registerUser(t.http);
    const stranger = await registerUser(t.http);
    const id = await newSeries(owner, {
      title: 'Standup',
      startTime: '2026-03-02T09:00:00-05:00',
      endTime: '2026-03-02T09:15:00-05:00',
      recurrenceRule: 'FREQ=DAILY;COUNT=10',
      attendees: [{ email: guest.email }],
    });
    await api().put(`/api/v1/events/${id}/occurrences/2026-03-10T13:00:00Z`).set(owner.auth).send({ title: 'Moved', startTime: '2026-03-20T15:00:00Z', endTime: '2026-03-20T16:00:00Z' }).expect(200);
    await api().delete(`/api/v1/events/${id}/occurrences/2026-03-11T13:00:00Z`).set(owner.auth).expect(204);
    const listed = await api()
      .get(`/api/v1/events/${id}/occurrences`)
      .query({ from: '2026-03-09T00:00:00Z', to: '2026-03-21T00:00:00Z' })
      .set(owner.auth)
      .expect(200);
    const byId = new Map(listed.body.data.map((item: { occurrenceId: string }) => [item.occurrenceId, item]));

    // Any ISO form with an offset names the occurrence: 09:00 New York on 9 March is 13:00Z.
    const plain = await api().get(`/api/v1/events/${id}/occurrences/2026-03-09T09:00:00-04:00`).set(owner.auth).expect(200);
    expect(plain.body).toEqual(byId.get('2026-03-09T13:00:00Z'));
    expect(plain.body).toMatchObject({ id, seriesId: id, occurrenceId: '2026-03-09T13:00:00Z', isOverride: false, startTime: '2026-03-09T13:00:00.000Z' });
    const edited = await api().get(`/api/v1/events/${id}/occurrences/2026-03-10T13:00:00Z`).set(owner.auth).expect(200);
    expect(edited.body).toEqual(byId.get('2026-03-10T13:00:00Z'));
    expect(edited.body).toMatchObject({ title: 'Moved', isOverride: true, startTime: '2026-03-20T15:00:00.000Z' });

    const invited = await api().get(`/api/v1/events/${id}/occurrences/2026-03-09T13:00:00Z`).set(guest.auth).expect(200);
    expect(invited.body).toMatchObject({ occurrenceId: '2026-03-09T13:00:00Z', role: 'attendee', readOnly: true });

    expectProblem(await api().get(`/api/v1/events/${id}/occurrences/2026-03-11T13:00:00Z`).set(owner.auth), 404, 'UNKNOWN_OCCURRENCE');
    expectProblem(await api().get(`/api/v1/events/${id}/occurrences/2026-03-09T14:00:00Z`).set(owner.auth), 404, 'UNKNOWN_OCCURRENCE');
    expectProblem(await api().get(`/api/v1/events/${id}/occurrences/2026-03-12T13:00:00Z`).set(stranger.auth), 404, 'NOT_FOUND');
    expectProblem(await api().get(`/api/v1/events/${id}/occurrences/monday`).set(owner.auth), 400, 'VALIDATION_FAILED', ['occurrenceId']);
    const single = await newSeries(owner, { title: 'One', startTime: '2026-03-02T09:00:00Z', endTime: '2026-03-02T10:00:00Z' });
    expectProblem(await api().get(`/api/v1/events/${single}/occurrences/2026-03-02T09:00:00Z`).set(owner.auth), 400, 'NOT_A_SERIES');

    const allDay = await newSeries(owner, { title: 'Holiday', isAllDay: true, startTime: '2026-03-02', endTime: '2026-03-04', recurrenceRule: 'FREQ=WEEKLY' });
    const day = await api().get(`/api/v1/events/${allDay}/occurrences/20260309`).set(owner.auth).expect(200);
    expect(day.body).toMatchObject({ occurrenceId: '2026-03-09', startDate: '2026-03-09', endDate: '2026-03-11', isOverride: false });
  });
});

describe('a series that starts inside a DST gap', () => {
  // 02:30 Berlin daily: on 29 March 2026 02:30 does not exist and happens at 03:30 CEST (01:30Z).
  const startsOf = async (user: TestUser, id: string) =>
    (
      await api()
        .get(`/api/v1/events/${id}/occurrences`)
        .query({ from: '2026-03-27T00:00:00Z', to: '2026-04-02T00:00:00Z' })
        .set(user.auth)
        .expect(200)
    ).body.data.map((item: { startTime: string; endTime: string }) => [item.startTime.slice(0, 16), item.endTime.slice(11, 16)]);

  it('keeps its 02:30 wall clock when only its end changes', async () => {
    const user = await registerUser(t.http, { timezone: 'Europe/Berlin' });
    const id = await newSeries(user, {
      title: 'Night',
      startTime: '2026-03-27T02:30:00+01:00',
      endTime: '2026-03-27T03:00:00+01:00',
      recurrenceRule: 'FREQ=DAILY;COUNT=5',
    });
    // "This and following" from the gap day: the new series starts at 03:30 CEST and repeats at 02:30.
    const tail = await api()
      .put(`/api/v1/events/${id}/occurrences/2026-03-29T01:30:00Z`)
      .query({ scope: 'following' })
      .set(user.auth)
      .send({ endTime: '2026-03-29T04:15:00+02:00' })
      .expect(200);
    expect(await startsOf(user, tail.body.id)).toEqual([
      ['2026-03-29T01:30', '02:15'],
      ['2026-03-30T00:30', '01:15'],
      ['2026-03-31T00:30', '01:15'],
    ]);
    await api().patch(`/api/v1/events/${tail.body.id}`).set(user.auth).send({ endTime: '2026-03-29T04:30:00+02:00' }).expect(200);
    expect(await startsOf(user, tail.body.id)).toEqual([
      ['2026-03-29T01:30', '02:30'],
      ['2026-03-30T00:30', '01:30'],
      ['2026-03-31T00:30', '01:30'],
    ]);
  });

  it('moved as a whole, keeps its cancelled and edited occurrence of the gap day', async () => {
    const user = await registerUser(t.http, { timezone: 'Europe/Berlin' });
    const series = { title: 'Night', startTime: '2026-03-27T02:30:00+01:00', endTime: '2026-03-27T03:00:00+01:00', recurrenceRule: 'FREQ=DAILY;COUNT=5' };
    const cancelled = await newSeries(user, series);
    await api().delete(`/api/v1/events/${cancelled}/occurrences/2026-03-29T01:30:00Z`).set(user.auth).expect(204);
    const later = await api()
      .patch(`/api/v1/events/${cancelled}`)
      .set(user.auth)
      .send({ startTime: '2026-03-27T03:00:00+01:00', endTime: '2026-03-27T03:30:00+01:00' })
      .expect(200);
    // 03:00 on the gap day exists (CEST, 01:00Z): that occurrence stays cancelled.
    expect(later.body.recurrence).toEqual({ rule: 'FREQ=DAILY;COUNT=5', exdates: ['2026-03-29T01:00:00Z'] });
    expect(await startsOf(user, cancelled)).toEqual([
      ['2026-03-27T02:00', '02:30'],
      ['2026-03-28T02:00', '02:30'],
      ['2026-03-30T01:00', '01:30'],
      ['2026-03-31T01:00', '01:30'],
    ]);

    const edited = await newSeries(user, series);
    await api().put(`/api/v1/events/${edited}/occurrences/2026-03-29T01:30:00Z`).set(user.auth).send({ title: 'Gap day' }).expect(200);
    await api()
      .patch(`/api/v1/events/${edited}`)
      .set(user.auth)
      .send({ startTime: '2026-03-27T01:00:00+01:00', endTime: '2026-03-27T01:30:00+01:00' })
      .expect(200);
    const items = await api()
      .get(`/api/v1/events/${edited}/occurrences`)
      .query({ from: '2026-03-27T00:00:00Z', to: '2026-04-02T00:00:00Z' })
      .set(user.auth)
      .expect(200);
    expect(items.body.data.map((item: { occurrenceId: string; title: string }) => [item.occurrenceId, item.title])).toEqual([
      ['2026-03-27T00:00:00Z', 'Night'],
      ['2026-03-28T00:00:00Z', 'Night'],
      ['2026-03-29T00:00:00Z', 'Gap day'],
      ['2026-03-29T23:00:00Z', 'Night'],
      ['2026-03-30T23:00:00Z', 'Night'],
    ]);
  });
});

describe('PATCH on an edited occurrence', () => {
  it("refuses the series' fields (zone, all-day, guests, tags) as PUT of that occurrence does, and changes nothing", async () => {
    const user = await registerUser(t.http, { timezone: 'UTC' });
    const id = await newSeries(user, {
      title: 'Daily',
      startTime: '2026-03-02T09:00:00Z',
      endTime: '2026-03-02T10:00:00Z',
      recurrenceRule: 'FREQ=DAILY;COUNT=4',
      attendees: [{ email: 'guest@example.com' }],
    });
    const override = (await api().put(`/api/v1/events/${id}/occurrences/2026-03-03T09:00:00Z`).set(user.auth).send({ title: 'Edited' }).expect(200)).body;
    const patch = (body: object) => api().patch(`/api/v1/events/${override.id}`).set(user.auth).send(body);
    // An all-day occurrence of a timed series went out as RECURRENCE-ID;VALUE=DATE, which matches no occurrence.
    expectProblem(await patch({ isAllDay: true, startTime: '2026-03-03', endTime: '2026-03-04' }), 400, 'VALIDATION_FAILED', ['isAllDay']);
    expectProblem(await patch({ timezone: 'Asia/Tokyo' }), 400, 'VALIDATION_FAILED', ['timezone']);
    expectProblem(await patch({ attendees: [{ email: 'other@example.com' }] }), 400, 'VALIDATION_FAILED', ['attendees']);
    expectProblem(await patch({ tagIds: [] }), 400, 'VALIDATION_FAILED', ['tagIds']);
    const unchanged = await api().get(`/api/v1/events/${override.id}`).set(user.auth).expect(200);
    expect(unchanged.body).toEqual(override);
    // Its own fields, and the values it already has, are fine.
    const edited = await patch({ title: 'Edited again', timezone: 'UTC', isAllDay: false, startTime: '2026-03-03T11:00:00Z', endTime: '2026-03-03T12:00:00Z' }).expect(200);
    expect(edited.body).toMatchObject({ title: 'Edited again', startTime: '2026-03-03T11:00:00.000Z', occurrenceId: '2026-03-03T09:00:00Z' });
  });
});

describe('this and following from an edited occurrence', () => {
  // test/e2e/recurrence.e2e-spec.ts pins that edited occurrences after the one the edit starts at keep their edits.
  it('shows the edit on the occurrence it starts at (its own time kept); later edited occurrences keep their edits', async () => {
    const user = await registerUser(t.http, { timezone: 'UTC' });
    const id = await newSeries(user, { title: 'Daily', startTime: '2026-05-01T10:00:00Z', endTime: '2026-05-01T11:00:00Z', recurrenceRule: 'FREQ=DAILY;COUNT=5' });
    await api().put(`/api/v1/events/${id}/occurrences/2026-05-03T10:00:00Z`).set(user.auth).send({ title: 'Special', startTime: '2026-05-03T15:00:00Z', endTime: '2026-05-03T16:00:00Z' }).expect(200);
    await api().put(`/api/v1/events/${id}/occurrences/2026-05-04T10:00:00Z`).set(user.auth).send({ location: 'Room 2' }).expect(200);
    const tail = await api()
      .put(`/api/v1/events/${id}/occurrences/2026-05-03T10:00:00Z`)
      .query({ scope: 'following' })
      .set(user.auth)
      .send({ title: 'Renamed' })
      .expect(200);
    const items = await api()
      .get(`/api/v1/events/${tail.body.id}/occurrences`)
      .query({ from: '2026-05-01T00:00:00Z', to: '2026-05-10T00:00:00Z' })
      .set(user.auth)
      .expect(200);
    expect(
      items.body.data.map((item: { occurrenceId: string; title: string; startTime: string; location: string | null }) => [
        item.occurrenceId,
        item.title,
        item.startTime,
        item.location,
      ]),
    ).toEqual([
      ['2026-05-03T10:00:00Z', 'Renamed', '2026-05-03T15:00:00.000Z', null],
      ['2026-05-04T10:00:00Z', 'Daily', '2026-05-04T10:00:00.000Z', 'Room 2'],
      ['2026-05-05T10:00:00Z', 'Renamed', '2026-05-05T10:00:00.000Z', null],
    ]);
  });
});

describe('PUT /recurrence with a new start', () => {
  it('moves a Monday, Wednesday and Friday series to Tuesdays and Thursdays in one request', async () => {
    const user = await registerUser(t.http, { timezone: 'America/New_York' });
    const id = await newSeries(user, {
      title: 'Stand-up',
      startTime: '2026-03-02T09:00:00-05:00',
      endTime: '2026-03-02T09:15:00-05:00',
      timezone: 'America/New_York',
      recurrenceRule: 'FREQ=WEEKLY;BYDAY=MO,WE,FR',
    });
    // Each change alone leaves a start that is not an occurrence of the rule: both were refused, and a
    // caller had to pass through an in-between rule.
    expectProblem(await api().put(`/api/v1/events/${id}/recurrence`).set(user.auth).send({ recurrenceRule: 'FREQ=WEEKLY;BYDAY=TU,TH' }), 400, 'INVALID_RECURRENCE');
    const moved = await api()
      .put(`/api/v1/events/${id}/recurrence`)
      .set(user.auth)
      .send({ recurrenceRule: 'FREQ=WEEKLY;BYDAY=TU,TH', startTime: '2026-03-03T09:00:00-05:00' })
      .expect(200);
    // startTime alone keeps the occurrences' length (15 minutes).
    expect(moved.body).toMatchObject({ startTime: '2026-03-03T14:00:00.000Z', endTime: '2026-03-03T14:15:00.000Z' });
    const list = await api()
      .get(`/api/v1/events/${id}/occurrences`)
      .query({ from: '2026-03-01T00:00:00Z', to: '2026-03-14T00:00:00Z' })
      .set(user.auth)
      .expect(200);
    // The 8th of March is the DST change in New York: the series stays at 09:00 local.
    expect(list.body.data.map((item: { startTime: string }) => item.startTime)).toEqual([
      '2026-03-03T14:00:00.000Z',
      '2026-03-05T14:00:00.000Z',
      '2026-03-10T13:00:00.000Z',
      '2026-03-12T13:00:00.000Z',
    ]);
  });

  it('takes a new end with the start, refuses a start that is not the rule\'s and a date for a timed series, naming the field', async () => {
    const user = await registerUser(t.http, { timezone: 'UTC' });
    const id = await newSeries(user, { title: 'Review', startTime: '2026-03-02T09:00:00Z', endTime: '2026-03-02T10:00:00Z', recurrenceRule: 'FREQ=WEEKLY;BYDAY=MO' });
    const both = await api()
      .put(`/api/v1/events/${id}/recurrence`)
      .set(user.auth)
      .send({ recurrenceRule: 'FREQ=WEEKLY;BYDAY=TU', startTime: '2026-03-03T13:00:00Z', endTime: '2026-03-03T13:30:00Z' })
      .expect(200);
    expect(both.body).toMatchObject({ startTime: '2026-03-03T13:00:00.000Z', endTime: '2026-03-03T13:30:00.000Z', recurrence: { rule: 'FREQ=WEEKLY;BYDAY=TU' } });
    expectProblem(
      await api().put(`/api/v1/events/${id}/recurrence`).set(user.auth).send({ recurrenceRule: 'FREQ=WEEKLY;BYDAY=TH', startTime: '2026-03-04T13:00:00Z' }),
      400,
      'INVALID_RECURRENCE',
    );
    expectProblem(
      await api().put(`/api/v1/events/${id}/recurrence`).set(user.auth).send({ recurrenceRule: 'FREQ=WEEKLY;BYDAY=TH', startTime: '2026-03-05' }),
      400,
      'VALIDATION_FAILED',
      ['startTime'],
    );
    expectProblem(
      await api().put(`/api/v1/events/${id}/recurrence`).set(user.auth).send({ recurrenceRule: 'FREQ=WEEKLY;BYDAY=TH', startTime: 'Thursday' }),
      400,
      'VALIDATION_FAILED',
      ['startTime'],
    );
    const after = await api().get(`/api/v1/events/${id}`).set(user.auth).expect(200);
    expect(after.body).toMatchObject({ startTime: '2026-03-03T13:00:00.000Z', recurrence: { rule: 'FREQ=WEEKLY;BYDAY=TU' } });
  });

  it('moves an all-day series by its date, keeping its length in days', async () => {
    const user = await registerUser(t.http, { timezone: 'Europe/Berlin' });
    const id = await newSeries(user, { title: 'Offsite', isAllDay: true, startTime: '2026-03-02', endTime: '2026-03-04', recurrenceRule: 'FREQ=MONTHLY;BYDAY=1MO' });
    const moved = await api()
      .put(`/api/v1/events/${id}/recurrence`)
      .set(user.auth)
      .send({ recurrenceRule: 'FREQ=MONTHLY;BYDAY=1TH', startTime: '2026-03-05' })
      .expect(200);
    expect(moved.body).toMatchObject({ startDate: '2026-03-05', endDate: '2026-03-07', isAllDay: true });
  });
});
