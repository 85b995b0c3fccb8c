import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import request from 'supertest';
import { SecretBox } from '../../src/common/crypto/secret-box.js';
import { Clock } from '../../src/common/time/clock.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { expectProblem } from '../setup/problem.js';
import { registerUser, type TestUser } from '../factories/users.js';

/**
 * OAuth credentials and the parts of the consent flow that need no Google: CRUD, validation, sealing
 * at rest, the consent URL and its state, and the callback's refusals. The exchange with Google is in
 * oauth-flow.e2e-spec.ts, against the fake Google.
 */
const DEFAULT_ID = 'deployment-123.apps.googleusercontent.com';
const DEFAULT_SECRET = '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n';
const SECRET = 'GOCSPX-acme-very-secret-value-9Qa1';
const CALENDAR = 'https://www.googleapis.com/auth/calendar';

let t: TestApp;
let bare: TestApp;
let ada: TestUser;
let bob: TestUser;

beforeAll(async () => {
  t = await createTestApp({ GOOGLE_CLIENT_ID: DEFAULT_ID, GOOGLE_CLIENT_SECRET: DEFAULT_SECRET }, { captureLogs: true });
  bare = await createTestApp({ RATE_LIMIT_PUBLIC_PER_IP: '3' });
  [ada, bob] = await Promise.all([registerUser(t.http), registerUser(t.http)]);
}, 120_000);
afterAll(async () => {
  await t?.close();
  await bare?.close();
});

const api = () => request(t.http);
const unknownId = '00000000-0000-4000-8000-000000000000';
let counter = 0;

async function newClient(user: TestUser = ada): Promise<string> {
  counter += 1;
  const res = await api().post('/api/v1/clients').set(user.auth).send({ name: `Client ${counter}` }).expect(201);
  return res.body.id;
}

async function newCredential(user: TestUser = ada, body: Record<string, unknown> = {}) {
  const clientId = await newClient(user);
  const res = await api()
    .post('/api/v1/oauth')
    .set(user.auth)
    .send({ clientId, googleClientId: 'acme-42.apps.googleusercontent.com', clientSecret: SECRET, ...body })
    .expect(201);
  expect(res.headers.location).toBe(`/api/v1/oauth/${res.body.id}`);
  return { clientId, credential: res.body };
}

