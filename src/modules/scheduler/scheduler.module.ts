import { Module } from '@nestjs/common';
import { EmailModule } from '../email/email.module.js';
import { EventsModule } from '../events/events.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { UserDirectoryModule } from '../users/user-directory.js';
import { EventReminders } from './event-reminders.js';
import { RemindersSubscriber } from './reminders.subscriber.js';
import { DailySummaryHandler, SchedulerTickHandler } from './scheduler.jobs.js';
import { SchedulerService } from './scheduler.service.js';

/**
 * Scheduled notifications: event reminders (re-planned on every change of an event, from the change
 * feed, and looked ahead by a recurring tick job) and daily summaries. Listed in `jobModules`, so API
 * processes and `npm run worker` both run it.
 */
@Module({
  imports: [JobsModule, EmailModule, EventsModule, UserDirectoryModule],
  providers: [SchedulerService, EventReminders, RemindersSubscriber, SchedulerTickHandler, DailySummaryHandler],
  exports: [SchedulerService, EventReminders],
})
export class SchedulerModule {}
