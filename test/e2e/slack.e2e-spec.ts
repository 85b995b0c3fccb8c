import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { DateTime } from 'luxon';
import request from 'supertest';
import { Clock } from '../../src/common/time/clock.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { FakeSlack } from '../fakes/slack/fake-slack.js';
import { followAuthorize, installSlack, SIGNING_SECRET, slackEnv } from '../fakes/slack/testing.js';
import { settleChanges } from '../setup/changes.js';
import { expectProblem } from '../setup/problem.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { eventually, sleep } from '../setup/wait.js';

let t: TestApp;
let fake: FakeSlack;

beforeAll(async () => {
  fake = await FakeSlack.start({ channelCount: 450 });
  t = await createTestApp(
    { ...slackEnv(fake), JOB_POLL_INTERVAL_MS: '20', JOB_BACKOFF_BASE_MS: '40', JOB_BACKOFF_MAX_MS: '300' },
    { captureLogs: true },
  );
}, 120_000);
afterAll(async () => {
  await t?.close();
  await fake?.stop();
});

const api = () => request(t.http);
let slugCounter = 0;

/** A connected host with a booking link, working hours every day, and a default channel. */
async function connectedHost(channel: string | null = 'C0GENERAL'): Promise<{ host: TestUser; slug: string }> {
  const host = await registerUser(t.http, { name: 'Hana Host', timezone: 'UTC' });
  const rules = [0, 1, 2, 3, 4, 5, 6].map((dayOfWeek) => ({ dayOfWeek, startTime: '08:00', endTime: '18:00' }));
  await api().put('/api/v1/availability/schedule').set(host.auth).send({ timezone: 'UTC', rules }).expect(200);
  const slug = `slack-${Date.now().toString(36)}-${++slugCounter}`;
  await api().post('/api/v1/booking-links').set(host.auth).send({ slug, title: 'Intro call', durationMinutes: 30 }).expect(201);
  fake.installingUser = `U${randomBytes(5).toString('hex').toUpperCase()}`;
  expect(await installSlack(t.http, host, fake)).toBe('http://frontend.test/integrations/slack?slack=connected');
  if (channel) await api().patch('/api/v1/integrations/slack').set(host.auth).send({ defaultChannelId: channel }).expect(200);
  return { host, slug };
}

/** A start on a day at least a week ahead, `slot` half hours after 09:00 UTC. */
function slotStart(slot: number, daysAhead = 10): string {
  return DateTime.utc().startOf('day').plus({ days: daysAhead, hours: 9, minutes: 30 * slot }).toISO({ suppressMilliseconds: true }) as string;
}

async function book(slug: string, slot: number, name = 'Grace Hopper'): Promise<{ id: string; manageToken: string }> {
  const res = await api().post('/api/v1/bookings').send({ slug, name, email: 'grace@example.com', timezone: 'Europe/London', start: slotStart(slot) }).expect(201);
  return res.body;
}

async function messagesOf(user: TestUser, status?: string) {
  const res = await api().get('/api/v1/integrations/slack/messages').query(status ? { status } : {}).set(user.auth).expect(200);
  return res.body.data as Array<{ id: string; status: string; lastError: string | null; attempts: number; text: string; channelId: string | null }>;
}

