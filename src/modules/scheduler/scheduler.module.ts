import { Module } from '@nestjs/common';
import { Clock } from '../../common/time/clock.js';
import { EmailModule } from '../email/email.module.js';
import { EventsModule } from '../events/events.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { DailySummaryHandler, SchedulerTickHandler } from './scheduler.jobs.js';
import { SchedulerRepository } from './scheduler.repository.js';
import { SchedulerService } from './scheduler.service.js';

/**
 * Scheduled notifications: event reminders and daily summaries, planned by a recurring tick job.
 * Listed in `jobModules`, so API processes and `npm run worker` both run it.
 */
@Module({
  imports: [JobsModule, EmailModule, EventsModule],
  providers: [SchedulerRepository, SchedulerService, SchedulerTickHandler, DailySummaryHandler, Clock],
  exports: [SchedulerService],
})
export class SchedulerModule {}
