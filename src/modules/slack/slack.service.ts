import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/current-user.decorator.js';
import { DomainError, NotFoundError, validationError } from '../../common/errors/domain-error.js';
import { pageOf, type Page } from '../../common/http/pagination.js';
import { Clock } from '../../common/time/clock.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { Database } from '../../db/database.js';
import { AccountDepartures } from '../users/account-departures.js';
import type {
  SlackChannelDto,
  SlackConnectDto,
  SlackConnectResponseDto,
  SlackIntegrationResponseDto,
  SlackMessageResponseDto,
  SlackMessagesQueryDto,
  UpdateSlackDto,
} from './dto/slack.dto.js';
import { SlackApi, slackFailure, USER_SCOPES } from './slack-api.js';
import { SlackMessagesRepository } from './slack-messages.repository.js';
import { defaultRoute } from './slack-notifier.js';
import { SlackRequestsRepository } from './slack-requests.repository.js';
import { SlackStatusPlanner } from './slack-status.js';
import { SlackTokens } from './slack-tokens.js';
import { SlackRepository } from './slack.repository.js';
import { SLACK_NOTIFICATION_KINDS, type SlackIntegration, type SlackMessage } from './slack.rows.js';

/** How long an install link works. */
const STATE_TTL_MS = 10 * 60_000;
/** Used and expired states are kept a day, so a late or repeated callback is told why it fails. */
const STATE_RETENTION_MS = 24 * 60 * 60_000;
/** conversations.list pages followed at most (200 channels each). */
const MAX_CHANNEL_PAGES = 50;

const sha256 = (value: string) => createHash('sha256').update(value).digest();

/**
 * A user's Slack install: the OAuth v2 flow (a single-use state, only its hash stored, valid 10 minutes),
 * the tokens sealed at rest, the settings (default channel, routing, status sync), the channel list
 * through Slack's cursors, and disconnecting (auth.revoke, then the row is deleted) — also when the
 * account is deleted.
 */
