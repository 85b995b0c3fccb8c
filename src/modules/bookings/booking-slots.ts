import { Inject, Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { AvailabilityService } from '../availability/availability.service.js';
import { BusySources } from '../availability/busy-sources.js';
import { computeSlots, isSlotBookable, type Slot, type SlotQuery, type SlotVerdict } from '../../engines/slots/slots.engine.js';
import { BookingsRepository } from './bookings.repository.js';
import type { BookingLink } from './bookings.rows.js';

export interface Host {
  id: string;
  name: string;
  email: string;
  timezone: string;
}

/**
 * Gathers what the slot engine needs for one link and window: the host's weekly hours and exceptions,
 * every busy interval (events, bookings, later external calendars) around the window, each confirmed
 * booking once more widened by its own link's buffers (the free time around a booking stays free
 * whichever link the next booker uses), and the link's own confirmed bookings in the surrounding
 * host-local weeks for the day and week limits. The same query serves the public slot list and the
 * re-check inside the booking transaction.
 *
 * Both answer from in here (`free`, `verdict`) instead of handing the query to the caller. The gathering
 * spans several statements, so its promise is often old enough to have moved to V8's old generation by
 * the time it resolves, and an old promise keeps what it resolves to alive through every young
 * collection until the next full one. Resolving to the query kept each request's busy intervals, and the
 * row strings and dates under them, alive that way: on the booking page's slot route the app promoted
 * 136-157 KB per request where the bare floor promotes 42-54 (40 with this shape), and ran twice the
 * floor's full collections over a heap four times its size (bench/README.md, "Promotion").
 */
@Injectable()
export class BookingSlots {
  constructor(
    @Inject(AvailabilityService) private readonly availability: AvailabilityService,
    @Inject(BusySources) private readonly busySources: BusySources,
    @Inject(BookingsRepository) private readonly bookings: BookingsRepository,
  ) {}

  /** The free slots of `link` in `window`; for a booking being moved, `exclude` and its own length as in `verdict`. */
  free(
    link: BookingLink,
    host: Host,
    window: { from: Date; to: Date },
    now: Date,
    exclude: { bookingId: string; eventId: string | null } | null = null,
    durationMinutes = link.durationMinutes,
  ): Promise<Slot[]> {
    return this.answer(link, host, window, now, exclude, durationMinutes, computeSlots);
  }

  /**
   * Whether `start` can be booked now; `exclude` is a booking being moved (its own time is not busy), and
   * `durationMinutes` its length, which the link's may have left since (the grid stays the link's).
   */
  verdict(
    link: BookingLink,
    host: Host,
    start: Date,
    now: Date,
    exclude: { bookingId: string; eventId: string | null } | null = null,
    durationMinutes = link.durationMinutes,
  ): Promise<SlotVerdict> {
    const end = new Date(start.getTime() + durationMinutes * 60_000);
    return this.answer(link, host, { from: start, to: end }, now, exclude, durationMinutes, (query) => isSlotBookable(query, start));
  }

  /**
   * Gathers the query for slots of `durationMinutes` and returns `use(query)`: the query itself must not be
   * what a promise resolves to.
   */
  private async answer<T>(
    link: BookingLink,
    host: Host,
    window: { from: Date; to: Date },
    now: Date,
    exclude: { bookingId: string; eventId: string | null } | null,
    durationMinutes: number,
    use: (query: SlotQuery) => T,
  ): Promise<T> {
    // A slot starting at the window's end still needs its length and buffers free.
    const pad = (link.bufferBeforeMinutes + link.bufferAfterMinutes + durationMinutes) * 60_000;
    const busyWindow = { from: new Date(window.from.getTime() - pad), to: new Date(window.to.getTime() + pad) };
    const limited = link.maxBookingsPerDay !== null || link.maxBookingsPerWeek !== null;
    const weeks = {
      from: DateTime.fromJSDate(window.from, { zone: host.timezone }).startOf('week').toJSDate(),
      to: DateTime.fromJSDate(window.to, { zone: host.timezone }).endOf('week').toJSDate(),
    };
    // One after the other: inside the booking transaction they share one connection.
    const schedule = await this.availability.scheduleOf(host.id);
    const busy = [
      // Bookings come from the statement below, once, widened by their own link's buffers.
      ...(await this.busySources.busy(host.id, busyWindow, 'booking')),
      // The new slot keeps its buffers free of busy time, and each booking keeps its own buffers free.
      ...(await this.bookings.confirmedWithBuffersForHost(host.id, busyWindow.from, busyWindow.to)),
    ];
    const existing = limited ? await this.bookings.confirmedForLink(link.id, weeks.from, weeks.to, exclude?.bookingId ?? null) : [];
    return use({
      window: { start: window.from, end: window.to },
      now,
      durationMinutes,
      slotIntervalMinutes: link.slotIntervalMinutes ?? link.durationMinutes,
      bufferBeforeMinutes: link.bufferBeforeMinutes,
      bufferAfterMinutes: link.bufferAfterMinutes,
      minimumNoticeMinutes: link.minimumNoticeMinutes,
      bookingWindowDays: link.bookingWindowDays,
      hostTimezone: host.timezone,
      maxPerDay: link.maxBookingsPerDay,
      maxPerWeek: link.maxBookingsPerWeek,
      existingBookings: existing,
      // A booking being moved must not block its own new slot.
      busy: exclude ? busy.filter((interval) => interval.id !== exclude.eventId && interval.id !== exclude.bookingId) : busy,
      rules: schedule.rules,
      exceptions: schedule.exceptions,
    });
  }
}