describe('POST /oauth', () => {
  it("stores the client's own credentials, sealed, and never returns the secret", async () => {
    const { clientId, credential } = await newCredential();
    expect(credential).toEqual({
      id: expect.any(String),
      clientId,
      useDefault: false,
      googleClientId: 'acme-42.apps.googleusercontent.com',
      hasSecret: true,
      secretLast4: '9Qa1',
      scopes: [CALENDAR],
      status: 'unverified',
      verifiedAt: null,
      redirectUri: 'http://calento.test/api/v1/oauth/callback',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(JSON.stringify(credential)).not.toContain(SECRET);
    const client = await api().get(`/api/v1/clients/${clientId}`).set(ada.auth).expect(200);
    expect(client.body).toMatchObject({ credentialId: credential.id, status: 'pending' });

    const { rows } = await t.db.query<{ client_secret: string }>('SELECT client_secret FROM oauth_credentials WHERE id = $1', [credential.id]);
    const sealed = rows[0].client_secret;
    expect(sealed).not.toContain(SECRET);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+\./);
    const box = t.app.get(SecretBox);
    expect(box.open(sealed, `oauth_credentials.client_secret:${credential.id}`)).toBe(SECRET);
    // Bound to its row: the same ciphertext does not open as another row's secret.
    expect(() => box.open(sealed, `oauth_credentials.client_secret:${unknownId}`)).toThrow();
  });

  it("uses the deployment's OAuth client with useDefault (nothing secret stored)", async () => {
    const clientId = await newClient();
    const res = await api().post('/api/v1/oauth').set(ada.auth).send({ clientId, useDefault: true }).expect(201);
    expect(res.body).toMatchObject({ useDefault: true, googleClientId: null, hasSecret: false, secretLast4: null, scopes: [CALENDAR] });
    const { rows } = await t.db.query('SELECT client_secret, google_client_id FROM oauth_credentials WHERE id = $1', [res.body.id]);
    expect(rows[0]).toEqual({ client_secret: null, google_client_id: null });
  });

  it('keeps chosen scopes, each once, and shows no hint of a short secret', async () => {
    const { credential } = await newCredential(ada, {
      clientSecret: 'short-s3cret',
      scopes: [`${CALENDAR}.readonly`, `${CALENDAR}.events`, `${CALENDAR}.readonly`],
    });
    expect(credential.scopes).toEqual([`${CALENDAR}.readonly`, `${CALENDAR}.events`]);
    expect(credential.secretLast4).toBe('cret');
    const { credential: tiny } = await newCredential(ada, { clientSecret: 'tiny' });
    expect(tiny.secretLast4).toBeNull();
  });

  it('allows one set of credentials per client', async () => {
    const { clientId, credential } = await newCredential();
    const again = await api().post('/api/v1/oauth').set(ada.auth).send({ clientId, useDefault: true });
    expectProblem(again, 409, 'CLIENT_HAS_CREDENTIALS');
    expect(again.body.detail).toContain(credential.id);
  });

  it.each([
    ['no clientId', { googleClientId: 'a', clientSecret: 'b' }, ['clientId']],
    ['a malformed clientId', { clientId: 'acme', googleClientId: 'a', clientSecret: 'b' }, ['clientId']],
    ['neither own keys nor useDefault', {}, ['googleClientId', 'clientSecret']],
    ['a client id without its secret', { googleClientId: 'a.apps.googleusercontent.com' }, ['clientSecret']],
    ['a secret without a client id', { clientSecret: 'x'.repeat(20) }, ['googleClientId']],
    ['useDefault with own keys', { useDefault: true, googleClientId: 'a', clientSecret: 'b' }, ['googleClientId', 'clientSecret']],
    ['useDefault that is not a boolean', { useDefault: 'yes' }, ['useDefault']],
    ['a client id with spaces', { googleClientId: 'a b', clientSecret: 'b' }, ['googleClientId']],
    ['a 513-character secret', { googleClientId: 'a', clientSecret: 's'.repeat(513) }, ['clientSecret']],
    ['a scope that is not Google Calendar', { useDefault: true, scopes: ['https://www.googleapis.com/auth/drive'] }, ['scopes']],
    ['scopes that cannot read the calendar list', { useDefault: true, scopes: [`${CALENDAR}.events`] }, ['scopes']],
    ['an empty scope list', { useDefault: true, scopes: [] }, ['scopes']],
    ['scopes as a string', { useDefault: true, scopes: CALENDAR }, ['scopes']],
    ['an unknown field', { useDefault: true, status: 'valid' }, ['status']],
    ['a null secret', { googleClientId: 'a.apps.googleusercontent.com', clientSecret: null }, ['clientSecret']],
    ['a null client id', { googleClientId: null, clientSecret: SECRET }, ['googleClientId']],
    ['a null useDefault', { useDefault: null, googleClientId: 'a.apps.googleusercontent.com', clientSecret: SECRET }, ['useDefault']],
    ['null scopes', { useDefault: true, scopes: null }, ['scopes']],
  ])('refuses %s, naming the field', async (_label, body, fields) => {
    const clientId = await newClient();
    const withClient = 'clientId' in body || _label === 'no clientId' ? body : { clientId, ...body };
    expectProblem(await api().post('/api/v1/oauth').set(ada.auth).send(withClient), 400, 'VALIDATION_FAILED', fields);
    expect(JSON.stringify(await t.db.query('SELECT 1 FROM oauth_credentials WHERE client_id = $1', [clientId]).then((r) => r.rows))).toBe('[]');
  });

  it("refuses useDefault when the deployment has no Google OAuth client", async () => {
    const user = await registerUser(bare.http);
    const client = await request(bare.http).post('/api/v1/clients').set(user.auth).send({ name: 'Bare' }).expect(201);
    const res = await request(bare.http).post('/api/v1/oauth').set(user.auth).send({ clientId: client.body.id, useDefault: true });
    expectProblem(res, 400, 'VALIDATION_FAILED', ['useDefault']);
  });

  it("answers 404 for another user's client or an unknown one", async () => {
    const bobs = await newClient(bob);
    expectProblem(await api().post('/api/v1/oauth').set(ada.auth).send({ clientId: bobs, useDefault: true }), 404, 'NOT_FOUND');
    expectProblem(await api().post('/api/v1/oauth').set(ada.auth).send({ clientId: unknownId, useDefault: true }), 404, 'NOT_FOUND');
  });
});

describe('GET, PUT and DELETE /oauth/:id', () => {
  it("reads your credentials; another user's are 404", async () => {
    const { credential } = await newCredential();
    expect((await api().get(`/api/v1/oauth/${credential.id}`).set(ada.auth).expect(200)).body).toEqual(credential);
    expectProblem(await api().get(`/api/v1/oauth/${credential.id}`).set(bob.auth), 404, 'NOT_FOUND');
    expectProblem(await api().get(`/api/v1/oauth/${unknownId}`).set(ada.auth), 404, 'NOT_FOUND');
    expectProblem(await api().get('/api/v1/oauth/1234').set(ada.auth), 400, 'INVALID_ID');
  });

  it('changes scopes alone without touching the secret or the status', async () => {
    const { credential } = await newCredential();
    const res = await api().put(`/api/v1/oauth/${credential.id}`).set(ada.auth).send({ scopes: [`${CALENDAR}.readonly`] }).expect(200);
    expect(res.body).toMatchObject({ scopes: [`${CALENDAR}.readonly`], secretLast4: '9Qa1', hasSecret: true, status: 'unverified' });
  });

  it('re-seals a new secret; a new Google client id needs its own secret', async () => {
    const { credential } = await newCredential();
    const rotated = await api().put(`/api/v1/oauth/${credential.id}`).set(ada.auth).send({ clientSecret: 'GOCSPX-rotated-secret-ZZ99' }).expect(200);
    expect(rotated.body.secretLast4).toBe('ZZ99');
    const { rows } = await t.db.query<{ client_secret: string }>('SELECT client_secret FROM oauth_credentials WHERE id = $1', [credential.id]);
    expect(t.app.get(SecretBox).open(rows[0].client_secret, `oauth_credentials.client_secret:${credential.id}`)).toBe('GOCSPX-rotated-secret-ZZ99');
    expectProblem(
      await api().put(`/api/v1/oauth/${credential.id}`).set(ada.auth).send({ googleClientId: 'other.apps.googleusercontent.com' }),
      400,
      'VALIDATION_FAILED',
      ['clientSecret'],
    );
    const moved = await api()
      .put(`/api/v1/oauth/${credential.id}`)
      .set(ada.auth)
      .send({ googleClientId: 'other.apps.googleusercontent.com', clientSecret: 'GOCSPX-other-secret-0000' })
      .expect(200);
    expect(moved.body).toMatchObject({ googleClientId: 'other.apps.googleusercontent.com', secretLast4: '0000' });
  });

  it('switches to and from the deployment client', async () => {
    const { credential } = await newCredential();
    const toDefault = await api().put(`/api/v1/oauth/${credential.id}`).set(ada.auth).send({ useDefault: true }).expect(200);
    expect(toDefault.body).toMatchObject({ useDefault: true, googleClientId: null, hasSecret: false });
    const { rows } = await t.db.query('SELECT client_secret FROM oauth_credentials WHERE id = $1', [credential.id]);
    expect(rows[0]).toEqual({ client_secret: null });
    expectProblem(await api().put(`/api/v1/oauth/${credential.id}`).set(ada.auth).send({ useDefault: false }), 400, 'VALIDATION_FAILED', [
      'googleClientId',
      'clientSecret',
    ]);
    const back = await api()
      .put(`/api/v1/oauth/${credential.id}`)
      .set(ada.auth)
      .send({ useDefault: false, googleClientId: 'back.apps.googleusercontent.com', clientSecret: 'GOCSPX-back-again-1111' })
      .expect(200);
    expect(back.body).toMatchObject({ useDefault: false, googleClientId: 'back.apps.googleusercontent.com', hasSecret: true });
  });

  it('refuses bad changes naming the field, and foreign ids', async () => {
    const { credential } = await newCredential();
    const put = (body: Record<string, unknown>, user = ada) => api().put(`/api/v1/oauth/${credential.id}`).set(user.auth).send(body);
    expectProblem(await put({ clientId: unknownId }), 400, 'VALIDATION_FAILED', ['clientId']);
    expectProblem(await put({ scopes: ['email'] }), 400, 'VALIDATION_FAILED', ['scopes']);
    expectProblem(await put({ useDefault: true, clientSecret: 'x' }), 400, 'VALIDATION_FAILED', ['clientSecret']);
    expectProblem(await put({ clientSecret: '' }), 400, 'VALIDATION_FAILED', ['clientSecret']);
    for (const field of ['clientSecret', 'googleClientId', 'useDefault', 'scopes']) {
      expectProblem(await put({ [field]: null }), 400, 'VALIDATION_FAILED', [field]);
    }
    const after = await api().get(`/api/v1/oauth/${credential.id}`).set(ada.auth).expect(200);
    expect(after.body).toMatchObject({ useDefault: false, googleClientId: 'acme-42.apps.googleusercontent.com', hasSecret: true, scopes: credential.scopes });
    expectProblem(await put({ scopes: [CALENDAR] }, bob), 404, 'NOT_FOUND');
    expectProblem(await api().put(`/api/v1/oauth/${unknownId}`).set(ada.auth).send({ scopes: [CALENDAR] }), 404, 'NOT_FOUND');
  });

  it('deletes your credentials; the client keeps its status', async () => {
    const { clientId, credential } = await newCredential();
    expectProblem(await api().delete(`/api/v1/oauth/${credential.id}`).set(bob.auth), 404, 'NOT_FOUND');
    await api().delete(`/api/v1/oauth/${credential.id}`).set(ada.auth).expect(204);
    expectProblem(await api().get(`/api/v1/oauth/${credential.id}`).set(ada.auth), 404, 'NOT_FOUND');
    expectProblem(await api().delete(`/api/v1/oauth/${credential.id}`).set(ada.auth), 404, 'NOT_FOUND');
    const client = await api().get(`/api/v1/clients/${clientId}`).set(ada.auth).expect(200);
    expect(client.body).toMatchObject({ status: 'pending', credentialId: null });
  });
});

describe('POST /oauth/:id/authorize', () => {
  it("builds Google's consent URL: offline, consent, PKCE S256, granted scopes, a single-use state", async () => {
    const { clientId, credential } = await newCredential();
    const before = Date.now();
    const res = await api().post(`/api/v1/oauth/${credential.id}/authorize`).set(ada.auth).expect(201);
    const url = new URL(res.body.url);
    expect(`${url.origin}${url.pathname}`).toBe('https://accounts.google.com/o/oauth2/v2/auth');
    const q = Object.fromEntries(url.searchParams);
    expect(q).toEqual({
      client_id: 'acme-42.apps.googleusercontent.com',
      redirect_uri: 'http://calento.test/api/v1/oauth/callback',
      response_type: 'code',
      access_type: 'offline',
      prompt: 'consent',
      include_granted_scopes: 'true',
      scope: `${CALENDAR} openid email`,
      state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge_method: 'S256',
    });
    const expiresAt = new Date(res.body.expiresAt).getTime();
    expect(expiresAt - before).toBeGreaterThanOrEqual(10 * 60_000 - 1000);
    expect(expiresAt - before).toBeLessThanOrEqual(10 * 60_000 + 5000);

    // Only a hash of the state is stored; the verifier is sealed, and its S256 is the challenge.
    const { rows } = await t.db.query<{ id: string; state_hash: Buffer; code_verifier: string; client_id: string; user_id: string }>(
      'SELECT id, state_hash, code_verifier, client_id, user_id FROM oauth_states WHERE credential_id = $1',
      [credential.id],
    );
    expect(rows).toHaveLength(1);
    const row = rows[0];
    expect(Buffer.from(row.state_hash).equals(createHash('sha256').update(q.state).digest())).toBe(true);
    expect(JSON.stringify(row)).not.toContain(q.state);
    expect({ client: row.client_id, user: row.user_id }).toEqual({ client: clientId, user: ada.id });
    const verifier = t.app.get(SecretBox).open(row.code_verifier, `oauth_states.code_verifier:${row.id}`);
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(q.code_challenge);
  });

  it("uses the deployment's client id for useDefault credentials, and a new state every time", async () => {
    const clientId = await newClient();
    const credential = (await api().post('/api/v1/oauth').set(ada.auth).send({ clientId, useDefault: true }).expect(201)).body;
    const one = new URL((await api().post(`/api/v1/oauth/${credential.id}/authorize`).set(ada.auth).expect(201)).body.url);
    const two = new URL((await api().post(`/api/v1/oauth/${credential.id}/authorize`).set(ada.auth).expect(201)).body.url);
    expect(one.searchParams.get('client_id')).toBe(DEFAULT_ID);
    expect(one.searchParams.get('state')).not.toBe(two.searchParams.get('state'));
    expect(one.searchParams.get('code_challenge')).not.toBe(two.searchParams.get('code_challenge'));
  });

  it("answers 404 for another user's credentials", async () => {
    const { credential } = await newCredential();
    expectProblem(await api().post(`/api/v1/oauth/${credential.id}/authorize`).set(bob.auth), 404, 'NOT_FOUND');
    expectProblem(await api().post(`/api/v1/oauth/${unknownId}/authorize`).set(ada.auth), 404, 'NOT_FOUND');
    expectProblem(await api().post('/api/v1/oauth/zzz/authorize').set(ada.auth), 400, 'INVALID_ID');
  });
});

describe('GET /oauth/callback refusals (no Google involved)', () => {
  async function startConsent(): Promise<{ clientId: string; state: string }> {
    const { clientId, credential } = await newCredential();
    const res = await api().post(`/api/v1/oauth/${credential.id}/authorize`).set(ada.auth).expect(201);
    return { clientId, state: new URL(res.body.url).searchParams.get('state') as string };
  }

  it('is public and answers 400 naming state when there is none', async () => {
    expectProblem(await api().get('/api/v1/oauth/callback?code=abc'), 400, 'VALIDATION_FAILED', ['state']);
    expectProblem(await api().get('/api/v1/oauth/callback'), 400, 'VALIDATION_FAILED', ['state']);
  });

  it('sends an unknown state to the client list with reason invalid_state', async () => {
    const res = await api().get('/api/v1/oauth/callback?state=forged-state&code=abc').expect(302);
    expect(res.headers.location).toBe('http://calento.test/app/clients?oauth=error&reason=invalid_state');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('passes on a refusal at Google (access_denied) and uses up the state', async () => {
    const { clientId, state } = await startConsent();
    const denied = await api().get(`/api/v1/oauth/callback?state=${state}&error=access_denied`).expect(302);
    expect(denied.headers.location).toBe(`http://calento.test/app/clients/${clientId}?oauth=error&reason=access_denied`);
    const replay = await api().get(`/api/v1/oauth/callback?state=${state}&code=abc`).expect(302);
    expect(replay.headers.location).toBe(`http://calento.test/app/clients/${clientId}?oauth=error&reason=state_used`);
    expect((await api().get(`/api/v1/clients/${clientId}`).set(ada.auth)).body.status).toBe('pending');
  });

  it('refuses a state older than 10 minutes', async () => {
    const { clientId, state } = await startConsent();
    const clock = t.app.get(Clock);
    const realNow = clock.now;
    clock.now = () => new Date(Date.now() + 10 * 60_000 + 1000);
    try {
      const res = await api().get(`/api/v1/oauth/callback?state=${state}&code=abc`).expect(302);
      expect(res.headers.location).toBe(`http://calento.test/app/clients/${clientId}?oauth=error&reason=state_expired`);
    } finally {
      clock.now = realNow;
    }
  });

  it('refuses a callback without a code', async () => {
    const { clientId, state } = await startConsent();
    const res = await api().get(`/api/v1/oauth/callback?state=${state}`).expect(302);
    expect(res.headers.location).toBe(`http://calento.test/app/clients/${clientId}?oauth=error&reason=missing_code`);
  });

  it('is rate limited per IP like every public route', async () => {
    for (let i = 0; i < 3; i++) await request(bare.http).get('/api/v1/oauth/callback?state=x').expect(302);
    const limited = await request(bare.http).get('/api/v1/oauth/callback?state=x');
    expectProblem(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('logs', () => {
  it('never carry a client secret, the deployment secret, a state or a verifier', async () => {
    const logs = t.logs();
    expect(logs).toContain('"route":"/api/v1/oauth/callback"');
    for (const secret of [SECRET, DEFAULT_SECRET, 'GOCSPX-rotated-secret-ZZ99']) expect(logs).not.toContain(secret);
    const { rows } = await t.db.query<{ id: string; code_verifier: string }>('SELECT id, code_verifier FROM oauth_states');
    const box = t.app.get(SecretBox);
    for (const row of rows) expect(logs).not.toContain(box.open(row.code_verifier, `oauth_states.code_verifier:${row.id}`));
    expect(logs).not.toMatch(/state=[A-Za-z0-9_-]{43}/);
  });
});
