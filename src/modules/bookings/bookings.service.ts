import { createHash, createHmac, randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { Database } from '../../db/database.js';
import type { AuthUser } from '../../common/auth/current-user.decorator.js';
import { DomainError, NotFoundError } from '../../common/errors/domain-error.js';
import { hashToken } from '../../common/auth/tokens.js';
import { pageOf, type Page } from '../../common/http/pagination.js';
import { optionalWindow, requireWindow } from '../../common/http/window.js';
import { parseInstant } from '../../common/time/instants.js';
import { Clock } from '../../common/time/clock.js';
import { MAX_WINDOW_DAYS } from '../availability/availability.service.js';
import { BusySources } from '../availability/busy-sources.js';
import { uidOf } from '../../engines/ical/calendar-writer.js';
import type { SlotRejection } from '../../engines/slots/slots.engine.js';
import { ChangeFeed } from '../changes/change-feed.service.js';
import type { DepartedUser } from '../changes/changes.rows.js';
import { toWrite } from '../events/events.rows.js';
import { EventsService } from '../events/events.service.js';
import { EventsWriter } from '../events/events.writer.js';
import { UserDirectory } from '../users/user-directory.js';
import { bookingPayload, type BookingChangeData, type BookingChangeKind } from './booking-changes.js';
import { BookingLinksRepository } from './booking-links.repository.js';
import { BookingLinksService } from './booking-links.service.js';
import { BookingSlots, type Host } from './booking-slots.js';
import { BookingsRepository, IdempotencyKeyUsed } from './bookings.repository.js';
import type { Booking, BookingLink } from './bookings.rows.js';
import type { SlotsQueryDto, SlotsResponseDto } from './dto/booking-link.dto.js';
import type { BookingResponseDto, CreateBookingDto, CreatedBookingDto, ListBookingsQueryDto, ManagedBookingDto } from './dto/booking.dto.js';

/** Why a start cannot be booked, as the booker hears it. */
const rejections: Record<SlotRejection, 'BOOKING_SLOT_TAKEN' | 'BOOKING_LIMIT_REACHED' | 'SLOT_NOT_OFFERED'> = {
  BUSY: 'BOOKING_SLOT_TAKEN',
  DAY_LIMIT: 'BOOKING_LIMIT_REACHED',
  WEEK_LIMIT: 'BOOKING_LIMIT_REACHED',
  OUTSIDE_HOURS: 'SLOT_NOT_OFFERED',
  NOT_ON_GRID: 'SLOT_NOT_OFFERED',
  NOTICE: 'SLOT_NOT_OFFERED',
  WINDOW: 'SLOT_NOT_OFFERED',
};

const reasonText: Record<SlotRejection, string> = {
  BUSY: 'the host is busy then',
  DAY_LIMIT: 'the day is fully booked',
  WEEK_LIMIT: 'the week is fully booked',
  OUTSIDE_HOURS: "it is outside the host's hours",
  NOT_ON_GRID: 'it is not one of the offered start times',
  NOTICE: 'it is too soon',
  WINDOW: 'it is too far ahead',
};

export interface CreateResult {
  booking: CreatedBookingDto;
  replayed: boolean;
}

/**
 * Bookings: created from a public link, managed by the booker with a secret token, or by the host.
 * Every write re-checks the slot inside one transaction that holds a per-host advisory lock (so buffers
 * and day/week limits hold under concurrency), and PostgreSQL's exclusion constraint makes overlapping
 * confirmed bookings impossible whatever happens. The host's event and the emails commit with it.
 */
@Injectable()
export class BookingsService implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Database) private readonly db: Database,
    @Inject(BookingsRepository) private readonly bookings: BookingsRepository,
    @Inject(BookingLinksRepository) private readonly links: BookingLinksRepository,
    @Inject(BookingLinksService) private readonly linkService: BookingLinksService,
    @Inject(BookingSlots) private readonly slots: BookingSlots,
    @Inject(BusySources) private readonly busySources: BusySources,
    @Inject(EventsService) private readonly events: EventsService,
    @Inject(EventsWriter) private readonly eventsWriter: EventsWriter,
    @Inject(UserDirectory) private readonly users: UserDirectory,
    @Inject(ChangeFeed) private readonly feed: ChangeFeed,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    // Confirmed bookings are busy time even if their calendar event was deleted by hand.
    this.busySources.register({
      name: 'booking',
      busy: async (userId, window) =>
        (await this.bookings.confirmedForHost(userId, window.from, window.to)).map((booking) => ({
          start: booking.start,
          end: booking.end,
          source: 'booking',
          id: booking.id,
        })),
    });
  }

  async create(dto: CreateBookingDto, idempotencyKey: string | null): Promise<CreateResult> {
    const { link, host } = await this.linkService.resolve(dto.slug);
    const fingerprint = idempotencyKey ? fingerprintOf(dto) : null;
    if (idempotencyKey) {
      const previous = await this.bookings.findByIdempotencyKey(link.id, idempotencyKey);
      if (previous) return this.replay(previous, link, host, fingerprint);
    }
    const start = parseInstant(dto.start);
    const end = new Date(start.getTime() + link.durationMinutes * 60_000);
    const id = randomUUID();
    try {
      const outcome = await this.db.tx<{ previous: Booking } | { created: Booking }>(async () => {
        await this.lockHost(host.id);
        // The host may have deleted their account (or the link) while we queued on the lock.
        if (!(await this.links.find(host.id, link.id))?.isActive) throw new NotFoundError('booking link');
        // A request with the same key that held the lock before us has committed by now: its booking is
        // the answer (a replay, or 422 for another body), not the 409 its slot would give.
        const previous = idempotencyKey ? await this.bookings.findByIdempotencyKey(link.id, idempotencyKey) : null;
        if (previous) return { previous };
        await this.ensureBookable(link, host, start, null);
        const eventId = await this.createHostEvent(link, host, dto, start, end);
        const created = await this.bookings.insert({
          id,
          hostId: host.id,
          bookingLinkId: link.id,
          linkTitle: link.title,
          eventId,
          icalUid: uidOf({ id: eventId }),
          startTime: start,
          endTime: end,
          bookerName: dto.name,
          bookerEmail: dto.email,
          bookerPhone: dto.phone ?? null,
          bookerTimezone: dto.timezone,
          notes: dto.notes ?? null,
          manageTokenHash: hashToken(this.manageToken(id)),
          idempotencyKey,
          idempotencyFingerprint: fingerprint,
        });
        await this.appendChange('booking.created', created, link);
        return { created };
      });
      if ('previous' in outcome) return this.replay(outcome.previous, link, host, fingerprint);
      return { booking: this.created(outcome.created, link, host), replayed: false };
    } catch (error) {
      // The same key raced us and won: answer with its booking.
      if (error instanceof IdempotencyKeyUsed && idempotencyKey) {
        const winner = await this.bookings.findByIdempotencyKey(link.id, idempotencyKey);
        if (winner) return this.replay(winner, link, host, fingerprint);
      }
      throw error;
    }
  }

  async getManaged(token: string): Promise<ManagedBookingDto> {
    const booking = await this.byToken(token);
    return this.managed(booking, await this.contextOf(booking));
  }

  async cancelManaged(token: string, reason: string | null): Promise<ManagedBookingDto> {
    const booking = await this.byToken(token);
    return this.managed(await this.cancel(booking, 'booker', reason), await this.contextOf(booking));
  }

  async rescheduleManaged(token: string, start: string): Promise<ManagedBookingDto> {
    const booking = await this.byToken(token);
    return this.managed(await this.reschedule(booking, parseInstant(start)), await this.contextOf(booking));
  }

  /** The times the booking can move to, for its booker's page: other slots of its link, in its own length. */
  async moveSlotsManaged(token: string, query: SlotsQueryDto): Promise<SlotsResponseDto> {
    const window = requireWindow(query.from, query.to, { maxDays: MAX_WINDOW_DAYS });
    const booking = await this.byToken(token);
    if (booking.status === 'cancelled') throw new DomainError('BOOKING_CANCELLED');
    const { link, host } = await this.contextOf(booking);
    if (!link || !link.isActive) throw new DomainError('BOOKING_LINK_GONE');
    return this.linkService.slotsOf(link, host, window, query.timezone, {
      bookingId: booking.id,
      eventId: booking.eventId,
      start: booking.startTime,
      durationMinutes: lengthMinutes(booking),
    });
  }

  async listForHost(user: AuthUser, query: ListBookingsQueryDto): Promise<Page<BookingResponseDto>> {
    const { page, limit, offset } = pageOf(query);
    const { items, total } = await this.bookings.listForHost(
      user.id,
      { status: query.status, ...optionalWindow(query.from, query.to) },
      limit,
      offset,
    );
    return { data: items.map(hostView), meta: { page, limit, total } };
  }

  async getForHost(user: AuthUser, id: string): Promise<BookingResponseDto> {
    return hostView(await this.bookings.getForHost(user.id, id));
  }

  async cancelForHost(user: AuthUser, id: string, reason: string | null): Promise<BookingResponseDto> {
    return hostView(await this.cancel(await this.bookings.getForHost(user.id, id), 'host', reason));
  }

  async rescheduleForHost(user: AuthUser, id: string, start: string): Promise<BookingResponseDto> {
    return hostView(await this.reschedule(await this.bookings.getForHost(user.id, id), parseInstant(start)));
  }

  /**
   * The host's account is being deleted (in the caller's transaction): each booking still to come is
   * cancelled by the host with `reason`, so the booker gets the usual cancellation before the booking
   * goes with the account. Returns how many were cancelled.
   */
  async cancelForDepartedHost(hostId: string, host: DepartedUser, reason: string): Promise<number> {
    if (!this.db.inTransaction) throw new Error('Bookings are cancelled for a departing host inside the deletion transaction');
    // Bookings being made now wait until the account is gone (then find no link), or finish first and
    // are cancelled here: none may commit between this list and the delete, unmailed and cascaded away.
    await this.lockHost(hostId);
    const ids = await this.bookings.upcomingConfirmedIds(hostId, this.clock.now());
    for (const id of ids) await this.cancel(await this.bookings.getForHost(hostId, id), 'host', reason, host);
    return ids.length;
  }

  /** The booker's secret: derived from the booking id with the server key, so a replay can repeat it. */
  manageToken(bookingId: string): string {
    return createHmac('sha256', this.config.jwtSecret).update(`booking-manage:${bookingId}`).digest('base64url');
  }

  private async cancel(booking: Booking, by: 'host' | 'booker', reason: string | null, departedHost?: DepartedUser): Promise<Booking> {
    if (booking.status === 'cancelled') throw new DomainError('BOOKING_CANCELLED');
    const { link } = await this.contextOf(booking);
    return this.db.tx(async () => {
      const current = await this.bookings.getForHost(booking.hostId, booking.id, true);
      if (current.status === 'cancelled') throw new DomainError('BOOKING_CANCELLED');
      const cancelled = await this.bookings.cancel(booking.id, by, reason);
      if (current.eventId) {
        const event = await this.events.findOwned(booking.hostId, current.eventId);
        if (event) await this.eventsWriter.update(booking.hostId, event, { ...toWrite(event), status: 'cancelled' }, { origin: 'booking' });
      }
      await this.appendChange('booking.cancelled', cancelled, link, undefined, departedHost);
      return cancelled;
    });
  }

  private async reschedule(booking: Booking, start: Date): Promise<Booking> {
    if (booking.status === 'cancelled') throw new DomainError('BOOKING_CANCELLED');
    // Already there: nothing moves, so no change is recorded and nobody is mailed that it moved (nor
    // does the invitation's SEQUENCE go up). Before the link and slot checks, which are about new times.
    if (booking.startTime.getTime() === start.getTime()) return booking;
    const { link, host } = await this.contextOf(booking);
    // A deleted or deactivated link takes no new times, moved bookings included (cancelling still works).
    if (!link || !link.isActive) throw new DomainError('BOOKING_LINK_GONE');
    const end = new Date(start.getTime() + lengthMinutes(booking) * 60_000);
    return this.db.tx(async () => {
      await this.lockHost(host.id);
      const current = await this.bookings.getForHost(booking.hostId, booking.id, true);
      if (current.status === 'cancelled') throw new DomainError('BOOKING_CANCELLED');
      // The same move sent twice at once (a retry, a double click): the first moved it, the rest find it there.
      if (current.startTime.getTime() === start.getTime()) return current;
      await this.ensureBookable(link, host, start, { bookingId: current.id, eventId: current.eventId }, lengthMinutes(current));
      // Updating the row in place frees the old slot in the same transaction.
      const moved = await this.bookings.reschedule(current.id, start, end);
      if (current.eventId) {
        const event = await this.events.findOwned(booking.hostId, current.eventId);
        if (event) await this.eventsWriter.update(booking.hostId, event, { ...toWrite(event), startTime: start, endTime: end }, { origin: 'booking' });
      }
      await this.appendChange('booking.rescheduled', moved, link, {
        startTime: current.startTime.toISOString(),
        endTime: current.endTime.toISOString(),
      });
      return moved;
    });
  }

  /** Serializes booking writes per host (buffers and limits are checked against committed data). */
  private async lockHost(hostId: string): Promise<void> {
    await this.db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`booking-host:${hostId}`]);
  }

  private async ensureBookable(
    link: BookingLink,
    host: Host,
    start: Date,
    exclude: { bookingId: string; eventId: string | null } | null,
    durationMinutes = link.durationMinutes,
  ) {
    const verdict = await this.slots.verdict(link, host, start, this.clock.now(), exclude, durationMinutes);
    if (!verdict.ok) {
      const code = rejections[verdict.reason];
      throw new DomainError(code, { reason: reasonText[verdict.reason] }, code === 'SLOT_NOT_OFFERED' ? [{ field: 'start', message: `is not bookable: ${reasonText[verdict.reason]}` }] : []);
    }
  }

  private async createHostEvent(link: BookingLink, host: Host, dto: CreateBookingDto, start: Date, end: Date): Promise<string> {
    const details = [`Booked by ${dto.name} <${dto.email}>`, dto.phone ? `Phone: ${dto.phone}` : null, dto.notes ? `Notes: ${dto.notes}` : null];
    const event = await this.eventsWriter.create(
      host.id,
      {
        title: `${link.title}: ${dto.name}`,
        description: details.filter(Boolean).join('\n'),
        location: link.location ?? link.meetingUrl,
        startTime: start,
        endTime: end,
        timezone: host.timezone,
        isAllDay: false,
        startDate: null,
        endDate: null,
        status: 'confirmed',
        transparency: 'busy',
        color: null,
        visibility: 'default',
        reminders: [],
        attachments: link.meetingUrl ? [{ url: link.meetingUrl, title: 'Meeting link', mimeType: 'text/html' }] : [],
        recurrenceRule: null,
        exdates: [],
        localStart: null,
        recurrenceEnd: null,
        seriesId: null,
        originalStart: null,
        icalUid: null,
      },
      { origin: 'booking', attendees: [{ email: dto.email, name: dto.name }] },
    );
    return event.id;
  }

  private async appendChange(
    kind: BookingChangeKind,
    booking: Booking,
    link: BookingLink | null,
    previous?: BookingChangeData['previous'],
    departedHost?: DepartedUser,
  ) {
    const data: BookingChangeData = { booking: bookingPayload(booking, link) };
    if (previous) data.previous = previous;
    if (departedHost) data.departedHost = departedHost;
    await this.feed.append<BookingChangeData>({
      kind,
      userId: booking.hostId,
      origin: 'booking',
      bookingId: booking.id,
      eventId: booking.eventId,
      fields: kind === 'booking.rescheduled' ? ['startTime', 'endTime'] : kind === 'booking.cancelled' ? ['status'] : [],
      data,
    });
  }

  private async replay(previous: Booking, link: BookingLink, host: Host, fingerprint: string | null): Promise<CreateResult> {
    if (previous.idempotencyFingerprint !== fingerprint) throw new DomainError('IDEMPOTENCY_KEY_REUSED');
    return { booking: this.created(previous, link, host), replayed: true };
  }

  private async byToken(token: string): Promise<Booking> {
    const booking = /^[A-Za-z0-9_-]{20,100}$/.test(token) ? await this.bookings.findByManageToken(hashToken(token)) : null;
    if (!booking) throw new NotFoundError('booking');
    return booking;
  }

  private async contextOf(booking: Booking): Promise<{ link: BookingLink | null; host: Host }> {
    const user = await this.users.findById(booking.hostId);
    if (!user) throw new NotFoundError('booking');
    const link = booking.bookingLinkId ? await this.links.find(booking.hostId, booking.bookingLinkId) : null;
    return { link, host: { id: user.id, name: user.name, email: user.email, timezone: user.timezone } };
  }

  /** The booker's page to view, reschedule or cancel (holds their secret: never logged). */
  manageUrl(bookingId: string): string {
    return `${this.config.appBaseUrl}/book/manage/${this.manageToken(bookingId)}`;
  }

  private managed(booking: Booking, context: { link: BookingLink | null; host: Host }): ManagedBookingDto {
    return {
      status: booking.status,
      startTime: booking.startTime,
      endTime: booking.endTime,
      title: booking.linkTitle,
      slug: context.link?.isActive ? context.link.slug : null,
      hostName: context.host.name,
      bookerName: booking.bookerName,
      bookerEmail: booking.bookerEmail,
      bookerTimezone: booking.bookerTimezone,
      location: context.link?.location ?? null,
      meetingUrl: context.link?.meetingUrl ?? null,
      cancelledAt: booking.cancelledAt,
    };
  }

  private created(booking: Booking, link: BookingLink, host: Host): CreatedBookingDto {
    const token = this.manageToken(booking.id);
    return {
      id: booking.id,
      ...this.managed(booking, { link, host }),
      manageToken: token,
      manageUrl: `${this.config.appBaseUrl}/book/manage/${token}`,
    };
  }
}

function hostView(booking: Booking): BookingResponseDto {
  return {
    id: booking.id,
    status: booking.status,
    startTime: booking.startTime,
    endTime: booking.endTime,
    title: booking.linkTitle,
    bookingLinkId: booking.bookingLinkId,
    eventId: booking.eventId,
    bookerName: booking.bookerName,
    bookerEmail: booking.bookerEmail,
    bookerPhone: booking.bookerPhone,
    bookerTimezone: booking.bookerTimezone,
    notes: booking.notes,
    cancelledAt: booking.cancelledAt,
    cancelledBy: booking.cancelledBy,
    cancelReason: booking.cancelReason,
    rescheduledAt: booking.rescheduledAt,
    createdAt: booking.createdAt,
  };
}

/** Same key, same request: the fingerprint of what the booker sent. */
function fingerprintOf(dto: CreateBookingDto): string {
  const fields = [dto.slug.toLowerCase(), parseInstant(dto.start).toISOString(), dto.name, dto.email, dto.phone ?? '', dto.notes ?? '', dto.timezone];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

/** A booking keeps the length it was made with, whatever its link's is now. */
function lengthMinutes(booking: Booking): number {
  return (booking.endTime.getTime() - booking.startTime.getTime()) / 60_000;
}
