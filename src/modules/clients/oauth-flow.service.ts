import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/current-user.decorator.js';
import { SecretBox } from '../../common/crypto/secret-box.js';
import { validationError } from '../../common/errors/domain-error.js';
import { Clock } from '../../common/time/clock.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { Database } from '../../db/database.js';
import { ClientEvents } from './client-events.js';
import type { Account } from './clients.rows.js';
import { ClientsRepository } from './clients.repository.js';
import { CredentialKeys } from './credential-keys.js';
import { GoogleAccountsRepository } from './google-accounts.repository.js';
import { GoogleApi, googleFailure, isInvalidClient, isInvalidGrant, type OAuth2Client, type OAuthClientKeys } from './google-api.js';
import { consentScopes, grantCoversCalendarList } from './google-scopes.js';
import { accessTokenContext, refreshTokenContext } from './google-tokens.service.js';
import type { AuthorizeResponseDto } from './dto/oauth.dto.js';
import { OAuthCredentialsRepository } from './oauth-credentials.repository.js';
import { OAuthStatesRepository } from './oauth-states.repository.js';

/** How long an authorization link works. */
const STATE_TTL_MS = 10 * 60_000;
/** Used states are kept this long after expiry, so a late or repeated callback is told why it fails. */
const STATE_RETENTION_MS = 24 * 60 * 60_000;

const verifierContext = (stateId: string) => `oauth_states.code_verifier:${stateId}`;
const sha256 = (value: string) => createHash('sha256').update(value).digest();

interface Identity {
  email: string;
  subject: string | null;
}

/**
 * The OAuth 2.0 authorization-code flow with PKCE (S256) that connects a client's Google account.
 * The state is 32 random bytes; only its SHA-256 is stored, bound to the user, client, credentials and an
 * expiry, and it works once. The PKCE verifier is sealed server-side and sent only to Google's token
 * endpoint.
 */
