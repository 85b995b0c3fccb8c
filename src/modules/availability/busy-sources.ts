import { Inject, Injectable } from '@nestjs/common';
import { EventsService } from '../events/events.service.js';
import type { CalendarItem } from '../events/event-views.js';
import { UserDirectory } from '../users/user-directory.js';

/** A time a user cannot be booked, from one source, with what it came from. */
export interface BusyInterval {
  start: Date;
  end: Date;
  /** 'event' | 'booking' | later 'google' */
  source: string;
  id?: string;
  /** Shown to the user themselves; strip it before showing busy times to anyone else. */
  title?: string;
}

/**
 * Anything that makes a user busy. Calendar events are one source; bookings and connected Google
 * calendars register their own, so free/busy, check and slots never need to know them by name.
 */
export interface BusySource {
  readonly name: string;
  /** The user's busy intervals overlapping [from, to), unclipped. */
  busy(userId: string, window: { from: Date; to: Date }): Promise<BusyInterval[]>;
}

/** The registry of busy sources. Modules register theirs in onModuleInit. */
@Injectable()
export class BusySources {
  private readonly sources: BusySource[] = [];

  register(source: BusySource): void {
    if (this.sources.some((known) => known.name === source.name)) {
      throw new Error(`A busy source named "${source.name}" is already registered`);
    }
    this.sources.push(source);
  }

  /**
   * Every source's intervals that overlap the window (non-empty ones only), concatenated and sorted by
   * start, then end. Not merged: callers that report conflicts need each interval and its id.
   */
  async busy(userId: string, window: { from: Date; to: Date }): Promise<BusyInterval[]> {
    const from = window.from.getTime();
    const to = window.to.getTime();
    const lists = await Promise.all(this.sources.map((source) => source.busy(userId, window)));
    return lists
      .flat()
      .filter((b) => b.end.getTime() > b.start.getTime() && b.start.getTime() < to && b.end.getTime() > from)
      .sort(
        (a, b) =>
          a.start.getTime() - b.start.getTime() ||
          a.end.getTime() - b.end.getTime() ||
          a.source.localeCompare(b.source) ||
          (a.id ?? '').localeCompare(b.id ?? ''),
      );
  }
}

/**
 * The user's calendar as busy time: their own events and the invitations they accepted, series expanded
 * and overrides in place (EventsService.window), except free (transparent) and cancelled ones.
 */
@Injectable()
export class EventsBusySource implements BusySource {
  readonly name = 'event';

  constructor(
    @Inject(EventsService) private readonly events: EventsService,
    @Inject(UserDirectory) private readonly users: UserDirectory,
  ) {}

  async busy(userId: string, window: { from: Date; to: Date }): Promise<BusyInterval[]> {
    const user = await this.users.findById(userId);
    if (!user) return [];
    const items = await this.events.window({ id: user.id, email: user.email, timezone: user.timezone }, window, 'startTime', 'asc', false);
    return items.filter(blocksTime).map((item) => ({
      start: item.event.startTime,
      end: item.event.endTime,
      source: this.name,
      id: item.event.id,
      title: item.event.title,
    }));
  }
}

/** Tentative events block time (as in Google Calendar); an invitation only once accepted. */
export function blocksTime(item: CalendarItem): boolean {
  if (item.event.transparency !== 'busy' || item.event.status === 'cancelled') return false;
  return item.role === 'owner' || item.myResponse === 'accepted';
}
