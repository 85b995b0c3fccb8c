import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { OAuthError } from '../errors.js';
import { randomToken } from '../state/ids.js';
import type { Store } from '../state/store.js';
import type { AccessToken, OAuthClient } from '../state/types.js';

export type ConsentMode = 'auto' | 'page';

export interface ConsentSettings {
  /** auto: answer /auth with an immediate redirect; page: show an HTML consent page. */
  mode: ConsentMode;
  /** In auto mode: the account that "signs in" (default: login_hint, else the first account). */
  account?: string;
  /** In auto mode: what the user clicks. */
  decision: 'allow' | 'deny';
}

/** A request to /auth that passed client and redirect checks. */
export interface AuthRequest {
  client: OAuthClient;
  redirectUri: string;
  scopes: string[];
  state?: string;
  offline: boolean;
  prompt: string[];
  loginHint?: string;
  includeGrantedScopes: boolean;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
}

interface AuthCode {
  request: AuthRequest;
  email: string;
  scopes: string[];
  issueRefreshToken: boolean;
  expiresAt: number;
  used: boolean;
}

export interface TokenResponse {
  access_token: string;
  expires_in: number;
  token_type: 'Bearer';
  scope: string;
  refresh_token?: string;
  id_token?: string;
}

const CODE_TTL_MS = 10 * 60_000;
export const USERINFO_EMAIL_SCOPES = ['email', 'https://www.googleapis.com/auth/userinfo.email', 'openid'];

/** OAuth2 as Google runs it: codes, PKCE, refresh tokens only on (re)consent, revocation per grant. */
export class OAuthService {
  readonly consent: ConsentSettings = { mode: 'auto', decision: 'allow' };
  private readonly codes = new Map<string, AuthCode>();

  constructor(
    private readonly store: Store,
    private readonly accessTokenTtlSeconds: number,
    private readonly issuer: string,
  ) {}

  registerClient(spec: { clientId?: string; clientSecret?: string; redirectUris: string[]; name?: string }): OAuthClient {
    const clientId = spec.clientId ?? `${Math.floor(Math.random() * 1e12)}-${randomToken('', 12).toLowerCase().replace(/[^a-z0-9]/g, 'x')}.apps.googleusercontent.com`;
    const client: OAuthClient = {
      clientId,
      clientSecret: spec.clientSecret ?? randomToken('GOCSPX-', 21),
      redirectUris: [...spec.redirectUris],
      name: spec.name ?? clientId,
    };
    this.store.clients.set(clientId, client);
    return client;
  }

  /** Issues a code for an approved request (first consent or prompt=consent gets a refresh token). */
  approve(request: AuthRequest, email: string): string {
    const grant = this.store.grant(email, request.client.clientId);
    const scopes = new Set(request.scopes);
    if (request.includeGrantedScopes && grant) for (const s of grant.scopes) scopes.add(s);
    const firstConsent = !grant || grant.refreshTokens.size === 0;
    const code = randomToken('4/0A', 36);
    this.codes.set(code, {
      request,
      email,
      scopes: [...scopes],
      issueRefreshToken: request.offline && (firstConsent || request.prompt.includes('consent')),
      expiresAt: this.store.clock.now() + CODE_TTL_MS,
      used: false,
    });
    return code;
  }

  /** Whether prompt=none can succeed: the account already granted every requested scope. */
  hasGrantFor(email: string, clientId: string, scopes: string[]): boolean {
    const grant = this.store.grant(email, clientId);
    return !!grant && scopes.every((s) => grant.scopes.has(s));
  }

  authenticateClient(form: Record<string, string>, authorization: string | undefined): OAuthClient {
    let clientId = form.client_id;
    let secret = form.client_secret;
    const basic = /^Basic\s+(.+)$/i.exec(authorization ?? '');
    if (basic) {
      const [id, pass] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      clientId = decodeURIComponent(id ?? '');
      secret = decodeURIComponent(pass ?? '');
    }
    if (!clientId) throw new OAuthError(400, 'invalid_request', 'Could not determine client ID from request.');
    const client = this.store.clients.get(clientId);
    if (!client) throw new OAuthError(401, 'invalid_client', 'The OAuth client was not found.');
    if (!secret || !safeEqual(secret, client.clientSecret)) throw new OAuthError(401, 'invalid_client', 'Unauthorized');
    return client;
  }

  exchangeCode(client: OAuthClient, form: Record<string, string>): TokenResponse {
    if (!form.code) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: code');
    const entry = this.codes.get(form.code);
    if (!entry) throw new OAuthError(400, 'invalid_grant', 'Malformed auth code.');
    if (entry.used || entry.expiresAt <= this.store.clock.now() || entry.request.client.clientId !== client.clientId) {
      throw new OAuthError(400, 'invalid_grant', 'Bad Request');
    }
    if (!form.redirect_uri) throw new OAuthError(400, 'invalid_request', 'Missing parameter: redirect_uri');
    if (form.redirect_uri !== entry.request.redirectUri) throw new OAuthError(400, 'redirect_uri_mismatch', 'Bad Request');
    const { codeChallenge, codeChallengeMethod } = entry.request;
    if (codeChallenge) {
      const verifier = form.code_verifier;
      if (!verifier) throw new OAuthError(400, 'invalid_grant', 'Missing code verifier.');
      const computed = codeChallengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
      if (computed !== codeChallenge) throw new OAuthError(400, 'invalid_grant', 'Invalid code verifier.');
    }
    entry.used = true;
    const grant = this.store.ensureGrant(entry.email, client.clientId);
    for (const s of entry.scopes) grant.scopes.add(s);
    const response = this.issueAccess(entry.email, client.clientId, entry.scopes);
    if (entry.issueRefreshToken) {
      const refresh = randomToken('1//0g', 64);
      this.store.refreshTokens.set(refresh, { token: refresh, email: entry.email, clientId: client.clientId, scopes: entry.scopes });
      grant.refreshTokens.add(refresh);
      response.refresh_token = refresh;
    }
    if (entry.scopes.includes('openid')) response.id_token = this.idToken(entry.email, client.clientId, entry.scopes);
    return response;
  }

