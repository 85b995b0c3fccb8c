import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import {
  toEmailNotification,
  toEmailTemplate,
  toOutgoingEmail,
  type EmailNotification,
  type EmailNotificationRow,
  type EmailStatus,
  type EmailTemplate,
  type EmailTemplateRow,
  type IcsMethod,
  type OutgoingEmail,
  type OutgoingEmailRow,
} from './email.rows.js';

export interface NewEmail {
  id: string;
  userId: string | null;
  jobId: string;
  templateKey: string;
  recipient: string;
  recipientName: string | null;
  subject: string;
  bodyHtml: string;
  bodyText: string;
  ics: { method: IcsMethod; content: string } | null;
  scheduledAt: Date | null;
  redactAfterSend: boolean;
}

// Bodies that held a secret (a reset token) are blanked once nothing will send them again.
const REDACTED = '[removed after delivery: this message contained a secret]';

const notificationColumns = `id, template_key, recipient, subject, status, attempts, scheduled_at, sent_at,
  error_message, ics_method, created_at, updated_at`;

@Injectable()
export class EmailRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  async findTemplate(key: string): Promise<EmailTemplate | null> {
    const { rows } = await this.db.query<EmailTemplateRow>(
      'SELECT template_key, subject, body_html, body_text, variables, updated_at FROM email_templates WHERE template_key = $1',
      [key],
    );
    return rows[0] ? toEmailTemplate(rows[0]) : null;
  }

  async insert(email: NewEmail): Promise<void> {
    await this.db.query(
      `INSERT INTO email_queue (id, user_id, job_id, template_key, recipient, recipient_name, subject, body_html,
         body_text, ics_method, ics_content, scheduled_at, redact_after_send)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, COALESCE($12, now()), $13)`,
      [
        email.id,
        email.userId,
        email.jobId,
        email.templateKey,
        email.recipient,
        email.recipientName,
        email.subject,
        email.bodyHtml,
        email.bodyText,
        email.ics?.method ?? null,
        email.ics?.content ?? null,
        email.scheduledAt,
        email.redactAfterSend,
      ],
    );
  }

  async findOutgoing(id: string): Promise<OutgoingEmail | null> {
    const { rows } = await this.db.query<OutgoingEmailRow>(
      `SELECT id, status, recipient, recipient_name, subject, body_html, body_text, ics_method, ics_content
       FROM email_queue WHERE id = $1`,
      [id],
    );
    return rows[0] ? toOutgoingEmail(rows[0]) : null;
  }

  async markSent(id: string, attempts: number, messageId: string | null): Promise<void> {
    await this.db.query(
      `UPDATE email_queue SET status = 'sent', attempts = $2, sent_at = now(), message_id = $3, error_message = NULL,
         body_html = CASE WHEN redact_after_send THEN $4 ELSE body_html END,
         body_text = CASE WHEN redact_after_send THEN $4 ELSE body_text END,
         updated_at = now()
       WHERE id = $1 AND status <> 'sent'`,
      [id, attempts, messageId, REDACTED],
    );
  }

  async markRetrying(id: string, attempts: number, error: string, nextAttemptAt: Date): Promise<void> {
    await this.db.query(
      `UPDATE email_queue SET status = 'retrying', attempts = $2, error_message = $3, scheduled_at = $4,
         updated_at = now()
       WHERE id = $1 AND status IN ('queued', 'retrying')`,
      [id, attempts, error, nextAttemptAt],
    );
  }

  async markFailed(id: string, attempts: number, error: string): Promise<void> {
    await this.db.query(
      `UPDATE email_queue SET status = 'failed', attempts = $2, error_message = $3,
         body_html = CASE WHEN redact_after_send THEN $4 ELSE body_html END,
         body_text = CASE WHEN redact_after_send THEN $4 ELSE body_text END,
         updated_at = now()
       WHERE id = $1 AND status IN ('queued', 'retrying')`,
      [id, attempts, error, REDACTED],
    );
  }

  async markCancelled(id: string): Promise<void> {
    await this.db.query(
      `UPDATE email_queue SET status = 'cancelled', updated_at = now() WHERE id = $1 AND status IN ('queued', 'retrying')`,
      [id],
    );
  }

  /** A failed email queued again (JobsService.retry); a redacted body cannot be, so it is left failed. */
  async markRequeued(id: string): Promise<void> {
    await this.db.query(
      `UPDATE email_queue SET status = 'queued', scheduled_at = now(), updated_at = now()
       WHERE id = $1 AND status = 'failed' AND NOT redact_after_send`,
      [id],
    );
  }

  async listForUser(userId: string, status: EmailStatus | null, limit: number, offset: number): Promise<EmailNotification[]> {
    const { rows } = await this.db.query<EmailNotificationRow>(
      `SELECT ${notificationColumns} FROM email_queue
       WHERE user_id = $1 AND ($2::text IS NULL OR status = $2)
       ORDER BY created_at DESC, id DESC
       LIMIT $3 OFFSET $4`,
      [userId, status, limit, offset],
    );
    return rows.map(toEmailNotification);
  }

  async countForUser(userId: string, status: EmailStatus | null): Promise<number> {
    const { rows } = await this.db.query<{ total: number }>(
      'SELECT count(*) AS total FROM email_queue WHERE user_id = $1 AND ($2::text IS NULL OR status = $2)',
      [userId, status],
    );
    return rows[0].total;
  }
}
