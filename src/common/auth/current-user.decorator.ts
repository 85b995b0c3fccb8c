import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** The authenticated caller, as the JWT strategy resolved it. */
export interface AuthUser {
  id: string;
  email: string;
  timezone: string;
}

export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext): AuthUser => {
  return context.switchToHttp().getRequest<{ user: AuthUser }>().user;
});
