import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { DateTime } from 'luxon';
import request from 'supertest';
import { Clock } from '../../src/common/time/clock.js';
import { registerUser, uniqueEmail, type TestUser } from '../factories/users.js';
import { settleChanges } from '../setup/changes.js';
import { expectProblem } from '../setup/problem.js';
import { SmtpSink, type ReceivedMail } from '../setup/smtp-sink.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { eventually } from '../setup/wait.js';

// Email verification, with EMAIL_REQUIRE_VERIFIED=true: a user's own notifications (the host's booking
// copies, reminders) go only to verified addresses. Without it (the default) the account address gets
// them as before: email.e2e-spec.ts and event-notifications.e2e-spec.ts.

let t: TestApp;
let sink: SmtpSink;

beforeAll(async () => {
  sink = await SmtpSink.start();
  t = await createTestApp({
    SMTP_URL: sink.url,
    FRONTEND_URL: 'https://web.example.com/calendar',
    EMAIL_REQUIRE_VERIFIED: 'true',
    JOB_POLL_INTERVAL_MS: '25',
  });
}, 120_000);
afterAll(async () => {
  await t?.close();
  await sink?.stop();
});

const api = () => request(t.http);
const SUBJECT = /^Confirm .+ for Calento$/;

async function verificationMail(address: string, count = 1): Promise<ReceivedMail> {
  const mails = await eventually(() => {
    const found = sink.to(address).filter((mail) => SUBJECT.test(mail.parsed.subject ?? ''));
    return found.length >= count ? found : undefined;
  }, 10_000, `verification mail ${count} to ${address}`);
  return mails[count - 1];
}

function linkOf(mail: ReceivedMail): URL {
  const match = /https:\/\/web\.example\.com\/calendar\/verify-email\?token=[A-Za-z0-9_%-]+/.exec(mail.parsed.text ?? '');
  expect(match).not.toBeNull();
  return new URL(match![0]);
}

async function verify(user: TestUser, email?: string): Promise<void> {
  await api().post('/api/v1/integrations/email/verify').set(user.auth).send(email ? { email } : {}).expect(202);
  const token = linkOf(await verificationMail(email ?? user.email, sink.to(email ?? user.email).filter((mail) => SUBJECT.test(mail.parsed.subject ?? '')).length + 1)).searchParams.get('token');
  await api().post('/api/v1/integrations/email/confirm').send({ token }).expect(200);
}

