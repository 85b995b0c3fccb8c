import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../../common/time/clock.js';
import { startOfDateIn } from '../../common/time/instants.js';
import { addDays } from '../../common/time/wall-clock.js';
import { EmailNotifications, type EventMail, type MailPerson } from '../email/email-notifications.js';
import { AttendeesRepository } from './attendees.repository.js';
import { EventReminders } from './event-reminders.js';
import { durationMinutesOf } from './event-timing.js';
import { occurrenceEvent } from './event-views.js';
import type { Attendee, EventRecord } from './events.rows.js';
import { EventNotificationsRepository, type EventOwner } from './notifications.repository.js';

/** An event and its attendees as they were before a change. */
export interface EventSnapshot {
  event: EventRecord;
  attendees: Attendee[];
}

/** What attendees see of an event: a change to any of these is mailed. Tags, color, reminders… are not. */
const OCCURRENCE_FIELDS = ['startTime', 'endTime', 'isAllDay', 'startDate', 'endDate', 'title', 'description', 'location', 'status'] as const;
const SERIES_FIELDS = [...OCCURRENCE_FIELDS, 'localStart', 'recurrenceRule', 'exdates'] as const;
/** Fields a reminder email shows: a change re-queues the pending reminders. */
const REMINDER_TEXT_FIELDS = ['title', 'location'] as const;

/**
 * The emails an event change causes, queued in the transaction of the change (call every method inside
 * it): invitations (METHOD:REQUEST) to new attendees, updates (REQUEST, higher SEQUENCE) to current
 * attendees when something they see changes, cancellations (METHOD:CANCEL) to removed attendees and to
 * everyone when the event is cancelled or deleted. Messages about one occurrence of a series carry the
 * series' UID and the occurrence's RECURRENCE-ID. The owner is never mailed; booking events are left to
 * the bookings module. Every change also re-plans the event's reminders (EventReminders).
 */
@Injectable()
export class EventNotifier {
  constructor(
    @Inject(Clock) private readonly clock: Clock,
    @Inject(EventNotificationsRepository) private readonly repo: EventNotificationsRepository,
    @Inject(AttendeesRepository) private readonly attendees: AttendeesRepository,
    @Inject(EmailNotifications) private readonly mail: EmailNotifications,
    @Inject(EventReminders) private readonly reminders: EventReminders,
  ) {}

  /** The event and the attendees of its series (attendees live on the series) before a change. */
  async snapshot(event: EventRecord): Promise<EventSnapshot> {
    return { event, attendees: await this.attendeesOf(event.seriesId ?? event.id) };
  }

  /** A new single event or series: an invitation to each attendee. */
  async created(event: EventRecord): Promise<void> {
    const owner = await this.repo.findOwner(event.userId);
    const guests = this.guests(owner, await this.attendeesOf(event.id));
    if (owner && guests.length && event.status !== 'cancelled' && !(await this.repo.isBookingEvent(event.id))) {
      const sequence = await this.repo.currentSequence(event.id);
      await this.mail.eventInvitation(this.mailOf(event, owner, guests, sequence));
    }
    await this.reminders.sync(event.id, this.clock.now());
  }

  /**
   * A single event, series or override after PATCH (or a series after a rule change or a split).
   * Attendees added get an invitation, removed ones a cancellation, the others an update when a field
   * they see changed; a newly cancelled event is cancelled for everyone who had it.
   */
  async changed(before: EventSnapshot, after: EventRecord): Promise<void> {
    if (after.seriesId && after.originalStart) {
      const master = await this.repo.findRootShared(after.seriesId);
      if (master) await this.occurrenceChanged(master, after.originalStart, before.event, after);
      return;
    }
    const owner = await this.repo.findOwner(after.userId);
    const previous = this.guests(owner, before.attendees);
    const current = this.guests(owner, await this.attendeesOf(after.id));
    const had = new Set(previous.map((guest) => guest.email.toLowerCase()));
    const has = new Set(current.map((guest) => guest.email.toLowerCase()));
    const added = current.filter((guest) => !had.has(guest.email.toLowerCase()));
    const removed = previous.filter((guest) => !has.has(guest.email.toLowerCase()));
    const kept = current.filter((guest) => had.has(guest.email.toLowerCase()));
    const changed = differs(before.event, after, SERIES_FIELDS);
    const cancelled = after.status === 'cancelled';
    const wasCancelled = before.event.status === 'cancelled';

    if (owner && (changed || added.length || removed.length) && !(await this.repo.isBookingEvent(after.id))) {
      const toCancel = cancelled ? (wasCancelled ? removed : [...kept, ...removed]) : removed;
      const toUpdate = !cancelled && changed ? kept : [];
      const toInvite = cancelled ? [] : added;
      if (toCancel.length || toUpdate.length || toInvite.length) {
        const sequence = await this.repo.nextSequence(after.id);
        const mail = this.mailOf(after, owner, cancelled ? previous : current, sequence);
        if (toCancel.length) await this.mail.eventCancellation({ ...mail, attendees: toCancel }, toCancel);
        if (toUpdate.length) await this.mail.eventUpdate(mail, toUpdate);
        if (toInvite.length) await this.mail.eventInvitation(mail, toInvite);
      }
    }
    await this.reminders.sync(after.id, this.clock.now(), { refresh: differs(before.event, after, REMINDER_TEXT_FIELDS) });
  }

