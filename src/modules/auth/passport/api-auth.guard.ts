import { Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../../../config/config.js';
import { IS_ADMIN_ONLY } from '../../../common/auth/admin.decorator.js';
import type { AuthUser } from '../../../common/auth/current-user.decorator.js';
import { IS_PUBLIC } from '../../../common/auth/public.decorator.js';
import { DomainError } from '../../../common/errors/domain-error.js';
import { routeMetadata } from '../../../common/http/route-metadata.js';
import { AccessTokenVerifier } from '../access-token.verifier.js';
import { ApiKeysService } from '../api-keys.service.js';
import { requiredScope, scopeAllows } from './api-key-scopes.js';
import { attachAuthenticators, type RequestAuthenticators } from './request-auth.js';

/**
 * Global guard: every route needs a caller unless it is marked @Public(). @nestjs/passport's AuthGuard
 * tries the `jwt` strategy, then `api-key` (both in this folder). A caller with an API key must hold
 * the scope of the route (403 INSUFFICIENT_SCOPE naming it); @AdminOnly routes need an admin session.
 */
@Injectable()
export class ApiAuthGuard extends AuthGuard(['jwt', 'api-key']) {
  private readonly authenticators: RequestAuthenticators;

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(AccessTokenVerifier) verifier: AccessTokenVerifier,
    @Inject(ApiKeysService) apiKeys: ApiKeysService,
  ) {
    super({ session: false });
    this.authenticators = {
      jwtSecret: config.jwtSecret,
      userFromClaims: (claims) => verifier.userFromClaims(claims),
      userFromApiKey: (key) => apiKeys.authenticate(key),
    };
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (routeMetadata<boolean>(this.reflector, IS_PUBLIC, context)) return true;
    await super.canActivate(context);
    const request = context.switchToHttp().getRequest<FastifyRequest & { user: AuthUser }>();
    const user = request.user;
    if (routeMetadata<boolean>(this.reflector, IS_ADMIN_ONLY, context) && (user.apiKey || user.role !== 'admin')) {
      throw new DomainError('FORBIDDEN');
    }
    if (user.apiKey) {
      const scope = requiredScope(request.routeOptions.url ?? '', request.method);
      if (!scopeAllows(user.apiKey.scopes, scope)) throw new DomainError('INSUFFICIENT_SCOPE', { scope });
    }
    return true;
  }

  override getRequest(context: ExecutionContext): object {
    const request = context.switchToHttp().getRequest<object>();
    attachAuthenticators(request, this.authenticators);
    return request;
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false): TUser {
    if (error) throw error;
    if (!user) throw new DomainError('UNAUTHENTICATED');
    return user;
  }
}
