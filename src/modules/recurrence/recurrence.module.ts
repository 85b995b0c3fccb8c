import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module.js';
import { RecurringController, SeriesController } from './series.controller.js';
import { SeriesService } from './series.service.js';

@Module({
  imports: [EventsModule],
  controllers: [SeriesController, RecurringController],
  providers: [SeriesService],
  exports: [SeriesService],
})
export class RecurrenceModule {}
