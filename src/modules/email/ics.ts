import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import ICAL from 'ical.js';
import { dateProperty, timeProperty } from '../ics/ics-export.js';
import { vtimezone } from '../ics/vtimezone.js';
import type { IcsMethod } from './email.rows.js';

export interface IcsPerson {
  email: string;
  name?: string | null;
}

/** One calendar event as an iTIP message sees it. Times are instants, written in the event's zone. */
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
  /** All-day: the dates (end exclusive), written as VALUE=DATE instead of start/end. */
  dates?: { start: string; end: string } | null;
  /** Cancelled occurrences of the series, as occurrence ids ('YYYY-MM-DDTHH:mm:ssZ' or 'YYYY-MM-DD'). */
  exdates?: string[];
  /** The message is about one occurrence of the series `uid` names: its occurrence id (RECURRENCE-ID). */
  recurrenceId?: string | null;
  /** IANA zone: timed times are written as its wall clock (TZID + VTIMEZONE); absent or UTC: Z times. */
  timezone?: string | null;
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
    // ical-generator writes an all-day Date with its UTC date.
    start: event.dates ? new Date(`${event.dates.start}T00:00:00Z`) : event.start,
    end: event.dates ? new Date(`${event.dates.end}T00:00:00Z`) : event.end,
    allDay: Boolean(event.dates),
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
  return withZoneAndOccurrences(calendar.toString(), event);
}

/**
 * What ical-generator cannot write, added with ical.js: timed start and end as wall clocks of the
 * event's zone with TZID and a VTIMEZONE (so a 09:00 series stays at 09:00 in the attendees' calendar
 * apps across DST, as it does in Calento), and EXDATE / RECURRENCE-ID from occurrence ids.
 */
function withZoneAndOccurrences(text: string, event: IcsEvent): string {
  const zone = !event.dates && event.timezone && event.timezone !== 'UTC' ? event.timezone : null;
  if (!zone && !event.exdates?.length && !event.recurrenceId) return text;
  const calendar = new ICAL.Component(ICAL.parse(text));
  const vevent = calendar.getFirstSubcomponent('vevent') as ICAL.Component;
  if (zone) {
    for (const [name, instant] of [['dtstart', event.start], ['dtend', event.end]] as const) {
      vevent.removeAllProperties(name);
      vevent.addProperty(timeProperty(name, instant, zone));
    }
    // VTIMEZONE before the VEVENT that uses it.
    calendar.removeSubcomponent(vevent);
    calendar.addSubcomponent(vtimezone(zone, event.start.getUTCFullYear()));
    calendar.addSubcomponent(vevent);
  }
  const occurrence = (name: string, id: string) =>
    id.length === 10 ? dateProperty(name, id) : timeProperty(name, new Date(id), zone ?? 'UTC');
  for (const id of event.exdates ?? []) vevent.addProperty(occurrence('exdate', id));
  if (event.recurrenceId) vevent.addProperty(occurrence('recurrence-id', event.recurrenceId));
  return calendar.toString();
}
