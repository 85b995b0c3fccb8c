import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import type { AuthUser } from '../../common/auth/current-user.decorator.js';
import { UsersRepository } from '../users/users.repository.js';
import type { AccessTokenPayload } from './auth.service.js';

/**
 * Verifies the bearer JWT (HS256 only, so `alg: none` and algorithm swaps fail) with the secret as a
 * KeyObject — a string secret costs ~0.5 ms per request in jsonwebtoken. The user must still exist and
 * the token must carry the user's current session version (a password reset or change bumps it).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(UsersRepository) private readonly users: UsersRepository,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwtSecret as unknown as string,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  async validate(payload: AccessTokenPayload): Promise<AuthUser | false> {
    if (typeof payload.sub !== 'string' || !/^[0-9a-f-]{36}$/i.test(payload.sub)) return false;
    const user = await this.users.findById(payload.sub);
    if (!user) return false;
    if (payload.ver !== user.sessionVersion) return false;
    return { id: user.id, email: user.email, timezone: user.timezone };
  }
}
