import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { SchedulerService, type DailySummaryPayload } from '../../src/modules/scheduler/scheduler.service.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { eventually } from '../setup/wait.js';
import { settleChanges } from '../setup/changes.js';

// Every instant here is years after the run, so the app's own worker (on the real clock) never finds
// these reminders due: they stay queued for the assertions, and the scheduler is driven with `tick(now)`.
let t: TestApp;
let scheduler: SchedulerService;

beforeAll(async () => {
  t = await createTestApp({ JOB_POLL_INTERVAL_MS: '25' });
  scheduler = t.app.get(SchedulerService);
});
afterAll(async () => {
  await t?.close();
});

const api = () => request(t.http);
/** Reminders are re-planned by a subscriber of the change feed: let it run before looking. */
const settle = () => settleChanges(t.app);

interface ReminderRow {
  dedupe_key: string;
  job_status: string;
  email_status: string;
  scheduled_at: Date;
  recipient: string;
  subject: string;
}

async function remindersOf(eventId: string): Promise<ReminderRow[]> {
  const { rows } = await t.db.query<ReminderRow>(
    `SELECT j.dedupe_key, j.status AS job_status, e.status AS email_status, e.scheduled_at, e.recipient, e.subject
     FROM jobs j JOIN email_queue e ON e.job_id = j.id
     WHERE j.dedupe_key LIKE $1 ORDER BY e.scheduled_at, j.created_at`,
    [`email:reminder:${eventId}:%`],
  );
  return rows;
}

async function bodyOf(dedupeKey: string): Promise<string> {
  const { rows } = await t.db.query<{ body_text: string }>(
    `SELECT e.body_text FROM jobs j JOIN email_queue e ON e.job_id = j.id WHERE j.dedupe_key = $1 AND j.status = 'queued'`,
    [dedupeKey],
  );
  return rows[0]?.body_text ?? '';
}

const queued = (rows: ReminderRow[]) => rows.filter((row) => row.job_status === 'queued');

async function createEvent(owner: TestUser, body: Record<string, unknown>): Promise<string> {
  const res = await api().post('/api/v1/events').set(owner.auth).send(body).expect(201);
  await settle();
  return res.body.id;
}

