import { Module } from '@nestjs/common';
import { ChangesModule } from '../changes/changes.module.js';
import { TagsController } from './tags.controller.js';
import { TagsService } from './tags.service.js';
import { AttendeesRepository } from './attendees.repository.js';
import { EventDepartures } from './event-departures.js';
import { EventViews } from './event-views.js';
import { EventsController } from './events.controller.js';
import { EventsRepository } from './events.repository.js';
import { EventsService } from './events.service.js';
import { EventsWriter } from './events.writer.js';
import { RecurringController, SeriesController } from './series.controller.js';
import { SeriesService } from './series.service.js';
import { TagsRepository } from './tags.repository.js';

/**
 * Events, series (with their one-occurrence and this-and-following edits), tags and attendees. The
 * EventsWriter is the one writer of these tables and appends every change to the feed; other modules
 * read through EventsService and write through EventsWriter, never through the repositories.
 */
@Module({
  imports: [ChangesModule],
  controllers: [EventsController, SeriesController, RecurringController, TagsController],
  providers: [EventsService, SeriesService, EventsWriter, EventsRepository, TagsRepository, TagsService, AttendeesRepository, EventViews, EventDepartures],
  exports: [EventsService, SeriesService, EventsWriter, EventViews, EventDepartures],
})
export class EventsModule {}
