import { Module } from '@nestjs/common';
import { AvailabilityModule } from '../availability/availability.module.js';
import { ClientsModule } from '../clients/clients.module.js';
import { UserDirectoryModule } from '../users/user-directory.js';
import { GoogleBusySource } from './google-busy.source.js';
import { EventsModule } from '../events/events.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { CalendarSyncsRepository } from './calendar-syncs.repository.js';
import { ClientCalendarEventsController } from './client-calendar-events.controller.js';
import { ClientCalendarEventsService } from './client-calendar-events.service.js';
import { ConflictsRepository } from './conflicts.repository.js';
import { EventLinksRepository } from './event-links.repository.js';
import { GoogleChannels } from './google-channels.js';
import { GoogleImport } from './google-import.js';
import { GooglePushController } from './google-push.controller.js';
import { GooglePush } from './google-push.js';
import { GooglePushSubscriber } from './google-push.subscriber.js';
import { GoogleSyncController } from './google-sync.controller.js';
import { GoogleChannelStopHandler, GooglePushHandler, GoogleSyncHandler, GoogleSyncTick } from './google-sync.jobs.js';
import { GoogleSyncRunner } from './google-sync.runner.js';
import { GoogleSyncService } from './google-sync.service.js';
import { SyncLogRepository } from './sync-log.repository.js';
import { PushBacklogRepository } from './push-backlog.repository.js';

/**
 * Google two-way sync (docs/google-sync.md): the one writer of calendar_syncs, google_event_links,
 * sync_log, event_conflicts and google_push_backlog. Google's changes come in through `google.sync` runs (pushed or
 * polled) and are written through the events writer as `google:<client calendar id>` changes; local changes go out as a
 * subscriber of the change feed (`google.push` jobs). Listed in `jobModules`: API processes and
 * `npm run worker` both run its jobs and its subscriber.
 */
@Module({
  imports: [JobsModule, EventsModule, ClientsModule, AvailabilityModule, UserDirectoryModule],
  controllers: [GoogleSyncController, GooglePushController, ClientCalendarEventsController],
  providers: [
    CalendarSyncsRepository,
    EventLinksRepository,
    SyncLogRepository,
    ConflictsRepository,
    PushBacklogRepository,
    GoogleImport,
    GooglePush,
    GoogleChannels,
    GoogleSyncRunner,
    GoogleSyncService,
    ClientCalendarEventsService,
    GooglePushSubscriber,
    GoogleSyncHandler,
    GooglePushHandler,
    GoogleChannelStopHandler,
    GoogleSyncTick,
    GoogleBusySource,
  ],
})
export class GoogleSyncModule {}
