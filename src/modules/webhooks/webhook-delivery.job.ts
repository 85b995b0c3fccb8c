import { Inject, Injectable, Logger } from '@nestjs/common';
import { Webhook as Signer } from 'standardwebhooks';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { SecretBox } from '../../common/crypto/secret-box.js';
import { Clock } from '../../common/time/clock.js';
import { Database } from '../../db/database.js';
import { EmailAddressesService } from '../email/email-addresses.service.js';
import { EmailService } from '../email/email.service.js';
import { JobHandlerProvider, PermanentJobError, type JobContext, type JobHandler, type JobOutcome } from '../jobs/job-handler.js';
import { UserDirectory } from '../users/user-directory.js';
import { AddressRefusedError, checkWebhookUrl, type CheckedUrl } from './address-guard.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';
import { sendWebhook, type WebhookResponse } from './webhook-sender.js';
import { WebhooksRepository } from './webhooks.repository.js';
import type { Webhook, WebhookDelivery } from './webhooks.rows.js';

export const WEBHOOK_DELIVER_JOB = 'webhook.deliver';

export interface DeliverPayload {
  deliveryId: string;
}

/**
 * Svix's schedule: the first attempt at once, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h —
 * eight attempts over about 27 hours. Each delay gets up to 10% of jitter, so the deliveries that failed
 * together during an outage do not all come back in the same second.
 */
export const RETRY_SCHEDULE_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const;
export const MAX_ATTEMPTS = RETRY_SCHEDULE_MS.length + 1;
/** An endpoint whose every attempt failed for this long is disabled and its owner emailed. */
export const FAILING_DISABLE_MS = 5 * 24 * 3_600_000;

/** A failed attempt that no retry can fix, with the reason kept for the delivery log. */
class FinalFailure extends PermanentJobError {}

/**
 * Sends one delivery: re-checks the endpoint's address (the guard runs at every attempt, not only at
 * registration), signs the exact body with the endpoint's secret — and its previous one during a
 * rotation — and records what the receiver answered. A 2xx succeeds; a 410 disables the endpoint; an
 * endpoint that has failed for 5 days is disabled and its owner emailed; anything else retries on the
 * schedule above with the same `webhook-id`.
 */