describe('event reminders', () => {
  it('queues the email reminder of a single event once, at start minus its lead, to the owner only', async () => {
    const owner = await registerUser(t.http, { name: 'Rita' });
    const id = await createEvent(owner, {
      title: 'Dentist',
      startTime: '2031-03-10T10:00:00Z',
      endTime: '2031-03-10T11:00:00Z',
      attendees: [{ email: 'guest-not-reminded@example.com' }],
      reminders: [
        { method: 'email', minutesBefore: 30 },
        { method: 'popup', minutesBefore: 10 },
        { method: 'slack', minutesBefore: 5 },
      ],
    });
    const now = new Date('2031-03-10T00:00:00Z');
    await scheduler.tick(now);
    await scheduler.tick(now);
    await scheduler.tick(new Date('2031-03-10T09:00:00Z'));
    const rows = await remindersOf(id);
    expect(rows).toEqual([
      {
        dedupe_key: `email:reminder:${id}:2031-03-10T10:00:00.000Z:30:${owner.email}`,
        job_status: 'queued',
        email_status: 'queued',
        scheduled_at: new Date('2031-03-10T09:30:00Z'),
        recipient: owner.email,
        subject: 'Reminder: Dentist at 10:00',
      },
    ]);
  });

  it('is not queued before the horizon, and skipped (not sent late) once its time has passed', async () => {
    const owner = await registerUser(t.http);
    const id = await createEvent(owner, {
      title: 'Late',
      startTime: '2031-04-10T10:00:00Z',
      endTime: '2031-04-10T11:00:00Z',
      reminders: [{ method: 'email', minutesBefore: 60 }],
    });
    await scheduler.tick(new Date('2031-04-09T08:00:00Z')); // send time 25 h ahead: beyond the 24 h horizon
    expect(await remindersOf(id)).toEqual([]);
    await scheduler.tick(new Date('2031-04-10T09:30:00Z')); // send time 30 min ago
    expect(await remindersOf(id)).toEqual([]);
  });

  it('reminds each remaining occurrence of a daily series exactly once, overrides included', async () => {
    const owner = await registerUser(t.http);
    const id = await createEvent(owner, {
      title: 'Standup',
      startTime: '2031-05-05T09:00:00Z',
      endTime: '2031-05-05T09:15:00Z',
      recurrenceRule: 'FREQ=DAILY;COUNT=4',
      reminders: [{ method: 'email', minutesBefore: 15 }],
    });
    await api().delete(`/api/v1/events/${id}/occurrences/2031-05-06T09:00:00Z`).set(owner.auth).expect(204);
    await settle();
    await api()
      .put(`/api/v1/events/${id}/occurrences/2031-05-07T09:00:00Z`)
      .set(owner.auth)
      .send({ title: 'Standup (late)', startTime: '2031-05-07T10:00:00Z', endTime: '2031-05-07T10:15:00Z' })
      .expect(200);
    await settle();
    for (const now of ['2031-05-05T06:00:00Z', '2031-05-05T06:00:00Z', '2031-05-06T06:00:00Z', '2031-05-07T06:00:00Z', '2031-05-08T06:00:00Z', '2031-05-08T06:00:00Z']) {
      await scheduler.tick(new Date(now));
    }
    const rows = await remindersOf(id);
    expect(rows.map((row) => [row.scheduled_at.toISOString(), row.subject, row.job_status])).toEqual([
      ['2031-05-05T08:45:00.000Z', 'Reminder: Standup at 09:00', 'queued'],
      ['2031-05-07T09:45:00.000Z', 'Reminder: Standup (late) at 10:00', 'queued'],
      ['2031-05-08T08:45:00.000Z', 'Reminder: Standup at 09:00', 'queued'],
    ]);
  });

  it('cancels the queued reminder of an event that moves; the next tick queues the new time', async () => {
    const owner = await registerUser(t.http);
    const id = await createEvent(owner, {
      title: 'Review',
      startTime: '2031-06-02T10:00:00Z',
      endTime: '2031-06-02T11:00:00Z',
      reminders: [{ method: 'email', minutesBefore: 60 }],
    });
    const now = new Date('2031-06-02T00:00:00Z');
    await scheduler.tick(now);
    expect(queued(await remindersOf(id))).toHaveLength(1);

    await api().patch(`/api/v1/events/${id}`).set(owner.auth).send({ startTime: '2031-06-02T14:00:00Z', endTime: '2031-06-02T15:00:00Z' }).expect(200);
    await settle();
    const afterMove = await remindersOf(id);
    expect(afterMove).toEqual([expect.objectContaining({ scheduled_at: new Date('2031-06-02T09:00:00Z'), job_status: 'cancelled', email_status: 'cancelled' })]);

    await scheduler.tick(now);
    await scheduler.tick(now);
    expect(queued(await remindersOf(id)).map((row) => row.scheduled_at)).toEqual([new Date('2031-06-02T13:00:00Z')]);

    // Removing the email reminder, or deleting the event, cancels what is queued.
    await api().patch(`/api/v1/events/${id}`).set(owner.auth).send({ reminders: [{ method: 'popup', minutesBefore: 60 }] }).expect(200);
    await settle();
    expect(queued(await remindersOf(id))).toEqual([]);
    await api().patch(`/api/v1/events/${id}`).set(owner.auth).send({ reminders: [{ method: 'email', minutesBefore: 60 }] }).expect(200);
    await settle();
    await scheduler.tick(now);
    expect(queued(await remindersOf(id))).toHaveLength(1);
    await api().delete(`/api/v1/events/${id}`).set(owner.auth).expect(204);
    await settle();
    expect(queued(await remindersOf(id))).toEqual([]);
  });

  it('re-queues a pending reminder when the title changes, and leaves cancelled events out', async () => {
    const owner = await registerUser(t.http);
    const id = await createEvent(owner, {
      title: 'Old title',
      startTime: '2031-07-01T10:00:00Z',
      endTime: '2031-07-01T11:00:00Z',
      reminders: [{ method: 'email', minutesBefore: 10 }],
    });
    const now = new Date('2031-07-01T08:00:00Z');
    await scheduler.tick(now);
    await api().patch(`/api/v1/events/${id}`).set(owner.auth).send({ title: 'New title' }).expect(200);
    await settle();
    await scheduler.tick(now);
    expect(queued(await remindersOf(id)).map((row) => row.subject)).toEqual(['Reminder: New title at 10:00']);

    await api().patch(`/api/v1/events/${id}`).set(owner.auth).send({ status: 'cancelled' }).expect(200);
    await settle();
    await scheduler.tick(now);
    expect(queued(await remindersOf(id))).toEqual([]);
  });

  it('re-queues a pending reminder when only the end changes, so it shows the new range', async () => {
    const owner = await registerUser(t.http, { timezone: 'Asia/Tokyo' });
    const id = await createEvent(owner, {
      title: 'Offsite',
      startTime: '2031-07-03T10:00:00+09:00',
      endTime: '2031-07-03T10:30:00+09:00',
      reminders: [{ method: 'email', minutesBefore: 10 }],
    });
    const now = new Date('2031-07-03T00:00:00Z');
    await scheduler.tick(now);
    await api().patch(`/api/v1/events/${id}`).set(owner.auth).send({ endTime: '2031-07-03T12:30:00+09:00' }).expect(200);
    await settle();
    await scheduler.tick(now);
    const pending = queued(await remindersOf(id));
    expect(pending).toHaveLength(1);
    expect(await bodyOf(pending[0].dedupe_key)).toContain('10:00–12:30 (Asia/Tokyo)');
  });

  it("re-renders pending reminders in the owner's new zone after PATCH /users/me", async () => {
    const owner = await registerUser(t.http, { timezone: 'Asia/Tokyo' });
    const id = await createEvent(owner, {
      title: 'Zone check',
      startTime: '2031-07-04T10:00:00+09:00',
      endTime: '2031-07-04T10:30:00+09:00',
      reminders: [{ method: 'email', minutesBefore: 10 }],
    });
    const now = new Date('2031-07-04T00:00:00Z');
    await scheduler.tick(now);
    await api().patch('/api/v1/users/me').set(owner.auth).send({ timezone: 'America/Los_Angeles' }).expect(200);
    await settle();
    await scheduler.tick(now);
    const pending = queued(await remindersOf(id));
    expect(pending.map((row) => row.subject)).toEqual(['Reminder: Zone check at 18:00']);
    expect(await bodyOf(pending[0].dedupe_key)).toContain('18:00–18:30 (America/Los_Angeles)');
  });
});

