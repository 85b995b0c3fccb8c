import { apiPath } from '../../common/http/api-prefix.js';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import type { AuthUser } from '../../common/auth/current-user.decorator.js';
import { hashToken, newOpaqueToken } from '../../common/auth/tokens.js';
import { NotFoundError } from '../../common/errors/domain-error.js';
import { Clock } from '../../common/time/clock.js';
import { veventsOf } from '../events/event-calendar.js';
import type { EventRecord } from '../events/events.rows.js';
import { EventsService } from '../events/events.service.js';
import { buildCalendar } from '../../engines/ical/calendar-writer.js';
import { FeedRepository } from './feed.repository.js';
import type { FeedCreatedDto, FeedStatusDto } from './dto/ics.dto.js';

/** How far back the feed reaches: events (and series) that ended earlier are left out. */
export const FEED_PAST_DAYS = 90;
/** How often subscribers are asked to refresh, and how long responses may be cached. */
export const FEED_REFRESH_MINUTES = 60;

const DAY_MS = 86_400_000;
// newOpaqueToken(): 32 random bytes in base64url.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const FEED_PATH = apiPath('calendar', 'feed');

/** The secret subscription feed and single-event export, as iCalendar text. */
@Injectable()
export class IcsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(FeedRepository) private readonly feeds: FeedRepository,
    @Inject(EventsService) private readonly eventsService: EventsService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** A new secret URL; any earlier one stops working. The token is returned here and never again. */
  async createFeed(user: AuthUser): Promise<FeedCreatedDto> {
    const token = newOpaqueToken();
    await this.feeds.upsert(user.id, hashToken(token));
    return { url: `${this.config.appBaseUrl}${FEED_PATH}/${token}.ics`, token };
  }

  async feedStatus(user: AuthUser): Promise<FeedStatusDto> {
    const feed = await this.feeds.find(user.id);
    return { exists: feed !== null, createdAt: feed?.createdAt ?? null };
  }

  async revokeFeed(user: AuthUser): Promise<void> {
    if (!(await this.feeds.remove(user.id))) throw new NotFoundError('feed');
  }

  /** The calendar behind a feed token: the owner's events from FEED_PAST_DAYS ago on, series unexpanded. */
  async feed(token: string): Promise<string> {
    const owner = TOKEN_SHAPE.test(token) ? await this.feeds.findOwner(hashToken(token)) : null;
    if (!owner) throw new NotFoundError('feed');
    const now = this.clock.now();
    const events = await this.eventsService.ownSince(owner.userId, new Date(now.getTime() - FEED_PAST_DAYS * DAY_MS));
    return buildCalendar(
      veventsOf(events),
      { name: `Calento (${owner.name})`, timezone: owner.timezone, refreshMinutes: FEED_REFRESH_MINUTES },
      now,
    );
  }

  /** One event, or the whole series an occurrence belongs to, for the owner or an attendee. */
  async eventCalendar(user: AuthUser, id: string): Promise<{ filename: string; body: string }> {
    const found = await this.eventsService.visible(user, id);
    const master = found.event.seriesId ? (await this.eventsService.visible(user, found.event.seriesId)).event : found.event;
    const overrides: EventRecord[] = master.recurrenceRule ? await this.eventsService.overridesOf([master.id]) : [];
    return { filename: `${slug(master.title)}.ics`, body: buildCalendar(veventsOf([master, ...overrides]), {}, this.clock.now()) };
  }
}

/** A file name safe in any header: ASCII letters, digits and dashes. */
function slug(title: string): string {
  const ascii = title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase()
    .slice(0, 60)
    .replace(/-+$/, '');
  return ascii || 'event';
}