@Injectable()
export class SlackService implements OnModuleInit {
  private readonly logger = new Logger('Slack');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Database) private readonly db: Database,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(SlackApi) private readonly slack: SlackApi,
    @Inject(SlackTokens) private readonly tokens: SlackTokens,
    @Inject(SlackRepository) private readonly integrations: SlackRepository,
    @Inject(SlackMessagesRepository) private readonly messages: SlackMessagesRepository,
    @Inject(SlackRequestsRepository) private readonly requests: SlackRequestsRepository,
    @Inject(SlackStatusPlanner) private readonly status: SlackStatusPlanner,
    @Inject(AccountDepartures) private readonly departures: AccountDepartures,
  ) {}

  onModuleInit(): void {
    this.departures.on('slack', async (userId) => {
      const integration = await this.integrations.findByUser(userId);
      if (integration) await this.revokeAndForget(integration);
    });
  }

  get redirectUri(): string {
    return `${this.config.appBaseUrl}/api/v1/integrations/slack/callback`;
  }

  async connect(user: AuthUser, dto: SlackConnectDto): Promise<SlackConnectResponseDto> {
    const { clientId } = this.config.slack;
    if (!clientId) throw new DomainError('SLACK_NOT_CONFIGURED');
    const state = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + STATE_TTL_MS);
    await this.requests.deleteStatesExpiredBefore(new Date(now.getTime() - STATE_RETENTION_MS));
    await this.requests.createState({ id: randomUUID(), stateHash: sha256(state), userId: user.id, expiresAt });
    const url = this.slack.authorizeUrl({ clientId, state, redirectUri: this.redirectUri, userScopes: dto.statusSync === true });
    return { url, expiresAt };
  }

  /**
   * Slack's redirect back. Returns where to send the browser: FRONTEND_URL/integrations/slack with
   * `?slack=connected`, or `?slack=error&reason=<code>` (docs/slack.md lists them). No state is a 400.
   */
  async callback(query: Record<string, unknown>): Promise<string> {
    const state = single(query.state);
    if (!state) throw validationError([{ field: 'state', message: 'is required: Slack returns the state Calento sent' }]);
    const hash = sha256(state);
    const now = this.clock.now();
    const consumed = await this.requests.consumeState(hash, now);
    if (!consumed) return this.outcome((await this.requests.findState(hash)) ? 'state_used' : 'invalid_state');
    if (consumed.expiresAt.getTime() <= now.getTime()) return this.outcome('state_expired');
    const error = single(query.error);
    if (error) return this.outcome(/^[a-z_]{1,64}$/.test(error) ? error : 'slack_error');
    const code = single(query.code);
    if (!code) return this.outcome('missing_code');
    const { clientId, clientSecret } = this.config.slack;
    if (!clientId || !clientSecret) return this.outcome('not_configured');

    let access;
    try {
      access = await this.slack.client().oauth.v2.access({ client_id: clientId, client_secret: clientSecret, code, redirect_uri: this.redirectUri });
    } catch (failed) {
      const failure = slackFailure(failed);
      this.logger.warn({ userId: consumed.userId, error: failure.code }, 'Slack code exchange failed');
      return this.outcome(failure.kind === 'transient' ? 'slack_unavailable' : failure.code);
    }
    const botToken = access.access_token;
    const teamId = access.team?.id;
    const slackUserId = access.authed_user?.id;
    if (!botToken || !teamId || !slackUserId) return this.outcome('slack_error');
    const userToken = access.authed_user?.access_token ?? null;
    const id = randomUUID();
    const saved = await this.integrations.upsert({
      id,
      userId: consumed.userId,
      teamId,
      teamName: access.team?.name ?? null,
      slackUserId,
      botUserId: access.bot_user_id ?? null,
      sealedBotToken: this.tokens.sealBot(id, botToken),
      sealedUserToken: userToken ? this.tokens.sealUser(id, userToken) : null,
      scopes: splitScopes(access.scope),
      userScopes: splitScopes(access.authed_user?.scope),
      at: now,
    });
    if (!saved) return this.outcome('slack_account_in_use');
    this.logger.log({ userId: consumed.userId, teamId }, 'Slack connected');
    return this.outcome(null);
  }

  async get(user: AuthUser): Promise<SlackIntegrationResponseDto> {
    return this.view(await this.integrationOf(user));
  }

  async update(user: AuthUser, dto: UpdateSlackDto): Promise<SlackIntegrationResponseDto> {
    const integration = await this.integrationOf(user);
    if (dto.statusSync === true && !hasStatusScope(integration)) throw new DomainError('SLACK_STATUS_SCOPE_MISSING');
    const kinds = (dto.notifications ?? []).map((route) => route.kind);
    const twice = kinds.find((kind, index) => kinds.indexOf(kind) !== index);
    if (twice) throw validationError([{ field: 'notifications', message: `lists ${twice} twice` }]);
    const now = this.clock.now();
    await this.db.tx(async () => {
      await this.integrations.updateSettings(user.id, { defaultChannelId: dto.defaultChannelId, statusSync: dto.statusSync }, now);
      const current = new Map((await this.integrations.routes(user.id)).map((route) => [route.kind, route]));
      for (const change of dto.notifications ?? []) {
        const route = current.get(change.kind) ?? defaultRoute(change.kind);
        await this.integrations.upsertRoute(
          user.id,
          { kind: change.kind, enabled: change.enabled ?? route.enabled, channelId: change.channelId !== undefined ? change.channelId : route.channelId },
          now,
        );
      }
      // Status sync turned on (set it now, plan the next meetings) or off (clear what Calento set).
      if (dto.statusSync !== undefined && dto.statusSync !== integration.statusSync) {
        await this.status.plan({ ...integration, statusSync: dto.statusSync }, now, `settings:${now.toISOString()}`);
      }
    });
    return this.get(user);
  }

  /** Revokes the tokens at Slack (best effort: a Slack outage must not keep the user connected) and deletes the install. */
  async disconnect(user: AuthUser): Promise<void> {
    await this.revokeAndForget(await this.integrationOf(user));
  }

  private async revokeAndForget(integration: SlackIntegration): Promise<void> {
    for (const token of [this.tokens.user(integration), this.tokens.bot(integration)]) {
      if (!token) continue;
      try {
        await this.slack.client(token).auth.revoke();
      } catch (error) {
        const failure = slackFailure(error);
        if (failure.kind !== 'token') this.logger.warn({ userId: integration.userId, error: failure.code }, 'Could not revoke a Slack token');
      }
    }
    await this.integrations.deleteByUser(integration.userId);
    this.logger.log({ userId: integration.userId, teamId: integration.teamId }, 'Slack disconnected');
  }

  /** Channels the bot can post to: public ones, and private ones it was invited to; archived ones left out. */
  async channels(user: AuthUser): Promise<SlackChannelDto[]> {
    const integration = await this.integrationOf(user);
    if (integration.state !== 'active') throw new DomainError('SLACK_TOKEN_REVOKED', { reason: integration.lastError ?? 'token_revoked' });
    const client = this.slack.client(this.tokens.bot(integration));
    const channels: SlackChannelDto[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_CHANNEL_PAGES; page++) {
      let result;
      try {
        result = await client.conversations.list({ types: 'public_channel,private_channel', exclude_archived: true, limit: 200, cursor });
      } catch (error) {
        const failure = slackFailure(error);
        if (failure.kind === 'token') {
          await this.integrations.recordError(integration.id, failure.code, null, true, this.clock.now());
          throw new DomainError('SLACK_TOKEN_REVOKED', { reason: failure.code });
        }
        throw new DomainError('SLACK_UNAVAILABLE', { reason: failure.code });
      }
      for (const channel of result.channels ?? []) {
        if (!channel.id || channel.is_archived) continue;
        channels.push({ id: channel.id, name: channel.name ?? channel.id, isPrivate: channel.is_private === true, isMember: channel.is_member === true });
      }
      cursor = result.response_metadata?.next_cursor || undefined;
      if (!cursor) break;
    }
    return channels.sort((a, b) => a.name.localeCompare(b.name));
  }

  async listMessages(user: AuthUser, query: SlackMessagesQueryDto): Promise<Page<SlackMessageResponseDto>> {
    const { page, limit, offset } = pageOf(query);
    const status = query.status ?? null;
    const [data, total] = await Promise.all([
      this.messages.listForUser(user.id, status, limit, offset),
      this.messages.countForUser(user.id, status),
    ]);
    return { data: data.map(messageView), meta: { page, limit, total } };
  }

  async message(user: AuthUser, id: string): Promise<SlackMessageResponseDto> {
    const message = await this.messages.findForUser(user.id, id);
    if (!message) throw new NotFoundError('Slack message');
    return messageView(message);
  }

  private async integrationOf(user: AuthUser): Promise<SlackIntegration> {
    const integration = await this.integrations.findByUser(user.id);
    if (!integration) throw new NotFoundError('Slack integration');
    return integration;
  }

  private async view(integration: SlackIntegration): Promise<SlackIntegrationResponseDto> {
    const stored = new Map((await this.integrations.routes(integration.userId)).map((route) => [route.kind, route]));
    return {
      teamId: integration.teamId,
      teamName: integration.teamName,
      slackUserId: integration.slackUserId,
      defaultChannelId: integration.defaultChannelId,
      statusSync: integration.statusSync,
      statusSyncAvailable: hasStatusScope(integration),
      state: integration.state,
      lastError:
        integration.lastError && integration.lastErrorAt
          ? { code: integration.lastError, channelId: integration.lastErrorChannelId, at: integration.lastErrorAt }
          : null,
      notifications: SLACK_NOTIFICATION_KINDS.map((kind) => stored.get(kind) ?? defaultRoute(kind)),
      connectedAt: integration.connectedAt,
    };
  }

  private outcome(failure: string | null): string {
    const page = `${this.config.frontendUrl}/integrations/slack`;
    return failure ? `${page}?slack=error&reason=${encodeURIComponent(failure)}` : `${page}?slack=connected`;
  }
}

function hasStatusScope(integration: SlackIntegration): boolean {
  return integration.sealedUserToken !== null && USER_SCOPES.every((scope) => integration.userScopes.includes(scope));
}

function splitScopes(scopes: string | undefined): string[] {
  return (scopes ?? '').split(',').map((scope) => scope.trim()).filter(Boolean);
}

function single(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function messageView(message: SlackMessage): SlackMessageResponseDto {
  return {
    id: message.id,
    kind: message.kind,
    text: message.text,
    status: message.status,
    channelId: message.channelId,
    attempts: message.attempts,
    lastError: message.lastError,
    slackTs: message.slackTs,
    scheduledAt: message.scheduledAt,
    sentAt: message.sentAt,
    createdAt: message.createdAt,
  };
}
