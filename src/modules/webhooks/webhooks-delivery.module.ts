import { Module } from '@nestjs/common';
import { EmailModule } from '../email/email.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { UserDirectoryModule } from '../users/user-directory.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';
import { WebhookDeliveryJob } from './webhook-delivery.job.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { WebhooksSubscriber } from './webhooks.subscriber.js';

/**
 * The sending half of webhooks, loaded by every process that runs jobs (API and `npm run worker`): the
 * feed subscriber that queues deliveries and the job that sends them. The one writer of `webhooks` and
 * `webhook_deliveries` together with WebhooksModule's service, which imports the repositories from here.
 */
@Module({
  imports: [JobsModule, EmailModule, UserDirectoryModule],
  providers: [WebhooksRepository, WebhookDeliveriesRepository, WebhookDeliveryJob, WebhooksSubscriber],
  exports: [WebhooksRepository, WebhookDeliveriesRepository],
})
export class WebhooksDeliveryModule {}