@Injectable()
export class OAuthFlowService {
  private readonly logger = new Logger('OAuthFlow');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Database) private readonly db: Database,
    @Inject(SecretBox) private readonly box: SecretBox,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(GoogleApi) private readonly google: GoogleApi,
    @Inject(CredentialKeys) private readonly keys: CredentialKeys,
    @Inject(ClientsRepository) private readonly clients: ClientsRepository,
    @Inject(OAuthCredentialsRepository) private readonly credentials: OAuthCredentialsRepository,
    @Inject(GoogleAccountsRepository) private readonly accounts: GoogleAccountsRepository,
    @Inject(OAuthStatesRepository) private readonly states: OAuthStatesRepository,
    @Inject(ClientEvents) private readonly events: ClientEvents,
  ) {}

  async authorize(user: AuthUser, credentialId: string): Promise<AuthorizeResponseDto> {
    const credential = await this.credentials.get(user.id, credentialId);
    const keys = this.keys.keysFor(credential);
    const account = await this.accounts.find(credential.clientId);
    const state = randomBytes(32).toString('base64url');
    const verifier = randomBytes(48).toString('base64url');
    const id = randomUUID();
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + STATE_TTL_MS);
    await this.states.deleteExpiredBefore(new Date(now.getTime() - STATE_RETENTION_MS));
    await this.states.create({
      id,
      stateHash: sha256(state),
      userId: user.id,
      clientId: credential.clientId,
      credentialId: credential.id,
      sealedVerifier: this.box.seal(verifier, verifierContext(id)),
      expiresAt,
    });
    const url = this.google.oauth2(keys).generateAuthUrl({
      access_type: 'offline',
      // A refresh token comes only with a consent screen; asking for it every time guarantees one.
      prompt: 'consent',
      include_granted_scopes: true,
      scope: consentScopes(credential.scopes),
      state,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256' as never,
      // Steers Google's account chooser to the account the client already has.
      ...(account ? { login_hint: account.email } : {}),
    });
    return { url, expiresAt };
  }

  /**
   * Google's redirect back. Returns where to send the browser: the client's page in the frontend with
   * `?oauth=connected`, or `?oauth=error&reason=<code>` (never a token). No state at all is a 400.
   */
  async callback(query: Record<string, unknown>): Promise<string> {
    const state = single(query.state);
    if (!state) {
      throw validationError([{ field: 'state', message: 'is required: Google returns the state Calento sent' }]);
    }
    const hash = sha256(state);
    const now = this.clock.now();
    const consumed = await this.states.consume(hash, now);
    if (!consumed) {
      const known = await this.states.findByHash(hash);
      return this.outcome(known?.clientId ?? null, known ? 'state_used' : 'invalid_state');
    }
    const clientId = consumed.clientId;
    if (consumed.expiresAt.getTime() <= now.getTime()) return this.outcome(clientId, 'state_expired');
    const error = single(query.error);
    if (error) return this.outcome(clientId, /^[a-z_]{1,64}$/.test(error) ? error : 'google_error');
    const code = single(query.code);
    if (!code) return this.outcome(clientId, 'missing_code');

    const client = await this.clients.findById(clientId);
    const credential = await this.credentials.findById(consumed.credentialId);
    if (!client || !credential || credential.clientId !== client.id || client.userId !== consumed.userId) {
      return this.outcome(clientId, 'invalid_state');
    }
    let keys: OAuthClientKeys;
    try {
      keys = this.keys.keysFor(credential);
    } catch {
      return this.outcome(clientId, 'default_client_missing');
    }
    const oauth = this.google.oauth2(keys);
    let tokens;
    try {
      ({ tokens } = await oauth.getToken({ code, codeVerifier: this.box.open(consumed.sealedVerifier, verifierContext(consumed.id)) }));
    } catch (failed) {
      const failure = googleFailure(failed);
      if (isInvalidClient(failure)) {
        await this.credentials.setStatus(credential.id, 'invalid', now);
        return this.outcome(clientId, 'invalid_client');
      }
      if (isInvalidGrant(failure)) return this.outcome(clientId, 'invalid_grant');
      this.logger.warn({ clientId, status: failure.status, reason: failure.reason }, 'Google code exchange failed');
      return this.outcome(clientId, 'google_unavailable');
    }
    if (!tokens.access_token) return this.outcome(clientId, 'google_error');
    const granted = (tokens.scope ?? '').split(/\s+/).filter(Boolean);
    // Google lets users untick scopes on the consent screen; without the calendar list there is nothing to do.
    if (granted.length > 0 && !grantCoversCalendarList(granted)) return this.outcome(clientId, 'insufficient_scope');

    const identity = await this.identify(oauth, keys, tokens.id_token ?? null, tokens.access_token);
    if (!identity) return this.outcome(clientId, 'no_account_email');
    const existing = await this.accounts.find(clientId);
    if (existing && !sameAccount(existing, identity)) return this.outcome(clientId, 'account_mismatch');
    if (!tokens.refresh_token && !existing?.sealedRefreshToken) return this.outcome(clientId, 'no_refresh_token');

    await this.db.tx(async () => {
      await this.accounts.connect({
        clientId,
        userId: client.userId,
        credentialId: credential.id,
        oauthClientId: keys.clientId,
        subject: identity.subject,
        email: identity.email,
        sealedAccessToken: this.box.seal(tokens.access_token as string, accessTokenContext(clientId)),
        accessTokenExpiresAt: tokens.expiry_date ? new Date(tokens.expiry_date) : null,
        // None on a re-consent: connect() keeps the stored one.
        sealedRefreshToken: tokens.refresh_token ? this.box.seal(tokens.refresh_token, refreshTokenContext(clientId)) : null,
        grantedScopes: granted.length > 0 ? granted : consentScopes(credential.scopes),
        at: now,
      });
      await this.credentials.setStatus(credential.id, 'valid', now);
      await this.clients.setStatus(clientId, 'connected');
      await this.events.emit({ type: 'connected', clientId, userId: client.userId, accountEmail: identity.email });
    });
    return this.outcome(clientId, null);
  }

  /**
   * The account that consented: from the id_token (it came straight from Google's token endpoint over
   * TLS, which OpenID Connect accepts in place of checking its signature), else from the userinfo
   * endpoint.
   */
  private async identify(oauth: OAuth2Client, keys: OAuthClientKeys, idToken: string | null, accessToken: string): Promise<Identity | null> {
    const claims = idToken ? decodeJwtPayload(idToken) : null;
    const audience = claims?.aud;
    const forUs = Array.isArray(audience) ? audience.includes(keys.clientId) : audience === keys.clientId;
    if (claims && forUs && typeof claims.email === 'string' && claims.email_verified !== false) {
      return { email: claims.email.toLowerCase(), subject: typeof claims.sub === 'string' ? claims.sub : null };
    }
    try {
      oauth.setCredentials({ access_token: accessToken });
      const response = await oauth.request<{ email?: unknown; sub?: unknown; email_verified?: unknown }>({
        url: this.google.endpoints.userinfoUrl,
      });
      const { email, sub } = response.data;
      if (typeof email !== 'string' || response.data.email_verified === false) return null;
      return { email: email.toLowerCase(), subject: typeof sub === 'string' ? sub : null };
    } catch (error) {
      const failure = googleFailure(error);
      this.logger.warn({ status: failure.status, reason: failure.reason }, 'Google userinfo failed');
      return null;
    }
  }

  /** `failure` is the redirect's `reason`; docs/clients.md lists every one. */
  private outcome(clientId: string | null, failure: string | null): string {
    const page = clientId ? `${this.config.frontendUrl}/clients/${clientId}` : `${this.config.frontendUrl}/clients`;
    this.logger.log({ clientId, outcome: failure ?? 'connected' }, 'OAuth callback');
    return failure ? `${page}?oauth=error&reason=${encodeURIComponent(failure)}` : `${page}?oauth=connected`;
  }
}

function single(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function sameAccount(account: Account, identity: Identity): boolean {
  if (account.subject && identity.subject) return account.subject === identity.subject;
  return account.email.toLowerCase() === identity.email.toLowerCase();
}

function decodeJwtPayload(jwt: string): Record<string, unknown> | null {
  const part = jwt.split('.')[1];
  if (!part) return null;
  try {
    const payload = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
