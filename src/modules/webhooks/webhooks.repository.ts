import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError } from '../../common/errors/domain-error.js';
import { Database } from '../../db/database.js';
import { pageWithTotal } from '../../db/paged.js';
import { toWebhook, type Webhook, type WebhookDisabledReason, type WebhookRow } from './webhooks.rows.js';

export interface WebhookInsert {
  id: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  sealedSecret: string;
}

export interface WebhookPatch {
  url?: string;
  description?: string | null;
  eventTypes?: string[];
  enabled?: boolean;
}

/** The `webhooks` table: a user's endpoints. */
@Injectable()
export class WebhooksRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  async create(userId: string, webhook: WebhookInsert): Promise<Webhook> {
    const { rows } = await this.db.query<WebhookRow>(
      `INSERT INTO webhooks (id, user_id, url, description, event_types, secret)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [webhook.id, userId, webhook.url, webhook.description, webhook.eventTypes, webhook.sealedSecret],
    );
    return toWebhook(rows[0]);
  }

  async find(userId: string, id: string): Promise<Webhook | null> {
    const { rows } = await this.db.query<WebhookRow>('SELECT * FROM webhooks WHERE id = $1 AND user_id = $2', [id, userId]);
    return rows[0] ? toWebhook(rows[0]) : null;
  }

  async get(userId: string, id: string): Promise<Webhook> {
    const webhook = await this.find(userId, id);
    if (!webhook) throw new NotFoundError('webhook');
    return webhook;
  }

  /** Any user's endpoint: for deliveries, which run without a request. */
  async findById(id: string): Promise<Webhook | null> {
    const { rows } = await this.db.query<WebhookRow>('SELECT * FROM webhooks WHERE id = $1', [id]);
    return rows[0] ? toWebhook(rows[0]) : null;
  }

  async list(userId: string, limit: number, offset: number): Promise<{ items: Webhook[]; total: number }> {
    return pageWithTotal(this.db, { select: '*', from: 'FROM webhooks WHERE user_id = $1', orderBy: 'created_at, id', params: [userId] }, limit, offset, toWebhook);
  }

  /** The enabled endpoints of these users (the feed subscriber's fan-out). */
  async listEnabledFor(userIds: readonly string[]): Promise<Webhook[]> {
    const { rows } = await this.db.query<WebhookRow>(
      'SELECT * FROM webhooks WHERE user_id = ANY($1::uuid[]) AND enabled ORDER BY created_at, id',
      [userIds],
    );
    return rows.map(toWebhook);
  }

  /** Fields left undefined keep their value; enabling clears the reason and the failure streak. */
  async update(userId: string, id: string, patch: WebhookPatch): Promise<Webhook> {
    const { rows } = await this.db.query<WebhookRow>(
      `UPDATE webhooks SET
         url = COALESCE($3, url),
         description = CASE WHEN $4::boolean THEN $5 ELSE description END,
         event_types = COALESCE($6, event_types),
         enabled = COALESCE($7, enabled),
         disabled_reason = CASE WHEN $7 IS NULL OR $7 = enabled THEN disabled_reason WHEN $7 THEN NULL ELSE 'user' END,
         disabled_at = CASE WHEN $7 IS NULL OR $7 = enabled THEN disabled_at WHEN $7 THEN NULL ELSE now() END,
         failing_since = CASE WHEN $7 AND NOT enabled THEN NULL ELSE failing_since END,
         updated_at = now()
       WHERE id = $1 AND user_id = $2 RETURNING *`,
      [
        id,
        userId,
        patch.url ?? null,
        patch.description !== undefined,
        patch.description ?? null,
        patch.eventTypes ?? null,
        patch.enabled ?? null,
      ],
    );
    if (!rows[0]) throw new NotFoundError('webhook');
    return toWebhook(rows[0]);
  }

  async remove(userId: string, id: string): Promise<void> {
    const { rowCount } = await this.db.query('DELETE FROM webhooks WHERE id = $1 AND user_id = $2', [id, userId]);
    if (!rowCount) throw new NotFoundError('webhook');
  }

  /** The new secret signs from now on; the current one keeps signing until `previousExpiresAt`. */
  async rotateSecret(userId: string, id: string, sealedSecret: string, sealedPrevious: string, previousExpiresAt: Date): Promise<Webhook> {
    const { rows } = await this.db.query<WebhookRow>(
      `UPDATE webhooks SET secret = $3, previous_secret = $4, previous_secret_expires_at = $5, updated_at = now()
       WHERE id = $1 AND user_id = $2 RETURNING *`,
      [id, userId, sealedSecret, sealedPrevious, previousExpiresAt],
    );
    if (!rows[0]) throw new NotFoundError('webhook');
    return toWebhook(rows[0]);
  }

  async recordSuccess(id: string, at: Date): Promise<void> {
    await this.db.query('UPDATE webhooks SET failing_since = NULL, last_success_at = $2 WHERE id = $1', [id, at]);
  }

  /** Starts or continues the failure streak; returns when it started. */
  async recordFailure(id: string, at: Date): Promise<Date | null> {
    const { rows } = await this.db.query<{ failing_since: Date }>(
      'UPDATE webhooks SET failing_since = COALESCE(failing_since, $2) WHERE id = $1 RETURNING failing_since',
      [id, at],
    );
    return rows[0]?.failing_since ?? null;
  }

  /** Disables an enabled endpoint; false when it was not enabled (someone else did it first). */
  async disable(id: string, reason: WebhookDisabledReason, at: Date): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE webhooks SET enabled = false, disabled_reason = $2, disabled_at = $3, updated_at = now()
       WHERE id = $1 AND enabled`,
      [id, reason, at],
    );
    return (rowCount ?? 0) > 0;
  }
}