describe('connecting (OAuth v2)', () => {
  it('returns the install URL with a single-use state, and the callback stores sealed tokens', async () => {
    const user = await registerUser(t.http);
    const connect = await api().post('/api/v1/integrations/slack/connect').set(user.auth).send({ statusSync: true }).expect(201);
    const url = new URL(connect.body.url);
    expect(url.origin + url.pathname).toBe(`${fake.origin}/oauth/v2/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: fake.clientId,
      scope: 'chat:write,chat:write.public,channels:read,groups:read,commands',
      user_scope: 'users.profile:write',
      redirect_uri: 'http://calento.test/api/v1/integrations/slack/callback',
      state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    expect(new Date(connect.body.expiresAt).getTime() - Date.now()).toBeGreaterThan(9 * 60_000);

    const callback = await followAuthorize(connect.body.url, fake);
    const landed = await api().get(callback).expect(302);
    expect(landed.headers.location).toBe('http://frontend.test/integrations/slack?slack=connected');
    // The same state a second time: told why, nothing exchanged.
    expect((await api().get(callback).expect(302)).headers.location).toBe('http://frontend.test/integrations/slack?slack=error&reason=state_used');

    const got = await api().get('/api/v1/integrations/slack').set(user.auth).expect(200);
    expect(got.body).toMatchObject({
      teamId: fake.team.id,
      teamName: fake.team.name,
      slackUserId: fake.installingUser,
      defaultChannelId: null,
      statusSync: false,
      statusSyncAvailable: true,
      state: 'active',
      lastError: null,
    });
    expect(got.body.notifications).toEqual([
      { kind: 'booking_created', enabled: true, channelId: null },
      { kind: 'booking_cancelled', enabled: true, channelId: null },
      { kind: 'booking_rescheduled', enabled: true, channelId: null },
      { kind: 'event_reminder', enabled: true, channelId: null },
      { kind: 'daily_summary', enabled: false, channelId: null },
    ]);
    const { rows } = await t.db.query<{ bot_token: string; user_token: string }>('SELECT bot_token, user_token FROM slack_integrations WHERE user_id = $1', [user.id]);
    expect(rows[0].bot_token).toMatch(/^v1\./);
    expect(rows[0].user_token).toMatch(/^v1\./);
    expect(JSON.stringify(rows)).not.toContain('xox');
  });

  it('refuses unknown, expired, denied and missing states, and bad bodies', async () => {
    const user = await registerUser(t.http);
    const outcome = async (query: string) => (await api().get(`/api/v1/integrations/slack/callback?${query}`).expect(302)).headers.location;
    expect(await outcome('state=not-a-state&code=x')).toBe('http://frontend.test/integrations/slack?slack=error&reason=invalid_state');
    expectProblem(await api().get('/api/v1/integrations/slack/callback?code=abc'), 400, 'VALIDATION_FAILED', ['state']);

    const denied = new URL((await api().post('/api/v1/integrations/slack/connect').set(user.auth).send({}).expect(201)).body.url);
    expect(await outcome(`state=${denied.searchParams.get('state')}&error=access_denied`)).toBe('http://frontend.test/integrations/slack?slack=error&reason=access_denied');

    const late = (await api().post('/api/v1/integrations/slack/connect').set(user.auth).send({}).expect(201)).body.url;
    const callback = await followAuthorize(late, fake);
    const clock = jest.spyOn(t.app.get(Clock), 'now').mockReturnValue(new Date(Date.now() + 11 * 60_000));
    try {
      expect((await api().get(callback).expect(302)).headers.location).toBe('http://frontend.test/integrations/slack?slack=error&reason=state_expired');
    } finally {
      clock.mockRestore();
    }
    const forged = new URL(`http://x${callback}`);
    forged.searchParams.set('code', 'code-forged');
    const again = (await api().post('/api/v1/integrations/slack/connect').set(user.auth).send({}).expect(201)).body.url;
    forged.searchParams.set('state', new URL(again).searchParams.get('state') as string);
    expect(await outcome(forged.search.slice(1))).toBe('http://frontend.test/integrations/slack?slack=error&reason=invalid_code');
    expectProblem(await api().get('/api/v1/integrations/slack').set(user.auth), 404, 'NOT_FOUND');

    expectProblem(await api().post('/api/v1/integrations/slack/connect').set(user.auth).send({ statusSync: 'yes' }), 400, 'VALIDATION_FAILED', ['statusSync']);
    expectProblem(await api().post('/api/v1/integrations/slack/connect').set(user.auth).send({ team: 'x' }), 400, 'VALIDATION_FAILED', ['team']);
    expectProblem(await api().post('/api/v1/integrations/slack/connect').send({}), 401, 'UNAUTHENTICATED');
  });

  it('refuses a Slack user already linked to another Calento account', async () => {
    const first = await registerUser(t.http);
    const second = await registerUser(t.http);
    fake.installingUser = 'U0SHARED01';
    expect(await installSlack(t.http, first, fake)).toBe('http://frontend.test/integrations/slack?slack=connected');
    expect(await installSlack(t.http, second, fake)).toBe('http://frontend.test/integrations/slack?slack=error&reason=slack_account_in_use');
    expectProblem(await api().get('/api/v1/integrations/slack').set(second.auth), 404, 'NOT_FOUND');
    // The same user installing again (new tokens) is fine.
    expect(await installSlack(t.http, first, fake)).toBe('http://frontend.test/integrations/slack?slack=connected');
  });

  it('answers 409 when the deployment has no Slack app', async () => {
    const bare = await createTestApp({ SLACK_API_URL: fake.apiUrl });
    try {
      const user = await registerUser(bare.http);
      expectProblem(await request(bare.http).post('/api/v1/integrations/slack/connect').set(user.auth).send({}), 409, 'SLACK_NOT_CONFIGURED');
    } finally {
      await bare.close();
    }
  });
});

describe('settings and channels', () => {
  it('lists every channel the bot can post to through Slack cursors', async () => {
    const { host } = await connectedHost(null);
    const before = fake.callsOf('conversations.list').length;
    const res = await api().get('/api/v1/integrations/slack/channels').set(host.auth).expect(200);
    // 450 team channels + general + the private one the bot is in + one public it is not in; archived left out.
    expect(res.body.data).toHaveLength(453);
    expect(fake.callsOf('conversations.list').length - before).toBe(3);
    const ids = res.body.data.map((channel: { id: string }) => channel.id);
    expect(new Set(ids).size).toBe(453);
    expect(ids).not.toContain('C0ARCHIVE');
    expect(res.body.data.find((channel: { id: string }) => channel.id === 'C0PRIVATE')).toEqual({ id: 'C0PRIVATE', name: 'secret-plans', isPrivate: true, isMember: true });
    expect(res.body.data.find((channel: { id: string }) => channel.id === 'C0OUTSIDE')).toMatchObject({ isMember: false });

    const stranger = await registerUser(t.http);
    expectProblem(await api().get('/api/v1/integrations/slack/channels').set(stranger.auth), 404, 'NOT_FOUND');
    fake.outage = true;
    try {
      expectProblem(await api().get('/api/v1/integrations/slack/channels').set(host.auth), 502, 'SLACK_UNAVAILABLE');
    } finally {
      fake.outage = false;
    }
  });

  it('changes the default channel and the routing, naming bad fields', async () => {
    const { host } = await connectedHost(null);
    const res = await api()
      .patch('/api/v1/integrations/slack')
      .set(host.auth)
      .send({ defaultChannelId: 'C0GENERAL', notifications: [{ kind: 'booking_cancelled', channelId: 'C0PRIVATE' }, { kind: 'event_reminder', enabled: false }] })
      .expect(200);
    expect(res.body.defaultChannelId).toBe('C0GENERAL');
    expect(res.body.notifications).toEqual(
      expect.arrayContaining([
        { kind: 'booking_cancelled', enabled: true, channelId: 'C0PRIVATE' },
        { kind: 'event_reminder', enabled: false, channelId: null },
        { kind: 'booking_created', enabled: true, channelId: null },
      ]),
    );
    // A partial change keeps the rest.
    const again = await api().patch('/api/v1/integrations/slack').set(host.auth).send({ notifications: [{ kind: 'booking_cancelled', enabled: false }] }).expect(200);
    expect(again.body.notifications).toContainEqual({ kind: 'booking_cancelled', enabled: false, channelId: 'C0PRIVATE' });
    expect(again.body.defaultChannelId).toBe('C0GENERAL');

    const bad = (body: object, field: string) =>
      api().patch('/api/v1/integrations/slack').set(host.auth).send(body).then((response) => expectProblem(response, 400, 'VALIDATION_FAILED', [field]));
    await bad({ defaultChannelId: '#general' }, 'defaultChannelId');
    await bad({ defaultChannelId: 42 }, 'defaultChannelId');
    await bad({ statusSync: 'on' }, 'statusSync');
    await bad({ notifications: [{ kind: 'everything' }] }, 'notifications[0].kind');
    await bad({ notifications: [{ kind: 'booking_created', channelId: 'general' }] }, 'notifications[0].channelId');
    await bad({ notifications: [{ kind: 'booking_created' }, { kind: 'booking_created' }] }, 'notifications');
    await bad({ notifications: 'all' }, 'notifications');
    await bad({ surprise: true }, 'surprise');
    // Installed without the status permission.
    expectProblem(await api().patch('/api/v1/integrations/slack').set(host.auth).send({ statusSync: true }), 409, 'SLACK_STATUS_SCOPE_MISSING');
    const stranger = await registerUser(t.http);
    expectProblem(await api().patch('/api/v1/integrations/slack').set(stranger.auth).send({ defaultChannelId: 'C0GENERAL' }), 404, 'NOT_FOUND');
  });
});

describe('booking messages', () => {
  it('posts Block Kit with a text fallback to the default channel, once per change', async () => {
    const { host, slug } = await connectedHost();
    const booking = await book(slug, 0, 'Ada <Lovelace>');
    await eventually(() => fake.messages.find((message) => message.text.includes('Ada &lt;Lovelace&gt;')), 10_000, 'the booking message');
    const posted = fake.messages.filter((message) => message.text.includes('Ada &lt;Lovelace&gt;'));
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ channel: 'C0GENERAL', text: expect.stringMatching(/^New booking: Intro call with Ada &lt;Lovelace&gt; \(grace@example.com\), /) });
    expect(posted[0].blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'New booking: Intro call', emoji: true } });
    // mrkdwn escapes Slack's control characters, in the fallback text as in the blocks.
    expect(JSON.stringify(posted[0].blocks[1])).toContain('Ada &lt;Lovelace&gt;');

    await api().post(`/api/v1/bookings/manage/${booking.manageToken}/cancel`).send({ reason: 'Sick' }).expect(200);
    await eventually(async () => (await messagesOf(host, 'sent')).length === 2, 10_000, 'the cancellation message');
    const messages = await messagesOf(host);
    expect(messages.map((message) => message.text)).toEqual([expect.stringMatching(/^Booking cancelled by Ada &lt;Lovelace&gt;: .*\(Sick\)$/), expect.stringMatching(/^New booking/)]);
    const one = await api().get(`/api/v1/integrations/slack/messages/${messages[0].id}`).set(host.auth).expect(200);
    expect(one.body).toMatchObject({ status: 'sent', channelId: 'C0GENERAL', attempts: 1, slackTs: expect.stringMatching(/^\d+\.\d{6}$/), lastError: null });

    const stranger = await registerUser(t.http);
    expectProblem(await api().get(`/api/v1/integrations/slack/messages/${messages[0].id}`).set(stranger.auth), 404, 'NOT_FOUND');
    expect((await messagesOf(stranger)).length).toBe(0);
    expectProblem(await api().get('/api/v1/integrations/slack/messages/not-a-uuid').set(host.auth), 400, 'INVALID_ID');
    expectProblem(await api().get('/api/v1/integrations/slack/messages').query({ status: 'lost' }).set(host.auth), 400, 'VALIDATION_FAILED', ['status']);
    expectProblem(await api().get('/api/v1/integrations/slack/messages').query({ limit: 0 }).set(host.auth), 400, 'VALIDATION_FAILED', ['limit']);
  });

  it('follows the routing: a kind turned off is not queued, a kind with its own channel goes there', async () => {
    const { host, slug } = await connectedHost();
    await api()
      .patch('/api/v1/integrations/slack')
      .set(host.auth)
      .send({ notifications: [{ kind: 'booking_created', enabled: false }, { kind: 'booking_cancelled', channelId: 'C0PRIVATE' }] })
      .expect(200);
    const booking = await book(slug, 1, 'Routed Rita');
    await api().post(`/api/v1/bookings/manage/${booking.manageToken}/cancel`).send({}).expect(200);
    await eventually(() => fake.messagesIn('C0PRIVATE').find((message) => message.text.includes('Routed Rita')), 10_000, 'the cancellation in its channel');
    await settleChanges(t.app);
    expect(fake.messages.filter((message) => message.text.includes('Routed Rita')).map((message) => message.channel)).toEqual(['C0PRIVATE']);
  });

  it('posts a booking moved through the public reschedule route once, in its routed channel, naming the new time', async () => {
    const { host, slug } = await connectedHost();
    await api().patch('/api/v1/integrations/slack').set(host.auth).send({ notifications: [{ kind: 'booking_rescheduled', channelId: 'C0PRIVATE' }] }).expect(200);
    const booking = await book(slug, 2, 'Moved Mo');
    await eventually(() => fake.messages.find((message) => message.text.startsWith('New booking') && message.text.includes('Moved Mo')), 10_000, 'the booking message');
    await api().post(`/api/v1/bookings/manage/${booking.manageToken}/reschedule`).send({ start: slotStart(6) }).expect(200);

    const moved = (message: { text: string }) => message.text.startsWith('Booking moved') && message.text.includes('Moved Mo');
    await eventually(() => fake.messages.find(moved), 10_000, 'the rescheduled message');
    await settleChanges(t.app);
    await sleep(200);
    const posted = fake.messages.filter(moved);
    expect(posted).toHaveLength(1);
    expect(fake.callsOf('chat.postMessage').filter((call) => call.status === 200 && moved({ text: String(call.params.text ?? '') }))).toHaveLength(1);
    // The host's zone is UTC: the new time is 12:00–12:30 (slot 6), the old one 10:00–10:30 (slot 2).
    const day = DateTime.fromISO(slotStart(6), { zone: 'utc' }).toFormat('ccc d LLL yyyy');
    const now = `${day}, 12:00–12:30 (UTC)`;
    const was = `${day}, 10:00–10:30 (UTC)`;
    expect(posted[0]).toMatchObject({ channel: 'C0PRIVATE', text: `Booking moved: Intro call with Moved Mo, now ${now} (was ${was})` });
    expect(posted[0].blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: 'Booking moved: Intro call', emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: `with *Moved Mo*, now *${now}*\n~${was}~` } },
    ]);
    // The creation still went to the default channel; only the move follows its own route.
    expect(fake.messages.filter((message) => message.text.includes('Moved Mo')).map((message) => message.channel)).toEqual(['C0GENERAL', 'C0PRIVATE']);
  });

  it('delivers every message queued during a Slack outage exactly once after it ends', async () => {
    const { host, slug } = await connectedHost();
    const before = fake.callsOf('chat.postMessage').filter((call) => call.status === 503).length;
    fake.outage = true;
    const names = ['Outage One', 'Outage Two', 'Outage Three', 'Outage Four'];
    try {
      for (const [slot, name] of names.entries()) await book(slug, 2 + slot, name);
      // Every message was queued, tried and refused while Slack was down (and retried: 503s add up).
      const queued = await eventually(async () => {
        const messages = await messagesOf(host);
        return messages.length === names.length && messages.every((message) => message.attempts >= 1) ? messages : undefined;
      }, 15_000, 'every message refused at least once');
      for (const message of queued) expect(message).toMatchObject({ status: 'queued', lastError: 'http_503' });
      await eventually(() => fake.callsOf('chat.postMessage').filter((call) => call.status === 503).length - before >= names.length + 2, 10_000, 'retries during the outage');
    } finally {
      fake.outage = false;
    }
    await eventually(async () => (await messagesOf(host, 'sent')).length === names.length, 15_000, 'every message sent');
    await sleep(300);
    for (const name of names) expect(fake.messages.filter((message) => message.text.includes(name))).toHaveLength(1);
    for (const message of await messagesOf(host)) expect(message).toMatchObject({ status: 'sent', attempts: expect.any(Number), lastError: null });
    expect(Math.max(...(await messagesOf(host)).map((message) => message.attempts))).toBeGreaterThan(1);
  });

  it("waits out Slack's Retry-After on a 429", async () => {
    const { host, slug } = await connectedHost();
    fake.rateLimitNext('chat.postMessage', 1);
    const start = fake.calls.length;
    await book(slug, 8, 'Patient Pat');
    await eventually(async () => (await messagesOf(host, 'sent')).length === 1, 10_000, 'the rate-limited message');
    const posts = fake.calls.slice(start).filter((call) => call.method === 'chat.postMessage' && String(call.params.text).includes('Patient Pat'));
    expect(posts.map((call) => call.status)).toEqual([429, 200]);
    expect(posts[1].at - posts[0].at).toBeGreaterThanOrEqual(1000);
    expect(fake.messages.filter((message) => message.text.includes('Patient Pat'))).toHaveLength(1);
    expect((await messagesOf(host))[0].attempts).toBe(1);
  });

  it('records channel_not_found and not_in_channel on the integration, without retrying', async () => {
    for (const [channel, error] of [['C0MISSING', 'channel_not_found'], ['C0OUTSIDE', 'not_in_channel']] as const) {
      const { host, slug } = await connectedHost(channel);
      const callsBefore = fake.callsOf('chat.postMessage').filter((call) => call.params.channel === channel).length;
      await book(slug, 9, `Lost ${error}`);
      const failed = await eventually(async () => (await messagesOf(host, 'failed'))[0], 10_000, `the ${error} failure`);
      expect(failed).toMatchObject({ lastError: error, attempts: 1, channelId: channel });
      const got = await api().get('/api/v1/integrations/slack').set(host.auth).expect(200);
      expect(got.body).toMatchObject({ state: 'active', lastError: { code: error, channelId: channel, at: expect.any(String) } });
      await sleep(400);
      expect(fake.callsOf('chat.postMessage').filter((call) => call.params.channel === channel).length - callsBefore).toBe(1);

      // Fixed by the user: the next message reaches the channel and the error clears.
      await api().patch('/api/v1/integrations/slack').set(host.auth).send({ defaultChannelId: 'C0GENERAL' }).expect(200);
      await book(slug, 10, `Found ${error}`);
      await eventually(async () => (await messagesOf(host, 'sent')).length === 1, 10_000, 'the next message');
    }
  });

  it('marks the install revoked on token_revoked: the message fails once, later ones are not queued', async () => {
    const { host, slug } = await connectedHost();
    const bot = fake.tokensOf('bot').at(-1) as string;
    fake.failNext('chat.postMessage', 'token_revoked');
    await book(slug, 11, 'Revoked Rob');
    const failed = await eventually(async () => (await messagesOf(host, 'failed'))[0], 10_000, 'the token_revoked failure');
    expect(failed).toMatchObject({ lastError: 'token_revoked', attempts: 1 });
    const got = await api().get('/api/v1/integrations/slack').set(host.auth).expect(200);
    expect(got.body).toMatchObject({ state: 'revoked', lastError: { code: 'token_revoked' } });
    expectProblem(await api().get('/api/v1/integrations/slack/channels').set(host.auth), 409, 'SLACK_TOKEN_REVOKED');
    await book(slug, 12, 'Ignored Ida');
    await settleChanges(t.app);
    expect(await messagesOf(host)).toHaveLength(1);
    expect(fake.isRevoked(bot)).toBe(false);

    // Connecting again makes it active, with fresh tokens.
    await installSlack(t.http, host, fake);
    expect((await api().get('/api/v1/integrations/slack').set(host.auth).expect(200)).body).toMatchObject({ state: 'active', lastError: null, defaultChannelId: 'C0GENERAL' });
  });
});

