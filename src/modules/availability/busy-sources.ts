import { Inject, Injectable } from '@nestjs/common';
import { EventsService } from '../events/events.service.js';
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
   * start, then end. Not merged: callers that report conflicts need each interval and its id. `skip`:
   * a source the caller reads in its own way (booking slots read bookings with their buffers).
   */
  async busy(userId: string, window: { from: Date; to: Date }, skip?: string): Promise<BusyInterval[]> {
    const from = window.from.getTime();
    const to = window.to.getTime();
    const sources = skip === undefined ? this.sources : this.sources.filter((source) => source.name !== skip);
    const lists = await Promise.all(sources.map((source) => source.busy(userId, window)));
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
 * The user's calendar as busy time (EventsService.busy): their own events (not those synced from Google) and the invitations they
 * accepted, edited occurrences in place, except free (transparent) and cancelled ones. A series gives
 * the merged spans of its occurrences, each with the series' id and title.
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
    // Events synced from clients' Google calendars count through the 'google' source, by calendar.
    const blocks = await this.events.busy({ id: user.id, email: user.email, timezone: user.timezone }, window, 'exclude');
    return blocks.map((block) => ({ start: block.start, end: block.end, source: this.name, id: block.id, title: block.title }));
  }
}
