import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { ChangesModule } from '../changes/changes.module.js';
import { RealtimeClients } from './realtime-clients.js';
import { RealtimeFeedModule } from './realtime-feed.module.js';
import { RealtimeRedis } from './realtime-redis.js';
import { RealtimeSessions } from './realtime-sessions.js';
import { RealtimeGateway } from './realtime.gateway.js';
import { RealtimeRelay } from './realtime.relay.js';

/**
 * Real-time updates for the SPA (docs/realtime.md): the socket.io gateway, the relay that follows the
 * realtime outbox, session checks and the optional Redis adapter. API processes only; the change
 * subscriber that fills the outbox is RealtimeFeedModule, loaded by every dispatching process.
 */
@Module({
  imports: [AuthModule, ChangesModule, RealtimeFeedModule],
  providers: [RealtimeGateway, RealtimeClients, RealtimeRelay, RealtimeSessions, RealtimeRedis],
})
export class RealtimeModule {}
