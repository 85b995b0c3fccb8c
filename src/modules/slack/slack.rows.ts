/** Row shapes of the slack module's tables and their mapping (migrations/0013_slack.sql). */

export const SLACK_NOTIFICATION_KINDS = [
  'booking_created',
  'booking_cancelled',
  'booking_rescheduled',
  'event_reminder',
  'daily_summary',
] as const;
export type SlackNotificationKind = (typeof SLACK_NOTIFICATION_KINDS)[number];

export type SlackIntegrationState = 'active' | 'revoked';

export interface SlackIntegrationRow {
  id: string;
  user_id: string;
  team_id: string;
  team_name: string | null;
  slack_user_id: string;
  bot_user_id: string | null;
  bot_token: string;
  user_token: string | null;
  scopes: string[];
  user_scopes: string[];
  default_channel_id: string | null;
  status_sync: boolean;
  state: SlackIntegrationState;
  last_error: string | null;
  last_error_channel_id: string | null;
  last_error_at: Date | null;
  profile_status_key: string | null;
  connected_at: Date;
  updated_at: Date;
}

/** One user's install. The tokens stay sealed here; SlackTokens opens them where a call needs one. */
export interface SlackIntegration {
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
  defaultChannelId: string | null;
  statusSync: boolean;
  state: SlackIntegrationState;
  lastError: string | null;
  lastErrorChannelId: string | null;
  lastErrorAt: Date | null;
  profileStatusKey: string | null;
  connectedAt: Date;
  updatedAt: Date;
}

export const integrationColumns =
  'id, user_id, team_id, team_name, slack_user_id, bot_user_id, bot_token, user_token, scopes, user_scopes, default_channel_id, ' +
  'status_sync, state, last_error, last_error_channel_id, last_error_at, profile_status_key, connected_at, updated_at';

export function toSlackIntegration(row: SlackIntegrationRow): SlackIntegration {
  return {
    id: row.id,
    userId: row.user_id,
    teamId: row.team_id,
    teamName: row.team_name,
    slackUserId: row.slack_user_id,
    botUserId: row.bot_user_id,
    sealedBotToken: row.bot_token,
    sealedUserToken: row.user_token,
    scopes: row.scopes,
    userScopes: row.user_scopes,
    defaultChannelId: row.default_channel_id,
    statusSync: row.status_sync,
    state: row.state,
    lastError: row.last_error,
    lastErrorChannelId: row.last_error_channel_id,
    lastErrorAt: row.last_error_at,
    profileStatusKey: row.profile_status_key,
    connectedAt: row.connected_at,
    updatedAt: row.updated_at,
  };
}

export interface SlackRouteRow {
  kind: SlackNotificationKind;
  enabled: boolean;
  channel_id: string | null;
}

/** Where one kind of notification goes: off, to its own channel, or to the default channel (channelId null). */
export interface SlackRoute {
  kind: SlackNotificationKind;
  enabled: boolean;
  channelId: string | null;
}

export function toSlackRoute(row: SlackRouteRow): SlackRoute {
  return { kind: row.kind, enabled: row.enabled, channelId: row.channel_id };
}

export type SlackMessageStatus = 'queued' | 'sent' | 'failed' | 'cancelled' | 'skipped';

export interface SlackMessageRow {
  id: string;
  user_id: string;
  job_id: string;
  kind: SlackNotificationKind;
  text: string;
  blocks: unknown[];
  status: SlackMessageStatus;
  channel_id: string | null;
  attempts: number;
  last_error: string | null;
  slack_ts: string | null;
  scheduled_at: Date | null;
  sent_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface SlackMessage {
  id: string;
  userId: string;
  jobId: string;
  kind: SlackNotificationKind;
  text: string;
  blocks: unknown[];
  status: SlackMessageStatus;
  channelId: string | null;
  attempts: number;
  lastError: string | null;
  slackTs: string | null;
  scheduledAt: Date | null;
  sentAt: Date | null;
  createdAt: Date;
}

export const messageColumns =
  'id, user_id, job_id, kind, text, blocks, status, channel_id, attempts, last_error, slack_ts, scheduled_at, sent_at, created_at, updated_at';

export function toSlackMessage(row: SlackMessageRow): SlackMessage {
  return {
    id: row.id,
    userId: row.user_id,
    jobId: row.job_id,
    kind: row.kind,
    text: row.text,
    blocks: row.blocks,
    status: row.status,
    channelId: row.channel_id,
    attempts: row.attempts,
    lastError: row.last_error,
    slackTs: row.slack_ts,
    scheduledAt: row.scheduled_at,
    sentAt: row.sent_at,
    createdAt: row.created_at,
  };
}

export interface SlackOAuthStateRow {
  id: string;
  user_id: string;
  expires_at: Date;
  used_at: Date | null;
}

export interface SlackOAuthState {
  id: string;
  userId: string;
  expiresAt: Date;
  usedAt: Date | null;
}

export function toSlackOAuthState(row: SlackOAuthStateRow): SlackOAuthState {
  return { id: row.id, userId: row.user_id, expiresAt: row.expires_at, usedAt: row.used_at };
}
