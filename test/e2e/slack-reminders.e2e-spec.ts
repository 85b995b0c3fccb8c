import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { SlackSummaries } from '../../src/modules/slack/slack-summary.js';
import { SlackTickHandler } from '../../src/modules/slack/slack-tick.job.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { FakeSlack } from '../fakes/slack/fake-slack.js';
import { installSlack, slackEnv } from '../fakes/slack/testing.js';
import { settleChanges } from '../setup/changes.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { eventually, sleep } from '../setup/wait.js';

let t: TestApp;
let fake: FakeSlack;
let slackUsers = 0;

beforeAll(async () => {
  fake = await FakeSlack.start();
  t = await createTestApp({ ...slackEnv(fake), JOB_POLL_INTERVAL_MS: '20' });
}, 120_000);
afterAll(async () => {
  await t?.close();
  await fake?.stop();
});

const api = () => request(t.http);
const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

async function connected(options: { statusSync?: boolean; timezone?: string } = {}): Promise<TestUser & { slackUser: string }> {
  const user = await registerUser(t.http, { timezone: options.timezone ?? 'UTC' });
  const slackUser = `U0REMIND${++slackUsers}`;
  fake.installingUser = slackUser;
  await installSlack(t.http, user, fake, options.statusSync ? { statusSync: true } : {});
  await api().patch('/api/v1/integrations/slack').set(user.auth).send({ defaultChannelId: 'C0GENERAL', ...(options.statusSync ? { statusSync: true } : {}) }).expect(200);
  return { ...user, slackUser };
}

async function messagesOf(user: TestUser) {
  return (await api().get('/api/v1/integrations/slack/messages').set(user.auth).expect(200)).body.data as Array<{ status: string; text: string; kind: string; scheduledAt: string | null }>;
}

