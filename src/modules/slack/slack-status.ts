import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/time/clock.js';
import { EventsService } from '../events/events.service.js';
import { JobHandlerProvider, PermanentJobError, type JobContext, type JobHandler } from '../jobs/job-handler.js';
import { JobsService } from '../jobs/jobs.service.js';
import { UserDirectory } from '../users/user-directory.js';
import { SlackApi, slackFailure } from './slack-api.js';
import { busyStatus } from './slack-blocks.js';
import { SlackTokens } from './slack-tokens.js';
import { SlackRepository } from './slack.repository.js';
import type { SlackIntegration } from './slack.rows.js';

export const SLACK_STATUS_JOB = 'slack.status';
/** Boundaries (starts and ends of busy time) this far ahead get a status job at their exact instant. */
export const STATUS_LOOKAHEAD_MS = 15 * 60_000;

export interface SlackStatusPayload {
  userId: string;
}

/**
 * Plans status updates: one `slack.status` job now, and one at each start and end of the user's busy time
 * within STATUS_LOOKAHEAD_MS (longer than the tick period, so consecutive ticks overlap). Dedupe keys name
 * the user and the instant (`slack.status:<user>:<instant>`), so planning again queues nothing new.
 */
@Injectable()
export class SlackStatusPlanner {
  constructor(
    @Inject(EventsService) private readonly events: EventsService,
    @Inject(UserDirectory) private readonly users: UserDirectory,
    @Inject(JobsService) private readonly jobs: JobsService,
  ) {}

  /** `nowKey` tells this plan's immediate job apart (a tick period, a change's seq). Returns the jobs queued. */
  async plan(integration: SlackIntegration, now: Date, nowKey: string): Promise<number> {
    let queued = 0;
    const enqueue = async (at: Date, key: string) => {
      const id = await this.jobs.enqueue<SlackStatusPayload>(SLACK_STATUS_JOB, { userId: integration.userId }, {
        runAt: at,
        dedupeKey: `${SLACK_STATUS_JOB}:${integration.userId}:${key}`,
        userId: integration.userId,
      });
      if (id) queued += 1;
    };
    await enqueue(now, nowKey);
    if (!integration.statusSync) return queued;
    const user = await this.users.findById(integration.userId);
    if (!user) return queued;
    const until = new Date(now.getTime() + STATUS_LOOKAHEAD_MS);
    const blocks = await this.events.busy({ id: user.id, email: user.email, timezone: user.timezone }, { from: now, to: until });
    const boundaries = new Set<number>();
    for (const block of blocks) {
      for (const instant of [block.start, block.end]) if (instant > now && instant < until) boundaries.add(instant.getTime());
    }
    for (const at of [...boundaries].sort()) await enqueue(new Date(at), new Date(at).toISOString());
    return queued;
  }
}

/**
 * Makes the Slack status match the calendar now: "In a meeting until 15:00" (expiring at the end, with
 * a calendar emoji) while a busy event runs, cleared once none does. Idempotent: the status Calento set
 * is remembered (`<event id>@<end>`), so a second run changes nothing, and a cleared status is cleared
 * once. Turning status sync off clears what Calento set.
 */
@JobHandlerProvider()
@Injectable()
export class SlackStatusHandler implements JobHandler<SlackStatusPayload> {
  readonly kind = SLACK_STATUS_JOB;
  readonly maxAttempts = 5;
  private readonly logger = new Logger('SlackStatus');

  constructor(
    @Inject(SlackRepository) private readonly integrations: SlackRepository,
    @Inject(SlackTokens) private readonly tokens: SlackTokens,
    @Inject(SlackApi) private readonly slack: SlackApi,
    @Inject(EventsService) private readonly events: EventsService,
    @Inject(UserDirectory) private readonly users: UserDirectory,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async run(payload: SlackStatusPayload, context: JobContext): Promise<void> {
    const integration = await this.integrations.findByUser(payload.userId);
    const user = await this.users.findById(payload.userId);
    if (!integration || !user || integration.state !== 'active') return;
    const token = this.tokens.user(integration);
    if (!token) return;
    const now = this.clock.now();
    let wanted: { key: string; text: string; end: Date } | null = null;
    if (integration.statusSync) {
      const blocks = await this.events.busy({ id: user.id, email: user.email, timezone: user.timezone }, { from: now, to: new Date(now.getTime() + 1) });
      const current = blocks.filter((block) => block.start <= now && block.end > now).sort((a, b) => b.end.getTime() - a.end.getTime())[0];
      if (current) wanted = { key: `${current.id}@${current.end.toISOString()}`, text: busyStatus(current.end, user.timezone), end: current.end };
    }
    const next = wanted?.key ?? null;
    if (next === integration.profileStatusKey) return;
    // Claim the change first: of two jobs racing, the one that loses sees the key moved and stops.
    if (!(await this.integrations.swapProfileStatusKey(integration.id, integration.profileStatusKey, next))) return;
    const profile = wanted
      ? { status_text: wanted.text, status_emoji: ':calendar:', status_expiration: Math.floor(wanted.end.getTime() / 1000) }
      : { status_text: '', status_emoji: '', status_expiration: 0 };
    try {
      await this.slack.withRateLimit(() => this.slack.client(token).users.profile.set({ profile }), context.signal);
    } catch (error) {
      // Not done: give the claim back, so the retry (or the next job) tries again.
      await this.integrations.swapProfileStatusKey(integration.id, next, integration.profileStatusKey);
      const failure = slackFailure(error);
      if (failure.kind === 'transient') throw new Error(failure.code);
      if (failure.kind === 'token') await this.integrations.recordError(integration.id, failure.code, null, true, this.clock.now());
      this.logger.warn({ userId: payload.userId, error: failure.code }, 'Slack refused a status update');
      throw new PermanentJobError(failure.code);
    }
  }
}
