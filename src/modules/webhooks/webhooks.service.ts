import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/current-user.decorator.js';
import { SecretBox } from '../../common/crypto/secret-box.js';
import { DomainError, validationError } from '../../common/errors/domain-error.js';
import { pageOf, type Page } from '../../common/http/pagination.js';
import { Clock } from '../../common/time/clock.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { Database } from '../../db/database.js';
import { JobsService } from '../jobs/jobs.service.js';
import { AddressRefusedError, checkWebhookUrl } from './address-guard.js';
import type {
  CreatedWebhookResponseDto,
  CreateWebhookDto,
  DeliveryQueryDto,
  DeliveryResponseDto,
  RotatedSecretResponseDto,
  UpdateWebhookDto,
  WebhookResponseDto,
} from './dto/webhook.dto.js';
import { WEBHOOK_DELIVER_JOB, type DeliverPayload } from './webhook-delivery.job.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';
import { newMessageId, newSigningSecret, pingMessage } from './webhook-messages.js';
import { RESPONSE_EXCERPT_BYTES } from './webhook-sender.js';
import { WebhooksRepository } from './webhooks.repository.js';
import type { Webhook, WebhookDelivery } from './webhooks.rows.js';

/** After a rotation the previous secret keeps signing this long, so receivers can switch without a gap. */
export const PREVIOUS_SECRET_HOURS = 24;

/**
 * A user's webhook endpoints: registration (behind the address guard), secrets (shown once, sealed at
 * rest), pings, the delivery log and redelivery. Deliveries of changes are queued by WebhooksSubscriber.
 */
