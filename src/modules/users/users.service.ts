import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { DomainError, NotFoundError } from '../../common/errors/domain-error.js';
import { Clock } from '../../common/time/clock.js';
import { SESSIONS_WAKE_CHANNEL } from '../auth/access-token.verifier.js';
import { AuthService } from '../auth/auth.service.js';
import { PasswordService } from '../auth/password.service.js';
import { BookingsService } from '../bookings/bookings.service.js';
import { ChangeFeed } from '../changes/change-feed.service.js';
import { EventDepartures } from '../events/event-departures.js';
import { AccountDepartures } from './account-departures.js';
import { changedProfileFields, userProfilePayload, type UserChangeData } from './user-changes.js';
import { UsersRepository } from './users.repository.js';
import { PublicProfileDto, UpdateMeDto, UserResponseDto } from './dto/user.dto.js';

/** The reason bookers read in the cancellation of a booking whose host deleted their account. */
const HOST_GONE = "The host's Calento account was deleted.";

@Injectable()
export class UsersService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(PasswordService) private readonly passwords: PasswordService,
    @Inject(BookingsService) private readonly bookings: BookingsService,
    @Inject(EventDepartures) private readonly events: EventDepartures,
    @Inject(AccountDepartures) private readonly departures: AccountDepartures,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(ChangeFeed) private readonly feed: ChangeFeed,
  ) {}

  async getMe(userId: string): Promise<UserResponseDto> {
    const user = await this.users.findById(userId);
    if (!user) throw new NotFoundError('user');
    return UserResponseDto.from(user);
  }

  async updateMe(userId: string, dto: UpdateMeDto): Promise<UserResponseDto> {
    // Check the current password before any change, so a wrong one changes nothing.
    const newHash = dto.newPassword !== undefined ? await this.checkedNewHash(userId, dto) : null;
    const user = await this.db.tx(async () => {
      // Locked: the change recorded must be from what this update replaced, or two concurrent zone
      // changes (A to B, and back to A) could both read A, and the second record no change at all.
      const current = await this.users.findById(userId, true);
      if (!current) throw new NotFoundError('user');
      const updated = await this.users.updateProfile(userId, dto);
      const before = userProfilePayload(current);
      const after = userProfilePayload(updated);
      const fields = changedProfileFields(before, after);
      // Reminders already rendered in the old zone are re-rendered by a subscriber, as for an event change.
      if (fields.length) await this.feed.append<UserChangeData>({ kind: 'user.updated', userId, origin: 'api', fields, data: { before, after } });
      if (newHash) {
        await this.users.updatePassword(userId, newHash);
        await this.auth.revokeAllSessions(userId, 'password_changed');
      }
      // Sessions are cached on every replica with the caller's zone: a new password or zone empties them.
      if (newHash || dto.timezone !== undefined) await this.db.wake(SESSIONS_WAKE_CHANNEL);
      return updated;
    });
    return UserResponseDto.from(user);
  }

  /**
   * Deletes the account as if its owner first called off what others rely on (docs/auth.md, account
   * deletion). The integrations close their grants and installs first, while the tokens are stored.
   * Then one transaction cancels the upcoming bookings and the events others were invited to, and deletes
   * the user; every other user-owned row goes by ON DELETE CASCADE. The cancellations' changes outlive
   * the user and carry their name and address, so the emails go out after the commit.
   */
  async deleteMe(userId: string, password: string): Promise<void> {
    const hash = await this.users.findPasswordHash(userId);
    if (!(await this.passwords.verify(password, hash))) throw new DomainError('WRONG_PASSWORD');
    const user = await this.users.findById(userId);
    if (!user) throw new NotFoundError('user');
    await this.departures.leaving(userId);
    const departed = { email: user.email, name: user.name, timezone: user.timezone };
    await this.db.tx(async () => {
      await this.bookings.cancelForDepartedHost(userId, departed, HOST_GONE);
      await this.events.cancelShared(userId, departed, this.clock.now());
      await this.users.delete(userId);
    });
    await this.db.wake(SESSIONS_WAKE_CHANNEL);
  }

  async publicProfile(userId: string): Promise<PublicProfileDto> {
    const user = await this.users.findById(userId);
    if (!user) throw new NotFoundError('user');
    const links = await this.users.findActiveBookingLinks(userId);
    return {
      id: user.id,
      name: user.name,
      timezone: user.timezone,
      bookingLinks: links.map((link) => ({
        slug: link.slug,
        title: link.title,
        description: link.description,
        durationMinutes: link.duration_minutes,
      })),
    };
  }

  private async checkedNewHash(userId: string, dto: UpdateMeDto): Promise<string> {
    const hash = await this.users.findPasswordHash(userId);
    if (!(await this.passwords.verify(dto.currentPassword ?? '', hash))) throw new DomainError('WRONG_PASSWORD');
    return this.passwords.hash(dto.newPassword as string);
  }
}
