import { Inject, Injectable } from '@nestjs/common';
import { JsonWebTokenError, JwtService, TokenExpiredError } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import type { AuthUser } from '../../common/auth/current-user.decorator.js';
import { UserAccounts } from '../users/user-accounts.js';
import { SessionCache } from './session-cache.js';

export { SESSIONS_WAKE_CHANNEL } from './session-cache.js';

/** Claims of an access token, as signed by AuthService. */
export interface AccessClaims {
  sub?: unknown;
  ver?: unknown;
  exp?: unknown;
}

export type AccessRefusal = 'missing' | 'invalid' | 'expired' | 'revoked';

const refusalMessages: Record<AccessRefusal, string> = {
  missing: 'An access token is required',
  invalid: 'The access token is invalid',
  expired: 'The access token has expired',
  revoked: 'The session of this access token has ended; sign in again',
};

export class AccessTokenRefused extends Error {
  constructor(readonly reason: AccessRefusal) {
    super(refusalMessages[reason]);
    this.name = 'AccessTokenRefused';
  }
}

export interface VerifiedAccess {
  user: AuthUser;
  /** The session version the token carries (equal to the user's at verification). */
  sessionVersion: number;
  expiresAt: Date;
}

/**
 * The one definition of a valid access token, for HTTP (the passport JWT strategy calls `userFromClaims`
 * after passport-jwt checked the signature) and for the socket handshake (`verify`, the whole check):
 * HS256 only with the secret as a KeyObject (alg `none` and algorithm swaps fail), not expired, the user
 * still exists, and `ver` equals the user's session version. The user and version come from the
 * SessionCache (no users query per request; emptied by every revoking write, on every replica).
 */
@Injectable()
export class AccessTokenVerifier {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(JwtService) private readonly jwt: JwtService,
    @Inject(UserAccounts) private readonly users: UserAccounts,
    @Inject(SessionCache) private readonly sessions: SessionCache,
  ) {}

  /** Signature, expiry and session in one go; throws AccessTokenRefused saying which check failed. */
  async verify(token: string | null | undefined): Promise<VerifiedAccess> {
    if (!token) throw new AccessTokenRefused('missing');
    let claims: AccessClaims;
    try {
      claims = this.jwt.verify<AccessClaims & object>(token, {
        secret: this.config.jwtSecret as unknown as string,
        algorithms: ['HS256'],
      });
    } catch (error) {
      if (error instanceof TokenExpiredError) throw new AccessTokenRefused('expired');
      if (error instanceof JsonWebTokenError) throw new AccessTokenRefused('invalid');
      throw error;
    }
    if (typeof claims.exp !== 'number') throw new AccessTokenRefused('invalid');
    const session = await this.sessionFromClaims(claims);
    if (!session) throw new AccessTokenRefused(isUuid(claims.sub) ? 'revoked' : 'invalid');
    return { ...session, expiresAt: new Date(claims.exp * 1000) };
  }

  /** The user of verified claims, or null when the user is gone or the session version moved on. */
  async userFromClaims(claims: AccessClaims): Promise<AuthUser | null> {
    return (await this.sessionFromClaims(claims))?.user ?? null;
  }

  /** Current session versions of these users, read from the database; a deleted user is absent. */
  currentSessionVersions(userIds: readonly string[]): Promise<Map<string, number>> {
    return this.users.findSessionVersions(userIds);
  }

  private async sessionFromClaims(claims: AccessClaims): Promise<{ user: AuthUser; sessionVersion: number } | null> {
    if (!isUuid(claims.sub) || typeof claims.ver !== 'number') return null;
    const session = await this.sessions.get(claims.sub, claims.ver);
    if (!session || claims.ver !== session.sessionVersion) return null;
    return session;
  }
}

function isUuid(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f-]{36}$/i.test(value);
}
