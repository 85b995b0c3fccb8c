import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ChangeDispatcher } from './change-dispatcher.js';
import { ChangeFeed } from './change-feed.service.js';
import { ChangesRepository } from './changes.repository.js';

/**
 * The change feed (its `changes` table, the ChangeFeed writer and the dispatcher). Modules that own
 * events and bookings append to it; subscribers mark themselves with @ChangeSubscriberProvider() and are
 * found wherever their module is loaded — which must be every process that dispatches (the API with
 * WORKERS=on and `npm run worker` load the same list, see worker.module.ts).
 */
@Module({
  imports: [DiscoveryModule],
  providers: [ChangesRepository, ChangeFeed, ChangeDispatcher],
  exports: [ChangeFeed, ChangeDispatcher],
})
export class ChangesModule {}
