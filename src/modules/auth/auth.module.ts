import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { JwtAuthGuard } from '../../common/auth/jwt-auth.guard.js';
import { EmailModule } from '../email/email.module.js';
import { UsersRepository } from '../users/users.repository.js';
import { AccessTokenVerifier } from './access-token.verifier.js';
import { AuthController } from './auth.controller.js';
import { AuthRepository } from './auth.repository.js';
import { AuthService } from './auth.service.js';
import { PasswordService } from './password.service.js';

@Module({
  imports: [
    EmailModule,
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        // A KeyObject, not a string: see JwtAuthGuard.
        secret: config.jwtSecret as unknown as string,
        signOptions: { algorithm: 'HS256', expiresIn: config.jwtAccessTtlSeconds },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    AuthRepository,
    PasswordService,
    UsersRepository,
    AccessTokenVerifier,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
  exports: [AuthService, AuthRepository, PasswordService, UsersRepository, AccessTokenVerifier],
})
export class AuthModule {}
