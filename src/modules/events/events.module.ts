import { Module } from '@nestjs/common';
import { Clock } from '../../common/time/clock.js';
import { EmailModule } from '../email/email.module.js';
import { TagsController } from '../tags/tags.controller.js';
import { AttendeesRepository } from './attendees.repository.js';
import { EventNotifier } from './event-notifier.js';
import { EventReminders } from './event-reminders.js';
import { EventViews } from './event-views.js';
import { EventsController } from './events.controller.js';
import { EventsRepository } from './events.repository.js';
import { EventsService } from './events.service.js';
import { EventNotificationsRepository } from './notifications.repository.js';
import { TagsRepository } from './tags.repository.js';

@Module({
  imports: [EmailModule],
  controllers: [EventsController, TagsController],
  providers: [
    EventsService,
    EventsRepository,
    TagsRepository,
    AttendeesRepository,
    EventViews,
    EventNotifier,
    EventReminders,
    EventNotificationsRepository,
    Clock,
  ],
  exports: [EventsService, EventsRepository, TagsRepository, AttendeesRepository, EventViews, EventNotifier, EventReminders],
})
export class EventsModule {}
