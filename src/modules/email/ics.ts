import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import type { IcsMethod } from './email.rows.js';

export interface IcsPerson {
  email: string;
  name?: string | null;
}

/** One calendar event as an iTIP message sees it. Times are instants and are written in UTC. */
export interface IcsEvent {
  /** Stable across every message about this event, so calendar apps update instead of duplicating. */
  uid: string;
  /** Bump on every change; an update or cancellation with a lower sequence is ignored by clients. */
  sequence: number;
  start: Date;
  end: Date;
  summary: string;
  description?: string | null;
  location?: string | null;
  url?: string | null;
  organizer: IcsPerson;
  attendees: IcsPerson[];
  /** An RRULE value ("FREQ=WEEKLY;BYDAY=MO") for a recurring series. */
  rrule?: string | null;
}

/**
 * An iCalendar (RFC 5545) message for iTIP (RFC 5546): METHOD:REQUEST invites or updates, METHOD:CANCEL
 * withdraws. ical-generator does the escaping and line folding, so user text cannot break the format.
 */
export function buildIcs(method: IcsMethod, event: IcsEvent, stamp: Date = new Date()): string {
  const calendar = ical({
    prodId: { company: 'Calento', product: 'Calento', language: 'EN' },
    method: method === 'CANCEL' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
  });
  calendar.createEvent({
    id: event.uid,
    sequence: event.sequence,
    stamp,
    start: event.start,
    end: event.end,
    summary: event.summary,
    description: event.description ?? null,
    location: event.location ?? null,
    url: event.url ?? null,
    repeating: event.rrule ?? null,
    status: method === 'CANCEL' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: { name: event.organizer.name ?? event.organizer.email, email: event.organizer.email },
    attendees: event.attendees.map((attendee) => ({
      email: attendee.email,
      name: attendee.name ?? undefined,
      role: ICalAttendeeRole.REQ,
      status: ICalAttendeeStatus.NEEDSACTION,
      rsvp: method === 'REQUEST',
    })),
  });
  return calendar.toString();
}
