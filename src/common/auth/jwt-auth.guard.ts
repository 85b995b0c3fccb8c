import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import passport from 'passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { AccessTokenVerifier, type AccessClaims } from '../../modules/auth/access-token.verifier.js';
import { DomainError } from '../errors/domain-error.js';
import type { AuthUser } from './current-user.decorator.js';
import { IS_PUBLIC } from './public.decorator.js';

/**
 * Global guard: every route needs a valid bearer token unless it is marked @Public().
 *
 * It owns its passport Authenticator instead of using passport's process-wide registry (which
 * @nestjs/passport uses): there, the strategy of the last app built in a process replaces every
 * other's, so two app instances (tests, or a worker beside the API) would check tokens against the
 * wrong database.
 *
 * The JWT is HS256 only (`alg: none` and algorithm swaps fail) with the secret as a KeyObject — a
 * string secret costs ~0.5 ms per request in jsonwebtoken. The user must still exist and the token must
 * carry the user's current session version (a password reset or change bumps it): that half is
 * AccessTokenVerifier's, which the socket handshake uses too.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  private readonly authenticator = new passport.Authenticator();

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(AccessTokenVerifier) private readonly verifier: AccessTokenVerifier,
  ) {
    this.authenticator.use(
      'jwt',
      new JwtStrategy(
        {
          jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
          secretOrKey: config.jwtSecret as unknown as string,
          algorithms: ['HS256'],
        },
        (claims: AccessClaims, done: (error: unknown, user?: AuthUser | false) => void) => {
          this.verifier.userFromClaims(claims).then((user) => done(null, user ?? false), done);
        },
      ),
    );
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<{ user?: AuthUser }>();
    const user = await new Promise<AuthUser | false>((resolve, reject) => {
      const authenticate = this.authenticator.authenticate('jwt', { session: false }, (error: unknown, found: AuthUser | false) =>
        error ? reject(error) : resolve(found),
      );
      authenticate(request, {}, reject);
    });
    if (!user) throw new DomainError('UNAUTHENTICATED');
    request.user = user;
    return true;
  }
}
