import { Inject, Injectable } from '@nestjs/common';
import { JsonWebTokenError, JwtService, TokenExpiredError } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import type { AuthUser } from '../../common/auth/current-user.decorator.js';
import { UsersRepository } from '../users/users.repository.js';

/**
 * Rung (db.wake) when a user's sessions end before their tokens do: a password reset or change bumps the
 * session version, and a deleted account has none. Holders of long-lived connections (the realtime
 * sockets) re-check the sessions they serve when it rings.
 */
export const SESSIONS_WAKE_CHANNEL = 'calento_sessions';

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
 * The one definition of a valid access token, for HTTP (the JWT guard's strategy calls `userFromClaims`
 * after passport-jwt checked the signature) and for the socket handshake (`verify`, the whole check):
 * HS256 only with the secret as a KeyObject (alg `none` and algorithm swaps fail), not expired, the user
 * still exists, and `ver` equals the user's session version.
 */
@Injectable()
export class AccessTokenVerifier {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(JwtService) private readonly jwt: JwtService,
    @Inject(UsersRepository) private readonly users: UsersRepository,
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

  /** Current session versions of these users; a deleted user is absent from the map. */
  currentSessionVersions(userIds: readonly string[]): Promise<Map<string, number>> {
    return this.users.findSessionVersions(userIds);
  }

  private async sessionFromClaims(claims: AccessClaims): Promise<{ user: AuthUser; sessionVersion: number } | null> {
    if (!isUuid(claims.sub)) return null;
    const user = await this.users.findById(claims.sub);
    if (!user || claims.ver !== user.sessionVersion) return null;
    return { user: { id: user.id, email: user.email, timezone: user.timezone }, sessionVersion: user.sessionVersion };
  }
}

function isUuid(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f-]{36}$/i.test(value);
}