describe('disconnecting', () => {
  it('revokes the tokens at Slack and deletes the install', async () => {
    const { host } = await connectedHost();
    // Connected again asking for status sync: the install now holds a user token as well as the bot's.
    const userTokens = fake.tokensOf('user').length;
    await installSlack(t.http, host, fake, { statusSync: true });
    expect(fake.tokensOf('user')).toHaveLength(userTokens + 1);
    const bot = fake.tokensOf('bot').at(-1) as string;
    const user = fake.tokensOf('user').at(-1) as string;
    const stored = await t.db.query<{ user_token: string | null }>('SELECT user_token FROM slack_integrations WHERE user_id = $1', [host.id]);
    expect(stored.rows[0].user_token).toMatch(/^v1\./);
    expect([fake.isRevoked(bot), fake.isRevoked(user)]).toEqual([false, false]);
    await api().post('/api/v1/integrations/slack/disconnect').set(host.auth).expect(204);
    expect(fake.isRevoked(bot)).toBe(true);
    expect(fake.isRevoked(user)).toBe(true);
    expectProblem(await api().get('/api/v1/integrations/slack').set(host.auth), 404, 'NOT_FOUND');
    expectProblem(await api().post('/api/v1/integrations/slack/disconnect').set(host.auth), 404, 'NOT_FOUND');
    const { rows } = await t.db.query('SELECT 1 FROM slack_integrations WHERE user_id = $1', [host.id]);
    expect(rows).toHaveLength(0);
  });

  it('still disconnects when Slack is down (revocation is best effort)', async () => {
    const { host } = await connectedHost();
    fake.outage = true;
    try {
      await api().post('/api/v1/integrations/slack/disconnect').set(host.auth).expect(204);
    } finally {
      fake.outage = false;
    }
    expectProblem(await api().get('/api/v1/integrations/slack').set(host.auth), 404, 'NOT_FOUND');
  });
});

describe('secrets', () => {
  it('never writes a token, an authorization code or the app secrets to the logs', async () => {
    const logs = t.logs();
    expect(logs).toContain('Slack connected');
    const secrets = [...fake.tokensOf('bot'), ...fake.tokensOf('user'), ...fake.issuedCodes, fake.clientSecret, SIGNING_SECRET];
    expect(secrets.length).toBeGreaterThan(20);
    for (const secret of secrets) expect({ secret, inLogs: logs.includes(secret) }).toEqual({ secret, inLogs: false });
  });
});
