import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { JobsService } from '../jobs/jobs.service.js';
import type { SlackContent } from './slack-blocks.js';
import { SlackMessagesRepository } from './slack-messages.repository.js';
import { SlackRepository } from './slack.repository.js';
import type { SlackIntegration, SlackNotificationKind, SlackRoute } from './slack.rows.js';

export const SLACK_SEND_JOB = 'slack.send';

export interface SlackSendPayload {
  messageId: string;
}

/** Off by default: the daily summary is opt-in. */
const DEFAULT_OFF: readonly SlackNotificationKind[] = ['daily_summary'];

export function defaultRoute(kind: SlackNotificationKind): SlackRoute {
  return { kind, enabled: !DEFAULT_OFF.includes(kind), channelId: null };
}

/**
 * Queues Slack messages: a slack_messages row and its slack.send job, written together (inside the
 * caller's transaction when there is one: a change feed subscriber's, so the message exists exactly when
 * the change commits). Nothing is queued for a user without an active install or with the kind turned
 * off; the send job checks both again, as they may change before it runs.
 */
@Injectable()
export class SlackNotifier {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(SlackRepository) private readonly integrations: SlackRepository,
    @Inject(SlackMessagesRepository) private readonly messages: SlackMessagesRepository,
    @Inject(JobsService) private readonly jobs: JobsService,
  ) {}

  /** The user's active install when `kind` is on for them; null otherwise. */
  async wants(userId: string, kind: SlackNotificationKind): Promise<SlackIntegration | null> {
    const integration = await this.integrations.findByUser(userId);
    if (!integration || integration.state !== 'active') return null;
    const route = (await this.integrations.route(userId, kind)) ?? defaultRoute(kind);
    return route.enabled ? integration : null;
  }

  /** Returns the message id, or null when the dedupe key was used already or the user does not want it. */
  async enqueue(
    userId: string,
    kind: SlackNotificationKind,
    content: SlackContent,
    options: { dedupeKey: string; sendAt?: Date | null },
  ): Promise<string | null> {
    if (!(await this.wants(userId, kind))) return null;
    const write = async (): Promise<string | null> => {
      const id = randomUUID();
      const jobId = await this.jobs.enqueue<SlackSendPayload>(SLACK_SEND_JOB, { messageId: id }, {
        runAt: options.sendAt ?? null,
        dedupeKey: options.dedupeKey,
        userId,
      });
      if (!jobId) return null;
      await this.messages.insert({ id, userId, jobId, kind, text: content.text, blocks: content.blocks, scheduledAt: options.sendAt ?? null });
      return id;
    };
    return this.db.inTransaction ? write() : this.db.tx(write);
  }

  /** Cancels a queued message (a reminder of a moved event); its row becomes cancelled. */
  cancel(dedupeKey: string): Promise<number> {
    return this.jobs.cancel(dedupeKey);
  }

  queuedKeys(prefix: string, dueBefore: Date | null = null, userId: string | null = null): Promise<string[]> {
    return this.jobs.queuedDedupeKeys(prefix, dueBefore, userId);
  }
}
