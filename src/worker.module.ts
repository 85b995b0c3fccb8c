import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { DbModule } from './db/db.module.js';
import { CommonModule } from './common/common.module.js';
import { EmailModule } from './modules/email/email.module.js';
import { JobsModule } from './modules/jobs/jobs.module.js';
import { ChangesModule } from './modules/changes/changes.module.js';
import { SchedulerModule } from './modules/scheduler/scheduler.module.js';
import { RealtimeFeedModule } from './modules/realtime/realtime-feed.module.js';
import { WebhooksDeliveryModule } from './modules/webhooks/webhooks-delivery.module.js';
import { SlackModule } from './modules/slack/slack.module.js';
import { GoogleSyncModule } from './modules/google-sync/google-sync.module.js';

/**
 * The queue, the change feed, and every module with a job handler or a change subscriber. The API
 * (AppModule) and the worker-only process (src/cli/worker.ts) both load this list, so a handler or
 * subscriber added here runs in either — and every dispatching process knows every subscriber.
 */
export const jobModules = [
  JobsModule,
  ChangesModule,
  EmailModule,
  SchedulerModule,
  RealtimeFeedModule,
  WebhooksDeliveryModule,
  SlackModule,
  GoogleSyncModule,
];

/** `npm run worker`: configuration, database and job handlers; no HTTP. */
@Module({})
export class WorkerModule {
  static register(config: AppConfig): DynamicModule {
    return { module: WorkerModule, imports: [ConfigModule.forRoot(config), DbModule, CommonModule, ...jobModules] };
  }
}
