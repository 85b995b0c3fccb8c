import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError } from '../../common/errors/domain-error.js';
import { Database } from '../../db/database.js';
import { pageWithTotal } from '../../db/paged.js';
import { deliveryColumns, toDelivery, type DeliveryStatus, type WebhookDelivery, type WebhookDeliveryRow } from './webhooks.rows.js';

export interface DeliveryInsert {
  messageId: string;
  webhookId: string;
  userId: string;
  changeSeq: number | null;
  eventType: string;
  body: string;
}

export interface AttemptRecord {
  status: DeliveryStatus;
  at: Date;
  responseStatus: number | null;
  responseExcerpt: string | null;
  error: string | null;
  durationMs: number | null;
}

/** The `webhook_deliveries` table: one message to one endpoint, and what its last attempt got. */
@Injectable()
export class WebhookDeliveriesRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  /** Null when this change already has a delivery to this endpoint. */
  async insert(delivery: DeliveryInsert): Promise<WebhookDelivery | null> {
    const { rows } = await this.db.query<WebhookDeliveryRow>(
      `INSERT INTO webhook_deliveries (message_id, webhook_id, user_id, change_seq, event_type, body)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (webhook_id, change_seq) WHERE change_seq IS NOT NULL DO NOTHING
       RETURNING ${deliveryColumns}`,
      [delivery.messageId, delivery.webhookId, delivery.userId, delivery.changeSeq, delivery.eventType, delivery.body],
    );
    return rows[0] ? toDelivery(rows[0]) : null;
  }

  async findById(id: string): Promise<WebhookDelivery | null> {
    const { rows } = await this.db.query<WebhookDeliveryRow>(`SELECT ${deliveryColumns} FROM webhook_deliveries WHERE id = $1`, [id]);
    return rows[0] ? toDelivery(rows[0]) : null;
  }

  async get(userId: string, webhookId: string, id: string): Promise<WebhookDelivery> {
    const { rows } = await this.db.query<WebhookDeliveryRow>(
      `SELECT ${deliveryColumns} FROM webhook_deliveries WHERE id = $1 AND webhook_id = $2 AND user_id = $3`,
      [id, webhookId, userId],
    );
    if (!rows[0]) throw new NotFoundError('delivery');
    return toDelivery(rows[0]);
  }

  async list(
    userId: string,
    webhookId: string,
    filter: { status: DeliveryStatus | null; eventType: string | null },
    limit: number,
    offset: number,
  ): Promise<{ items: WebhookDelivery[]; total: number }> {
    const from = `FROM webhook_deliveries
       WHERE webhook_id = $1 AND user_id = $2 AND ($3::text IS NULL OR status = $3) AND ($4::text IS NULL OR event_type = $4)`;
    const params = [webhookId, userId, filter.status, filter.eventType];
    return pageWithTotal(this.db, { select: deliveryColumns, from, orderBy: 'created_at DESC, id DESC', params }, limit, offset, toDelivery);
  }

  async recordAttempt(id: string, attempt: AttemptRecord): Promise<void> {
    await this.db.query(
      `UPDATE webhook_deliveries SET status = $2, attempts = attempts + 1, last_attempt_at = $3, response_status = $4,
         response_excerpt = $5, last_error = $6, duration_ms = $7, next_attempt_at = NULL, updated_at = now()
       WHERE id = $1`,
      [id, attempt.status, attempt.at, attempt.responseStatus, attempt.responseExcerpt, attempt.error, attempt.durationMs],
    );
  }

  async setNextAttempt(id: string, at: Date): Promise<void> {
    await this.db.query('UPDATE webhook_deliveries SET next_attempt_at = $2, updated_at = now() WHERE id = $1 AND status = $3', [
      id,
      at,
      'pending',
    ]);
  }

  /** Gives up on a pending delivery without an attempt (endpoint disabled, attempts ran out). */
  async fail(id: string, error: string): Promise<void> {
    await this.db.query(
      `UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, last_error = COALESCE($2, last_error), updated_at = now()
       WHERE id = $1 AND status = 'pending'`,
      [id, error],
    );
  }

  /** Puts a finished delivery back to pending for a redelivery; null when it is already pending. */
  async reopen(id: string): Promise<WebhookDelivery | null> {
    const { rows } = await this.db.query<WebhookDeliveryRow>(
      `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now(), updated_at = now() WHERE id = $1 AND status <> 'pending'
       RETURNING ${deliveryColumns}`,
      [id],
    );
    return rows[0] ? toDelivery(rows[0]) : null;
  }
}
