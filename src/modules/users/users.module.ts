import { Module } from '@nestjs/common';
import { UsersController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';
import { AuthModule } from '../auth/auth.module.js';
import { BookingsModule } from '../bookings/bookings.module.js';
import { ChangesModule } from '../changes/changes.module.js';
import { EventsModule } from '../events/events.module.js';
import { UserDirectoryModule } from './user-directory.js';

/** Profiles and account deletion, which cancels through bookings and events and tells the integrations (AccountDepartures). */
@Module({
  imports: [AuthModule, BookingsModule, ChangesModule, EventsModule, UserDirectoryModule],
  controllers: [UsersController],
  providers: [UsersService, UsersRepository],
})
export class UsersModule {}
