import { Module } from '@nestjs/common';
import { RealtimeOutboxRepository } from './realtime-outbox.repository.js';
import { RealtimeSubscriber } from './realtime.subscriber.js';

/**
 * The realtime module's part that every dispatching process loads (worker.module.ts lists it among the
 * job modules): the change subscriber and its outbox. The socket.io side is RealtimeModule, API only.
 */
@Module({
  providers: [RealtimeOutboxRepository, RealtimeSubscriber],
  exports: [RealtimeOutboxRepository],
})
export class RealtimeFeedModule {}
