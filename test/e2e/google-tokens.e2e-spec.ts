import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { SecretBox } from '../../src/common/crypto/secret-box.js';
import { DomainError } from '../../src/common/errors/domain-error.js';
import { ClientEvents, type ClientEvent } from '../../src/modules/clients/client-events.js';
import { GoogleTokensService } from '../../src/modules/clients/google-tokens.service.js';
import { startFakeGoogle, type FakeGoogle, type OAuthClient } from '../fakes/google/index.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { SmtpSink } from '../setup/smtp-sink.js';
import { eventually, sleep } from '../setup/wait.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { CALLBACK_URL, clientWithCredentials, connect, fakeGoogleEnv } from '../factories/clients.js';

/**
 * The token service the sync engine builds on, against the fake Google: refresh before expiry and after
 * a 401, one refresh for parallel callers, invalid_grant → needs_reauth + event + email, revocation on
 * delete (reference §6 scenarios 22 and 23).
 */
const ACME = 'ops@acme.example';

let fake: FakeGoogle;
let sink: SmtpSink;
let t: TestApp;
let acme: OAuthClient;
let ada: TestUser;
let tokens: GoogleTokensService;
const events: ClientEvent[] = [];

beforeAll(async () => {
  fake = await startFakeGoogle();
  acme = fake.registerOAuthClient({ redirectUris: [CALLBACK_URL], name: 'Acme scheduling' });
  fake.createAccount(ACME, { name: 'Acme Ops' });
  fake.createCalendar(ACME, { summary: 'Team' });
  sink = await SmtpSink.start();
  t = await createTestApp({ ...fakeGoogleEnv(fake), SMTP_URL: sink.url, JOB_POLL_INTERVAL_MS: '25' }, { captureLogs: true });
  ada = await registerUser(t.http, { name: 'Ada Lovelace' });
  tokens = t.app.get(GoogleTokensService);
  const hooks = t.app.get(ClientEvents);
  for (const type of ['connected', 'needs_reauth', 'disconnected', 'deleting', 'calendars_removed'] as const) {
    hooks.on(type, (event) => void events.push(event));
  }
}, 120_000);
afterAll(async () => {
  await t?.close();
  await sink?.stop();
  await fake?.close();
});
beforeEach(() => {
  fake.clearFaults();
  events.length = 0;
});

const api = () => request(t.http);

/**
 * A client connected to ACME. Clients connected through one OAuth client share one grant at Google, so
 * tests that revoke pass their own OAuth client.
 */
async function connectedClient(name?: string, oauthClient: OAuthClient = acme): Promise<{ clientId: string; credentialId: string }> {
  const { clientId, credentialId } = await clientWithCredentials(t.http, ada, oauthClient);
  if (name) await api().put(`/api/v1/clients/${clientId}`).set(ada.auth).send({ name }).expect(200);
  await connect(t.http, fake, ada, credentialId, clientId, ACME);
  return { clientId, credentialId };
}

async function stored(clientId: string): Promise<{ access: string | null; refresh: string | null; expiresAt: Date | null }> {
  const { rows } = await t.db.query<{ access_token: string | null; refresh_token: string | null; access_token_expires_at: Date | null }>(
    'SELECT access_token, refresh_token, access_token_expires_at FROM google_accounts WHERE client_id = $1',
    [clientId],
  );
  const box = t.app.get(SecretBox);
  const row = rows[0];
  return {
    access: row?.access_token ? box.open(row.access_token, `google_accounts.access_token:${clientId}`) : null,
    refresh: row?.refresh_token ? box.open(row.refresh_token, `google_accounts.refresh_token:${clientId}`) : null,
    expiresAt: row?.access_token_expires_at ?? null,
  };
}

const refreshRequests = () => fake.requests({ method: 'POST', path: '/token' }).filter((r) => (r.body as { grant_type?: string } | undefined)?.grant_type === 'refresh_token');
const listCalendars = (clientId: string) => api().get(`/api/v1/clients/${clientId}/calendars`).set(ada.auth).expect(200);

