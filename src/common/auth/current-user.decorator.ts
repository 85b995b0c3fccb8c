import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** The authenticated caller, as the JWT or API-key strategy resolved it. */
export interface AuthUser {
  id: string;
  email: string;
  timezone: string;
  /** 'admin' may use operational routes (@AdminOnly). */
  role?: 'user' | 'admin';
  /** Set when the caller came with an API key rather than a session: the key and what it may do. */
  apiKey?: { id: string; scopes: readonly string[] };
}

export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext): AuthUser => {
  return context.switchToHttp().getRequest<{ user: AuthUser }>().user;
});
