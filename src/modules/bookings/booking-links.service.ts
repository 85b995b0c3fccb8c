import { Inject, Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { Database } from '../../db/database.js';
import { luxonZone } from '../../common/time/wall-clock.js';
import type { AuthUser } from '../../common/auth/current-user.decorator.js';
import { NotFoundError } from '../../common/errors/domain-error.js';
import { pageOf, type Page, type PageQueryDto } from '../../common/http/pagination.js';
import { requireWindow } from '../../common/http/window.js';
import { Clock } from '../../common/time/clock.js';
import { MAX_WINDOW_DAYS } from '../availability/availability.service.js';
import { UserDirectory } from '../users/user-directory.js';
import { BookingLinksRepository } from './booking-links.repository.js';
import { BookingSlots, type Host } from './booking-slots.js';
import type { BookingLink, BookingLinkWrite } from './bookings.rows.js';
import type {
  BookingLinkResponseDto,
  CreateBookingLinkDto,
  PublicBookingLinkResponseDto,
  SlotsQueryDto,
  SlotsResponseDto,
  UpdateBookingLinkDto,
} from './dto/booking-link.dto.js';

@Injectable()
export class BookingLinksService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Database) private readonly db: Database,
    @Inject(BookingLinksRepository) private readonly links: BookingLinksRepository,
    @Inject(UserDirectory) private readonly users: UserDirectory,
    @Inject(BookingSlots) private readonly slotsQuery: BookingSlots,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async create(user: AuthUser, dto: CreateBookingLinkDto): Promise<BookingLinkResponseDto> {
    return this.view(await this.links.create(user.id, this.write(dto, null)));
  }

  async list(user: AuthUser, query: PageQueryDto): Promise<Page<BookingLinkResponseDto>> {
    const { page, limit, offset } = pageOf(query);
    const { items, total } = await this.links.list(user.id, limit, offset);
    return { data: items.map((link) => this.view(link)), meta: { page, limit, total } };
  }

  async update(user: AuthUser, id: string, dto: UpdateBookingLinkDto): Promise<BookingLinkResponseDto> {
    // Concurrent PATCHes of different fields each merge into the link as the one before left it.
    const updated = await this.db.tx(async () => {
      const current = await this.links.getForUpdate(user.id, id);
      return this.links.update(user.id, id, this.write(dto, current));
    });
    return this.view(updated);
  }

  async remove(user: AuthUser, id: string): Promise<void> {
    await this.links.remove(user.id, id);
  }

  /** An active link and its host, by slug; unknown and inactive links are both 404. */
  async resolve(slug: string): Promise<{ link: BookingLink; host: Host }> {
    const link = await this.links.findActiveBySlug(slug.toLowerCase());
    const user = link ? await this.users.findById(link.userId) : null;
    if (!link || !user) throw new NotFoundError('booking link');
    return { link, host: { id: user.id, name: user.name, email: user.email, timezone: user.timezone } };
  }

  async publicDetails(slug: string): Promise<PublicBookingLinkResponseDto> {
    const { link, host } = await this.resolve(slug);
    return {
      slug: link.slug,
      title: link.title,
      description: link.description,
      durationMinutes: link.durationMinutes,
      location: link.location,
      hostName: host.name,
      hostTimezone: host.timezone,
      bookingWindowDays: link.bookingWindowDays,
    };
  }

  /** Free slots of a link in a window, with each start also shown in the booker's zone. */
  async slots(slug: string, query: SlotsQueryDto): Promise<SlotsResponseDto> {
    const window = requireWindow(query.from, query.to, { maxDays: MAX_WINDOW_DAYS });
    const { link, host } = await this.resolve(slug);
    return this.slotsOf(link, host, window, query.timezone, null);
  }

  /**
   * The slots of `link` in a window, shown in `timezone` (default the host's). For a booking being moved
   * (`move`), its own time, buffers and place in the day and week limits do not count, the slots have its
   * length, and its current start is left out.
   */
  async slotsOf(
    link: BookingLink,
    host: Host,
    window: { from: Date; to: Date },
    timezone: string | undefined,
    move: { bookingId: string; eventId: string | null; start: Date; durationMinutes: number } | null,
  ): Promise<SlotsResponseDto> {
    const zone = timezone ?? host.timezone;
    const localZone = luxonZone(zone);
    const duration = move?.durationMinutes ?? link.durationMinutes;
    const free = await this.slotsQuery.free(link, host, window, this.clock.now(), move, duration);
    const slots = move ? free.filter((slot) => slot.start.getTime() !== move.start.getTime()) : free;
    return {
      timezone: zone,
      durationMinutes: duration,
      slots: slots.map((slot) => {
        const local = DateTime.fromJSDate(slot.start, { zone: localZone });
        return { start: slot.start, end: slot.end, localDate: local.toISODate() as string, localTime: local.toFormat('HH:mm') };
      }),
    };
  }

  bookingUrl(slug: string): string {
    return `${this.config.appBaseUrl}/book/${slug}`;
  }

  private view(link: BookingLink): BookingLinkResponseDto {
    const { userId: _owner, ...rest } = link;
    return { ...rest, bookingUrl: this.bookingUrl(link.slug) };
  }

  /** The full column set from a create (current = null) or a partial update merged onto the link. */
  private write(dto: UpdateBookingLinkDto, current: BookingLink | null): BookingLinkWrite {
    const pick = <K extends keyof BookingLinkWrite>(key: K, fallback: BookingLinkWrite[K]): BookingLinkWrite[K] =>
      (dto as Partial<BookingLinkWrite>)[key] !== undefined ? ((dto as Partial<BookingLinkWrite>)[key] as BookingLinkWrite[K]) : current ? current[key] : fallback;
    return {
      slug: pick('slug', ''),
      title: pick('title', ''),
      description: pick('description', null),
      durationMinutes: pick('durationMinutes', 30),
      isActive: pick('isActive', true),
      location: pick('location', null),
      meetingUrl: pick('meetingUrl', null),
      bufferBeforeMinutes: pick('bufferBeforeMinutes', 0),
      bufferAfterMinutes: pick('bufferAfterMinutes', 0),
      slotIntervalMinutes: pick('slotIntervalMinutes', null),
      minimumNoticeMinutes: pick('minimumNoticeMinutes', 0),
      bookingWindowDays: pick('bookingWindowDays', 60),
      maxBookingsPerDay: pick('maxBookingsPerDay', null),
      maxBookingsPerWeek: pick('maxBookingsPerWeek', null),
    };
  }
}
