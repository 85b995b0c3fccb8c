import { Inject, Injectable } from '@nestjs/common';
import { ChangeSubscriberProvider, type ChangeSubscriber } from '../changes/change-subscriber.js';
import type { Change } from '../changes/changes.rows.js';
import { JobsService } from '../jobs/jobs.service.js';
import { WEBHOOK_DELIVER_JOB, type DeliverPayload } from './webhook-delivery.job.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';
import { messageOf, newMessageId } from './webhook-messages.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { receives, type Webhook } from './webhooks.rows.js';

/**
 * The feed's webhook subscriber: each change becomes one delivery row and one job per endpoint of its
 * user that receives its type, in the dispatcher's transaction. The unique (endpoint, change) index
 * makes a change handed over twice a no-op; the body is fixed here, so every attempt sends the same bytes.
 */
@ChangeSubscriberProvider()
@Injectable()
export class WebhooksSubscriber implements ChangeSubscriber {
  readonly name = 'webhooks';
  readonly kinds = ['event.*', 'booking.*'];

  constructor(
    @Inject(WebhooksRepository) private readonly webhooks: WebhooksRepository,
    @Inject(WebhookDeliveriesRepository) private readonly deliveries: WebhookDeliveriesRepository,
    @Inject(JobsService) private readonly jobs: JobsService,
  ) {}

  async onChanges(changes: Change[]): Promise<void> {
    const userIds = [...new Set(changes.map((change) => change.userId))];
    const endpoints = new Map<string, Webhook[]>();
    for (const webhook of await this.webhooks.listEnabledFor(userIds)) {
      endpoints.set(webhook.userId, [...(endpoints.get(webhook.userId) ?? []), webhook]);
    }
    if (endpoints.size === 0) return;
    for (const change of changes) {
      const targets = (endpoints.get(change.userId) ?? []).filter((webhook) => receives(webhook, change.kind));
      if (targets.length === 0) continue;
      const message = messageOf(change);
      if (!message) continue;
      const body = JSON.stringify(message);
      for (const webhook of targets) {
        const delivery = await this.deliveries.insert({
          messageId: newMessageId(),
          webhookId: webhook.id,
          userId: webhook.userId,
          changeSeq: change.seq,
          eventType: message.type,
          body,
        });
        if (!delivery) continue;
        await this.jobs.enqueue<DeliverPayload>(WEBHOOK_DELIVER_JOB, { deliveryId: delivery.id }, { userId: webhook.userId });
      }
    }
  }
}
