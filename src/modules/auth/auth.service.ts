import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { Database } from '../../db/database.js';
import { Clock } from '../../common/time/clock.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { hashToken, newOpaqueToken } from '../../common/auth/tokens.js';
import { EmailNotifications } from '../email/email-notifications.js';
import { UserAccounts } from '../users/user-accounts.js';
import type { User } from '../users/users.rows.js';
import { UserResponseDto } from '../users/dto/user.dto.js';
import { SESSIONS_WAKE_CHANNEL } from './access-token.verifier.js';
import { AuthRepository } from './auth.repository.js';
import type { RevokedReason } from './auth.rows.js';
import { PasswordService } from './password.service.js';
import type { AuthTokensDto, LoginDto, RegisterDto } from './dto/auth.dto.js';

export interface AccessTokenPayload {
  sub: string;
  /** The user's session version when the token was issued. */
  ver: number;
}

type RotationOutcome = { ok: true; tokens: AuthTokensDto } | { ok: false; reused: boolean };

@Injectable()
export class AuthService {
  private readonly logger = new Logger('Auth');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Database) private readonly db: Database,
    @Inject(JwtService) private readonly jwt: JwtService,
    @Inject(UserAccounts) private readonly users: UserAccounts,
    @Inject(AuthRepository) private readonly tokens: AuthRepository,
    @Inject(PasswordService) private readonly passwords: PasswordService,
    @Inject(EmailNotifications) private readonly notifications: EmailNotifications,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** The account, its first session and its welcome email commit together or not at all. */
  async register(dto: RegisterDto): Promise<AuthTokensDto> {
    const passwordHash = await this.passwords.hash(dto.password);
    return this.db.tx(async () => {
      const user = await this.users.create({
        email: dto.email,
        passwordHash,
        name: dto.name,
        timezone: dto.timezone ?? 'UTC',
        locale: dto.locale ?? 'en',
      });
      await this.notifications.welcome(user);
      return this.startSession(user);
    });
  }

  async login(dto: LoginDto): Promise<AuthTokensDto> {
    const found = await this.users.findByEmailWithPassword(dto.email);
    if (!(await this.passwords.verify(dto.password, found?.passwordHash ?? null)) || !found) {
      throw new DomainError('INVALID_CREDENTIALS');
    }
    const { passwordHash: _, ...user } = found;
    return this.startSession(user);
  }

  /**
   * Rotates a refresh token. A token that was already rotated is a sign of theft: the whole family (every
   * token descending from that login) is revoked, and the revocation is committed before the 401. A token
   * revoked for any other reason (logout, password reset or change, a family revoked after a theft) is
   * simply invalid: its holder signed out, or was signed out, and nothing new happened.
   */
  async refresh(refreshToken: string): Promise<AuthTokensDto> {
    const outcome = await this.db.tx(async (): Promise<RotationOutcome> => {
      const row = await this.tokens.findRefreshTokenForUpdate(hashToken(refreshToken));
      if (!row) return { ok: false, reused: false };
      if (row.revoked_at) {
        if (row.revoked_reason !== 'rotated') return { ok: false, reused: false };
        await this.tokens.revokeFamily(row.family_id, 'reuse_detected');
        return { ok: false, reused: true };
      }
      if (row.expires_at.getTime() <= this.clock.now().getTime()) return { ok: false, reused: false };
      const user = await this.users.findById(row.user_id);
      if (!user) return { ok: false, reused: false };
      await this.tokens.revokeRefreshToken(row.id, 'rotated');
      return { ok: true, tokens: await this.issueTokens(user, row.family_id, row.id) };
    });
    if (!outcome.ok) {
      if (outcome.reused) this.logger.warn('Refresh token reuse detected; token family revoked');
      throw new DomainError(outcome.reused ? 'REFRESH_TOKEN_REUSED' : 'INVALID_REFRESH_TOKEN');
    }
    return outcome.tokens;
  }

  /** Ends the session the refresh token belongs to. Unknown tokens are ignored (idempotent). */
  async logout(refreshToken: string): Promise<void> {
    await this.db.tx(async () => {
      const row = await this.tokens.findRefreshTokenForUpdate(hashToken(refreshToken));
      if (row) await this.tokens.revokeFamily(row.family_id, 'logout');
    });
  }

  /**
   * Always answers the same way whether or not the account exists. The reset row and its email job
   * commit in one transaction; a worker sends the email, so SMTP latency never shows in the response.
   */
  async forgotPassword(email: string): Promise<void> {
    const userId = await this.users.findIdByEmail(email);
    const user = userId ? await this.users.findById(userId) : null;
    if (!user) return;
    const token = newOpaqueToken();
    const expiresAt = new Date(this.clock.now().getTime() + this.config.passwordResetTtlMinutes * 60_000);
    await this.db.tx(async () => {
      await this.tokens.insertPasswordReset(user.id, hashToken(token), expiresAt);
      await this.notifications.passwordReset(user, token, this.config.passwordResetTtlMinutes);
    });
  }

  async resetPassword(token: string, newPassword: string): Promise<void> {
    const passwordHash = await this.passwords.hash(newPassword);
    const ok = await this.db.tx(async () => {
      const reset = await this.tokens.findPasswordResetForUpdate(hashToken(token));
      if (!reset || reset.used_at || reset.expires_at.getTime() <= this.clock.now().getTime()) return false;
      await this.users.updatePassword(reset.user_id, passwordHash);
      await this.tokens.consumePasswordResets(reset.user_id);
      await this.tokens.revokeAllForUser(reset.user_id, 'password_reset');
      await this.db.wake(SESSIONS_WAKE_CHANNEL);
      return true;
    });
    if (!ok) throw new DomainError('INVALID_RESET_TOKEN');
  }

  private startSession(user: User): Promise<AuthTokensDto> {
    return this.issueTokens(user, randomUUID(), null);
  }

  /** Revokes every refresh token of the user (a password change elsewhere); joins the caller's transaction. */
  revokeAllSessions(userId: string, reason: RevokedReason): Promise<void> {
    return this.tokens.revokeAllForUser(userId, reason);
  }

  private async issueTokens(user: User, familyId: string, parentId: string | null): Promise<AuthTokensDto> {
    const refreshToken = newOpaqueToken();
    const refreshTokenExpiresAt = new Date(this.clock.now().getTime() + this.config.refreshTokenTtlDays * 86_400_000);
    await this.tokens.insertRefreshToken({
      userId: user.id,
      familyId,
      parentId,
      hash: hashToken(refreshToken),
      expiresAt: refreshTokenExpiresAt,
    });
    const payload: AccessTokenPayload = { sub: user.id, ver: user.sessionVersion };
    return {
      accessToken: this.jwt.sign(payload),
      tokenType: 'Bearer',
      expiresIn: this.config.jwtAccessTtlSeconds,
      refreshToken,
      refreshTokenExpiresAt,
      user: UserResponseDto.from(user),
    };
  }
}
