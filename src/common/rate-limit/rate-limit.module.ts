import { Global, Module } from '@nestjs/common';
import { RateLimiter } from './rate-limit.js';

/**
 * The limiter (memory or Redis) and its guard. The guard is not registered as a global guard here:
 * AuthModule registers it right after the authentication guard, so that it runs second and can count
 * per caller (Nest runs global guards in registration order).
 */
@Global()
@Module({
  providers: [RateLimiter],
  exports: [RateLimiter],
})
export class RateLimitModule {}
