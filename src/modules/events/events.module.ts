import { Module } from '@nestjs/common';
import { TagsController } from '../tags/tags.controller.js';
import { AttendeesRepository } from './attendees.repository.js';
import { EventViews } from './event-views.js';
import { EventsController } from './events.controller.js';
import { EventsRepository } from './events.repository.js';
import { EventsService } from './events.service.js';
import { TagsRepository } from './tags.repository.js';

@Module({
  controllers: [EventsController, TagsController],
  providers: [EventsService, EventsRepository, TagsRepository, AttendeesRepository, EventViews],
  exports: [EventsService, EventsRepository, TagsRepository, AttendeesRepository, EventViews],
})
export class EventsModule {}
