import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { DateTime } from 'luxon';
import request from 'supertest';
import { startFakeGoogle, type FakeGoogle, type OAuthClient } from '../fakes/google/index.js';
import { FakeSlack } from '../fakes/slack/fake-slack.js';
import { installSlack, slackEnv } from '../fakes/slack/testing.js';
import { CALLBACK_URL, clientWithCredentials, connect, fakeGoogleEnv } from '../factories/clients.js';
import { registerUser, uniqueEmail, type TestUser } from '../factories/users.js';
import { inviteOf } from '../setup/ics.js';
import { SmtpSink, type ReceivedMail } from '../setup/smtp-sink.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { eventually, sleep } from '../setup/wait.js';

/**
 * DELETE /users/me tells the people and services that relied on the account (docs/auth.md, account
 * deletion): bookers and attendees get their cancellations after the user row is gone, Google's grant
 * is revoked and its push channels stopped, Slack's tokens are revoked — and an outage of either does
 * not keep the account alive.
 */

jest.setTimeout(90_000);

let t: TestApp;
let sink: SmtpSink;
let google: FakeGoogle;
let slack: FakeSlack;
let acme: OAuthClient;
let n = 0;

beforeAll(async () => {
  sink = await SmtpSink.start();
  google = await startFakeGoogle({ allowHttpPush: true });
  acme = google.registerOAuthClient({ redirectUris: [CALLBACK_URL] });
  slack = await FakeSlack.start();
  t = await createTestApp({
    ...fakeGoogleEnv(google),
    ...slackEnv(slack),
    // The Google factory expects the default browser app address, which slackEnv moves.
    FRONTEND_URL: 'http://calento.test/app',
    SMTP_URL: sink.url,
    MAIL_FROM: 'Calento <no-reply@calento.test>',
    JOB_POLL_INTERVAL_MS: '25',
    JOB_BACKOFF_BASE_MS: '20',
    JOB_BACKOFF_MAX_MS: '100',
  });
}, 120_000);
afterAll(async () => {
  await t?.close();
  await google?.close();
  await slack?.stop();
  await sink?.stop();
});
beforeEach(() => {
  google.clearFaults();
  slack.outage = false;
});

const api = () => request(t.http);

async function mailsTo(address: string, count: number): Promise<ReceivedMail[]> {
  return eventually(() => (sink.to(address).length >= count ? sink.to(address) : undefined), 15_000, `${count} mails to ${address}`);
}

async function deleteAccount(user: TestUser): Promise<void> {
  await api().delete('/api/v1/users/me').set(user.auth).send({ password: user.password }).expect(204);
  expect((await api().post('/api/v1/auth/login').send({ email: user.email, password: user.password })).status).toBe(401);
  expect((await t.db.query('SELECT 1 FROM users WHERE id = $1', [user.id])).rows).toHaveLength(0);
}

/** A start at `hour` UTC a few days ahead (bookable: the host works every day 08:00–18:00 UTC). */
function ahead(hour: number, days = 5): string {
  return DateTime.utc().startOf('day').plus({ days, hours: hour }).toISO({ suppressMilliseconds: true }) as string;
}

