import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error.js';
import { startOfDateIn } from '../../common/time/instants.js';
import { Clock } from '../../common/time/clock.js';
import { addDays, instantToWallClock } from '../../common/time/wall-clock.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { BookingLinksService } from '../bookings/booking-links.service.js';
import { formatDate, formatRange, formatTime } from '../email/email-format.js';
import { EventsService } from '../events/events.service.js';
import { UserDirectory } from '../users/user-directory.js';
import { escapeMrkdwn, fitText } from './slack-blocks.js';
import { SlackRequestsRepository } from './slack-requests.repository.js';
import { SlackRepository } from './slack.repository.js';

/** Slack's limit: a request older (or newer) than this is refused, so a captured one cannot be replayed later. */
export const MAX_REQUEST_AGE_SECONDS = 5 * 60;
/** Slack gives up after 3 s; past this budget the command answers that it is busy instead of timing out. */
const ANSWER_BUDGET_MS = 2_500;

export interface SlashCommandReply {
  response_type: 'ephemeral';
  text: string;
  blocks?: unknown[];
}

export interface SignedRequest {
  rawBody: string;
  timestamp: string | undefined;
  signature: string | undefined;
}

/** `v0=` + hex HMAC-SHA256 over `v0:<timestamp>:<raw body>` with the signing secret. */
export function slackSignature(secret: string, timestamp: string, rawBody: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/**
 * The `/calento` slash command: `today` (the day's events), `next` (the next one), `link` (booking
 * links). The request is checked before anything is read from it: the signature over the raw body in
 * constant time, the timestamp within 5 minutes, and the signature not seen before (replays are
 * refused). The answer is ephemeral (only the caller sees it) and comes within Slack's 3 seconds.
 */
@Injectable()
export class SlackCommands {
  private readonly logger = new Logger('SlackCommands');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(SlackRepository) private readonly integrations: SlackRepository,
    @Inject(SlackRequestsRepository) private readonly requests: SlackRequestsRepository,
    @Inject(UserDirectory) private readonly users: UserDirectory,
    @Inject(EventsService) private readonly events: EventsService,
    @Inject(BookingLinksService) private readonly links: BookingLinksService,
  ) {}

  async handle(request: SignedRequest): Promise<SlashCommandReply> {
    const requestAt = await this.verify(request);
    const form = new URLSearchParams(request.rawBody);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<SlashCommandReply>((resolve) => {
      timer = setTimeout(() => resolve(reply('Calento is busy right now; try again in a moment.')), ANSWER_BUDGET_MS);
    });
    try {
      return await Promise.race([this.answer(form), late]);
    } finally {
      clearTimeout(timer);
      // Signatures older than the freshness window can no longer be replayed: forget them.
      await this.requests.forgetSignaturesBefore(new Date(requestAt.getTime() - 2 * MAX_REQUEST_AGE_SECONDS * 1000)).catch(() => undefined);
    }
  }

  /** Refuses a missing or wrong signature, a stale timestamp and a replay; returns the request's time. */
  private async verify({ rawBody, timestamp, signature }: SignedRequest): Promise<Date> {
    const secret = this.config.slack.signingSecret;
    if (!secret || !timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) throw new DomainError('SLACK_SIGNATURE_INVALID');
    const expected = Buffer.from(slackSignature(secret, timestamp, rawBody), 'utf8');
    const given = Buffer.from(signature, 'utf8');
    // timingSafeEqual needs equal lengths; the length of a valid signature is no secret.
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new DomainError('SLACK_SIGNATURE_INVALID');
    const nowSeconds = Math.floor(this.clock.now().getTime() / 1000);
    if (Math.abs(nowSeconds - Number(timestamp)) > MAX_REQUEST_AGE_SECONDS) throw new DomainError('SLACK_REQUEST_STALE');
    const requestAt = new Date(Number(timestamp) * 1000);
    if (!(await this.requests.rememberSignature(createHash('sha256').update(signature).digest(), requestAt))) {
      throw new DomainError('SLACK_REQUEST_REPLAYED');
    }
    return requestAt;
  }

  private async answer(form: URLSearchParams): Promise<SlashCommandReply> {
    const teamId = form.get('team_id') ?? '';
    const slackUserId = form.get('user_id') ?? '';
    const [word] = (form.get('text') ?? '').trim().toLowerCase().split(/\s+/);
    const integration = teamId && slackUserId ? await this.integrations.findBySlackUser(teamId, slackUserId) : null;
    const user = integration ? await this.users.findById(integration.userId) : null;
    if (!user) return reply(`Your Slack account is not connected to Calento yet. Connect it in Calento: ${this.config.frontendUrl}/integrations/slack`);
    const me = { id: user.id, email: user.email, timezone: user.timezone };
    this.logger.log({ userId: user.id, command: word || 'help' }, 'Slash command');
    switch (word) {
      case 'today':
        return this.today(me);
      case 'next':
        return this.next(me);
      case 'link':
        return this.bookingLinks(me);
      default:
        return reply('Usage: `/calento today` (your events today), `/calento next` (your next event), `/calento link` (your booking links).');
    }
  }

  private async today(user: { id: string; email: string; timezone: string }): Promise<SlashCommandReply> {
    const localDate = instantToWallClock(this.clock.now(), user.timezone).slice(0, 10);
    const from = startOfDateIn(localDate, user.timezone);
    const to = startOfDateIn(addDays(localDate, 1), user.timezone);
    const items = (await this.events.window(user, { from, to })).filter(
      (item) => item.event.status !== 'cancelled' && item.myResponse !== 'declined',
    );
    const day = formatDate(from, user.timezone);
    if (items.length === 0) return reply(`Nothing on your calendar today (${day}).`);
    const lines = items.map((item) =>
      item.event.isAllDay
        ? `• all day — *${escapeMrkdwn(item.event.title)}*`
        : `• ${formatTime(item.event.startTime, user.timezone)}–${formatTime(item.event.endTime, user.timezone)} *${escapeMrkdwn(item.event.title)}*`,
    );
    const text = `Today (${day}, ${user.timezone}):\n${lines.join('\n')}`;
    return { response_type: 'ephemeral', text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: fitText(text) } }] };
  }

  private async next(user: { id: string; email: string; timezone: string }): Promise<SlashCommandReply> {
    const [event] = (await this.events.upcoming(user, 5)).filter((item) => item.status !== 'cancelled');
    if (!event) return reply('Nothing coming up on your calendar.');
    const when = formatRange(event.startTime, event.endTime, user.timezone);
    const text = `Next: *${escapeMrkdwn(event.title)}* — ${escapeMrkdwn(when)}${event.location ? `\n:round_pushpin: ${escapeMrkdwn(event.location)}` : ''}`;
    return { response_type: 'ephemeral', text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }

  private async bookingLinks(user: { id: string; email: string; timezone: string }): Promise<SlashCommandReply> {
    const links = (await this.links.list(user, { page: 1, limit: 20 })).data.filter((link) => link.isActive);
    if (links.length === 0) return reply('You have no active booking links. Create one in Calento.');
    const text = `Your booking links:\n${links.map((link) => `• ${escapeMrkdwn(link.title)}: ${link.bookingUrl}`).join('\n')}`;
    return { response_type: 'ephemeral', text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
}

function reply(text: string): SlashCommandReply {
  return { response_type: 'ephemeral', text };
}
