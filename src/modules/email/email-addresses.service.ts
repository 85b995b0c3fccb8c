import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/current-user.decorator.js';
import { DomainError, NotFoundError } from '../../common/errors/domain-error.js';
import { Clock } from '../../common/time/clock.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { Database } from '../../db/database.js';
import { UserDirectory } from '../users/user-directory.js';
import type { EmailAddressDto, EmailVerificationStatusDto, VerifyEmailDto } from './dto/email-verification.dto.js';
import { EmailAddressesRepository, type EmailAddress } from './email-addresses.repository.js';
import { EmailService } from './email.service.js';

/** How long a verification link works. */
export const VERIFICATION_TTL_HOURS = 24;
/** Extra notification addresses a user may have (besides their account address). */
export const MAX_EXTRA_ADDRESSES = 5;

const sha256 = (value: string) => createHash('sha256').update(value).digest();

/**
 * Email verification (docs/auth.md): a single-use, expiring link to the user's account address or to an
 * extra notification address, and where a user's notification emails go. Account emails (welcome,
 * password reset, this one) always go to the address they are about; notifications to the user go to
 * `deliveryAddresses`.
 */
@Injectable()
export class EmailAddressesService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Database) private readonly db: Database,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(UserDirectory) private readonly users: UserDirectory,
    @Inject(EmailAddressesRepository) private readonly addresses: EmailAddressesRepository,
    @Inject(EmailService) private readonly emails: EmailService,
  ) {}

  async requestVerification(caller: AuthUser, dto: VerifyEmailDto): Promise<EmailAddressDto> {
    const user = await this.users.findById(caller.id);
    if (!user) throw new NotFoundError('user');
    const email = (dto.email ?? user.email).trim();
    const isAccount = email.toLowerCase() === user.email.toLowerCase();
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + VERIFICATION_TTL_HOURS * 3_600_000);
    const address = await this.db.tx(async () => {
      await this.addresses.lockForUser(user.id);
      const existing = await this.addresses.findByEmail(user.id, email);
      if (existing?.verifiedAt) throw new DomainError('EMAIL_ALREADY_VERIFIED', { email: existing.email });
      if (!existing && !isAccount) {
        const extras = (await this.addresses.listForUser(user.id)).filter((address) => address.email.toLowerCase() !== user.email.toLowerCase());
        if (extras.length >= MAX_EXTRA_ADDRESSES) throw new DomainError('EMAIL_ADDRESS_LIMIT', { limit: MAX_EXTRA_ADDRESSES });
      }
      const saved = await this.addresses.upsertWithToken({ id: randomUUID(), userId: user.id, email, tokenHash: sha256(token), expiresAt, sentAt: now });
      // The token is in the body only until delivery: the stored copy is blanked afterwards.
      await this.emails.enqueue(
        'email_verification',
        { email: saved.email, name: user.name },
        {
          name: user.name,
          email: saved.email,
          token,
          ttlHours: VERIFICATION_TTL_HOURS,
          verifyUrl: `${this.config.frontendUrl}/verify-email?token=${encodeURIComponent(token)}`,
        },
        { userId: user.id, redactAfterSend: true },
      );
      return saved;
    });
    return this.view(address, user.email);
  }

  /** The link's target: marks the address verified; the token works once, until it expires. */
  async confirm(token: string): Promise<EmailAddressDto> {
    const address = await this.addresses.consumeToken(sha256(token), this.clock.now());
    if (!address) throw new DomainError('INVALID_VERIFICATION_TOKEN');
    const user = await this.users.findById(address.userId);
    return this.view(address, user?.email ?? '');
  }

  async status(caller: AuthUser): Promise<EmailVerificationStatusDto> {
    const user = await this.users.findById(caller.id);
    if (!user) throw new NotFoundError('user');
    const addresses = await this.addresses.listForUser(user.id);
    const account = addresses.find((address) => address.email.toLowerCase() === user.email.toLowerCase());
    return {
      accountEmail: user.email,
      accountEmailVerified: Boolean(account?.verifiedAt),
      verificationRequired: this.config.emailRequireVerified,
      notificationAddresses: await this.deliveryAddresses(user),
      addresses: addresses.map((address) => this.view(address, user.email)),
    };
  }

  async remove(caller: AuthUser, id: string): Promise<void> {
    if (!(await this.addresses.delete(caller.id, id))) throw new NotFoundError('email address');
  }

  /**
   * Where a user's notification emails go: their account address (only once verified when
   * EMAIL_REQUIRE_VERIFIED=true), then every verified extra address. Unverified extra addresses never
   * get anything but their verification link. May be empty.
   */
  async deliveryAddresses(user: { id: string; email: string }): Promise<string[]> {
    const account = user.email.toLowerCase();
    const verified = await this.addresses.verifiedEmails(user.id);
    const extras = verified.filter((email) => email !== account);
    const accountAllowed = !this.config.emailRequireVerified || verified.includes(account);
    return accountAllowed ? [account, ...extras] : extras;
  }

  private view(address: EmailAddress, accountEmail: string): EmailAddressDto {
    const now = this.clock.now();
    return {
      id: address.id,
      email: address.email,
      isAccountAddress: address.email.toLowerCase() === accountEmail.toLowerCase(),
      verified: address.verifiedAt !== null,
      verifiedAt: address.verifiedAt,
      pendingUntil: address.tokenExpiresAt && address.tokenExpiresAt > now ? address.tokenExpiresAt : null,
    };
  }
}
