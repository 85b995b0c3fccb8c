import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { messageColumns, toSlackMessage, type SlackMessage, type SlackMessageRow, type SlackMessageStatus, type SlackNotificationKind } from './slack.rows.js';

export interface NewSlackMessage {
  id: string;
  userId: string;
  jobId: string;
  kind: SlackNotificationKind;
  text: string;
  blocks: unknown[];
  scheduledAt: Date | null;
}

/** The outgoing messages (slack_messages); their status follows their slack.send job. */
@Injectable()
export class SlackMessagesRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  async insert(message: NewSlackMessage): Promise<void> {
    await this.db.query(
      `INSERT INTO slack_messages (id, user_id, job_id, kind, text, blocks, scheduled_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [message.id, message.userId, message.jobId, message.kind, message.text, JSON.stringify(message.blocks), message.scheduledAt],
    );
  }

  async find(id: string): Promise<SlackMessage | null> {
    const { rows } = await this.db.query<SlackMessageRow>(`SELECT ${messageColumns} FROM slack_messages WHERE id = $1`, [id]);
    return rows[0] ? toSlackMessage(rows[0]) : null;
  }

  async findForUser(userId: string, id: string): Promise<SlackMessage | null> {
    const { rows } = await this.db.query<SlackMessageRow>(`SELECT ${messageColumns} FROM slack_messages WHERE id = $1 AND user_id = $2`, [id, userId]);
    return rows[0] ? toSlackMessage(rows[0]) : null;
  }

  async listForUser(userId: string, status: SlackMessageStatus | null, limit: number, offset: number): Promise<SlackMessage[]> {
    const { rows } = await this.db.query<SlackMessageRow>(
      `SELECT ${messageColumns} FROM slack_messages WHERE user_id = $1 AND ($2::text IS NULL OR status = $2)
       ORDER BY created_at DESC, id LIMIT $3 OFFSET $4`,
      [userId, status, limit, offset],
    );
    return rows.map(toSlackMessage);
  }

  async countForUser(userId: string, status: SlackMessageStatus | null): Promise<number> {
    const { rows } = await this.db.query<{ count: string }>(
      `SELECT count(*)::text AS count FROM slack_messages WHERE user_id = $1 AND ($2::text IS NULL OR status = $2)`,
      [userId, status],
    );
    return Number(rows[0].count);
  }

  async markSent(id: string, channelId: string, ts: string, attempt: number, at: Date): Promise<void> {
    await this.db.query(
      `UPDATE slack_messages SET status = 'sent', channel_id = $2, slack_ts = $3, attempts = $4, sent_at = $5, last_error = NULL, updated_at = $5
       WHERE id = $1`,
      [id, channelId, ts, attempt, at],
    );
  }

  /** Queued, failed, cancelled or skipped, with the attempt count and error of the job's outcome. */
  async markOutcome(id: string, status: SlackMessageStatus, attempt: number | null, error: string | null, channelId: string | null, at: Date): Promise<void> {
    await this.db.query(
      `UPDATE slack_messages SET status = $2, attempts = COALESCE($3, attempts), last_error = COALESCE($4, last_error),
         channel_id = COALESCE($5, channel_id), updated_at = $6
       WHERE id = $1 AND status <> 'sent'`,
      [id, status, attempt, error, channelId, at],
    );
  }
}
