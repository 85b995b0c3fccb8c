import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { MemoryRateLimitStore, RATE_LIMIT_STORE, RateLimitGuard } from './rate-limit.js';

@Global()
@Module({
  providers: [
    { provide: RATE_LIMIT_STORE, useFactory: () => new MemoryRateLimitStore() },
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
})
export class RateLimitModule {}
