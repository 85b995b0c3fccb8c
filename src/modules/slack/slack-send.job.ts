import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/time/clock.js';
import { Database } from '../../db/database.js';
import { JobHandlerProvider, PermanentJobError, type JobContext, type JobHandler, type JobOutcome } from '../jobs/job-handler.js';
import { SlackApi, slackFailure } from './slack-api.js';
import { defaultRoute, SLACK_SEND_JOB, type SlackSendPayload } from './slack-notifier.js';
import { SlackMessagesRepository } from './slack-messages.repository.js';
import { SlackTokens } from './slack-tokens.js';
import { SlackRepository } from './slack.repository.js';

/**
 * Posts one slack_messages row with chat.postMessage. Idempotent: a message already sent, cancelled or
 * skipped is left alone (the row is marked sent in the run itself, so a retry after a lost job outcome
 * does not post twice). Checked again at send time: the install is active and the kind still on, else
 * the message is skipped. Slack's answers decide what happens next:
 *
 * - channel_not_found, not_in_channel, is_archived… — recorded on the install (GET shows it), the message
 *   fails at once: no retry can fix the channel.
 * - token_revoked, invalid_auth, account_inactive… — the install is marked revoked, the message fails;
 *   later messages are skipped until the user connects again.
 * - 429 — Retry-After is waited out (SlackApi.withRateLimit); 5xx, network errors, Slack's internal
 *   errors — retried with the queue's backoff, up to maxAttempts.
 */
@JobHandlerProvider()
@Injectable()
export class SlackSendHandler implements JobHandler<SlackSendPayload> {
  readonly kind = SLACK_SEND_JOB;
  readonly maxAttempts = 10;
  private readonly logger = new Logger('SlackSend');

  constructor(
    @Inject(SlackMessagesRepository) private readonly messages: SlackMessagesRepository,
    @Inject(SlackRepository) private readonly integrations: SlackRepository,
    @Inject(SlackTokens) private readonly tokens: SlackTokens,
    @Inject(SlackApi) private readonly slack: SlackApi,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(Database) private readonly db: Database,
  ) {}

  async run(payload: SlackSendPayload, context: JobContext): Promise<void> {
    const message = await this.messages.find(payload.messageId);
    if (!message || message.status === 'sent' || message.status === 'cancelled' || message.status === 'skipped') return;
    if (message.status === 'failed') throw new PermanentJobError('The message was marked failed and is not sent again');
    const integration = await this.integrations.findByUser(message.userId);
    const skip = (reason: string) => this.messages.markOutcome(message.id, 'skipped', context.attempt, reason, null, this.clock.now());
    if (!integration) return skip('not_connected');
    if (integration.state !== 'active') return skip('token_revoked');
    const route = (await this.integrations.route(message.userId, message.kind)) ?? defaultRoute(message.kind);
    if (!route.enabled) return skip('notification_off');
    const channel = route.channelId ?? integration.defaultChannelId;
    if (!channel) return skip('no_channel');

    const client = this.slack.client(this.tokens.bot(integration));
    try {
      const result = await this.slack.withRateLimit(
        () => client.chat.postMessage({ channel, text: message.text, blocks: message.blocks as never, unfurl_links: false }),
        context.signal,
      );
      const at = this.clock.now();
      await this.messages.markSent(message.id, result.channel ?? channel, result.ts ?? '', context.attempt, at);
      await this.integrations.clearErrorFor(integration.id, channel, at);
    } catch (error) {
      const failure = slackFailure(error);
      if (failure.kind === 'transient') throw new Error(failure.code);
      const at = this.clock.now();
      // One commit: whoever sees the message failed also sees the install's error (and its revocation).
      await this.db.tx(async () => {
        await this.messages.markOutcome(message.id, 'failed', context.attempt, failure.code, channel, at);
        if (failure.kind === 'channel' || failure.kind === 'token') {
          await this.integrations.recordError(integration.id, failure.code, channel, failure.kind === 'token', at);
        }
      });
      this.logger.warn({ messageId: message.id, userId: message.userId, channel, error: failure.code }, 'Slack refused a message');
      throw new PermanentJobError(failure.code);
    }
  }

  async onOutcome(payload: SlackSendPayload, outcome: JobOutcome): Promise<void> {
    const at = this.clock.now();
    switch (outcome.state) {
      case 'succeeded':
        return;
      case 'retrying':
        return this.messages.markOutcome(payload.messageId, 'queued', outcome.attempt, outcome.error, null, at);
      case 'failed':
        return this.messages.markOutcome(payload.messageId, 'failed', outcome.attempt, outcome.error, null, at);
      case 'cancelled':
        return this.messages.markOutcome(payload.messageId, 'cancelled', null, null, null, at);
      case 'requeued':
        return this.messages.markOutcome(payload.messageId, 'queued', null, null, null, at);
    }
  }
}