describe('refresh', () => {
  it('refreshes a stored token past its expiry once for five parallel requests, keeping the refresh token', async () => {
    const { clientId } = await connectedClient();
    const before = await stored(clientId);
    await t.db.query(`UPDATE google_accounts SET access_token_expires_at = now() - interval '1 minute' WHERE client_id = $1`, [clientId]);
    fake.clearRequests();
    const responses = await Promise.all(Array.from({ length: 5 }, () => listCalendars(clientId)));
    for (const res of responses) expect(res.body.meta).toEqual({ live: true, clientStatus: 'connected' });
    expect(refreshRequests()).toHaveLength(1);
    const after = await stored(clientId);
    expect(after.refresh).toBe(before.refresh);
    expect(after.access).not.toBe(before.access);
    expect(fake.store.accessTokens.get(after.access as string)?.email).toBe(ACME);
    expect(after.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
  });

  it('refreshes eagerly within 5 minutes of expiry', async () => {
    const { clientId } = await connectedClient();
    await t.db.query(`UPDATE google_accounts SET access_token_expires_at = now() + interval '2 minutes' WHERE client_id = $1`, [clientId]);
    fake.clearRequests();
    await listCalendars(clientId);
    expect(refreshRequests()).toHaveLength(1);
    await listCalendars(clientId);
    expect(refreshRequests()).toHaveLength(1);
  });

  it('lets a 401 reach the caller (the token has an expiry date), and call() refreshes once and retries', async () => {
    const { clientId } = await connectedClient();
    const google = await tokens.getAuthorizedClient(clientId);
    expect(google.auth.credentials.expiry_date).toBeGreaterThan(Date.now());
    expect((await google.calendar.calendarList.list()).status).toBe(200);
    // Scenario 22: Google's clock moves past the token's life; Calento's copy still looks valid.
    fake.advanceClock({ hours: 2 });
    fake.clearRequests();
    await expect(google.calendar.calendarList.list()).rejects.toMatchObject({ status: 401 });
    expect(refreshRequests()).toHaveLength(0);
    const before = await stored(clientId);
    const results = await Promise.all(
      Array.from({ length: 4 }, () => tokens.call(clientId, (g) => g.calendar.calendarList.list().then((r) => r.data.items?.length))),
    );
    expect(results).toEqual([2, 2, 2, 2]);
    expect(refreshRequests()).toHaveLength(1);
    expect(fake.requests({ path: '/calendar/v3/users/me/calendarList' }).filter((r) => r.status === 401).length).toBeGreaterThanOrEqual(1);
    const after = await stored(clientId);
    expect(after.refresh).toBe(before.refresh);
    expect(after.access).not.toBe(before.access);
  });

  it('recovers through HTTP too when Google expires the tokens early', async () => {
    const { clientId } = await connectedClient();
    fake.expireAccessTokens({ email: ACME, clientId: acme.clientId });
    fake.clearRequests();
    const responses = await Promise.all(Array.from({ length: 3 }, () => listCalendars(clientId)));
    for (const res of responses) expect(res.body.meta.live).toBe(true);
    expect(refreshRequests()).toHaveLength(1);
  });

  it('keeps the client connected when the token endpoint fails (5xx): stored list, then recovery', async () => {
    const { clientId } = await connectedClient();
    await t.db.query(`UPDATE google_accounts SET access_token_expires_at = now() - interval '1 minute' WHERE client_id = $1`, [clientId]);
    // google-auth-library retries a failed token POST 3 times itself; all four attempts fail here.
    fake.injectFault({ method: 'POST', path: '/token', status: 503, times: 4 });
    fake.clearRequests();
    const failed = await listCalendars(clientId);
    expect(failed.body.meta).toEqual({ live: false, clientStatus: 'connected' });
    // (A request refused by an injected fault is logged before its body is read.)
    expect(fake.requests({ method: 'POST', path: '/token' }).map((r) => r.status)).toEqual([503, 503, 503, 503]);
    await expect(tokens.getAuthorizedClient(clientId).then(() => 'ok')).resolves.toBe('ok');
    expect((await listCalendars(clientId)).body.meta.live).toBe(true);
    expect(events.filter((e) => e.type === 'needs_reauth')).toHaveLength(0);
  });
});

describe('a revoked grant (invalid_grant)', () => {
  it('marks the client needs_reauth once, forgets its tokens, emits the event, emails the user, and stops calling Google', async () => {
    const { clientId, credentialId } = await connectedClient('Revoked Corp');
    fake.revokeGrant(ACME, acme.clientId);
    fake.clearRequests();
    const responses = await Promise.all(Array.from({ length: 3 }, () => listCalendars(clientId)));
    for (const res of responses) expect(res.body.meta).toEqual({ live: false, clientStatus: 'needs_reauth' });
    const refreshes = refreshRequests();
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0].status).toBe(400);

    expect((await api().get(`/api/v1/clients/${clientId}`).set(ada.auth)).body).toMatchObject({ status: 'needs_reauth', accountEmail: ACME });
    expect(await stored(clientId)).toEqual({ access: null, refresh: null, expiresAt: null });
    expect(events.filter((e) => e.type === 'needs_reauth')).toEqual([
      { type: 'needs_reauth', clientId, userId: ada.id, reason: 'invalid_grant' },
    ]);

    const mail = await eventually(() => sink.to(ada.email).find((m) => m.parsed.subject === "Reconnect Revoked Corp's Google Calendar"), 15_000, 'the reauth email');
    expect(mail.parsed.text).toContain(`Reconnect Revoked Corp: http://calento.test/app/clients/${clientId}`);
    expect(mail.parsed.text).toContain(ACME);
    await sleep(300);
    expect(sink.to(ada.email).filter((m) => m.parsed.subject?.startsWith('Reconnect'))).toHaveLength(1);

    // No endless retries: nothing more reaches Google until the user consents again.
    fake.clearRequests();
    await listCalendars(clientId);
    await expect(tokens.getAuthorizedClient(clientId)).rejects.toMatchObject({ code: 'CLIENT_NEEDS_REAUTH' });
    await expect(tokens.call(clientId, async () => 'never')).rejects.toBeInstanceOf(DomainError);
    expect(fake.requests()).toHaveLength(0);

    // Consent again: connected, with a working grant.
    await connect(t.http, fake, ada, credentialId, clientId, ACME);
    expect((await listCalendars(clientId)).body.meta).toEqual({ live: true, clientStatus: 'connected' });
    expect(events.map((e) => e.type)).toContain('connected');
  });
});