  /**
   * One occurrence of a series was edited (`after`) or cancelled (`after` null): an update or a
   * cancellation of that occurrence to the series' attendees.
   */
  async occurrenceChanged(master: EventRecord, occurrenceId: string, before: EventRecord, after: EventRecord | null): Promise<void> {
    const owner = await this.repo.findOwner(master.userId);
    const guests = this.guests(owner, await this.attendeesOf(master.id));
    const wasCancelled = before.status === 'cancelled';
    const cancelled = after === null || after.status === 'cancelled';
    const mailed = cancelled ? !wasCancelled : differs(before, after, OCCURRENCE_FIELDS);
    if (owner && guests.length && mailed && master.status !== 'cancelled' && !(await this.repo.isBookingEvent(master.id))) {
      const sequence = await this.repo.nextSequence(master.id);
      const occurrence = after ?? before;
      const mail: EventMail = {
        ...this.mailOf(occurrence, owner, guests, sequence),
        id: master.id,
        icalUid: master.icalUid,
        rrule: null,
        exdates: [],
        recurrenceId: occurrenceId,
      };
      if (cancelled) await this.mail.eventCancellation(mail);
      else await this.mail.eventUpdate(mail);
    }
    const refresh = after !== null && differs(before, after, REMINDER_TEXT_FIELDS);
    await this.reminders.sync(master.id, this.clock.now(), { refresh });
  }

  /**
   * Deletes an event through `remove`: first a cancellation to each attendee (while the row still holds
   * its sequence; a series' overrides go with it), then its queued reminders are cancelled. Deleting an
   * override puts the occurrence back as the series has it.
   */
  async deleting(before: EventSnapshot, remove: () => Promise<unknown>): Promise<void> {
    const event = before.event;
    if (event.seriesId && event.originalStart) {
      await remove();
      const master = await this.repo.findRootShared(event.seriesId);
      if (master) await this.occurrenceChanged(master, event.originalStart, event, asSeriesHasIt(master, event.originalStart));
      return;
    }
    const owner = await this.repo.findOwner(event.userId);
    const guests = this.guests(owner, before.attendees);
    if (owner && guests.length && event.status !== 'cancelled' && !(await this.repo.isBookingEvent(event.id))) {
      const sequence = await this.repo.nextSequence(event.id);
      await this.mail.eventCancellation(this.mailOf(event, owner, guests, sequence));
    }
    await remove();
    await this.reminders.sync(event.id, this.clock.now());
  }

  private async attendeesOf(eventId: string): Promise<Attendee[]> {
    return (await this.attendees.forEvents([eventId])).get(eventId) ?? [];
  }

  /** Attendees to mail: everyone but the owner. */
  private guests(owner: EventOwner | null, attendees: Attendee[]): MailPerson[] {
    const ownerEmail = owner?.email.toLowerCase();
    return attendees
      .filter((attendee) => attendee.email.toLowerCase() !== ownerEmail)
      .map((attendee) => ({ email: attendee.email, name: attendee.name }));
  }

  private mailOf(event: EventRecord, owner: EventOwner, attendees: MailPerson[], sequence: number): EventMail {
    return {
      id: event.id,
      icalUid: event.icalUid,
      ownerUserId: owner.id,
      sequence,
      title: event.title,
      description: event.description,
      location: event.location,
      start: event.startTime,
      end: event.endTime,
      timezone: event.timezone,
      rrule: event.recurrenceRule,
      exdates: event.recurrenceRule ? event.exdates : [],
      dates: event.isAllDay && event.startDate && event.endDate ? { start: event.startDate, end: event.endDate } : null,
      organizer: { email: owner.email, name: owner.name },
      attendees,
    };
  }
}

function differs(before: EventRecord, after: EventRecord, fields: readonly (keyof EventRecord)[]): boolean {
  return fields.some((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]));
}

/** The occurrence `occurrenceId` of a series, unedited. */
function asSeriesHasIt(master: EventRecord, occurrenceId: string): EventRecord {
  const minutes = durationMinutesOf(master);
  if (master.isAllDay) {
    const start = startOfDateIn(occurrenceId, master.timezone);
    const end = startOfDateIn(addDays(occurrenceId, minutes / 1440), master.timezone);
    return occurrenceEvent(master, occurrenceId, start, end);
  }
  const start = new Date(occurrenceId);
  return occurrenceEvent(master, occurrenceId, start, new Date(start.getTime() + minutes * 60_000));
}
