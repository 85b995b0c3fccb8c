import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module.js';
import { FeedRepository } from './feed.repository.js';
import { IcsImportService } from './ics-import.service.js';
import { IcsController } from './ics.controller.js';
import { IcsService } from './ics.service.js';

@Module({
  imports: [EventsModule],
  controllers: [IcsController],
  providers: [IcsService, IcsImportService, FeedRepository],
})
export class IcsModule {}
