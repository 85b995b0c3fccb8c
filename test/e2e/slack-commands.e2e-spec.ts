import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import request from 'supertest';
import { registerUser, type TestUser } from '../factories/users.js';
import { FakeSlack } from '../fakes/slack/fake-slack.js';
import { commandForm, installSlack, sign, signedHeaders, SIGNING_SECRET, slackEnv } from '../fakes/slack/testing.js';
import { expectProblem } from '../setup/problem.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';

let t: TestApp;
let fake: FakeSlack;
let user: TestUser;
const SLACK_USER = 'U0COMMAND1';

beforeAll(async () => {
  fake = await FakeSlack.start();
  t = await createTestApp(slackEnv(fake));
  user = await registerUser(t.http, { timezone: 'Europe/Berlin' });
  fake.installingUser = SLACK_USER;
  await installSlack(t.http, user, fake);
}, 120_000);
afterAll(async () => {
  await t?.close();
  await fake?.stop();
});

const COMMAND_PATH = '/api/v1/integrations/slack/commands';
let nonce = 0;

/** A signed command from the connected Slack user (a nonce keeps each body, hence each signature, unique). */
function post(text: string, fields: Record<string, string> = {}, headers?: Record<string, string>) {
  const body = commandForm({ team_id: fake.team.id, user_id: SLACK_USER, text, trigger_id: `trigger-${++nonce}`, ...fields });
  return request(t.http).post(COMMAND_PATH).set(headers ?? signedHeaders(body)).send(body);
}