describe('verifying an address', () => {
  it('sends a single-use link to FRONTEND_URL/verify-email and marks the address verified', async () => {
    const user = await registerUser(t.http, { name: 'Vera' });
    const sent = await api().post('/api/v1/integrations/email/verify').set(user.auth).send({}).expect(202);
    expect(sent.body).toMatchObject({ email: user.email, isAccountAddress: true, verified: false, verifiedAt: null, pendingUntil: expect.any(String) });
    expect(new Date(sent.body.pendingUntil).getTime() - Date.now()).toBeGreaterThan(23 * 3_600_000);

    const mail = await verificationMail(user.email);
    expect(mail.parsed.subject).toBe(`Confirm ${user.email} for Calento`);
    const link = linkOf(mail);
    const token = link.searchParams.get('token') as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Handlebars writes "=" in attributes as &#x3D;, which browsers read back as "=".
    expect(String(mail.parsed.html).replace(/&#x3D;/g, '=')).toContain(`href="https://web.example.com/calendar/verify-email?token=${token}"`);

    const before = await api().get('/api/v1/integrations/email').set(user.auth).expect(200);
    expect(before.body).toMatchObject({ accountEmail: user.email, accountEmailVerified: false, verificationRequired: true, notificationAddresses: [] });

    const confirmed = await api().post('/api/v1/integrations/email/confirm').send({ token }).expect(200);
    expect(confirmed.body).toMatchObject({ email: user.email, verified: true, verifiedAt: expect.any(String), pendingUntil: null });
    expectProblem(await api().post('/api/v1/integrations/email/confirm').send({ token }), 400, 'INVALID_VERIFICATION_TOKEN');
    const after = await api().get('/api/v1/integrations/email').set(user.auth).expect(200);
    expect(after.body).toMatchObject({ accountEmailVerified: true, notificationAddresses: [user.email.toLowerCase()] });
    expectProblem(await api().post('/api/v1/integrations/email/verify').set(user.auth).send({}), 409, 'EMAIL_ALREADY_VERIFIED');

    // The stored copy of the email no longer holds the token.
    await eventually(async () => {
      const { rows } = await t.db.query<{ body_text: string; status: string }>(`SELECT body_text, status FROM email_queue WHERE template_key = 'email_verification' AND recipient = $1`, [user.email]);
      return rows[0]?.status === 'sent' && !rows[0].body_text.includes(token);
    }, 10_000, 'the redacted copy');
  });

  it('a new link replaces the older one; an expired link is refused', async () => {
    const user = await registerUser(t.http);
    await api().post('/api/v1/integrations/email/verify').set(user.auth).send({}).expect(202);
    const first = linkOf(await verificationMail(user.email)).searchParams.get('token');
    await api().post('/api/v1/integrations/email/verify').set(user.auth).send({}).expect(202);
    const second = linkOf(await verificationMail(user.email, 2)).searchParams.get('token');
    expectProblem(await api().post('/api/v1/integrations/email/confirm').send({ token: first }), 400, 'INVALID_VERIFICATION_TOKEN');
    const clock = jest.spyOn(t.app.get(Clock), 'now').mockReturnValue(new Date(Date.now() + 25 * 3_600_000));
    try {
      expectProblem(await api().post('/api/v1/integrations/email/confirm').send({ token: second }), 400, 'INVALID_VERIFICATION_TOKEN');
    } finally {
      clock.mockRestore();
    }
    await api().post('/api/v1/integrations/email/confirm').send({ token: second }).expect(200);
  });

  it('names bad fields and refuses strangers', async () => {
    const user = await registerUser(t.http);
    expectProblem(await api().post('/api/v1/integrations/email/verify').set(user.auth).send({ email: 'not-an-address' }), 400, 'VALIDATION_FAILED', ['email']);
    expectProblem(await api().post('/api/v1/integrations/email/verify').set(user.auth).send({ email: 42 }), 400, 'VALIDATION_FAILED', ['email']);
    expectProblem(await api().post('/api/v1/integrations/email/verify').set(user.auth).send({ address: 'x@example.com' }), 400, 'VALIDATION_FAILED', ['address']);
    expectProblem(await api().post('/api/v1/integrations/email/verify').send({}), 401, 'UNAUTHENTICATED');
    expectProblem(await api().get('/api/v1/integrations/email'), 401, 'UNAUTHENTICATED');
    expectProblem(await api().post('/api/v1/integrations/email/confirm').send({}), 400, 'VALIDATION_FAILED', ['token']);
    expectProblem(await api().post('/api/v1/integrations/email/confirm').send({ token: 'short' }), 400, 'VALIDATION_FAILED', ['token']);
    expectProblem(await api().post('/api/v1/integrations/email/confirm').send({ token: 'a'.repeat(43) }), 400, 'INVALID_VERIFICATION_TOKEN');
  });
});

describe('extra notification addresses', () => {
  it('adds, verifies and removes them; at most five; another user’s ids are 404', async () => {
    const user = await registerUser(t.http);
    const extra = uniqueEmail('alerts');
    const added = await api().post('/api/v1/integrations/email/verify').set(user.auth).send({ email: extra }).expect(202);
    expect(added.body).toMatchObject({ email: extra, isAccountAddress: false, verified: false });
    const token = linkOf(await verificationMail(extra)).searchParams.get('token');
    expect(sink.to(user.email).filter((mail) => SUBJECT.test(mail.parsed.subject ?? ''))).toHaveLength(0);
    await api().post('/api/v1/integrations/email/confirm').send({ token }).expect(200);
    const status = await api().get('/api/v1/integrations/email').set(user.auth).expect(200);
    // The account address is unverified: with EMAIL_REQUIRE_VERIFIED only the extra one gets notifications.
    expect(status.body.notificationAddresses).toEqual([extra.toLowerCase()]);
    expect(status.body.addresses).toEqual([expect.objectContaining({ id: added.body.id, email: extra, verified: true })]);

    for (let i = 0; i < 4; i++) await api().post('/api/v1/integrations/email/verify').set(user.auth).send({ email: uniqueEmail(`more${i}`) }).expect(202);
    expectProblem(await api().post('/api/v1/integrations/email/verify').set(user.auth).send({ email: uniqueEmail('sixth') }), 409, 'EMAIL_ADDRESS_LIMIT');
    // The account address does not count against the limit.
    await api().post('/api/v1/integrations/email/verify').set(user.auth).send({}).expect(202);

    const stranger = await registerUser(t.http);
    expectProblem(await api().delete(`/api/v1/integrations/email/addresses/${added.body.id}`).set(stranger.auth), 404, 'NOT_FOUND');
    expectProblem(await api().delete('/api/v1/integrations/email/addresses/nope').set(user.auth), 400, 'INVALID_ID');
    expect((await api().get('/api/v1/integrations/email').set(stranger.auth).expect(200)).body.addresses).toEqual([]);
    await api().delete(`/api/v1/integrations/email/addresses/${added.body.id}`).set(user.auth).expect(204);
    expectProblem(await api().delete(`/api/v1/integrations/email/addresses/${added.body.id}`).set(user.auth), 404, 'NOT_FOUND');
    expect((await api().get('/api/v1/integrations/email').set(user.auth).expect(200)).body.notificationAddresses).toEqual([]);
  });
});

describe('the spelling of an extra address', () => {
  it('is stored, listed and mailed trimmed and lower-cased, like an account email', async () => {
    const user = await registerUser(t.http);
    const extra = uniqueEmail('verb');
    const added = await api().post('/api/v1/integrations/email/verify').set(user.auth).send({ email: `  ${extra.toUpperCase()} ` }).expect(202);
    expect(added.body).toMatchObject({ email: extra, isAccountAddress: false });
    const status = await api().get('/api/v1/integrations/email').set(user.auth).expect(200);
    expect(status.body.addresses).toEqual([expect.objectContaining({ id: added.body.id, email: extra })]);
    const mail = await verificationMail(extra);
    expect(mail.parsed.subject).toBe(`Confirm ${extra} for Calento`);
    // Decomposed (e + U+0301) or composed, it is the same address, kept composed.
    const accented = uniqueEmail('r\u00e9sum\u00e9');
    const nfd = await api().post('/api/v1/integrations/email/verify').set(user.auth).send({ email: accented.normalize('NFD') }).expect(202);
    expect(nfd.body.email).toBe(accented);
    const nfc = await api().post('/api/v1/integrations/email/verify').set(user.auth).send({ email: accented }).expect(202);
    expect(nfc.body.id).toBe(nfd.body.id);
    // The account address typed in capitals is still the account address, not a sixth extra one.
    const account = await api().post('/api/v1/integrations/email/verify').set(user.auth).send({ email: user.email.toUpperCase() }).expect(202);
    expect(account.body).toMatchObject({ email: user.email, isAccountAddress: true });
  });
});

describe('EMAIL_REQUIRE_VERIFIED=true', () => {
  async function hostWithLink(): Promise<{ host: TestUser; slug: string }> {
    const host = await registerUser(t.http, { name: 'Hal Host' });
    const rules = [0, 1, 2, 3, 4, 5, 6].map((dayOfWeek) => ({ dayOfWeek, startTime: '08:00', endTime: '18:00' }));
    await api().put('/api/v1/availability/schedule').set(host.auth).send({ timezone: 'UTC', rules }).expect(200);
    const slug = `verify-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;
    await api().post('/api/v1/booking-links').set(host.auth).send({ slug, title: 'Intro call', durationMinutes: 30 }).expect(201);
    return { host, slug };
  }
  const start = (slot: number) => DateTime.utc().startOf('day').plus({ days: 9, hours: 9, minutes: 30 * slot }).toISO({ suppressMilliseconds: true });
  const queuedTo = async (template: string, recipients: string[]) => {
    const { rows } = await t.db.query<{ recipient: string }>('SELECT recipient FROM email_queue WHERE template_key = $1 AND recipient = ANY($2) ORDER BY recipient', [template, recipients]);
    return rows.map((row) => row.recipient.toLowerCase());
  };

  it("sends the host's booking copy only to verified addresses; the booker's always goes", async () => {
    const { host, slug } = await hostWithLink();
    const booker = uniqueEmail('booker');
    await api().post('/api/v1/bookings').send({ slug, name: 'Bo', email: booker, timezone: 'UTC', start: start(0) }).expect(201);
    await settleChanges(t.app);
    expect(await queuedTo('booking_confirmation_booker', [booker])).toEqual([booker.toLowerCase()]);
    expect(await queuedTo('booking_confirmation_host', [host.email])).toEqual([]);

    await verify(host);
    const extra = uniqueEmail('hostalerts');
    await verify(host, extra);
    await api().post('/api/v1/bookings').send({ slug, name: 'Bo', email: booker, timezone: 'UTC', start: start(2) }).expect(201);
    await eventually(() => sink.to(extra).some((mail) => /^New booking/.test(mail.parsed.subject ?? '') || /Intro call/.test(mail.parsed.subject ?? '')), 10_000, "the host's copy at the extra address");
    expect((await queuedTo('booking_confirmation_host', [host.email, extra])).sort()).toEqual([host.email.toLowerCase(), extra.toLowerCase()].sort());
  });

  it('queues email reminders to the owner only once an address is verified', async () => {
    const user = await registerUser(t.http);
    const body = (title: string) => ({
      title,
      startTime: new Date(Date.now() + 3_600_000).toISOString(),
      endTime: new Date(Date.now() + 2 * 3_600_000).toISOString(),
      reminders: [{ method: 'email', minutesBefore: 30 }],
    });
    await api().post('/api/v1/events').set(user.auth).send(body('Unverified')).expect(201);
    await settleChanges(t.app);
    expect(await queuedTo('event_reminder', [user.email])).toEqual([]);
    await verify(user);
    await api().post('/api/v1/events').set(user.auth).send(body('Verified')).expect(201);
    await settleChanges(t.app);
    expect(await queuedTo('event_reminder', [user.email])).toEqual([user.email.toLowerCase()]);
  });
});

describe('the verification page', () => {
  it('is served under /app/verify-email with its script, never cached', async () => {
    const page = await api().get('/app/verify-email?token=abc').expect(200).expect('content-type', /^text\/html/);
    expect(page.headers['cache-control']).toBe('no-store');
    const script = /src="(\/app\/assets\/verify-email\.js\?v=[0-9a-f]{16})"/.exec(page.text);
    expect(script).not.toBeNull();
    const js = await api().get(script![1]).expect(200).expect('content-type', /^text\/javascript/);
    expect(js.text).toContain('/api/v1/integrations/email/confirm');
  });
});
