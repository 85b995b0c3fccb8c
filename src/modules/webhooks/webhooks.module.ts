import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksDeliveryModule } from './webhooks-delivery.module.js';
import { WebhooksService } from './webhooks.service.js';

/** Outgoing webhooks' API: endpoints, secrets, pings, the delivery log and redelivery (docs/webhooks.md). */
@Module({
  imports: [WebhooksDeliveryModule, JobsModule],
  controllers: [WebhooksController],
  providers: [WebhooksService],
})
export class WebhooksModule {}
