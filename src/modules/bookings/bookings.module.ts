import { Module } from '@nestjs/common';
import { AvailabilityModule } from '../availability/availability.module.js';
import { ChangesModule } from '../changes/changes.module.js';
import { EventsModule } from '../events/events.module.js';
import { UserDirectoryModule } from '../users/user-directory.js';
import { BookingLinksController } from './booking-links.controller.js';
import { BookingLinksRepository } from './booking-links.repository.js';
import { BookingLinksService } from './booking-links.service.js';
import { BookingSlots } from './booking-slots.js';
import { BookingsController } from './bookings.controller.js';
import { BookingsRepository } from './bookings.repository.js';
import { BookingsService } from './bookings.service.js';

@Module({
  imports: [AvailabilityModule, ChangesModule, EventsModule, UserDirectoryModule],
  controllers: [BookingLinksController, BookingsController],
  providers: [BookingLinksRepository, BookingLinksService, BookingSlots, BookingsRepository, BookingsService],
  exports: [BookingsService, BookingLinksService],
})
export class BookingsModule {}