describe('stored tokens that no longer open', () => {
  it('marks the client needs_reauth at once (no retries) when its tokens were sealed under a key no longer configured', async () => {
    const { clientId } = await connectedClient('Lost Key Corp');
    // As if ENCRYPTION_KEYS had lost the key the tokens were sealed with.
    await t.db.query(
      `UPDATE google_accounts SET access_token = regexp_replace(access_token, '^([^.]+)\\.[^.]+\\.', '\\1.retired.'),
         refresh_token = regexp_replace(refresh_token, '^([^.]+)\\.[^.]+\\.', '\\1.retired.') WHERE client_id = $1`,
      [clientId],
    );
    fake.clearRequests();
    await expect(tokens.getAuthorizedClient(clientId)).rejects.toMatchObject({ code: 'CLIENT_NEEDS_REAUTH' });
    expect((await api().get(`/api/v1/clients/${clientId}`).set(ada.auth)).body).toMatchObject({ status: 'needs_reauth' });
    expect(events.filter((e) => e.type === 'needs_reauth')).toEqual([{ type: 'needs_reauth', clientId, userId: ada.id, reason: 'undecryptable' }]);
    expect(await stored(clientId)).toEqual({ access: null, refresh: null, expiresAt: null });
    expect(fake.requests()).toHaveLength(0);
    expect(t.logs()).toContain('Stored Google credentials of a client do not open with the configured ENCRYPTION_KEYS');
  });
});

