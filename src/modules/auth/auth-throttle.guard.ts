import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { DomainError } from '../../common/errors/domain-error.js';

/** Login and password-reset attempts are counted per client IP and per target account. */
@Injectable()
export class AuthThrottleGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(): Promise<void> {
    throw new DomainError('RATE_LIMITED');
  }
}

export function accountTracker(req: { body?: unknown }): string {
  const email = (req.body as { email?: unknown } | undefined)?.email;
  return `account:${typeof email === 'string' ? email.trim().toLowerCase() : '-'}`;
}
