import { Inject, Injectable, Module } from '@nestjs/common';
import { AccountDepartures } from './account-departures.js';
import { UserAccounts } from './user-accounts.js';
import { UsersRepository } from './users.repository.js';
import type { User } from './users.rows.js';

/**
 * Read access to users for the modules that need a name, an email or a zone (bookings, availability,
 * notifications, the scheduler). It imports nothing, so any module can use it without a cycle through
 * auth (which mails) and email (which reads users).
 */
@Injectable()
export class UserDirectory {
  constructor(@Inject(UsersRepository) private readonly users: UsersRepository) {}

  findById(id: string): Promise<User | null> {
    return this.users.findById(id);
  }

  /** Zones with users who opted in to the daily summary, and those users. */
  summaryZones(): Promise<string[]> {
    return this.users.findSummaryZones();
  }

  summaryUsersIn(zone: string): Promise<User[]> {
    return this.users.findSummaryUsersIn(zone);
  }
}

/**
 * UserDirectory (reads) and UserAccounts (auth's account records): the users table's doors for other
 * modules; AccountDepartures, where integrations hook into account deletion.
 */
@Module({
  providers: [UsersRepository, UserDirectory, UserAccounts, AccountDepartures],
  exports: [UserDirectory, UserAccounts, AccountDepartures],
})
export class UserDirectoryModule {}
