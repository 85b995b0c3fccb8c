import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { UserDirectoryModule } from '../users/user-directory.js';
import { EventsModule } from '../events/events.module.js';
import { AvailabilityController } from './availability.controller.js';
import { AvailabilityRepository } from './availability.repository.js';
import { AvailabilityService } from './availability.service.js';
import { BusySources, EventsBusySource } from './busy-sources.js';
import { AvailabilityExceptionsController } from './exceptions.controller.js';
import { ExceptionsRepository } from './exceptions.repository.js';

/**
 * Weekly rules, date exceptions, free/busy, check and slots. Exports BusySources so other modules
 * (bookings, Google calendars) register their busy time in their onModuleInit. The events source reads
 * the user's email through the UserDirectory.
 */
@Module({
  imports: [EventsModule, UserDirectoryModule],
  controllers: [AvailabilityController, AvailabilityExceptionsController],
  providers: [AvailabilityService, AvailabilityRepository, ExceptionsRepository, BusySources, EventsBusySource],
  exports: [AvailabilityService, BusySources],
})
export class AvailabilityModule implements OnModuleInit {
  constructor(
    @Inject(BusySources) private readonly sources: BusySources,
    @Inject(EventsBusySource) private readonly events: EventsBusySource,
  ) {}

  onModuleInit(): void {
    this.sources.register(this.events);
  }
}
