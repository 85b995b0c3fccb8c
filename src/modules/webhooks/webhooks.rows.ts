/** Row shapes of the webhooks tables and their mapping. */
export const WEBHOOK_EVENT_TYPES = [
  'event.created',
  'event.updated',
  'event.deleted',
  'booking.created',
  'booking.cancelled',
  'booking.rescheduled',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export type WebhookDisabledReason = 'user' | 'gone' | 'failing';

export interface WebhookRow {
  id: string;
  user_id: string;
  url: string;
  description: string | null;
  event_types: string[];
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  enabled: boolean;
  disabled_reason: WebhookDisabledReason | null;
  disabled_at: Date | null;
  failing_since: Date | null;
  last_success_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** An endpoint; `secret` and `previousSecret` are sealed (SecretBox) and never leave the module. */
export interface Webhook {
  id: string;
  userId: string;
  url: string;
  description: string | null;
  /** Empty: every type. */
  eventTypes: string[];
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  enabled: boolean;
  disabledReason: WebhookDisabledReason | null;
  disabledAt: Date | null;
  failingSince: Date | null;
  lastSuccessAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export function toWebhook(row: WebhookRow): Webhook {
  return {
    id: row.id,
    userId: row.user_id,
    url: row.url,
    description: row.description,
    eventTypes: row.event_types,
    secret: row.secret,
    previousSecret: row.previous_secret,
    previousSecretExpiresAt: row.previous_secret_expires_at,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    disabledAt: row.disabled_at,
    failingSince: row.failing_since,
    lastSuccessAt: row.last_success_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function receives(webhook: Pick<Webhook, 'enabled' | 'eventTypes'>, eventType: string): boolean {
  return webhook.enabled && (webhook.eventTypes.length === 0 || webhook.eventTypes.includes(eventType));
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface WebhookDeliveryRow {
  id: string;
  message_id: string;
  webhook_id: string;
  user_id: string;
  change_seq: string | number | null;
  event_type: string;
  body: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date | null;
  last_attempt_at: Date | null;
  response_status: number | null;
  response_excerpt: string | null;
  last_error: string | null;
  duration_ms: number | null;
  created_at: Date;
  updated_at: Date;
}

export interface WebhookDelivery {
  id: string;
  /** The `webhook-id` header: the same on every attempt and redelivery. */
  messageId: string;
  webhookId: string;
  userId: string;
  changeSeq: number | null;
  eventType: string;
  body: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  responseStatus: number | null;
  responseExcerpt: string | null;
  lastError: string | null;
  durationMs: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export const deliveryColumns = `id, message_id, webhook_id, user_id, change_seq, event_type, body, status, attempts, next_attempt_at,
  last_attempt_at, response_status, response_excerpt, last_error, duration_ms, created_at, updated_at`;

export function toDelivery(row: WebhookDeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    messageId: row.message_id,
    webhookId: row.webhook_id,
    userId: row.user_id,
    changeSeq: row.change_seq === null ? null : Number(row.change_seq),
    eventType: row.event_type,
    body: row.body,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastAttemptAt: row.last_attempt_at,
    responseStatus: row.response_status,
    responseExcerpt: row.response_excerpt,
    lastError: row.last_error,
    durationMs: row.duration_ms,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
