import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { Clock } from '../../common/time/clock.js';
import { AuthModule } from '../auth/auth.module.js';
import { EventsModule } from '../events/events.module.js';
import { AvailabilityController } from './availability.controller.js';
import { AvailabilityRepository } from './availability.repository.js';
import { AvailabilityService } from './availability.service.js';
import { BusySources, EventsBusySource } from './busy-sources.js';
import { AvailabilityExceptionsController } from './exceptions.controller.js';
import { ExceptionsRepository } from './exceptions.repository.js';

/**
 * Weekly rules, date exceptions, free/busy, check and slots. Exports BusySources so other modules
 * (bookings, Google calendars) register their busy time in their onModuleInit. AuthModule provides
 * UsersRepository (the events source needs the user's email); it imports nothing of this module.
 */
@Module({
  imports: [AuthModule, EventsModule],
  controllers: [AvailabilityController, AvailabilityExceptionsController],
  providers: [AvailabilityService, AvailabilityRepository, ExceptionsRepository, BusySources, EventsBusySource, Clock],
  exports: [AvailabilityService, BusySources, Clock],
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