describe('cancellations', () => {
  it('cancels upcoming bookings and events with attendees, and mails the booker and each attendee a CANCEL with the same UID', async () => {
    const host = await registerUser(t.http, { name: 'Hal Host', timezone: 'UTC' });
    const colleague = await registerUser(t.http, { name: 'Cora Colleague' });
    const guest = uniqueEmail('guest');
    const booker = uniqueEmail('booker');
    const pastGuest = uniqueEmail('past');

    const rules = [0, 1, 2, 3, 4, 5, 6].map((dayOfWeek) => ({ dayOfWeek, startTime: '08:00', endTime: '18:00' }));
    await api().put('/api/v1/availability/schedule').set(host.auth).send({ timezone: 'UTC', rules }).expect(200);
    const slug = `bye-${host.id.slice(0, 8)}`;
    await api().post('/api/v1/booking-links').set(host.auth).send({ slug, title: 'Intro call', durationMinutes: 30 }).expect(201);
    const booking = await api()
      .post('/api/v1/bookings')
      .send({ slug, name: 'Bea Booker', email: booker, timezone: 'Europe/London', start: ahead(10) })
      .expect(201);

    const event = await api()
      .post('/api/v1/events')
      .set(host.auth)
      .send({ title: 'Roadmap', startTime: ahead(14), endTime: ahead(15), attendees: [{ email: guest, name: 'Gus' }, { email: colleague.email }] })
      .expect(201);
    const series = await api()
      .post('/api/v1/events')
      .set(host.auth)
      .send({ title: 'Weekly', startTime: ahead(16), endTime: ahead(17), recurrenceRule: 'FREQ=WEEKLY;COUNT=4', attendees: [{ email: guest }] })
      .expect(201);
    // Nothing to cancel in the past, nobody to tell without attendees.
    await api()
      .post('/api/v1/events')
      .set(host.auth)
      .send({ title: 'Last year', startTime: '2020-03-02T10:00:00Z', endTime: '2020-03-02T11:00:00Z', attendees: [{ email: pastGuest }] })
      .expect(201);
    await api().post('/api/v1/events').set(host.auth).send({ title: 'Alone', startTime: ahead(12), endTime: ahead(13) }).expect(201);

    const [confirmation] = await mailsTo(booker, 1);
    const bookingUid = inviteOf(confirmation).invite.uid;
    await mailsTo(guest, 2);
    // A Calento attendee's first mail is their welcome.
    await mailsTo(colleague.email, 2);
    await mailsTo(pastGuest, 1);
    // The Calento attendee sees the event before.
    await api().get(`/api/v1/events/${event.body.id}`).set(colleague.auth).expect(200);

    await deleteAccount(host);

    const cancelled = (await mailsTo(booker, 2))[1];
    expect(inviteOf(cancelled).invite).toMatchObject({ method: 'CANCEL', uid: bookingUid, organizer: `mailto:${host.email}` });
    expect(cancelled.parsed.text).toContain("The host's Calento account was deleted.");

    const guestMails = (await mailsTo(guest, 4)).slice(2).map((mail) => inviteOf(mail).invite);
    expect(guestMails.map((invite) => [invite.method, invite.uid]).sort()).toEqual(
      [['CANCEL', `${event.body.id}@calento`], ['CANCEL', `${series.body.id}@calento`]].sort(),
    );
    expect(guestMails.every((invite) => invite.organizer === `mailto:${host.email}`)).toBe(true);
    const colleagueMail = (await mailsTo(colleague.email, 3))[2];
    expect(inviteOf(colleagueMail).invite).toMatchObject({ method: 'CANCEL', uid: `${event.body.id}@calento`, sequence: 1 });
    await api().get(`/api/v1/events/${event.body.id}`).set(colleague.auth).expect(404);

    // The booking's manage link is gone with the account; the mails are the recipients', not the deleted user's.
    await api().get(`/api/v1/bookings/manage/${booking.body.manageToken}`).expect(404);
    const { rows } = await t.db.query<{ user_id: string | null; status: string }>(
      `SELECT user_id, status FROM email_queue WHERE recipient = ANY($1) AND ics_method = 'CANCEL'`,
      [[booker, guest, colleague.email]],
    );
    expect(rows).toHaveLength(4);
    expect(rows.every((row) => row.user_id === null && row.status === 'sent')).toBe(true);
    await sleep(300);
    expect(sink.to(pastGuest)).toHaveLength(1);
    expect(sink.to(host.email).filter((mail) => /cancel/i.test(mail.parsed.subject ?? ''))).toHaveLength(0);
  });
});

describe('Google and Slack', () => {
  /** A user with a Google client whose calendar is imported with a push channel open, and Slack installed. */
  async function connectedEverywhere(): Promise<{ user: TestUser; email: string }> {
    const user = await registerUser(t.http);
    n += 1;
    const email = `gone${n}@acme.example`;
    google.createAccount(email, { timeZone: 'Europe/Berlin' });
    const { clientId, credentialId } = await clientWithCredentials(t.http, user, acme);
    await connect(t.http, google, user, credentialId, clientId, email);
    await api().get(`/api/v1/clients/${clientId}/calendars`).set(user.auth).expect(200);
    await api().post('/api/v1/calendar/sync/initial').set(user.auth).send({ clientId, calendarId: email, strategy: 'import' }).expect(202);
    await eventually(() => google.channels().some((channel) => channel.email === email && !channel.stopped), 30_000, 'the push channel');
    expect(await installSlack(t.http, user, slack)).toBe('http://calento.test/app/integrations/slack?slack=connected');
    return { user, email };
  }

  it('revokes the Google grant, stops the push channel and revokes the Slack token', async () => {
    const { user, email } = await connectedEverywhere();
    const bot = slack.tokensOf('bot').at(-1) as string;
    google.clearRequests();

    await deleteAccount(user);

    expect(google.requests({ method: 'POST', path: '/revoke' })).toHaveLength(1);
    expect(google.channels().filter((channel) => channel.email === email && !channel.stopped)).toHaveLength(0);
    expect(slack.isRevoked(bot)).toBe(true);
  });

  it('deletes the account all the same when Google and Slack are down', async () => {
    const { user, email } = await connectedEverywhere();
    const bot = slack.tokensOf('bot').at(-1) as string;
    google.injectFault({ path: '/revoke', status: 503, times: Infinity });
    google.injectFault({ path: '/calendar/v3/channels/stop', status: 503, times: Infinity });
    slack.outage = true;
    google.clearRequests();
    const slackRevokes = slack.callsOf('auth.revoke').length;

    await deleteAccount(user);

    // Each was asked, failed, and the deletion went on.
    expect(google.requests({ method: 'POST', path: '/revoke' }).length).toBeGreaterThan(0);
    expect(google.requests({ method: 'POST', path: '/calendar/v3/channels/stop' }).length).toBeGreaterThan(0);
    expect(slack.callsOf('auth.revoke').slice(slackRevokes).map((call) => call.status)).toEqual([503]);
    expect(slack.isRevoked(bot)).toBe(false);
    expect(google.channels().filter((channel) => channel.email === email && !channel.stopped)).toHaveLength(1);
    for (const table of ['clients', 'google_accounts', 'slack_integrations']) {
      const { rows } = await t.db.query(`SELECT 1 FROM ${table} WHERE user_id = $1`, [user.id]);
      expect({ table, rows: rows.length }).toEqual({ table, rows: 0 });
    }
  });
});
