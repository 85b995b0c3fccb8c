import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { DomainError, NotFoundError } from '../../common/errors/domain-error.js';
import { SESSIONS_WAKE_CHANNEL } from '../auth/access-token.verifier.js';
import { AuthService } from '../auth/auth.service.js';
import { PasswordService } from '../auth/password.service.js';
import { ChangeFeed } from '../changes/change-feed.service.js';
import { changedProfileFields, userProfilePayload, type UserChangeData } from './user-changes.js';
import { UsersRepository } from './users.repository.js';
import { PublicProfileDto, UpdateMeDto, UserResponseDto } from './dto/user.dto.js';

@Injectable()
export class UsersService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(PasswordService) private readonly passwords: PasswordService,
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
      const current = await this.users.findById(userId);
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

  async deleteMe(userId: string, password: string): Promise<void> {
    const hash = await this.users.findPasswordHash(userId);
    if (!(await this.passwords.verify(password, hash))) throw new DomainError('WRONG_PASSWORD');
    // Every user-owned table references users with ON DELETE CASCADE.
    await this.users.delete(userId);
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
