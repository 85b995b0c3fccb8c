import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { SecretBox } from '../../src/common/crypto/secret-box.js';
import { Clock } from '../../src/common/time/clock.js';
import { startFakeGoogle, type FakeGoogle, type OAuthClient } from '../fakes/google/index.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { CALLBACK_URL, callback, clientWithCredentials, connect, consent, createClient, fakeGoogleEnv } from '../factories/clients.js';

/**
 * Connecting a client's Google account through the real googleapis client against the fake Google:
 * consent, callback, code exchange with PKCE, tokens sealed at rest; and every way it can be refused
 * (reference §6 scenario 24).
 */
const ACME = 'ops@acme.example';
const OTHER = 'someone.else@example.com';
const DEFAULT = { clientId: 'calento-deploy.apps.googleusercontent.com', clientSecret: 'GOCSPX-deployment-secret-xyz' };

let fake: FakeGoogle;
let t: TestApp;
let acme: OAuthClient;
let ada: TestUser;
let bob: TestUser;

beforeAll(async () => {
  fake = await startFakeGoogle();
  acme = fake.registerOAuthClient({ redirectUris: [CALLBACK_URL], name: 'Acme scheduling' });
  fake.registerOAuthClient({ ...DEFAULT, redirectUris: [CALLBACK_URL] });
  fake.createAccount(ACME, { name: 'Acme Ops', timeZone: 'Europe/Berlin' });
  fake.createAccount(OTHER);
  t = await createTestApp(
    { ...fakeGoogleEnv(fake), GOOGLE_CLIENT_ID: DEFAULT.clientId, GOOGLE_CLIENT_SECRET: DEFAULT.clientSecret },
    { captureLogs: true },
  );
  [ada, bob] = await Promise.all([registerUser(t.http), registerUser(t.http)]);
}, 120_000);
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

const api = () => request(t.http);
const clientPage = (clientId: string) => `http://calento.test/app/clients/${clientId}`;

interface AccountRow {
  email: string;
  subject: string | null;
  access_token: string | null;
  refresh_token: string | null;
  access_token_expires_at: Date | null;
  oauth_client_id: string;
  granted_scopes: string[];
}

async function accountRow(clientId: string): Promise<AccountRow | undefined> {
  const { rows } = await t.db.query<AccountRow>(
    `SELECT email::text, subject, access_token, refresh_token, access_token_expires_at, oauth_client_id, granted_scopes
     FROM google_accounts WHERE client_id = $1`,
    [clientId],
  );
  return rows[0];
}

function opened(row: AccountRow, clientId: string): { access: string; refresh: string } {
  const box = t.app.get(SecretBox);
  return {
    access: box.open(row.access_token as string, `google_accounts.access_token:${clientId}`),
    refresh: box.open(row.refresh_token as string, `google_accounts.refresh_token:${clientId}`),
  };
}

