import { form, json, route, type Ctx, type Deps, type Reply, type Route } from '../context.js';
import { GoogleApiError, OAuthError } from '../errors.js';
import { randomToken } from '../state/ids.js';
import { consentPage, errorPage } from './consent-page.js';
import { USERINFO_EMAIL_SCOPES, type AuthRequest } from './oauth-service.js';

const PROFILE_SCOPES = ['profile', 'https://www.googleapis.com/auth/userinfo.profile', 'openid'];
const noStore = { 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate', pragma: 'no-cache' };

class PageError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

function redirectWith(uri: string, params: Record<string, string | undefined>): Reply {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return { status: 302, location: url.toString(), text: `Moved to ${url}` };
}

/** Google's OAuth2 endpoints: /o/oauth2/v2/auth (+ the consent page's form), /token, /revoke, tokeninfo, userinfo. */
export function oauthRoutes(deps: Deps): Route[] {
  const { store, oauth } = deps;
  const pending = new Map<string, AuthRequest>();

  const readAuthRequest = (q: URLSearchParams): AuthRequest => {
    const client = store.clients.get(q.get('client_id') ?? '');
    if (!client) throw new PageError(401, 'invalid_client', 'The OAuth client was not found.');
    const redirectUri = q.get('redirect_uri');
    if (!redirectUri) throw new PageError(400, 'invalid_request', 'Missing required parameter: redirect_uri');
    if (!client.redirectUris.includes(redirectUri)) {
      throw new PageError(400, 'redirect_uri_mismatch', `The redirect URI in the request, ${redirectUri}, does not match the ones authorized for the OAuth client.`);
    }
    const responseType = q.get('response_type');
    if (!responseType) throw new PageError(400, 'invalid_request', 'Required parameter is missing: response_type');
    if (responseType !== 'code') throw new PageError(400, 'unsupported_response_type', `Invalid response_type: ${responseType}`);
    const scopes = (q.get('scope') ?? '').split(/\s+/).filter(Boolean);
    if (scopes.length === 0) throw new PageError(400, 'invalid_request', 'Missing required parameter: scope');
    const accessType = q.get('access_type') ?? 'online';
    if (accessType !== 'online' && accessType !== 'offline') throw new PageError(400, 'invalid_request', `Invalid access_type: ${accessType}`);
    const prompt = (q.get('prompt') ?? '').split(/\s+/).filter(Boolean);
    if (prompt.some((p) => !['none', 'consent', 'select_account'].includes(p)) || (prompt.includes('none') && prompt.length > 1)) {
      throw new PageError(400, 'invalid_request', `Invalid prompt: ${q.get('prompt')}`);
    }
    const codeChallenge = q.get('code_challenge') ?? undefined;
    const method = q.get('code_challenge_method') ?? undefined;
    if (method && !codeChallenge) throw new PageError(400, 'invalid_request', 'Missing code_challenge.');
    if (method && method !== 'S256' && method !== 'plain') throw new PageError(400, 'invalid_request', `Invalid code_challenge_method: ${method}`);
    if (codeChallenge && !/^[A-Za-z0-9\-._~]{43,128}$/.test(codeChallenge)) throw new PageError(400, 'invalid_request', 'Invalid code_challenge.');
    return {
      client,
      redirectUri,
      scopes,
      state: q.get('state') ?? undefined,
      offline: accessType === 'offline',
      prompt,
      loginHint: q.get('login_hint') ?? undefined,
      includeGrantedScopes: q.get('include_granted_scopes') === 'true',
      codeChallenge,
      codeChallengeMethod: codeChallenge ? ((method ?? 'plain') as 'S256' | 'plain') : undefined,
    };
  };

  const codeRedirect = (request: AuthRequest, email: string, prompted: boolean): Reply => {
    const code = oauth.approve(request, email);
    const grantScopes = store.grant(email, request.client.clientId)?.scopes;
    const scopes = new Set(request.scopes);
    if (request.includeGrantedScopes && grantScopes) for (const s of grantScopes) scopes.add(s);
    return redirectWith(request.redirectUri, {
      state: request.state,
      code,
      scope: [...scopes].join(' '),
      authuser: '0',
      prompt: prompted ? 'consent' : 'none',
    });
  };
  const denied = (request: AuthRequest): Reply => redirectWith(request.redirectUri, { error: 'access_denied', state: request.state });
  const chooseAccount = (request: AuthRequest): string | undefined => {
    const pick = [oauth.consent.account, request.loginHint].find((e) => e && store.account(e));
    return pick?.toLowerCase() ?? store.accounts.keys().next().value;
  };

  const authorize = (ctx: Ctx): Reply => {
    let request: AuthRequest;
    try {
      request = readAuthRequest(ctx.query);
    } catch (error) {
      if (error instanceof PageError) return { status: error.status, html: errorPage(error.status, error.error, error.description) };
      throw error;
    }
    if (request.prompt.includes('none')) {
      const email = chooseAccount(request);
      if (!email) return redirectWith(request.redirectUri, { error: 'login_required', state: request.state });
      if (!oauth.hasGrantFor(email, request.client.clientId, request.scopes)) {
        return redirectWith(request.redirectUri, { error: 'consent_required', state: request.state });
      }
      return codeRedirect(request, email, false);
    }
    if (oauth.consent.mode === 'auto') {
      if (oauth.consent.decision === 'deny') return denied(request);
      const email = chooseAccount(request);
      if (!email) return { status: 400, html: errorPage(400, 'no_account', 'The fake has no Google account to sign in with.') };
      return codeRedirect(request, email, true);
    }
    const id = randomToken('', 16);
    pending.set(id, request);
    return { status: 200, html: consentPage(id, request, [...store.accounts.keys()]) };
  };

  const decide = (ctx: Ctx): Reply => {
    const f = form(ctx);
    const request = pending.get(f.request ?? '');
    if (!request) return { status: 400, html: errorPage(400, 'invalid_request', 'This sign-in request expired or was already answered.') };
    pending.delete(f.request);
    if (f.decision !== 'allow') return denied(request);
    const created = f.new_account?.trim().toLowerCase();
    if (created && !store.account(created)) store.createAccount(created);
    const email = created || f.account?.toLowerCase();
    if (!email || !store.account(email)) return { status: 400, html: errorPage(400, 'invalid_request', 'Choose an account.') };
    return codeRedirect(request, email, true);
  };

  const token = (ctx: Ctx): Reply => {
    const f = form(ctx);
    const grantType = f.grant_type;
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
      throw new OAuthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`);
    }
    const client = oauth.authenticateClient(f, ctx.headers.authorization);
    const body = grantType === 'authorization_code' ? oauth.exchangeCode(client, f) : oauth.refresh(client, f);
    return json(200, body, noStore);
  };

  const revoke = (ctx: Ctx): Reply => {
    oauth.revoke(ctx.query.get('token') ?? form(ctx).token);
    return json(200, {});
  };

  const bearerOrParam = (ctx: Ctx): string | undefined =>
    /^Bearer\s+(\S+)$/i.exec(ctx.headers.authorization ?? '')?.[1] ?? ctx.query.get('access_token') ?? form(ctx).access_token;

  const tokenInfo = (ctx: Ctx): Reply => {
    const raw = bearerOrParam(ctx);
    const t = raw ? oauth.accessToken(raw) : undefined;
    if (!t) throw new OAuthError(400, 'invalid_token', 'Invalid Value');
    const account = store.requireAccount(t.email).account;
    const body: Record<string, unknown> = {
      azp: t.clientId,
      aud: t.clientId,
      sub: account.sub,
      scope: t.scopes.join(' '),
      exp: String(Math.floor(t.expiresAt / 1000)),
      expires_in: String(Math.max(0, Math.floor((t.expiresAt - store.clock.now()) / 1000))),
      access_type: store.grant(t.email, t.clientId)?.refreshTokens.size ? 'offline' : 'online',
    };
    if (t.scopes.some((s) => USERINFO_EMAIL_SCOPES.includes(s))) Object.assign(body, { email: account.email, email_verified: 'true' });
    return json(200, body);
  };

  const userInfo = (version: 'v2' | 'v3') => (ctx: Ctx): Reply => {
    const raw = bearerOrParam(ctx);
    const t = raw ? oauth.accessToken(raw) : undefined;
    if (!t) {
      if (version === 'v3') throw new OAuthError(401, 'invalid_request', 'Invalid Credentials');
      throw new GoogleApiError(401, 'authError', 'Invalid Credentials', 'global', { type: 'header', name: 'Authorization' });
    }
    const account = store.requireAccount(t.email).account;
    const withEmail = t.scopes.some((s) => USERINFO_EMAIL_SCOPES.includes(s));
    const withProfile = t.scopes.some((s) => PROFILE_SCOPES.includes(s));
    const body: Record<string, unknown> = version === 'v2' ? { id: account.sub } : { sub: account.sub };
    if (withEmail) Object.assign(body, version === 'v2' ? { email: account.email, verified_email: true } : { email: account.email, email_verified: true });
    if (withProfile) Object.assign(body, { name: account.name, given_name: account.name, picture: 'https://lh3.googleusercontent.com/a/default-user' });
    return json(200, body);
  };

  return [
    route('GET', '/o/oauth2/v2/auth', 'oauth', authorize),
    route('GET', '/o/oauth2/auth', 'oauth', authorize),
    route('POST', '/o/oauth2/v2/auth/decision', 'oauth', decide),
    route('POST', '/token', 'oauth', token),
    route('POST', '/revoke', 'oauth', revoke),
    route('GET', '/tokeninfo', 'oauth', tokenInfo),
    route('POST', '/tokeninfo', 'oauth', tokenInfo),
    route('GET', '/oauth2/v2/userinfo', 'oauth', userInfo('v2')),
    route('GET', '/oauth2/v3/userinfo', 'oauth', userInfo('v3')),
  ];
}