describe('the reauth email with EMAIL_REQUIRE_VERIFIED=true', () => {
  // Its own app: the reauth email is a notification, so with EMAIL_REQUIRE_VERIFIED it goes only to
  // verified addresses, like the host's booking copies and the "webhook disabled" email.
  const STRICT = 'strict@acme.example';
  let strict: TestApp;
  let owner: OAuthClient;
  beforeAll(async () => {
    owner = fake.registerOAuthClient({ redirectUris: [CALLBACK_URL], name: 'Strict scheduling' });
    fake.createAccount(STRICT, { name: 'Strict Ops' });
    fake.createCalendar(STRICT, { summary: 'Strict team' });
    strict = await createTestApp({ ...fakeGoogleEnv(fake), SMTP_URL: sink.url, JOB_POLL_INTERVAL_MS: '25', EMAIL_REQUIRE_VERIFIED: 'true' });
  }, 120_000);
  afterAll(async () => {
    await strict?.close();
  });

  /** A client of `user` connected to STRICT whose grant Google then refuses, met through HTTP. */
  async function refusedClient(user: TestUser, name: string): Promise<string> {
    const { clientId, credentialId } = await clientWithCredentials(strict.http, user, owner);
    await request(strict.http).put(`/api/v1/clients/${clientId}`).set(user.auth).send({ name }).expect(200);
    await connect(strict.http, fake, user, credentialId, clientId, STRICT);
    fake.revokeGrant(STRICT, owner.clientId);
    const listed = await request(strict.http).get(`/api/v1/clients/${clientId}/calendars`).set(user.auth).expect(200);
    expect(listed.body.meta).toEqual({ live: false, clientStatus: 'needs_reauth' });
    return clientId;
  }
  const queuedFor = async (user: TestUser) =>
    (await strict.db.query<{ recipient: string }>(
      `SELECT recipient FROM email_queue WHERE template_key = 'client_needs_reauth' AND user_id = $1 ORDER BY recipient`,
      [user.id],
    )).rows.map((row) => row.recipient.toLowerCase());
  const reauthMails = (user: TestUser) => sink.to(user.email).filter((m) => m.parsed.subject?.startsWith('Reconnect'));

  it('goes to no unverified address, and to the account address once it is verified', async () => {
    const user = await registerUser(strict.http, { name: 'Strict Sam' });
    await refusedClient(user, 'Unverified Corp');
    // The status change and its email commit together: the client is needs_reauth, so nothing was queued.
    expect(await queuedFor(user)).toEqual([]);

    // Verify the account address through the real routes.
    await request(strict.http).post('/api/v1/integrations/email/verify').set(user.auth).send({}).expect(202);
    const token = await eventually(() => {
      const mail = sink.to(user.email).find((m) => /verify-email\?token=/.test(m.parsed.text ?? ''));
      return mail ? /verify-email\?token=([A-Za-z0-9_%-]+)/.exec(mail.parsed.text ?? '')![1] : undefined;
    }, 10_000, 'the verification link');
    await request(strict.http).post('/api/v1/integrations/email/confirm').send({ token: decodeURIComponent(token) }).expect(200);

    const clientId = await refusedClient(user, 'Verified Corp');
    expect(await queuedFor(user)).toEqual([user.email.toLowerCase()]);
    const mail = await eventually(() => reauthMails(user).find((m) => m.parsed.subject === "Reconnect Verified Corp's Google Calendar"), 15_000, 'the reauth email');
    expect(mail.parsed.text).toContain(`Reconnect Verified Corp: http://calento.test/app/clients/${clientId}`);
    await sleep(300);
    // Only the second client's email was ever sent.
    expect(reauthMails(user)).toHaveLength(1);
  });
});

