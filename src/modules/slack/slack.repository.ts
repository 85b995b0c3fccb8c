import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { isConstraint } from '../../db/pg-errors.js';
import {
  integrationColumns,
  toSlackIntegration,
  toSlackRoute,
  type SlackIntegration,
  type SlackIntegrationRow,
  type SlackNotificationKind,
  type SlackRoute,
  type SlackRouteRow,
} from './slack.rows.js';

export interface NewSlackIntegration {
  id: string;
  userId: string;
  teamId: string;
  teamName: string | null;
  slackUserId: string;
  botUserId: string | null;
  sealedBotToken: string;
  sealedUserToken: string | null;
  scopes: string[];
  userScopes: string[];
  at: Date;
}

/** The installs (slack_integrations) and their notification routing (slack_notifications). */
@Injectable()
export class SlackRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  /**
   * A new install replaces the user's previous one (another workspace, new tokens); the default channel
   * and status choice are kept when the workspace is the same. Errors and the set status are forgotten.
   * Null when that Slack user is linked to another Calento user (a slash command must find one user).
   */
  async upsert(install: NewSlackIntegration): Promise<SlackIntegration | null> {
    const { rows } = await this.db.query<SlackIntegrationRow>(
      `INSERT INTO slack_integrations
         (id, user_id, team_id, team_name, slack_user_id, bot_user_id, bot_token, user_token, scopes, user_scopes, connected_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
       ON CONFLICT (user_id) DO UPDATE SET
         id = EXCLUDED.id,
         default_channel_id = CASE WHEN slack_integrations.team_id = EXCLUDED.team_id THEN slack_integrations.default_channel_id END,
         status_sync = slack_integrations.status_sync AND slack_integrations.team_id = EXCLUDED.team_id,
         team_id = EXCLUDED.team_id, team_name = EXCLUDED.team_name, slack_user_id = EXCLUDED.slack_user_id,
         bot_user_id = EXCLUDED.bot_user_id, bot_token = EXCLUDED.bot_token, user_token = EXCLUDED.user_token,
         scopes = EXCLUDED.scopes, user_scopes = EXCLUDED.user_scopes, state = 'active', last_error = NULL,
         last_error_channel_id = NULL, last_error_at = NULL, profile_status_key = NULL,
         connected_at = EXCLUDED.connected_at, updated_at = EXCLUDED.updated_at
       RETURNING ${integrationColumns}`,
      [
        install.id,
        install.userId,
        install.teamId,
        install.teamName,
        install.slackUserId,
        install.botUserId,
        install.sealedBotToken,
        install.sealedUserToken,
        install.scopes,
        install.userScopes,
        install.at,
      ],
    ).catch((error: unknown) => {
      if (isConstraint(error, 'slack_integrations_slack_user_key')) return { rows: [] as SlackIntegrationRow[] };
      throw error;
    });
    return rows[0] ? toSlackIntegration(rows[0]) : null;
  }

  async findByUser(userId: string): Promise<SlackIntegration | null> {
    const { rows } = await this.db.query<SlackIntegrationRow>(`SELECT ${integrationColumns} FROM slack_integrations WHERE user_id = $1`, [userId]);
    return rows[0] ? toSlackIntegration(rows[0]) : null;
  }

  async findBySlackUser(teamId: string, slackUserId: string): Promise<SlackIntegration | null> {
    const { rows } = await this.db.query<SlackIntegrationRow>(
      `SELECT ${integrationColumns} FROM slack_integrations WHERE team_id = $1 AND slack_user_id = $2`,
      [teamId, slackUserId],
    );
    return rows[0] ? toSlackIntegration(rows[0]) : null;
  }

  /** Active installs that sync the Slack status and hold a user token. */
  async findStatusSyncing(): Promise<SlackIntegration[]> {
    const { rows } = await this.db.query<SlackIntegrationRow>(
      `SELECT ${integrationColumns} FROM slack_integrations
       WHERE status_sync AND state = 'active' AND user_token IS NOT NULL ORDER BY user_id`,
    );
    return rows.map(toSlackIntegration);
  }

  /** Active installs whose user turned `kind` on (a kind that is off by default, such as daily_summary). */
  async findWithKindEnabled(kind: SlackNotificationKind): Promise<SlackIntegration[]> {
    const { rows } = await this.db.query<SlackIntegrationRow>(
      `SELECT ${integrationColumns.split(', ').map((column) => `i.${column}`).join(', ')}
       FROM slack_integrations i JOIN slack_notifications n ON n.user_id = i.user_id AND n.kind = $1
       WHERE n.enabled AND i.state = 'active' ORDER BY i.user_id`,
      [kind],
    );
    return rows.map(toSlackIntegration);
  }

  async updateSettings(userId: string, settings: { defaultChannelId?: string | null; statusSync?: boolean }, at: Date): Promise<void> {
    await this.db.query(
      `UPDATE slack_integrations SET
         default_channel_id = CASE WHEN $2 THEN $3 ELSE default_channel_id END,
         status_sync = COALESCE($4, status_sync),
         updated_at = $5
       WHERE user_id = $1`,
      [userId, settings.defaultChannelId !== undefined, settings.defaultChannelId ?? null, settings.statusSync ?? null, at],
    );
  }

  /** Records what Slack answered a delivery; `revoke` marks the install unusable until connected again. */
  async recordError(id: string, error: string, channelId: string | null, revoke: boolean, at: Date): Promise<void> {
    await this.db.query(
      `UPDATE slack_integrations SET last_error = $2, last_error_channel_id = $3, last_error_at = $4,
         state = CASE WHEN $5 THEN 'revoked' ELSE state END, updated_at = $4
       WHERE id = $1`,
      [id, error, channelId, at, revoke],
    );
  }

  /** A delivery that worked after an error to the same channel clears the error. */
  async clearErrorFor(id: string, channelId: string, at: Date): Promise<void> {
    await this.db.query(
      `UPDATE slack_integrations SET last_error = NULL, last_error_channel_id = NULL, last_error_at = NULL, updated_at = $3
       WHERE id = $1 AND last_error_channel_id = $2`,
      [id, channelId, at],
    );
  }

  /**
   * Compare-and-set of the status Calento set: true when it was `expected` and is now `next`. Two status
   * jobs of one user running together cannot both win, so Slack is told once.
   */
  async swapProfileStatusKey(id: string, expected: string | null, next: string | null): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'UPDATE slack_integrations SET profile_status_key = $3 WHERE id = $1 AND profile_status_key IS NOT DISTINCT FROM $2',
      [id, expected, next],
    );
    return (rowCount ?? 0) > 0;
  }

  async deleteByUser(userId: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM slack_integrations WHERE user_id = $1', [userId]);
    return (rowCount ?? 0) > 0;
  }

  async routes(userId: string): Promise<SlackRoute[]> {
    const { rows } = await this.db.query<SlackRouteRow>('SELECT kind, enabled, channel_id FROM slack_notifications WHERE user_id = $1', [userId]);
    return rows.map(toSlackRoute);
  }

  async route(userId: string, kind: SlackNotificationKind): Promise<SlackRoute | null> {
    const { rows } = await this.db.query<SlackRouteRow>(
      'SELECT kind, enabled, channel_id FROM slack_notifications WHERE user_id = $1 AND kind = $2',
      [userId, kind],
    );
    return rows[0] ? toSlackRoute(rows[0]) : null;
  }

  async upsertRoute(userId: string, route: SlackRoute, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO slack_notifications (user_id, kind, enabled, channel_id, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (user_id, kind) DO UPDATE SET enabled = EXCLUDED.enabled, channel_id = EXCLUDED.channel_id, updated_at = EXCLUDED.updated_at`,
      [userId, route.kind, route.enabled, route.channelId, at],
    );
  }
}
