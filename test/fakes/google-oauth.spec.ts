import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as google from 'googleapis/build/src/apis/calendar/index.js';
import { calendarFor, oauth2For, startFakeGoogle, type FakeGoogle, type OAuthClient } from './google/index.js';

const CAL = 'https://www.googleapis.com/auth/calendar';
const REDIRECT = 'http://localhost:3000/api/v1/oauth/callback';

let fake: FakeGoogle;
let client: OAuthClient;
let other: OAuthClient;

beforeAll(async () => {
  fake = await startFakeGoogle();
  client = fake.registerOAuthClient({ clientId: 'acme.apps.googleusercontent.com', clientSecret: 'acme-secret', redirectUris: [REDIRECT], name: 'Acme' });
  other = fake.registerOAuthClient({ redirectUris: ['http://localhost:3000/other'] });
  fake.createAccount('alice@example.com', { timeZone: 'Europe/Paris' });
  fake.createAccount('bob@example.com');
});
afterAll(async () => {
  await fake?.close();
});

/** Follows the consent URL like a browser would and returns the redirect's query. */
async function consent(url: string): Promise<URLSearchParams> {
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location')!);
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
  return location.searchParams;
}

describe('authorization code flow with PKCE (real google-auth-library client)', () => {
  it('issues a single-use code, checks the verifier, and returns a refresh token on first offline consent', async () => {
    const oauth = oauth2For(fake, client);
    const { codeVerifier, codeChallenge } = await oauth.generateCodeVerifierAsync();
    const url = oauth.generateAuthUrl({
      access_type: 'offline', prompt: 'consent', scope: [CAL, 'email'], state: 'state-123',
      code_challenge: codeChallenge, code_challenge_method: 'S256' as never, login_hint: 'alice@example.com',
    });
    expect(url.startsWith(`${fake.url}/o/oauth2/v2/auth?`)).toBe(true);
    const params = await consent(url);
    expect(params.get('state')).toBe('state-123');
    expect(params.get('scope')).toBe(`${CAL} email`);
    const code = params.get('code')!;

    await expect(oauth.getToken({ code, codeVerifier: 'x'.repeat(43) })).rejects.toMatchObject({
      status: 400, response: { data: { error: 'invalid_grant', error_description: 'Invalid code verifier.' } },
    });
    const { tokens } = await oauth.getToken({ code, codeVerifier });
    expect(tokens).toMatchObject({ token_type: 'Bearer', scope: `${CAL} email` });
    expect(tokens.access_token).toMatch(/^ya29\./);
    expect(tokens.refresh_token).toMatch(/^1\/\/0g/);
    expect(tokens.expiry_date).toBeGreaterThan(Date.now() + 3500_000);

    // A used code is refused even with the right verifier.
    await expect(oauth.getToken({ code, codeVerifier })).rejects.toMatchObject({ status: 400, response: { data: { error: 'invalid_grant' } } });

    const userinfo = await fetch(`${fake.url}/oauth2/v2/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(await userinfo.json()).toMatchObject({ email: 'alice@example.com', verified_email: true });
  });

  it('returns no refresh token on a repeat consent without prompt=consent, and a new one with it', async () => {
    const oauth = oauth2For(fake, client);
    const again = await consent(oauth.generateAuthUrl({ access_type: 'offline', scope: [CAL], login_hint: 'alice@example.com' }));
    const { tokens: plain } = await oauth.getToken(again.get('code')!);
    expect(plain.refresh_token).toBeUndefined();
    expect(plain.access_token).toBeTruthy();
    const forced = await consent(oauth.generateAuthUrl({ access_type: 'offline', prompt: 'consent', scope: [CAL], login_hint: 'alice@example.com' }));
    const { tokens } = await oauth.getToken(forced.get('code')!);
    expect(tokens.refresh_token).toBeTruthy();
  });

  it('requires the verifier when a challenge was sent, and the same redirect_uri', async () => {
    const oauth = oauth2For(fake, client);
    const { codeChallenge } = await oauth.generateCodeVerifierAsync();
    const params = await consent(oauth.generateAuthUrl({ scope: [CAL], code_challenge: codeChallenge, code_challenge_method: 'S256' as never }));
    await expect(oauth.getToken({ code: params.get('code')! })).rejects.toMatchObject({ response: { data: { error: 'invalid_grant', error_description: 'Missing code verifier.' } } });
    const p2 = await consent(oauth.generateAuthUrl({ scope: [CAL] }));
    await expect(oauth.getToken({ code: p2.get('code')!, redirect_uri: 'http://localhost:3000/elsewhere' })).rejects.toMatchObject({
      status: 400, response: { data: { error: 'redirect_uri_mismatch' } },
    });
  });

  it('refuses unknown clients, unregistered redirect URIs and bad client secrets', async () => {
    const unknown = await fetch(`${fake.url}/o/oauth2/v2/auth?client_id=nope&redirect_uri=${encodeURIComponent(REDIRECT)}&response_type=code&scope=${CAL}`, { redirect: 'manual' });
    expect(unknown.status).toBe(401);
    expect(await unknown.text()).toContain('invalid_client');
    const mismatch = await fetch(oauth2For(fake, client, 'http://evil.example/cb').generateAuthUrl({ scope: [CAL] }), { redirect: 'manual' });
    expect(mismatch.status).toBe(400);
    expect(await mismatch.text()).toContain('redirect_uri_mismatch');
    const wrong = new google.auth.OAuth2({ clientId: client.clientId, clientSecret: 'wrong', redirectUri: REDIRECT, endpoints: fake.oauthEndpoints });
    await expect(wrong.getToken('whatever')).rejects.toMatchObject({ status: 401, response: { data: { error: 'invalid_client' } } });
  });

  it('accepts client credentials in a Basic header', async () => {
    const params = await consent(oauth2For(fake, client).generateAuthUrl({ access_type: 'offline', prompt: 'consent', scope: [CAL] }));
    const basic = new google.auth.OAuth2({
      clientId: client.clientId, clientSecret: client.clientSecret, redirectUri: REDIRECT, endpoints: fake.oauthEndpoints,
      clientAuthentication: 'ClientSecretBasic' as never,
    });
    const { tokens } = await basic.getToken(params.get('code')!);
    expect(tokens.refresh_token).toBeTruthy();
    const log = fake.requests({ path: '/token' }).at(-1)!;
    expect(log.body).not.toHaveProperty('client_secret');
  });
});

describe('refresh, expiry and revocation', () => {
  it('refreshes without a new refresh token, and refreshes by itself on 401 when no expiry_date is known', async () => {
    const tokens = fake.issueTokens('bob@example.com', client.clientId, [CAL]);
    const { auth, calendar } = calendarFor(fake, client, { refresh_token: tokens.refresh_token, access_token: tokens.access_token });
    const seen: string[] = [];
    auth.on('tokens', (t) => seen.push(JSON.stringify(t)));
    fake.clearRequests();
    fake.advanceClock({ hours: 2 });
    const list = await calendar.calendarList.list();
    expect(list.data.items?.[0]).toMatchObject({ id: 'bob@example.com', primary: true });
    expect(seen).toHaveLength(1);
    expect(JSON.parse(seen[0])).not.toHaveProperty('refresh_token');
    // The 401 carries no account (the token was refused); the retry with the new token succeeds.
    const calls = fake.requests({ path: '/calendar/v3/users/me/calendarList' }).map((r) => [r.status, r.account]);
    expect(calls).toEqual([[401, undefined], [200, 'bob@example.com']]);
    expect(fake.requests({ path: '/token' }).map((r) => (r.body as Record<string, string>).grant_type)).toEqual(['refresh_token']);
  });

  it('lets a 401 through to the app when the client believes its token is still valid (expiry_date set)', async () => {
    const tokens = fake.issueTokens('bob@example.com', client.clientId, [CAL]);
    const { calendar } = calendarFor(fake, client, { ...tokens, expiry_date: Date.now() + 3_000_000 });
    fake.expireAccessTokens({ email: 'bob@example.com' });
    await expect(calendar.events.list({ calendarId: 'primary' })).rejects.toMatchObject({
      status: 401,
      response: { data: { error: { code: 401, errors: [{ domain: 'global', reason: 'authError', location: 'Authorization', locationType: 'header' }] } } },
    });
  });

  it('revoking any token ends the grant: the next refresh is invalid_grant with Google\'s body', async () => {
    const tokens = fake.issueTokens('bob@example.com', client.clientId, [CAL]);
    const otherTokens = fake.issueTokens('bob@example.com', other.clientId, [CAL]);
    const oauth = oauth2For(fake, client);
    await oauth.revokeToken(tokens.access_token);
    oauth.setCredentials({ refresh_token: tokens.refresh_token });
    const failure = await oauth.refreshAccessToken().catch((e: unknown) => e);
    expect(failure).toMatchObject({ status: 400, response: { data: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' } } });
    // Another OAuth client's grant for the same account is untouched.
    const { calendar } = calendarFor(fake, other, otherTokens);
    await expect(calendar.calendarList.list()).resolves.toMatchObject({ status: 200 });
    await expect(oauth.revokeToken(tokens.access_token)).rejects.toMatchObject({ status: 400, response: { data: { error: 'invalid_token' } } });
  });

  it('admin revokeGrant has the same effect', async () => {
    const tokens = fake.issueTokens('alice@example.com', other.clientId, [CAL]);
    expect(fake.revokeGrant('alice@example.com', other.clientId)).toBeGreaterThan(0);
    const { calendar } = calendarFor(fake, other, { refresh_token: tokens.refresh_token, access_token: tokens.access_token });
    await expect(calendar.calendarList.list()).rejects.toMatchObject({ status: 400, response: { data: { error: 'invalid_grant' } } });
  });
});

describe('consent modes', () => {
  it('page mode shows an account chooser; Allow redirects with a code, Deny with access_denied and the state', async () => {
    fake.setConsent({ mode: 'page' });
    try {
      const url = oauth2For(fake, client).generateAuthUrl({ scope: [CAL], state: 's1', login_hint: 'bob@example.com' });
      const page = await fetch(url);
      const html = await page.text();
      expect(page.status).toBe(200);
      expect(html).toContain('value="bob@example.com" checked');
      const requestId = /name="request" value="([^"]+)"/.exec(html)![1];
      const allow = await fetch(`${fake.url}/o/oauth2/v2/auth/decision`, {
        method: 'POST', redirect: 'manual', body: new URLSearchParams({ request: requestId, account: 'bob@example.com', decision: 'allow' }),
      });
      const ok = new URL(allow.headers.get('location')!);
      expect(ok.searchParams.get('code')).toBeTruthy();
      expect(ok.searchParams.get('state')).toBe('s1');
      const replay = await fetch(`${fake.url}/o/oauth2/v2/auth/decision`, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ request: requestId, decision: 'allow' }) });
      expect(replay.status).toBe(400);

      const html2 = await (await fetch(oauth2For(fake, client).generateAuthUrl({ scope: [CAL], state: 's2' }))).text();
      const deny = await fetch(`${fake.url}/o/oauth2/v2/auth/decision`, {
        method: 'POST', redirect: 'manual', body: new URLSearchParams({ request: /name="request" value="([^"]+)"/.exec(html2)![1], decision: 'deny' }),
      });
      expect(deny.headers.get('location')).toBe(`${REDIRECT}?error=access_denied&state=s2`);
    } finally {
      fake.setConsent({ mode: 'auto' });
    }
  });

  it('auto mode can be told to deny, and prompt=none needs an existing grant', async () => {
    fake.setConsent({ decision: 'deny' });
    const denied = await fetch(oauth2For(fake, client).generateAuthUrl({ scope: [CAL], state: 'd' }), { redirect: 'manual' });
    expect(new URL(denied.headers.get('location')!).searchParams.get('error')).toBe('access_denied');
    fake.setConsent({ decision: 'allow' });
    fake.createAccount('carol@example.com');
    const none = await fetch(oauth2For(fake, client).generateAuthUrl({ scope: [CAL], prompt: 'none', login_hint: 'carol@example.com' }), { redirect: 'manual' });
    expect(new URL(none.headers.get('location')!).searchParams.get('error')).toBe('consent_required');
  });
});

describe('accounts are separate', () => {
  it('one account cannot read another account\'s calendar (404), and a token needs a calendar scope', async () => {
    const { calendar } = calendarFor(fake, client, fake.issueTokens('bob@example.com', client.clientId, [CAL]));
    await expect(calendar.events.list({ calendarId: 'alice@example.com' })).rejects.toMatchObject({ status: 404, response: { data: { error: { errors: [{ reason: 'notFound' }] } } } });
    const { calendar: emailOnly } = calendarFor(fake, client, fake.issueTokens('bob@example.com', client.clientId, ['email']));
    await expect(emailOnly.events.list({ calendarId: 'primary' })).rejects.toMatchObject({
      status: 403, response: { data: { error: { errors: [{ reason: 'insufficientPermissions' }] } } },
    });
    const bare = await fetch(`${fake.url}/calendar/v3/users/me/calendarList`);
    expect(bare.status).toBe(401);
    expect(((await bare.json()) as { error: { errors: unknown[] } }).error.errors[0]).toMatchObject({ reason: 'required', location: 'Authorization' });
  });
});