describe('the reminder sweep', () => {
  it('cancels a reminder whose event was changed behind the services\' back, before it is sent', async () => {
    const owner = await registerUser(t.http);
    const id = await createEvent(owner, {
      title: 'Imported',
      startTime: '2031-08-01T10:00:00Z',
      endTime: '2031-08-01T11:00:00Z',
      reminders: [{ method: 'email', minutesBefore: 10 }],
    });
    await scheduler.tick(new Date('2031-08-01T09:00:00Z'));
    // What an iCalendar re-import does: the row changes without the event services.
    await t.db.query(`UPDATE events SET start_time = start_time + interval '2 hours', end_time = end_time + interval '2 hours' WHERE id = $1`, [id]);
    await scheduler.tick(new Date('2031-08-01T09:40:00Z'));
    expect((await remindersOf(id)).map((row) => [row.scheduled_at.toISOString(), row.job_status])).toEqual([
      ['2031-08-01T09:50:00.000Z', 'cancelled'],
      ['2031-08-01T11:50:00.000Z', 'queued'],
    ]);
  });
});

describe('daily summary', () => {
  it('is opt-in through PATCH /users/me', async () => {
    const user = await registerUser(t.http);
    expect((await api().get('/api/v1/users/me').set(user.auth).expect(200)).body.dailySummary).toBe(false);
    const res = await api().patch('/api/v1/users/me').set(user.auth).send({ dailySummary: true }).expect(200);
    expect(res.body.dailySummary).toBe(true);
    expect((await api().get('/api/v1/users/me').set(user.auth).expect(200)).body.dailySummary).toBe(true);
    await api().patch('/api/v1/users/me').set(user.auth).send({ dailySummary: 'yes' }).expect(400);
  });

  it('is planned at 07:00 Tokyo time (22:00 UTC the day before) and lists that day, series occurrences included', async () => {
    const tokyo = await registerUser(t.http, { name: 'Kenji', timezone: 'Asia/Tokyo' });
    const notOptedIn = await registerUser(t.http, { timezone: 'Asia/Tokyo' });
    await api().patch('/api/v1/users/me').set(tokyo.auth).send({ dailySummary: true }).expect(200);
    await createEvent(tokyo, { title: 'Design review', startTime: '2031-01-15T10:00:00+09:00', endTime: '2031-01-15T11:00:00+09:00', location: 'Room 7' });
    await createEvent(tokyo, {
      title: 'Morning sync',
      startTime: '2031-01-13T09:00:00+09:00',
      endTime: '2031-01-13T09:15:00+09:00',
      recurrenceRule: 'FREQ=DAILY;COUNT=5',
    });
    await createEvent(tokyo, { title: 'Called off', status: 'cancelled', startTime: '2031-01-15T13:00:00+09:00', endTime: '2031-01-15T14:00:00+09:00' });
    await createEvent(tokyo, { title: 'Tomorrow', startTime: '2031-01-16T10:00:00+09:00', endTime: '2031-01-16T11:00:00+09:00' });
    await createEvent(notOptedIn, { title: 'Theirs', startTime: '2031-01-15T10:00:00+09:00', endTime: '2031-01-15T11:00:00+09:00' });

    const now = new Date('2031-01-14T21:30:00Z'); // 06:30 on the 15th in Tokyo
    await scheduler.tick(now);
    await scheduler.tick(now);
    const { rows: jobs } = await t.db.query<{ user_id: string; run_at: Date; payload: DailySummaryPayload; status: string }>(
      `SELECT user_id, run_at, payload, status FROM jobs WHERE kind = 'daily-summary.compose' AND user_id = ANY($1)`,
      [[tokyo.id, notOptedIn.id]],
    );
    expect(jobs).toEqual([
      {
        user_id: tokyo.id,
        run_at: new Date('2031-01-14T22:00:00Z'),
        payload: { userId: tokyo.id, localDate: '2031-01-15', timezone: 'Asia/Tokyo' },
        status: 'queued',
      },
    ]);

    // At 07:00 the job composes the email of the day as it is then.
    expect(await scheduler.composeDailySummary(jobs[0].payload, new Date('2031-01-14T22:00:00Z'))).toBe(true);
    expect(await scheduler.composeDailySummary(jobs[0].payload, new Date('2031-01-14T22:01:00Z'))).toBe(false); // once a day
    const { rows: emails } = await t.db.query<{ subject: string; body_text: string; scheduled_at: Date; recipient: string }>(
      `SELECT subject, body_text, scheduled_at, recipient FROM email_queue WHERE user_id = $1 AND template_key = 'daily_summary'`,
      [tokyo.id],
    );
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({ recipient: tokyo.email, scheduled_at: new Date('2031-01-14T22:00:00Z') });
    expect(emails[0].subject).toBe('Your day, Wednesday 15 January 2031: 2 events');
    expect(emails[0].body_text).toContain('09:00–09:15 (Asia/Tokyo)  Morning sync');
    expect(emails[0].body_text).toContain('10:00–11:00 (Asia/Tokyo)  Design review (Room 7)');
    expect(emails[0].body_text).not.toContain('Called off');
    expect(emails[0].body_text).not.toContain('Tomorrow');
    expect(emails[0].body_text.indexOf('Morning sync')).toBeLessThan(emails[0].body_text.indexOf('Design review'));
  });

  it('lists the all-day events of that date as all-day, whatever their zone, and none of the dates either side', async () => {
    // Kiritimati is UTC+14 and Honolulu UTC-10: a Honolulu all-day event of the 12th covers the
    // Kiritimati 13th in UTC and none of the 12th; the one of the 11th covers all of the 12th.
    const user = await registerUser(t.http, { timezone: 'Pacific/Kiritimati' });
    await api().patch('/api/v1/users/me').set(user.auth).send({ dailySummary: true }).expect(200);
    const allDay = (title: string, startTime: string, endTime: string, timezone: string) =>
      createEvent(user, { title, isAllDay: true, startTime, endTime, timezone });
    await allDay('Honolulu 11th', '2031-03-11', '2031-03-12', 'Pacific/Honolulu');
    await allDay('Honolulu 12th', '2031-03-12', '2031-03-13', 'Pacific/Honolulu');
    await allDay('Home 12th', '2031-03-12', '2031-03-13', 'Pacific/Kiritimati');
    await allDay('Honolulu 13th', '2031-03-13', '2031-03-14', 'Pacific/Honolulu');
    await allDay('Trip 10th to 14th', '2031-03-10', '2031-03-15', 'Europe/London');
    await createEvent(user, { title: 'Lunch', startTime: '2031-03-12T12:00:00+14:00', endTime: '2031-03-12T13:00:00+14:00' });

    const payload = { userId: user.id, localDate: '2031-03-12', timezone: 'Pacific/Kiritimati' };
    expect(await scheduler.composeDailySummary(payload, new Date('2031-03-11T17:00:00Z'))).toBe(true);
    const { rows } = await t.db.query<{ subject: string; body_text: string }>(
      `SELECT subject, body_text FROM email_queue WHERE user_id = $1 AND template_key = 'daily_summary'`,
      [user.id],
    );
    expect(rows[0].subject).toBe('Your day, Wednesday 12 March 2031: 4 events');
    const lines = rows[0].body_text.split('\n').filter((line) => line.startsWith('- '));
    expect(lines).toEqual([
      '- All day  Trip 10th to 14th',
      '- All day  Home 12th',
      '- All day  Honolulu 12th',
      '- Wed 12 Mar 2031, 12:00–13:00 (Pacific/Kiritimati)  Lunch',
    ]);
  });

  it('is skipped for a user who opted out or changed zone since it was planned', async () => {
    const user = await registerUser(t.http, { timezone: 'Europe/Paris' });
    await api().patch('/api/v1/users/me').set(user.auth).send({ dailySummary: true }).expect(200);
    const payload = { userId: user.id, localDate: '2031-02-01', timezone: 'Europe/Paris' };
    await api().patch('/api/v1/users/me').set(user.auth).send({ timezone: 'Europe/Berlin' }).expect(200);
    expect(await scheduler.composeDailySummary(payload, new Date('2031-02-01T06:00:00Z'))).toBe(false);
    await api().patch('/api/v1/users/me').set(user.auth).send({ timezone: 'Europe/Paris', dailySummary: false }).expect(200);
    expect(await scheduler.composeDailySummary(payload, new Date('2031-02-01T06:00:00Z'))).toBe(false);
  });
});

describe('the scheduler tick', () => {
  it('starts at boot and keeps the next period queued, once however many processes boot', async () => {
    const next = await eventually(async () => {
      const { rows } = await t.db.query<{ status: string; run_at: Date; dedupe_key: string }>(
        `SELECT status, run_at, dedupe_key FROM jobs WHERE kind = 'scheduler.tick' ORDER BY run_at`,
      );
      const upcoming = rows.filter((row) => row.status === 'queued');
      return rows.some((row) => row.status === 'succeeded') && upcoming.length ? upcoming : undefined;
    }, 10_000, 'the first tick');
    expect(next).toHaveLength(1);
    expect(next[0].run_at.getTime() % (5 * 60_000)).toBe(0);
    expect(next[0].dedupe_key).toBe(`scheduler.tick:${next[0].run_at.toISOString()}`);
  });
});
