import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import type { AuthUser } from '../../../common/auth/current-user.decorator.js';
import type { AccessClaims } from '../access-token.verifier.js';
import { API_KEY_PREFIX, authenticatorsOf, bearerOf } from './request-auth.js';

/**
 * Access tokens: `Authorization: Bearer <JWT>`, HS256 only (alg `none` and algorithm swaps fail), the
 * secret a KeyObject (a string secret costs ~0.5 ms per request in jsonwebtoken). The secret and the
 * session check come from the app that received the request (see request-auth.ts).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor() {
    super({
      // An API key sent as a bearer token is the api-key strategy's; do not try to decode it.
      jwtFromRequest: (request: Parameters<typeof bearerOf>[0]) => {
        const token = bearerOf(request);
        return token && !token.startsWith(API_KEY_PREFIX) ? token : null;
      },
      secretOrKeyProvider: (request: object, _token: unknown, done: (error: unknown, secret?: string) => void) =>
        done(null, authenticatorsOf(request).jwtSecret as unknown as string),
      algorithms: ['HS256'],
      passReqToCallback: true,
    });
  }

  async validate(request: object, claims: AccessClaims): Promise<AuthUser | false> {
    return (await authenticatorsOf(request).userFromClaims(claims)) ?? false;
  }
}
