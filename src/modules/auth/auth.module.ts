import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { RateLimitGuard } from '../../common/rate-limit/rate-limit.js';
import { EmailModule } from '../email/email.module.js';
import { UserDirectoryModule } from '../users/user-directory.js';
import { AccessTokenVerifier } from './access-token.verifier.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuthController } from './auth.controller.js';
import { AuthRepository } from './auth.repository.js';
import { AuthService } from './auth.service.js';
import { ApiAuthGuard } from './passport/api-auth.guard.js';
import { ApiKeyStrategy } from './passport/api-key.strategy.js';
import { JwtStrategy } from './passport/jwt.strategy.js';
import { PasswordService } from './password.service.js';
import { SessionCache } from './session-cache.js';

@Module({
  imports: [
    EmailModule,
    UserDirectoryModule,
    PassportModule.register({ session: false }),
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        // A KeyObject, not a string: see JwtStrategy.
        secret: config.jwtSecret as unknown as string,
        signOptions: { algorithm: 'HS256', expiresIn: config.jwtAccessTtlSeconds },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  controllers: [AuthController, ApiKeysController],
  providers: [
    AuthService,
    AuthRepository,
    PasswordService,
    SessionCache,
    AccessTokenVerifier,
    ApiKeysRepository,
    ApiKeysService,
    JwtStrategy,
    ApiKeyStrategy,
    // Global guards run in registration order: authentication first, then the rate limit, which
    // counts per caller once it knows one.
    { provide: APP_GUARD, useClass: ApiAuthGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
  exports: [AuthService, PasswordService, AccessTokenVerifier],
})
export class AuthModule {}