describe('request verification', () => {
  it('refuses a missing, malformed or wrong signature', async () => {
    const body = commandForm({ team_id: fake.team.id, user_id: SLACK_USER, text: 'today', trigger_id: 'unsigned' });
    const now = String(Math.floor(Date.now() / 1000));
    const send = (headers: Record<string, string>) =>
      request(t.http).post(COMMAND_PATH).set({ 'content-type': 'application/x-www-form-urlencoded', ...headers }).send(body);
    expectProblem(await send({}), 401, 'SLACK_SIGNATURE_INVALID');
    expectProblem(await send({ 'x-slack-request-timestamp': now }), 401, 'SLACK_SIGNATURE_INVALID');
    expectProblem(await send({ 'x-slack-signature': sign(SIGNING_SECRET, now, body) }), 401, 'SLACK_SIGNATURE_INVALID');
    expectProblem(await send({ 'x-slack-request-timestamp': now, 'x-slack-signature': sign('another-secret', now, body) }), 401, 'SLACK_SIGNATURE_INVALID');
    expectProblem(await send({ 'x-slack-request-timestamp': now, 'x-slack-signature': 'v0=abc' }), 401, 'SLACK_SIGNATURE_INVALID');
    expectProblem(await send({ 'x-slack-request-timestamp': 'yesterday', 'x-slack-signature': sign(SIGNING_SECRET, 'yesterday', body) }), 401, 'SLACK_SIGNATURE_INVALID');
    // Signed over other bytes than those sent (the raw body is what counts, not the parsed form).
    const reordered = new URLSearchParams([...new URLSearchParams(body)].reverse()).toString();
    expectProblem(await send({ 'x-slack-request-timestamp': now, 'x-slack-signature': sign(SIGNING_SECRET, now, reordered) }), 401, 'SLACK_SIGNATURE_INVALID');
    // The same form as JSON cannot be checked against form bytes.
    expectProblem(
      await request(t.http).post(COMMAND_PATH).set({ 'x-slack-request-timestamp': now, 'x-slack-signature': sign(SIGNING_SECRET, now, body) }).send({ text: 'today' }),
      401,
      'SLACK_SIGNATURE_INVALID',
    );
  });

  it('refuses a request signed more than 5 minutes ago (or ahead), and a replay', async () => {
    const old = Math.floor(Date.now() / 1000) - 6 * 60;
    const body = commandForm({ team_id: fake.team.id, user_id: SLACK_USER, text: 'today', trigger_id: 'stale' });
    expectProblem(await request(t.http).post(COMMAND_PATH).set(signedHeaders(body, old)).send(body), 401, 'SLACK_REQUEST_STALE');
    const ahead = Math.floor(Date.now() / 1000) + 6 * 60;
    expectProblem(await request(t.http).post(COMMAND_PATH).set(signedHeaders(body, ahead)).send(body), 401, 'SLACK_REQUEST_STALE');

    const fresh = commandForm({ team_id: fake.team.id, user_id: SLACK_USER, text: 'next', trigger_id: 'replayed' });
    const headers = signedHeaders(fresh);
    await request(t.http).post(COMMAND_PATH).set(headers).send(fresh).expect(200);
    expectProblem(await request(t.http).post(COMMAND_PATH).set(headers).send(fresh), 409, 'SLACK_REQUEST_REPLAYED');
  });

  it('keeps form bodies away from every other route (415)', async () => {
    const res = await request(t.http).post('/api/v1/events').set(user.auth).set('content-type', 'application/x-www-form-urlencoded').send('title=x');
    expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('/calento', () => {
  it('today: the events of the caller’s local day, answered within 3 seconds', async () => {
    const zone = 'Europe/Berlin';
    const today = DateTime.now().setZone(zone).startOf('day');
    const iso = (hours: number) => today.plus({ hours }).toUTC().toISO() as string;
    // Late enough that "now" never passes them during the test... and one on another day.
    await request(t.http).post('/api/v1/events').set(user.auth).send({ title: 'Standup <team>', startTime: iso(23), endTime: iso(23.5) }).expect(201);
    await request(t.http).post('/api/v1/events').set(user.auth).send({ title: 'Tomorrow thing', startTime: iso(24 + 10), endTime: iso(24 + 11) }).expect(201);
    const started = Date.now();
    const res = await post('today').expect(200);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.response_type).toBe('ephemeral');
    expect(res.body.text).toContain(`Today (${today.toFormat('cccc d LLLL yyyy')}, Europe/Berlin):`);
    expect(res.body.text).toContain('• 23:00–23:30 *Standup &lt;team&gt;*');
    expect(res.body.text).not.toContain('Tomorrow thing');
  });

  it('next: the next event; link: the active booking links; anything else: usage', async () => {
    const start = DateTime.utc().plus({ days: 3 }).startOf('hour');
    await request(t.http)
      .post('/api/v1/events')
      .set(user.auth)
      .send({ title: 'Board meeting', location: 'Room 1', startTime: start.toISO(), endTime: start.plus({ hours: 1 }).toISO() })
      .expect(201);
    const stranger = await registerUser(t.http);
    await request(t.http).post('/api/v1/events').set(stranger.auth).send({ title: 'Not mine', startTime: DateTime.utc().plus({ minutes: 30 }).toISO(), endTime: DateTime.utc().plus({ minutes: 60 }).toISO() }).expect(201);
    const next = await post('next').expect(200);
    // One of the caller's own events: which one depends on the hour the suite runs (after 23:30 in Berlin
    // the previous test's standup is over and tomorrow's event is next).
    expect(next.body.text).toMatch(/^Next: \*(Standup &lt;team&gt;|Tomorrow thing|Board meeting)\*/);
    expect(next.body.text).not.toContain('Not mine');

    expect((await post('link').expect(200)).body.text).toBe('You have no active booking links. Create one in Calento.');
    await request(t.http).post('/api/v1/booking-links').set(user.auth).send({ slug: `cmd-${Date.now()}`, title: 'Coffee chat', durationMinutes: 30 }).expect(201);
    const link = await post('link').expect(200);
    expect(link.body.text).toMatch(/^Your booking links:\n• Coffee chat: http:\/\/calento\.test\/book\/cmd-\d+$/);

    expect((await post('').expect(200)).body.text).toMatch(/^Usage: `\/calento today`/);
    expect((await post('dance').expect(200)).body.text).toMatch(/^Usage:/);
  });

  it('tells a Slack user who never connected how to connect, and never shows another user’s calendar', async () => {
    const res = await post('today', { user_id: 'U0STRANGER' }).expect(200);
    expect(res.body).toEqual({ response_type: 'ephemeral', text: expect.stringMatching(/^Your Slack account is not connected to Calento yet\. .*http:\/\/frontend\.test\/integrations\/slack$/) });
    const otherTeam = await post('today', { team_id: 'T0OTHER' }).expect(200);
    expect(otherTeam.body.text).toMatch(/not connected/);
  });

  it('refuses every command when no signing secret is configured', async () => {
    const bare = await createTestApp({ SLACK_API_URL: fake.apiUrl });
    try {
      const body = commandForm({ team_id: fake.team.id, user_id: SLACK_USER, text: 'today' });
      expectProblem(await request(bare.http).post(COMMAND_PATH).set(signedHeaders(body)).send(body), 401, 'SLACK_SIGNATURE_INVALID');
    } finally {
      await bare.close();
    }
  });
});