describe('slack reminders', () => {
  it('sends a `slack` reminder at its time, once, and leaves email reminders to email', async () => {
    const user = await connected();
    await api()
      .post('/api/v1/events')
      .set(user.auth)
      .send({
        title: 'Design review',
        startTime: inMs(10 * 60_000 + 1500),
        endTime: inMs(40 * 60_000),
        reminders: [{ method: 'slack', minutesBefore: 10 }, { method: 'email', minutesBefore: 5 }],
      })
      .expect(201);
    await settleChanges(t.app);
    const queued = await messagesOf(user);
    expect(queued).toEqual([expect.objectContaining({ kind: 'event_reminder', status: 'queued', text: expect.stringMatching(/^Reminder: Design review starts in 10 minutes \(/) })]);
    expect(fake.messages.filter((message) => message.text.includes('Design review'))).toHaveLength(0);
    await eventually(() => fake.messages.find((message) => message.text.includes('Design review')), 10_000, 'the reminder');
    // Planning again (a tick, another change) queues nothing new.
    await t.app.get(SlackTickHandler).tick(new Date());
    await sleep(300);
    expect(fake.messages.filter((message) => message.text.includes('Design review'))).toHaveLength(1);
    expect((await messagesOf(user)).map((message) => message.status)).toEqual(['sent']);
  });

  it('moves the reminder with its event and drops it when the event is cancelled or reminders are turned off', async () => {
    const user = await connected();
    const created = await api()
      .post('/api/v1/events')
      .set(user.auth)
      .send({ title: 'Planning', startTime: inMs(2 * 3_600_000), endTime: inMs(3 * 3_600_000), reminders: [{ method: 'slack', minutesBefore: 15 }] })
      .expect(201);
    await settleChanges(t.app);
    const moved = await api().patch(`/api/v1/events/${created.body.id}`).set(user.auth).send({ startTime: inMs(4 * 3_600_000), endTime: inMs(5 * 3_600_000) }).expect(200);
    await settleChanges(t.app);
    let messages = await messagesOf(user);
    expect(messages.map((message) => message.status).sort()).toEqual(['cancelled', 'queued']);
    const live = messages.find((message) => message.status === 'queued');
    expect(new Date(live!.scheduledAt as string).getTime()).toBe(new Date(moved.body.startTime).getTime() - 15 * 60_000);

    await api().patch(`/api/v1/events/${created.body.id}`).set(user.auth).send({ status: 'cancelled' }).expect(200);
    await settleChanges(t.app);
    messages = await messagesOf(user);
    expect(messages.map((message) => message.status)).toEqual(['cancelled', 'cancelled']);

    // With event reminders routed off, nothing is queued at all.
    await api().patch('/api/v1/integrations/slack').set(user.auth).send({ notifications: [{ kind: 'event_reminder', enabled: false }] }).expect(200);
    await api().post('/api/v1/events').set(user.auth).send({ title: 'Quiet', startTime: inMs(3_600_000), endTime: inMs(2 * 3_600_000), reminders: [{ method: 'slack', minutesBefore: 10 }] }).expect(201);
    await settleChanges(t.app);
    expect(await messagesOf(user)).toHaveLength(2);
  });

  it("re-renders queued reminders in the owner's new zone", async () => {
    const user = await connected({ timezone: 'UTC' });
    await api()
      .post('/api/v1/events')
      .set(user.auth)
      .send({ title: 'Zoned', startTime: inMs(2 * 3_600_000), endTime: inMs(3 * 3_600_000), reminders: [{ method: 'slack', minutesBefore: 15 }] })
      .expect(201);
    await settleChanges(t.app);
    expect((await messagesOf(user)).map((message) => message.text)).toEqual([expect.stringContaining('(UTC)')]);
    await api().patch('/api/v1/users/me').set(user.auth).send({ timezone: 'Asia/Tokyo' }).expect(200);
    await settleChanges(t.app);
    const messages = await messagesOf(user);
    expect(messages.filter((message) => message.status === 'queued').map((message) => message.text)).toEqual([expect.stringContaining('(Asia/Tokyo)')]);
    expect(messages.filter((message) => message.status === 'cancelled')).toHaveLength(1);
  });

  it('the tick queues reminders of series occurrences within the horizon', async () => {
    const user = await connected();
    const start = new Date(Date.now() + 3_600_000);
    await api()
      .post('/api/v1/events')
      .set(user.auth)
      .send({
        title: 'Daily sync',
        startTime: start.toISOString(),
        endTime: new Date(start.getTime() + 15 * 60_000).toISOString(),
        recurrenceRule: 'FREQ=DAILY;COUNT=5',
        reminders: [{ method: 'slack', minutesBefore: 5 }],
      })
      .expect(201);
    await settleChanges(t.app);
    // The change planned the occurrences due within 24 h: today's (and maybe tomorrow's before the horizon ends).
    const planned = (await messagesOf(user)).length;
    expect(planned).toBe(1);
    const report = await t.app.get(SlackTickHandler).tick(new Date(Date.now() + 24 * 3_600_000));
    expect(report.remindersQueued).toBe(1);
    expect(await messagesOf(user)).toHaveLength(2);
  });
});

describe('slack status', () => {
  it('sets "In a meeting until …" during a busy event, idempotently, and clears it after', async () => {
    const user = await connected({ statusSync: true });
    const sets = () => fake.profileSets.filter((set) => set.user === user.slackUser);
    // Turning sync on with nothing running: nothing was set, so nothing to clear.
    await sleep(200);
    expect(sets()).toHaveLength(0);

    const end = new Date(Math.ceil((Date.now() + 30 * 60_000) / 60_000) * 60_000);
    const event = await api()
      .post('/api/v1/events')
      .set(user.auth)
      .send({ title: 'Running meeting', startTime: inMs(-5 * 60_000), endTime: end.toISOString() })
      .expect(201);
    const expected = `In a meeting until ${end.toISOString().slice(11, 16)}`;
    await eventually(() => fake.profiles.get(user.slackUser)?.status_text === expected, 10_000, 'the status');
    expect(fake.profiles.get(user.slackUser)).toEqual({ status_text: expected, status_emoji: ':calendar:', status_expiration: end.getTime() / 1000 });

    // Another run (the tick) changes nothing.
    await t.app.get(SlackTickHandler).tick(new Date());
    await sleep(400);
    expect(sets()).toHaveLength(1);

    await api().delete(`/api/v1/events/${event.body.id}`).set(user.auth).expect(204);
    await eventually(() => fake.profiles.get(user.slackUser)?.status_text === '', 10_000, 'the cleared status');
    await sleep(300);
    expect(sets().map((set) => set.status_text)).toEqual([expected, '']);
  });

  it('follows the meeting boundaries planned ahead: set at the start, cleared at the end', async () => {
    const user = await connected({ statusSync: true });
    const start = new Date(Math.ceil((Date.now() + 1500) / 1000) * 1000);
    const end = new Date(start.getTime() + 2000);
    await api().post('/api/v1/events').set(user.auth).send({ title: 'Quick call', startTime: start.toISOString(), endTime: end.toISOString() }).expect(201);
    await eventually(() => fake.profiles.get(user.slackUser)?.status_text.startsWith('In a meeting until'), 10_000, 'the status at the start');
    const set = fake.profileSets.find((entry) => entry.user === user.slackUser)!;
    expect(set.at).toBeGreaterThanOrEqual(start.getTime());
    await eventually(() => fake.profiles.get(user.slackUser)?.status_text === '', 10_000, 'the status cleared at the end');
    const cleared = fake.profileSets.filter((entry) => entry.user === user.slackUser)[1];
    expect(cleared.at).toBeGreaterThanOrEqual(end.getTime());

    // Free events never set a status.
    await api().post('/api/v1/events').set(user.auth).send({ title: 'Focus (free)', transparency: 'free', startTime: inMs(-60_000), endTime: inMs(600_000) }).expect(201);
    await settleChanges(t.app);
    await sleep(400);
    expect(fake.profileSets.filter((entry) => entry.user === user.slackUser)).toHaveLength(2);
  });

  it('turning status sync off clears what Calento set', async () => {
    const user = await connected({ statusSync: true });
    await api().post('/api/v1/events').set(user.auth).send({ title: 'Long workshop', startTime: inMs(-60_000), endTime: inMs(3_600_000) }).expect(201);
    await eventually(() => fake.profiles.get(user.slackUser)?.status_text.startsWith('In a meeting'), 10_000, 'the status');
    await api().patch('/api/v1/integrations/slack').set(user.auth).send({ statusSync: false }).expect(200);
    await eventually(() => fake.profiles.get(user.slackUser)?.status_text === '', 10_000, 'the cleared status');
  });
});

describe('slack daily summary', () => {
  it('is planned for 07:00 in the user’s zone once turned on, and lists the day', async () => {
    const user = await connected({ timezone: 'Europe/Berlin' });
    const other = await connected({ timezone: 'Europe/Berlin' });
    await api().patch('/api/v1/integrations/slack').set(user.auth).send({ notifications: [{ kind: 'daily_summary', enabled: true }] }).expect(200);
    const event = (body: object) => api().post('/api/v1/events').set(user.auth).send(body).expect(201);
    await event({ title: 'Dentist', location: 'Main St 1', startTime: '2031-06-10T07:00:00Z', endTime: '2031-06-10T08:00:00Z' });
    await event({ title: 'Lunch <3', startTime: '2031-06-10T10:00:00Z', endTime: '2031-06-10T11:00:00Z' });
    const cancelled = await event({ title: 'Cancelled thing', startTime: '2031-06-10T12:00:00Z', endTime: '2031-06-10T13:00:00Z' });
    await api().patch(`/api/v1/events/${cancelled.body.id}`).set(user.auth).send({ status: 'cancelled' }).expect(200);
    await event({ title: 'Next day', startTime: '2031-06-11T07:00:00Z', endTime: '2031-06-11T08:00:00Z' });
    // All-day items belong to their dates: the day before (Honolulu's, overlapping Berlin's 10 June in
    // instants) is not listed, the day's own is, first.
    await event({ title: 'Holiday', isAllDay: true, startTime: '2031-06-09', endTime: '2031-06-10', timezone: 'Pacific/Honolulu' });
    await event({ title: 'Away', isAllDay: true, startTime: '2031-06-10', endTime: '2031-06-11', timezone: 'Pacific/Kiritimati' });

    const tick = t.app.get(SlackTickHandler);
    // 06:30 in Berlin (CEST): 07:00 is within the hour.
    expect((await tick.tick(new Date('2031-06-10T04:30:00Z'))).summariesPlanned).toBe(1);
    expect((await tick.tick(new Date('2031-06-10T04:35:00Z'))).summariesPlanned).toBe(0);
    const { rows } = await t.db.query<{ user_id: string; run_at: Date }>(
      "SELECT user_id, run_at FROM jobs WHERE kind = 'slack.daily-summary' AND user_id = ANY($1)",
      [[user.id, other.id]],
    );
    expect(rows).toEqual([{ user_id: user.id, run_at: new Date('2031-06-10T05:00:00Z') }]);

    // What the job does at 07:00.
    const summaries = t.app.get(SlackSummaries);
    expect(await summaries.compose({ userId: user.id, localDate: '2031-06-10', timezone: 'Europe/Berlin' }, new Date('2031-06-10T05:00:00Z'))).not.toBeNull();
    const posted = await eventually(() => fake.messages.find((message) => message.text.startsWith('Your day: Tuesday 10 June 2031')), 10_000, 'the summary');
    expect(posted.text).toBe('Your day: Tuesday 10 June 2031 — 3 events: Away, Dentist, Lunch &lt;3');
    expect(JSON.stringify(posted.blocks)).toContain('• all day *Away*\\n• 09:00–10:00 *Dentist* — Main St 1\\n• 12:00–13:00 *Lunch &lt;3*');
    // Once per day, however often it runs; nothing for a day that is over or a zone that changed.
    expect(await summaries.compose({ userId: user.id, localDate: '2031-06-10', timezone: 'Europe/Berlin' }, new Date('2031-06-10T05:00:00Z'))).toBeNull();
    expect(await summaries.compose({ userId: user.id, localDate: '2031-06-09', timezone: 'Europe/Berlin' }, new Date('2031-06-10T05:00:00Z'))).toBeNull();
    expect(await summaries.compose({ userId: user.id, localDate: '2031-06-11', timezone: 'UTC' }, new Date('2031-06-10T05:00:00Z'))).toBeNull();
  });
});
