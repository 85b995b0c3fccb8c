import { Inject, Injectable } from '@nestjs/common';
import { UsersRepository } from './users.repository.js';
import type { NewUser } from './users.repository.js';
import type { User } from './users.rows.js';

/**
 * The users module's door for authentication: creating an account, finding it by email with its
 * password hash, setting a new password (which bumps the session version), and the session versions
 * access tokens are checked against. Auth calls this instead of writing the users table itself; it
 * imports nothing, so auth can use it without a cycle.
 */
@Injectable()
export class UserAccounts {
  constructor(@Inject(UsersRepository) private readonly users: UsersRepository) {}

  create(user: NewUser): Promise<User> {
    return this.users.create(user);
  }

  findById(id: string): Promise<User | null> {
    return this.users.findById(id);
  }

  findIdByEmail(email: string): Promise<string | null> {
    return this.users.findIdByEmail(email);
  }

  findByEmailWithPassword(email: string): Promise<(User & { passwordHash: string }) | null> {
    return this.users.findByEmailWithPassword(email);
  }

  updatePassword(id: string, passwordHash: string): Promise<void> {
    return this.users.updatePassword(id, passwordHash);
  }

  findSessionVersions(ids: readonly string[]): Promise<Map<string, number>> {
    return this.users.findSessionVersions(ids);
  }
}