@JobHandlerProvider()
@Injectable()
export class WebhookDeliveryJob implements JobHandler<DeliverPayload> {
  readonly kind = WEBHOOK_DELIVER_JOB;
  readonly maxAttempts = MAX_ATTEMPTS;
  private readonly logger = new Logger('Webhooks');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Database) private readonly db: Database,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(SecretBox) private readonly box: SecretBox,
    @Inject(WebhooksRepository) private readonly webhooks: WebhooksRepository,
    @Inject(WebhookDeliveriesRepository) private readonly deliveries: WebhookDeliveriesRepository,
    @Inject(EmailService) private readonly emails: EmailService,
    @Inject(UserDirectory) private readonly users: UserDirectory,
    @Inject(EmailAddressesService) private readonly addresses: EmailAddressesService,
  ) {}

  retryDelayMs(attempt: number): number {
    const nominal = RETRY_SCHEDULE_MS[Math.min(Math.max(attempt, 1), RETRY_SCHEDULE_MS.length) - 1];
    return Math.round(nominal * (1 + Math.random() * 0.1));
  }

  async run(payload: DeliverPayload, context: JobContext): Promise<void> {
    const delivery = await this.deliveries.findById(payload.deliveryId);
    // Deleted with its endpoint, or already delivered by an attempt whose outcome was not recorded.
    if (!delivery || delivery.status !== 'pending') return;
    const webhook = await this.webhooks.findById(delivery.webhookId);
    if (!webhook || !webhook.enabled) {
      await this.deliveries.fail(delivery.id, 'the endpoint is disabled');
      return;
    }
    let target: CheckedUrl;
    try {
      target = await checkWebhookUrl(webhook.url, this.config.webhooks);
    } catch (error) {
      if (!(error instanceof AddressRefusedError)) throw error;
      const reason = `the URL was refused: it ${error.reason}`;
      await this.record(delivery, { kind: 'error', error: reason, durationMs: 0 }, 'failed');
      throw new FinalFailure(reason);
    }
    const now = this.clock.now();
    const response = await sendWebhook({
      url: target.url,
      address: target.addresses[0],
      headers: this.headers(webhook, delivery, now),
      body: delivery.body,
      timeoutMs: this.config.webhooks.timeoutMs,
      signal: context.signal,
    });
    if (response.kind === 'response' && response.status >= 200 && response.status < 300) {
      await this.db.tx(async () => {
        await this.record(delivery, response, 'succeeded');
        await this.webhooks.recordSuccess(webhook.id, now);
      });
      return;
    }
    const reason = response.kind === 'error' ? response.error : describeStatus(response.status);
    if (response.kind === 'response' && response.status === 410) {
      await this.db.tx(async () => {
        await this.record(delivery, response, 'failed');
        await this.disable(webhook, 'gone', 'the receiver answered 410 Gone, which asks senders to stop.', now);
      });
      throw new FinalFailure(reason);
    }
    const disabled = await this.db.tx(async () => {
      const failingSince = (await this.webhooks.recordFailure(webhook.id, now)) ?? now;
      if (now.getTime() - failingSince.getTime() < FAILING_DISABLE_MS) {
        await this.record(delivery, response, 'pending');
        return false;
      }
      await this.record(delivery, response, 'failed');
      await this.disable(webhook, 'failing', `every delivery has failed since ${failingSince.toISOString()} (last: ${reason}).`, now);
      return true;
    });
    if (disabled) throw new FinalFailure(`${reason}; the endpoint has failed for 5 days and was disabled`);
    throw new Error(reason);
  }

  async onOutcome(payload: DeliverPayload, outcome: JobOutcome): Promise<void> {
    if (outcome.state === 'retrying') await this.deliveries.setNextAttempt(payload.deliveryId, outcome.nextRunAt);
    if (outcome.state === 'failed') await this.deliveries.fail(payload.deliveryId, outcome.error);
  }

  /** Standard Webhooks headers; during a rotation both secrets sign, space-separated. */
  private headers(webhook: Webhook, delivery: WebhookDelivery, now: Date): Record<string, string> {
    const secrets = [this.box.open(webhook.secret, `webhooks.secret:${webhook.id}`)];
    if (webhook.previousSecret && webhook.previousSecretExpiresAt && webhook.previousSecretExpiresAt > now) {
      secrets.push(this.box.open(webhook.previousSecret, `webhooks.previous_secret:${webhook.id}`));
    }
    const signatures = secrets.map((secret) => new Signer(secret).sign(delivery.messageId, now, delivery.body));
    return {
      'content-type': 'application/json',
      'user-agent': 'Calento-Webhooks/1.0',
      'webhook-id': delivery.messageId,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signatures.join(' '),
    };
  }

  private record(delivery: WebhookDelivery, response: WebhookResponse, status: WebhookDelivery['status']): Promise<void> {
    return this.deliveries.recordAttempt(delivery.id, {
      status,
      at: this.clock.now(),
      responseStatus: response.kind === 'response' ? response.status : null,
      responseExcerpt: response.kind === 'response' ? response.excerpt : null,
      error: response.kind === 'error' ? response.error : response.status >= 300 ? describeStatus(response.status) : null,
      durationMs: response.durationMs,
    });
  }

  /**
   * Disables the endpoint and emails its owner, in the caller's transaction; once however many race. The
   * email is a notification like a booking copy, so it goes to the owner's delivery addresses (with
   * EMAIL_REQUIRE_VERIFIED, only verified ones; possibly none).
   */
  private async disable(webhook: Webhook, reason: 'gone' | 'failing', sentence: string, now: Date): Promise<void> {
    if (!(await this.webhooks.disable(webhook.id, reason, now))) return;
    this.logger.warn({ webhookId: webhook.id, reason }, 'Webhook endpoint disabled');
    const owner = await this.users.findById(webhook.userId);
    if (!owner) return;
    for (const address of await this.addresses.deliveryAddresses(owner)) {
      await this.emails.enqueue(
        'webhook_disabled',
        { email: address, name: owner.name },
        { name: owner.name, url: webhook.url, reason: sentence, webhookId: webhook.id },
        { userId: owner.id, dedupeKey: `webhook-disabled:${webhook.id}:${now.toISOString()}:${address}` },
      );
    }
  }
}

function describeStatus(status: number): string {
  if (status >= 300 && status < 400) return `the receiver answered ${status}, a redirect (redirects are not followed)`;
  return `the receiver answered ${status}`;
}