describe('revocation when tokens are forgotten', () => {
  const revokes = () => fake.requests({ method: 'POST', path: '/revoke' });
  const ownOAuthClient = () => fake.registerOAuthClient({ redirectUris: [CALLBACK_URL] });

  it('revokes the grant at Google when the client is deleted, after telling listeners', async () => {
    const own = ownOAuthClient();
    const { clientId } = await connectedClient(undefined, own);
    await listCalendars(clientId);
    const { refresh } = await stored(clientId);
    fake.clearRequests();
    await api().delete(`/api/v1/clients/${clientId}`).set(ada.auth).expect(204);
    expect(revokes()).toHaveLength(1);
    expect(fake.store.refreshTokens.has(refresh as string)).toBe(false);
    expect(events.filter((e) => e.type !== 'connected')).toEqual([
      { type: 'deleting', clientId, userId: ada.id, calendarIds: expect.arrayContaining([ACME]) },
    ]);
    for (const table of ['google_accounts', 'client_calendars', 'oauth_credentials', 'oauth_states']) {
      const { rows } = await t.db.query(`SELECT 1 FROM ${table} WHERE client_id = $1`, [clientId]);
      expect({ table, rows: rows.length }).toEqual({ table, rows: 0 });
    }
  });

  it('disconnects and revokes when the credentials are removed; calendars and their settings stay', async () => {
    const own = ownOAuthClient();
    const { clientId, credentialId } = await connectedClient(undefined, own);
    await listCalendars(clientId);
    await api().patch(`/api/v1/clients/${clientId}/calendars/${encodeURIComponent(ACME)}`).set(ada.auth).send({ busy: false }).expect(200);
    fake.clearRequests();
    await api().delete(`/api/v1/oauth/${credentialId}`).set(ada.auth).expect(204);
    expect(revokes()).toHaveLength(1);
    expect(events.filter((e) => e.type !== 'connected')).toEqual([{ type: 'disconnected', clientId, userId: ada.id }]);
    const list = await listCalendars(clientId);
    expect(list.body.meta).toEqual({ live: false, clientStatus: 'disconnected' });
    expect(list.body.data).toEqual(expect.arrayContaining([expect.objectContaining({ id: ACME, busy: false })]));
    expect(await stored(clientId)).toEqual({ access: null, refresh: null, expiresAt: null });
  });

  it('disconnects and revokes when the credentials move to another Google OAuth client', async () => {
    const own = ownOAuthClient();
    const { clientId, credentialId } = await connectedClient(undefined, own);
    const other = fake.registerOAuthClient({ redirectUris: [CALLBACK_URL] });
    fake.clearRequests();
    await api()
      .put(`/api/v1/oauth/${credentialId}`)
      .set(ada.auth)
      .send({ googleClientId: other.clientId, clientSecret: other.clientSecret })
      .expect(200);
    expect(revokes()).toHaveLength(1);
    expect((await api().get(`/api/v1/clients/${clientId}`).set(ada.auth)).body.status).toBe('disconnected');
    await connect(t.http, fake, ada, credentialId, clientId, ACME);
  });

  it('keeps a grant another client shares (same account, same OAuth client): revoking would end both', async () => {
    const own = ownOAuthClient();
    const first = await connectedClient(undefined, own);
    const second = await connectedClient(undefined, own);
    fake.clearRequests();
    await api().delete(`/api/v1/clients/${first.clientId}`).set(ada.auth).expect(204);
    expect(revokes()).toHaveLength(0);
    expect((await listCalendars(second.clientId)).body.meta).toEqual({ live: true, clientStatus: 'connected' });
  });

  it('still deletes when Google fails to revoke', async () => {
    const own = ownOAuthClient();
    const { clientId } = await connectedClient(undefined, own);
    fake.injectFault({ method: 'POST', path: '/revoke', status: 500, times: 1 });
    await api().delete(`/api/v1/clients/${clientId}`).set(ada.auth).expect(204);
    expect((await api().get(`/api/v1/clients/${clientId}`).set(ada.auth)).status).toBe(404);
  });
});

describe('logs', () => {
  it('carry no token, refresh token or client secret', async () => {
    const logs = t.logs();
    expect(logs).toContain('Google access token refreshed');
    expect(logs).not.toContain(acme.clientSecret);
    for (const token of [...fake.store.accessTokens.keys(), ...fake.store.refreshTokens.keys()]) expect(logs).not.toContain(token);
    expect(logs).not.toMatch(/ya29\.|1\/\/0g/);
  });
});
