import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import type { DepartedUser } from '../changes/changes.rows.js';
import { AttendeesRepository } from './attendees.repository.js';
import { EventsRepository } from './events.repository.js';
import type { EventRecord } from './events.rows.js';
import { EventsWriter } from './events.writer.js';

/**
 * What deleting an account does to its owner's calendar before the rows go by cascade: each event or
 * series others were invited to and that is still to come is deleted through the writer, so its
 * attendees get the cancellation DELETE /events/:id sends. The change names the owner (departedOwner),
 * since the users row is gone by the time the feed is dispatched.
 *
 * Left alone: past events (nothing to cancel), events without other attendees (nobody to tell),
 * cancelled ones (already told), booking events (the booking's cancellation tells the booker) and
 * events mirrored from Google (Google tells their guests).
 */
@Injectable()
export class EventDepartures {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(EventsRepository) private readonly events: EventsRepository,
    @Inject(AttendeesRepository) private readonly attendees: AttendeesRepository,
    @Inject(EventsWriter) private readonly writer: EventsWriter,
  ) {}

  /** In the caller's transaction (the one that deletes the user). Returns how many were cancelled. */
  async cancelShared(userId: string, owner: DepartedUser, now: Date): Promise<number> {
    if (!this.db.inTransaction) throw new Error('Events are cancelled for a departing owner inside the deletion transaction');
    const roots = (await this.events.ownRootsSince(userId, now)).filter((event) => stillToCome(event, now) && ownedHere(event));
    const guests = await this.attendees.forEvents(roots.map((event) => event.id));
    const ownerEmail = owner.email.toLowerCase();
    let cancelled = 0;
    for (const event of roots) {
      if (!(guests.get(event.id) ?? []).some((attendee) => attendee.email.toLowerCase() !== ownerEmail)) continue;
      await this.writer.remove(userId, event, { origin: 'api', departedOwner: owner });
      cancelled += 1;
    }
    return cancelled;
  }
}

/** A series still has occurrences to come (ownRootsSince saw to that); a single event must not have started. */
function stillToCome(event: EventRecord, now: Date): boolean {
  return event.status !== 'cancelled' && (event.recurrenceRule !== null || event.startTime > now);
}

function ownedHere(event: EventRecord): boolean {
  return event.source !== 'booking' && !event.source.startsWith('google:');
}