describe('authorize → consent → callback', () => {
  it('connects the client: tokens sealed, credential valid, account email read from the id_token', async () => {
    const { clientId, credentialId } = await clientWithCredentials(t.http, ada, acme);
    fake.clearRequests();
    const { callbackPath, code } = await consent(t.http, fake, ada, credentialId, { account: ACME });
    expect(code).toBeTruthy();
    expect(await callback(t.http, callbackPath)).toBe(`${clientPage(clientId)}?oauth=connected`);

    const client = (await api().get(`/api/v1/clients/${clientId}`).set(ada.auth).expect(200)).body;
    expect(client).toMatchObject({ status: 'connected', accountEmail: ACME, credentialId, connectedAt: expect.any(String) });
    const credential = (await api().get(`/api/v1/oauth/${credentialId}`).set(ada.auth).expect(200)).body;
    expect(credential).toMatchObject({ status: 'valid', verifiedAt: expect.any(String) });

    // The consent request Google saw: offline, consent, PKCE S256; the exchange sent the verifier.
    const [auth] = fake.requests({ path: '/o/oauth2/v2/auth' });
    expect(auth.query).toMatchObject({ access_type: 'offline', prompt: 'consent', code_challenge_method: 'S256', include_granted_scopes: 'true' });
    const [exchange] = fake.requests({ method: 'POST', path: '/token' });
    expect(exchange.body).toMatchObject({ grant_type: 'authorization_code', code, code_verifier: expect.stringMatching(/^[A-Za-z0-9_-]{43,128}$/) });

    // Stored sealed: the row holds no token in clear, and the sealed values are the fake's live tokens.
    const row = (await accountRow(clientId)) as AccountRow;
    const { access, refresh } = opened(row, clientId);
    expect(fake.store.accessTokens.get(access)).toMatchObject({ email: ACME, clientId: acme.clientId });
    expect(fake.store.refreshTokens.get(refresh)).toMatchObject({ email: ACME, clientId: acme.clientId });
    expect(JSON.stringify(row)).not.toContain(access);
    expect(JSON.stringify(row)).not.toContain(refresh);
    expect(row).toMatchObject({ email: ACME, oauth_client_id: acme.clientId, subject: expect.any(String) });
    expect(row.granted_scopes).toEqual(expect.arrayContaining(['https://www.googleapis.com/auth/calendar', 'openid', 'email']));
    expect(row.access_token_expires_at!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);

    // And the connection works: the calendar list comes from the account.
    const calendars = await api().get(`/api/v1/clients/${clientId}/calendars`).set(ada.auth).expect(200);
    expect(calendars.body.meta).toEqual({ live: true, clientStatus: 'connected' });
    expect(calendars.body.data.map((c: { id: string }) => c.id)).toEqual([ACME]);
  });

  it("connects through the deployment's OAuth client with useDefault", async () => {
    const clientId = await createClient(t.http, ada);
    const credentialId = (await api().post('/api/v1/oauth').set(ada.auth).send({ clientId, useDefault: true }).expect(201)).body.id;
    await connect(t.http, fake, ada, credentialId, clientId, OTHER);
    expect((await accountRow(clientId))?.oauth_client_id).toBe(DEFAULT.clientId);
    const token = opened((await accountRow(clientId)) as AccountRow, clientId).refresh;
    expect(fake.store.refreshTokens.get(token)?.clientId).toBe(DEFAULT.clientId);
  });

  it('checks the PKCE verifier: a code redeemed with another verifier is refused (invalid_grant)', async () => {
    const { clientId, credentialId } = await clientWithCredentials(t.http, ada, acme);
    const { callbackPath } = await consent(t.http, fake, ada, credentialId, { account: ACME });
    // Swap the stored verifier for another (sealed like the real one): Google must refuse the code.
    const { rows } = await t.db.query<{ id: string }>('SELECT id FROM oauth_states WHERE credential_id = $1', [credentialId]);
    const forged = t.app.get(SecretBox).seal('x'.repeat(64), `oauth_states.code_verifier:${rows[0].id}`);
    await t.db.query('UPDATE oauth_states SET code_verifier = $2 WHERE id = $1', [rows[0].id, forged]);
    expect(await callback(t.http, callbackPath)).toBe(`${clientPage(clientId)}?oauth=error&reason=invalid_grant`);
    expect(await accountRow(clientId)).toBeUndefined();
    expect((await api().get(`/api/v1/clients/${clientId}`).set(ada.auth)).body.status).toBe('pending');
  });

  it('refuses a replayed callback and changes nothing', async () => {
    const { clientId, credentialId } = await clientWithCredentials(t.http, ada, acme);
    const { callbackPath } = await consent(t.http, fake, ada, credentialId, { account: ACME });
    expect(await callback(t.http, callbackPath)).toBe(`${clientPage(clientId)}?oauth=connected`);
    const before = await accountRow(clientId);
    fake.clearRequests();
    expect(await callback(t.http, callbackPath)).toBe(`${clientPage(clientId)}?oauth=error&reason=state_used`);
    expect(fake.requests({ path: '/token' })).toHaveLength(0);
    expect(await accountRow(clientId)).toEqual(before);
  });

  it('refuses an expired state without redeeming the code', async () => {
    const { clientId, credentialId } = await clientWithCredentials(t.http, ada, acme);
    const { callbackPath } = await consent(t.http, fake, ada, credentialId, { account: ACME });
    const clock = t.app.get(Clock);
    const realNow = clock.now;
    clock.now = () => new Date(Date.now() + 11 * 60_000);
    fake.clearRequests();
    try {
      expect(await callback(t.http, callbackPath)).toBe(`${clientPage(clientId)}?oauth=error&reason=state_expired`);
    } finally {
      clock.now = realNow;
    }
    expect(fake.requests({ path: '/token' })).toHaveLength(0);
    expect(await accountRow(clientId)).toBeUndefined();
  });

  it('refuses a state from one consent with the code of another (a reused code is invalid_grant)', async () => {
    const { clientId, credentialId } = await clientWithCredentials(t.http, ada, acme);
    const first = await consent(t.http, fake, ada, credentialId, { account: ACME });
    expect(await callback(t.http, first.callbackPath)).toBe(`${clientPage(clientId)}?oauth=connected`);
    const second = await consent(t.http, fake, ada, credentialId, { account: ACME });
    const swapped = second.callbackPath.replace(`code=${encodeURIComponent(second.code as string)}`, `code=${encodeURIComponent(first.code as string)}`);
    expect(swapped).not.toBe(second.callbackPath);
    expect(await callback(t.http, swapped)).toBe(`${clientPage(clientId)}?oauth=error&reason=invalid_grant`);
  });

  it('passes on a refusal at the consent screen (access_denied)', async () => {
    const { clientId, credentialId } = await clientWithCredentials(t.http, ada, acme);
    const { callbackPath, code } = await consent(t.http, fake, ada, credentialId, { account: ACME, decision: 'deny' });
    expect(code).toBeNull();
    expect(await callback(t.http, callbackPath)).toBe(`${clientPage(clientId)}?oauth=error&reason=access_denied`);
    expect((await api().get(`/api/v1/clients/${clientId}`).set(ada.auth)).body.status).toBe('pending');
  });

  it('marks credentials with a wrong secret invalid (invalid_client)', async () => {
    const clientId = await createClient(t.http, ada);
    const credentialId = (
      await api()
        .post('/api/v1/oauth')
        .set(ada.auth)
        .send({ clientId, googleClientId: acme.clientId, clientSecret: 'GOCSPX-not-the-right-secret' })
        .expect(201)
    ).body.id;
    const { callbackPath } = await consent(t.http, fake, ada, credentialId, { account: ACME });
    expect(await callback(t.http, callbackPath)).toBe(`${clientPage(clientId)}?oauth=error&reason=invalid_client`);
    expect((await api().get(`/api/v1/oauth/${credentialId}`).set(ada.auth)).body.status).toBe('invalid');
  });

  it('keeps the stored refresh token when a re-consent returns none', async () => {
    const { clientId, credentialId } = await clientWithCredentials(t.http, ada, acme);
    await connect(t.http, fake, ada, credentialId, clientId, ACME);
    const first = opened((await accountRow(clientId)) as AccountRow, clientId);
    // Without prompt=consent Google sends no new refresh token for an existing grant.
    const again = await consent(t.http, fake, ada, credentialId, { account: ACME, editUrl: (url) => url.searchParams.delete('prompt') });
    fake.clearRequests();
    expect(await callback(t.http, again.callbackPath)).toBe(`${clientPage(clientId)}?oauth=connected`);
    const [exchange] = fake.requests({ path: '/token' });
    expect(exchange.status).toBe(200);
    const second = opened((await accountRow(clientId)) as AccountRow, clientId);
    expect(second.refresh).toBe(first.refresh);
    expect(second.access).not.toBe(first.access);
    expect(fake.store.refreshTokens.has(second.refresh)).toBe(true);
  });

  it('refuses to switch a connected client to another Google account (account_mismatch), keeping the first', async () => {
    const { clientId, credentialId } = await clientWithCredentials(t.http, ada, acme);
    await connect(t.http, fake, ada, credentialId, clientId, ACME);
    const before = await accountRow(clientId);
    const other = await consent(t.http, fake, ada, credentialId, { account: OTHER });
    expect(await callback(t.http, other.callbackPath)).toBe(`${clientPage(clientId)}?oauth=error&reason=account_mismatch`);
    expect(await accountRow(clientId)).toEqual(before);
    expect((await api().get(`/api/v1/clients/${clientId}`).set(ada.auth)).body).toMatchObject({ status: 'connected', accountEmail: ACME });
  });

  it('sends login_hint for the account a client already has', async () => {
    const { clientId, credentialId } = await clientWithCredentials(t.http, ada, acme);
    await connect(t.http, fake, ada, credentialId, clientId, ACME);
    const res = await api().post(`/api/v1/oauth/${credentialId}/authorize`).set(ada.auth).expect(201);
    expect(new URL(res.body.url).searchParams.get('login_hint')).toBe(ACME);
  });

  it('lets another account connect once the credentials were removed and added again', async () => {
    const { clientId, credentialId } = await clientWithCredentials(t.http, ada, acme);
    await connect(t.http, fake, ada, credentialId, clientId, ACME);
    await api().delete(`/api/v1/oauth/${credentialId}`).set(ada.auth).expect(204);
    expect((await api().get(`/api/v1/clients/${clientId}`).set(ada.auth)).body).toMatchObject({ status: 'disconnected', accountEmail: null });
    const fresh = (
      await api().post('/api/v1/oauth').set(ada.auth).send({ clientId, googleClientId: acme.clientId, clientSecret: acme.clientSecret }).expect(201)
    ).body.id;
    await connect(t.http, fake, ada, fresh, clientId, OTHER);
    expect((await api().get(`/api/v1/clients/${clientId}`).set(ada.auth)).body).toMatchObject({ status: 'connected', accountEmail: OTHER });
  });

  it("refuses another user's credentials at authorize (404)", async () => {
    const { credentialId } = await clientWithCredentials(t.http, ada, acme);
    const res = await api().post(`/api/v1/oauth/${credentialId}/authorize`).set(bob.auth);
    expect(res.status).toBe(404);
  });
});

describe('secrets', () => {
  it('appear in no response and no log line', async () => {
    const { rows } = await t.db.query<{ client_id: string; access_token: string | null; refresh_token: string | null }>(
      'SELECT client_id, access_token, refresh_token FROM google_accounts',
    );
    expect(rows.length).toBeGreaterThan(3);
    const box = t.app.get(SecretBox);
    const secrets = [acme.clientSecret, DEFAULT.clientSecret];
    for (const row of rows) {
      if (row.access_token) secrets.push(box.open(row.access_token, `google_accounts.access_token:${row.client_id}`));
      if (row.refresh_token) secrets.push(box.open(row.refresh_token, `google_accounts.refresh_token:${row.client_id}`));
    }
    // Every code the fake issued during this file.
    for (const r of fake.requests({ path: '/token' })) secrets.push(String((r.body as { code?: string }).code ?? 'no-code-here'));
    const logs = t.logs();
    expect(logs).toContain('OAuth callback');
    for (const secret of secrets) expect(logs).not.toContain(secret);
  });
});
