import { Inject, Injectable, Logger } from '@nestjs/common';
import { SecretBox, SecretBoxError } from '../../common/crypto/secret-box.js';
import { DomainError, NotFoundError } from '../../common/errors/domain-error.js';
import { Clock } from '../../common/time/clock.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { Database } from '../../db/database.js';
import { EmailAddressesService } from '../email/email-addresses.service.js';
import { EmailService } from '../email/email.service.js';
import { UserDirectory } from '../users/user-directory.js';
import { ClientEvents } from './client-events.js';
import type { Account, Client, Credential } from './clients.rows.js';
import { ClientsRepository } from './clients.repository.js';
import { CredentialKeys } from './credential-keys.js';
import { GoogleAccountsRepository } from './google-accounts.repository.js';
import { failureReason, GoogleApi, googleFailure, isInvalidClient, isInvalidGrant, type CalendarApi, type OAuth2Client } from './google-api.js';
import { OAuthCredentialsRepository } from './oauth-credentials.repository.js';

export const accessTokenContext = (clientId: string) => `google_accounts.access_token:${clientId}`;
export const refreshTokenContext = (clientId: string) => `google_accounts.refresh_token:${clientId}`;

/** Refresh this long before Google's expiry, as google-auth-library does. */
const EAGER_REFRESH_MS = 5 * 60_000;

export interface AccessToken {
  accessToken: string;
  expiresAt: Date | null;
}

/** A client's Google account, ready to call: the OAuth2 client holds a fresh access token. */
export interface AuthorizedGoogle {
  clientId: string;
  userId: string;
  accountEmail: string;
  auth: OAuth2Client;
  calendar: CalendarApi;
}

/**
 * The one way Calento calls Google on behalf of a client (the sync engine included).
 *
 * - Access tokens are refreshed 5 minutes before expiry, through one refresh per client per process at a
 *   time: parallel callers wait for the same refresh. A refresh first re-reads the stored token, so a
 *   token another process refreshed meanwhile is used instead of refreshing again. The new access token
 *   is stored sealed; the refresh token is kept (Google's answer has none unless it rotates it).
 * - googleapis is handed the token with its expiry_date, so the library itself never retries a 401:
 *   `call()` does, once, after a refresh.
 * - Google refusing the refresh token (`invalid_grant`, or `invalid_client` for a deleted OAuth client)
 *   marks the client needs_reauth, forgets its tokens, emits `needs_reauth` on ClientEvents and emails
 *   the user, all in one transaction; from then on every call fails at once with CLIENT_NEEDS_REAUTH,
 *   without asking Google (no endless retries).
 */