@Injectable()
export class WebhooksService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Database) private readonly db: Database,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(SecretBox) private readonly box: SecretBox,
    @Inject(WebhooksRepository) private readonly webhooks: WebhooksRepository,
    @Inject(WebhookDeliveriesRepository) private readonly deliveries: WebhookDeliveriesRepository,
    @Inject(JobsService) private readonly jobs: JobsService,
  ) {}

  async create(user: AuthUser, dto: CreateWebhookDto): Promise<CreatedWebhookResponseDto> {
    const url = await this.checkedUrl(dto.url);
    const id = randomUUID();
    const secret = newSigningSecret();
    const webhook = await this.webhooks.create(user.id, {
      id,
      url,
      description: dto.description ?? null,
      eventTypes: unique(dto.eventTypes ?? []),
      sealedSecret: this.box.seal(secret, `webhooks.secret:${id}`),
    });
    return { ...view(webhook), secret };
  }

  async list(user: AuthUser, query: { page?: number; limit?: number }): Promise<Page<WebhookResponseDto>> {
    const { page, limit, offset } = pageOf(query);
    const { items, total } = await this.webhooks.list(user.id, limit, offset);
    return { data: items.map(view), meta: { page, limit, total } };
  }

  async get(user: AuthUser, id: string): Promise<WebhookResponseDto> {
    return view(await this.webhooks.get(user.id, id));
  }

  async update(user: AuthUser, id: string, dto: UpdateWebhookDto): Promise<WebhookResponseDto> {
    await this.webhooks.get(user.id, id);
    const url = dto.url === undefined ? undefined : await this.checkedUrl(dto.url);
    const webhook = await this.webhooks.update(user.id, id, {
      url,
      description: dto.description,
      eventTypes: dto.eventTypes === undefined ? undefined : unique(dto.eventTypes),
      enabled: dto.enabled,
    });
    return view(webhook);
  }

  remove(user: AuthUser, id: string): Promise<void> {
    return this.webhooks.remove(user.id, id);
  }

  async rotateSecret(user: AuthUser, id: string): Promise<RotatedSecretResponseDto> {
    const current = await this.webhooks.get(user.id, id);
    const previous = this.box.open(current.secret, `webhooks.secret:${id}`);
    const secret = newSigningSecret();
    const previousSecretExpiresAt = new Date(this.clock.now().getTime() + PREVIOUS_SECRET_HOURS * 3_600_000);
    await this.webhooks.rotateSecret(
      user.id,
      id,
      this.box.seal(secret, `webhooks.secret:${id}`),
      this.box.seal(previous, `webhooks.previous_secret:${id}`),
      previousSecretExpiresAt,
    );
    return { secret, previousSecretExpiresAt };
  }

  /** Queues a `ping` to the endpoint; its outcome shows in the delivery log like any message. */
  async ping(user: AuthUser, id: string): Promise<DeliveryResponseDto> {
    const webhook = await this.webhooks.get(user.id, id);
    if (!webhook.enabled) throw new DomainError('WEBHOOK_DISABLED');
    const message = pingMessage(webhook.id, this.clock.now());
    const delivery = await this.db.tx(async () => {
      const queued = await this.deliveries.insert({
        messageId: newMessageId(),
        webhookId: webhook.id,
        userId: user.id,
        changeSeq: null,
        eventType: message.type,
        body: JSON.stringify(message),
      });
      if (!queued) throw new Error('A ping without a change cannot collide');
      await this.enqueue(queued);
      return queued;
    });
    return deliveryView(delivery);
  }

  async deliveriesOf(user: AuthUser, id: string, query: DeliveryQueryDto): Promise<Page<DeliveryResponseDto>> {
    await this.webhooks.get(user.id, id);
    const { page, limit, offset } = pageOf(query);
    const { items, total } = await this.deliveries.list(
      user.id,
      id,
      { status: query.status ?? null, eventType: query.eventType ?? null },
      limit,
      offset,
    );
    return { data: items.map(deliveryView), meta: { page, limit, total } };
  }

  /** Sends a finished delivery again, with the same `webhook-id` (receivers that deduplicate skip it). */
  async redeliver(user: AuthUser, id: string, deliveryId: string): Promise<DeliveryResponseDto> {
    const webhook = await this.webhooks.get(user.id, id);
    await this.deliveries.get(user.id, id, deliveryId);
    if (!webhook.enabled) throw new DomainError('WEBHOOK_DISABLED');
    const reopened = await this.db.tx(async () => {
      const delivery = await this.deliveries.reopen(deliveryId);
      if (!delivery) throw new DomainError('DELIVERY_PENDING');
      await this.enqueue(delivery);
      return delivery;
    });
    return deliveryView(reopened);
  }

  private async enqueue(delivery: WebhookDelivery): Promise<void> {
    await this.jobs.enqueue<DeliverPayload>(WEBHOOK_DELIVER_JOB, { deliveryId: delivery.id }, { userId: delivery.userId });
  }

  /** The address guard at registration: a refused URL is a 400 naming `url` and saying why. */
  private async checkedUrl(raw: string): Promise<string> {
    try {
      return (await checkWebhookUrl(raw, this.config.webhooks)).url.toString();
    } catch (error) {
      if (error instanceof AddressRefusedError) throw validationError([{ field: 'url', message: error.reason }]);
      throw error;
    }
  }
}

function unique(types: string[]): string[] {
  return [...new Set(types)];
}

function view(webhook: Webhook): WebhookResponseDto {
  return {
    id: webhook.id,
    url: webhook.url,
    description: webhook.description,
    eventTypes: webhook.eventTypes,
    enabled: webhook.enabled,
    disabledReason: webhook.disabledReason,
    disabledAt: webhook.disabledAt,
    failingSince: webhook.failingSince,
    lastSuccessAt: webhook.lastSuccessAt,
    previousSecretExpiresAt: webhook.previousSecretExpiresAt,
    createdAt: webhook.createdAt,
    updatedAt: webhook.updatedAt,
  };
}

function deliveryView(delivery: WebhookDelivery): DeliveryResponseDto {
  return {
    id: delivery.id,
    messageId: delivery.messageId,
    eventType: delivery.eventType,
    changeSeq: delivery.changeSeq,
    status: delivery.status,
    attempts: delivery.attempts,
    nextAttemptAt: delivery.nextAttemptAt,
    lastAttemptAt: delivery.lastAttemptAt,
    responseStatus: delivery.responseStatus,
    responseExcerpt: delivery.responseExcerpt,
    lastError: delivery.lastError,
    durationMs: delivery.durationMs,
    requestExcerpt: Buffer.from(delivery.body).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8'),
    createdAt: delivery.createdAt,
  };
}