  refresh(client: OAuthClient, form: Record<string, string>): TokenResponse {
    if (!form.refresh_token) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: refresh_token');
    const stored = this.store.refreshTokens.get(form.refresh_token);
    if (!stored) throw new OAuthError(400, 'invalid_grant', 'Token has been expired or revoked.');
    if (stored.clientId !== client.clientId) throw new OAuthError(401, 'unauthorized_client', 'Unauthorized');
    let scopes = stored.scopes;
    if (form.scope) {
      const asked = form.scope.split(/\s+/).filter(Boolean);
      if (asked.some((s) => !stored.scopes.includes(s))) throw new OAuthError(400, 'invalid_scope', 'Some requested scopes were invalid.');
      scopes = asked;
    }
    const response = this.issueAccess(stored.email, client.clientId, scopes);
    if (scopes.includes('openid')) response.id_token = this.idToken(stored.email, client.clientId, scopes);
    return response;
  }

  /** /revoke: any token of a grant ends the whole grant (access and refresh tokens). */
  revoke(token: string | undefined): void {
    if (!token) throw new OAuthError(400, 'invalid_request', 'Bad Request');
    const owner = this.store.accessTokens.get(token) ?? this.store.refreshTokens.get(token);
    if (!owner) throw new OAuthError(400, 'invalid_token', 'Token expired or revoked');
    this.store.revokeGrant(owner.email, owner.clientId);
  }

  /** A valid, unexpired access token, or undefined. */
  accessToken(token: string): AccessToken | undefined {
    const found = this.store.accessTokens.get(token);
    return found && found.expiresAt > this.store.clock.now() ? found : undefined;
  }

  /**
   * Test shortcut: tokens as if the account had consented (offline) in the browser, with the
   * expiry_date google-auth-library would have computed (real clock).
   */
  issueTokens(email: string, clientId: string, scopes: string[]): TokenResponse & { refresh_token: string; expiry_date: number } {
    if (!this.store.clients.has(clientId)) throw new Error(`fake Google: no OAuth client ${clientId}`);
    this.store.requireAccount(email);
    const grant = this.store.ensureGrant(email.toLowerCase(), clientId);
    for (const s of scopes) grant.scopes.add(s);
    const response = this.issueAccess(email.toLowerCase(), clientId, scopes);
    const refresh = randomToken('1//0g', 64);
    this.store.refreshTokens.set(refresh, { token: refresh, email: email.toLowerCase(), clientId, scopes });
    grant.refreshTokens.add(refresh);
    return { ...response, refresh_token: refresh, expiry_date: Date.now() + response.expires_in * 1000 };
  }

  /** Makes access tokens stale now (the client only notices when Google answers 401). */
  expireAccessTokens(filter: { email?: string; clientId?: string } = {}): number {
    let n = 0;
    for (const token of this.store.accessTokens.values()) {
      if (filter.email && token.email !== filter.email.toLowerCase()) continue;
      if (filter.clientId && token.clientId !== filter.clientId) continue;
      token.expiresAt = Math.min(token.expiresAt, this.store.clock.now());
      n++;
    }
    return n;
  }

  private issueAccess(email: string, clientId: string, scopes: string[]): TokenResponse {
    const token = randomToken('ya29.', 48);
    this.store.accessTokens.set(token, { token, email, clientId, scopes, expiresAt: this.store.clock.now() + this.accessTokenTtlSeconds * 1000 });
    this.store.ensureGrant(email, clientId).accessTokens.add(token);
    return { access_token: token, expires_in: this.accessTokenTtlSeconds - 1, scope: scopes.join(' '), token_type: 'Bearer' };
  }

  /** An id_token shaped like Google's (HS256 with a fake key, so it cannot be verified against Google). */
  private idToken(email: string, clientId: string, scopes: string[]): string {
    const account = this.store.requireAccount(email).account;
    const now = Math.floor(this.store.clock.now() / 1000);
    const payload: Record<string, unknown> = { iss: this.issuer, azp: clientId, aud: clientId, sub: account.sub, iat: now, exp: now + 3600 };
    if (scopes.some((s) => USERINFO_EMAIL_SCOPES.includes(s))) Object.assign(payload, { email: account.email, email_verified: true });
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${enc({ alg: 'HS256', typ: 'JWT', kid: 'fake-google' })}.${enc(payload)}`;
    return `${unsigned}.${createHmac('sha256', 'fake-google').update(unsigned).digest('base64url')}`;
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