@Injectable()
export class GoogleTokensService {
  private readonly logger = new Logger('GoogleTokens');
  private readonly inflight = new Map<string, Promise<AccessToken>>();

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
    @Inject(ClientEvents) private readonly events: ClientEvents,
    @Inject(EmailService) private readonly emails: EmailService,
    @Inject(EmailAddressesService) private readonly addresses: EmailAddressesService,
    @Inject(UserDirectory) private readonly users: UserDirectory,
  ) {}

  /**
   * An OAuth2 client and a Calendar v3 client for the client's account, with a valid access token.
   * Throws NOT_FOUND (no such client), CLIENT_NOT_CONNECTED, CLIENT_NEEDS_REAUTH, GOOGLE_UNAVAILABLE.
   */
  async getAuthorizedClient(clientId: string): Promise<AuthorizedGoogle> {
    try {
      return await this.authorize(clientId);
    } catch (error) {
      if (!(error instanceof SecretBoxError)) throw error;
      // A token or secret sealed under a key ENCRYPTION_KEYS no longer holds (a key removed too early): it
      // will never open again, so retrying is pointless. The client needs authorizing again, like invalid_grant.
      this.logger.error({ clientId, reason: error.message }, 'Stored Google credentials of a client do not open with the configured ENCRYPTION_KEYS');
      await this.markNeedsReauth(clientId, 'undecryptable');
      throw new DomainError('CLIENT_NEEDS_REAUTH');
    }
  }

  private async authorize(clientId: string): Promise<AuthorizedGoogle> {
    const { client, account, credential } = await this.load(clientId);
    let token = this.storedToken(account);
    if (!token || this.expiring(token)) token = await this.refresh(clientId, token?.accessToken ?? null);
    const auth = this.google.oauth2(this.keys.keysFor(credential));
    auth.setCredentials({ access_token: token.accessToken, expiry_date: token.expiresAt?.getTime() ?? null, token_type: 'Bearer' });
    // Called by the library when the token nears expiry during a long run: it joins the one refresh.
    auth.refreshHandler = async () => {
      const fresh = await this.refresh(clientId, auth.credentials.access_token ?? null);
      // Google always sends expires_in; should it not, an hour is its documented lifetime.
      return { access_token: fresh.accessToken, expiry_date: fresh.expiresAt?.getTime() ?? this.clock.now().getTime() + 3_600_000 };
    };
    return { clientId, userId: client.userId, accountEmail: account.email, auth, calendar: this.google.calendar(auth) };
  }

  /**
   * Runs `fn` with the client's account. A 401 from Google (a token revoked or expired early, which the
   * library does not retry since it knows the expiry) refreshes the token once and runs `fn` again.
   */
  async call<T>(clientId: string, fn: (google: AuthorizedGoogle) => Promise<T>): Promise<T> {
    const google = await this.getAuthorizedClient(clientId);
    try {
      return await fn(google);
    } catch (error) {
      if (googleFailure(error).status !== 401) throw error;
      await this.refresh(clientId, google.auth.credentials.access_token ?? null);
      return fn(await this.getAuthorizedClient(clientId));
    }
  }

  /**
   * A fresh access token. `stale` is the token the caller found wanting: if the stored one is already
   * another, valid one, no request is made. Concurrent calls for one client share one refresh.
   */
  refresh(clientId: string, stale: string | null): Promise<AccessToken> {
    const running = this.inflight.get(clientId);
    if (running) return running;
    const refreshing = this.refreshNow(clientId, stale).finally(() => this.inflight.delete(clientId));
    this.inflight.set(clientId, refreshing);
    return refreshing;
  }

  /**
   * Google refused the client's grant. Moves a connected client to needs_reauth, forgets its tokens,
   * emits `needs_reauth` and emails the user, in one transaction; of concurrent callers one does it.
   * The email is a notification, so it goes to the user's delivery addresses (with
   * EMAIL_REQUIRE_VERIFIED, only verified ones; possibly none).
   */
  async markNeedsReauth(clientId: string, reason: string, invalidCredentialId: string | null = null): Promise<void> {
    const client = await this.clients.findById(clientId);
    if (!client) return;
    const user = await this.users.findById(client.userId);
    const now = this.clock.now();
    await this.db.tx(async () => {
      if (invalidCredentialId) await this.credentials.setStatus(invalidCredentialId, 'invalid', now);
      await this.accounts.clearTokens(clientId);
      if (!(await this.clients.setStatus(clientId, 'needs_reauth', ['connected']))) return;
      await this.events.emit({ type: 'needs_reauth', clientId, userId: client.userId, reason });
      if (!user) return;
      for (const address of await this.addresses.deliveryAddresses(user)) {
        await this.emails.enqueue(
          'client_needs_reauth',
          { email: address, name: user.name },
          {
            name: user.name,
            clientName: client.name,
            accountEmail: client.accountEmail,
            reconnectUrl: `${this.config.frontendUrl}/clients/${client.id}`,
          },
          { userId: user.id, dedupeKey: `client-reauth:${client.id}:${now.toISOString()}:${address}` },
        );
      }
    });
    this.logger.warn({ clientId, reason }, 'Google refused the grant; the client needs consent again');
  }

  /**
   * Before a change that forgets a client's tokens (client or credentials deleted, OAuth client
   * replaced): returns what revokes them at Google, to run after the change committed. Best effort: a
   * failure is logged (never the token) and ignored. Skipped while another client holds a grant of the
   * same account for the same OAuth client, which revoking would end too.
   */
  async revocationFor(clientId: string): Promise<() => Promise<void>> {
    const nothing = async () => undefined;
    const account = await this.accounts.find(clientId);
    const credential = account ? await this.credentials.findById(account.credentialId) : null;
    if (!account || !credential) return nothing;
    const token = account.sealedRefreshToken
      ? this.box.open(account.sealedRefreshToken, refreshTokenContext(clientId))
      : account.sealedAccessToken
        ? this.box.open(account.sealedAccessToken, accessTokenContext(clientId))
        : null;
    if (!token) return nothing;
    if ((await this.accounts.countSharingGrant(clientId, account.oauthClientId, account.email)) > 0) {
      this.logger.log({ clientId }, 'Google grant shared with another client: not revoked');
      return nothing;
    }
    // Revocation needs no client secret: the deployment's keys are as good as none.
    const oauth = this.google.oauth2({ clientId: account.oauthClientId, clientSecret: '' });
    return async () => {
      try {
        await oauth.revokeToken(token);
        this.logger.log({ clientId }, 'Google token revoked');
      } catch (error) {
        const failure = googleFailure(error);
        this.logger.warn({ clientId, status: failure.status, reason: failure.reason }, 'Revoking the Google token failed');
      }
    };
  }

  private async refreshNow(clientId: string, stale: string | null): Promise<AccessToken> {
    const { client, account, credential } = await this.load(clientId);
    const stored = this.storedToken(account);
    if (stored && stored.accessToken !== stale && !this.expiring(stored)) return stored;
    const refreshToken = this.box.open(account.sealedRefreshToken as string, refreshTokenContext(clientId));
    const oauth = this.google.oauth2(this.keys.keysFor(credential));
    oauth.setCredentials({ refresh_token: refreshToken });
    // The `tokens` event carries Google's answer as sent: a refresh token only when Google rotated it.
    let rotated: string | null = null;
    oauth.on('tokens', (tokens) => {
      rotated = tokens.refresh_token && tokens.refresh_token !== refreshToken ? tokens.refresh_token : null;
    });
    let accessToken: string;
    let expiresAt: Date | null;
    try {
      const { credentials } = await oauth.refreshAccessToken();
      if (!credentials.access_token) throw new Error('Google answered a refresh without an access token');
      accessToken = credentials.access_token;
      expiresAt = credentials.expiry_date ? new Date(credentials.expiry_date) : null;
    } catch (error) {
      const failure = googleFailure(error);
      if (isInvalidGrant(failure) || isInvalidClient(failure)) {
        await this.markNeedsReauth(clientId, failure.reason as string, isInvalidClient(failure) ? credential.id : null);
        throw new DomainError('CLIENT_NEEDS_REAUTH');
      }
      this.logger.warn({ clientId, status: failure.status, reason: failure.reason }, 'Google token refresh failed');
      throw new DomainError('GOOGLE_UNAVAILABLE', { reason: failureReason(failure) });
    }
    const now = this.clock.now();
    const newRefresh = rotated as string | null;
    await this.db.tx(async () => {
      await this.accounts.saveRefreshed(
        clientId,
        this.box.seal(accessToken, accessTokenContext(clientId)),
        expiresAt,
        newRefresh ? this.box.seal(newRefresh, refreshTokenContext(clientId)) : null,
        now,
      );
      if (credential.status !== 'valid') await this.credentials.setStatus(credential.id, 'valid', now);
    });
    this.logger.log({ clientId: client.id }, 'Google access token refreshed');
    return { accessToken, expiresAt };
  }

  /** The client, its account and credentials, when Calento may call Google for it. */
  private async load(clientId: string): Promise<{ client: Client; account: Account; credential: Credential }> {
    const client = await this.clients.findById(clientId);
    if (!client) throw new NotFoundError('client');
    if (client.status === 'needs_reauth') throw new DomainError('CLIENT_NEEDS_REAUTH');
    const account = await this.accounts.find(clientId);
    const credential = account ? await this.credentials.findById(account.credentialId) : null;
    if (client.status !== 'connected' || !account || !credential || !account.sealedRefreshToken) {
      throw new DomainError('CLIENT_NOT_CONNECTED');
    }
    return { client, account, credential };
  }

  private storedToken(account: Account): AccessToken | null {
    if (!account.sealedAccessToken) return null;
    return {
      accessToken: this.box.open(account.sealedAccessToken, accessTokenContext(account.clientId)),
      expiresAt: account.accessTokenExpiresAt,
    };
  }

  private expiring(token: AccessToken): boolean {
    return token.expiresAt !== null && token.expiresAt.getTime() <= this.clock.now().getTime() + EAGER_REFRESH_MS;
  }
}
