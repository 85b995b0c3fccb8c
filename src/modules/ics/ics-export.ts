import ICAL from 'ical.js';
import { instantToWallClock } from '../../common/time/wall-clock.js';
import type { EventRecord } from '../events/events.rows.js';
import { vtimezone } from './vtimezone.js';

/**
 * Calento events as iCalendar text (RFC 5545), built as ical.js components so escaping, folding and
 * value formats are the library's job. A series is one VEVENT with RRULE and EXDATE; each edited
 * occurrence is a VEVENT with the series' UID and a RECURRENCE-ID. Timed values are written as wall
 * clocks with the event's TZID (and a VTIMEZONE for each zone), so a 09:00 series stays at 09:00
 * across DST in every client; UTC events are written with Z; all-day events as VALUE=DATE.
 */

export interface CalendarOptions {
  /** X-WR-CALNAME, shown by clients that subscribe. */
  name?: string;
  /** X-WR-TIMEZONE: the zone a client should display the calendar in. */
  timezone?: string;
  /** How often a subscribing client should refresh (REFRESH-INTERVAL, X-PUBLISHED-TTL). */
  refreshMinutes?: number;
}

const PRODID = '-//Calento//Calento Calendar//EN';

/** The UID a Calento event is published under: the imported one if it came from a file. */
export function uidOf(event: EventRecord): string {
  return event.icalUid ?? `${event.id}@calento`;
}

/**
 * One VCALENDAR with METHOD:PUBLISH. `events` holds single events and series (seriesId null) and the
 * overrides of those series; an override whose series is not in the list is left out.
 */
export function buildCalendar(events: EventRecord[], options: CalendarOptions = {}, now: Date = new Date()): string {
  const calendar = new ICAL.Component('vcalendar');
  calendar.addPropertyWithValue('version', '2.0');
  calendar.addPropertyWithValue('prodid', PRODID);
  calendar.addPropertyWithValue('calscale', 'GREGORIAN');
  calendar.addPropertyWithValue('method', 'PUBLISH');
  if (options.name) calendar.addPropertyWithValue('x-wr-calname', options.name);
  if (options.timezone) calendar.addPropertyWithValue('x-wr-timezone', options.timezone);
  if (options.refreshMinutes) {
    const duration = ICAL.Duration.fromSeconds(options.refreshMinutes * 60);
    const refresh = new ICAL.Property('refresh-interval');
    refresh.resetType('duration');
    refresh.setValue(duration);
    calendar.addProperty(refresh);
    calendar.addPropertyWithValue('x-published-ttl', duration.toString());
  }

  const masters = new Map(events.filter((event) => event.seriesId === null).map((event) => [event.id, event]));
  const written: ICAL.Component[] = [];
  const zones = new Map<string, number>();
  const useZone = (zone: string, instant: Date) => {
    if (zone === 'UTC') return;
    const year = Number(instantToWallClock(instant, zone).slice(0, 4));
    zones.set(zone, Math.min(zones.get(zone) ?? year, year));
  };
  for (const event of events) {
    const master = event.seriesId === null ? event : masters.get(event.seriesId);
    if (!master) continue;
    written.push(veventOf(event, master, now));
    if (!event.isAllDay) useZone(event.timezone, event.startTime);
    if (event.seriesId !== null && !master.isAllDay) useZone(master.timezone, master.startTime);
  }
  for (const [zone, fromYear] of [...zones].sort(([a], [b]) => a.localeCompare(b))) {
    calendar.addSubcomponent(vtimezone(zone, fromYear, now));
  }
  for (const vevent of written) calendar.addSubcomponent(vevent);
  return calendar.toString() + '\r\n';
}

function veventOf(event: EventRecord, master: EventRecord, now: Date): ICAL.Component {
  const vevent = new ICAL.Component('vevent');
  vevent.addPropertyWithValue('uid', uidOf(master));
  vevent.addPropertyWithValue('dtstamp', ICAL.Time.fromJSDate(now, true));
  vevent.addPropertyWithValue('created', ICAL.Time.fromJSDate(event.createdAt, true));
  vevent.addPropertyWithValue('last-modified', ICAL.Time.fromJSDate(event.updatedAt, true));
  if (event.isAllDay) {
    vevent.addProperty(dateProperty('dtstart', event.startDate as string));
    vevent.addProperty(dateProperty('dtend', event.endDate as string));
  } else {
    vevent.addProperty(timeProperty('dtstart', event.startTime, event.timezone));
    vevent.addProperty(timeProperty('dtend', event.endTime, event.timezone));
  }
  if (event.recurrenceRule) {
    vevent.addPropertyWithValue('rrule', ICAL.Recur.fromString(event.recurrenceRule));
    for (const id of event.exdates) vevent.addProperty(occurrenceProperty('exdate', id, event));
  }
  if (event.seriesId !== null && event.originalStart) {
    vevent.addProperty(occurrenceProperty('recurrence-id', event.originalStart, master));
  }
  vevent.addPropertyWithValue('summary', event.title);
  if (event.description) vevent.addPropertyWithValue('description', event.description);
  if (event.location) vevent.addPropertyWithValue('location', event.location);
  vevent.addPropertyWithValue('status', event.status.toUpperCase());
  vevent.addPropertyWithValue('transp', event.transparency === 'free' ? 'TRANSPARENT' : 'OPAQUE');
  if (event.visibility !== 'default') vevent.addPropertyWithValue('class', event.visibility.toUpperCase());
  return vevent;
}

/** An occurrence id as the series writes it: a date, or the original start in the series' zone. */
function occurrenceProperty(name: string, occurrenceId: string, series: EventRecord): ICAL.Property {
  return series.isAllDay ? dateProperty(name, occurrenceId) : timeProperty(name, new Date(occurrenceId), series.timezone);
}

export function dateProperty(name: string, date: string): ICAL.Property {
  const property = new ICAL.Property(name);
  property.resetType('date');
  property.setValue(ICAL.Time.fromDateString(date));
  return property;
}

/** A date-time as the wall clock of its zone with TZID (UTC as a Z time), so recurrence follows local time. */
export function timeProperty(name: string, instant: Date, zone: string): ICAL.Property {
  const property = new ICAL.Property(name);
  if (zone === 'UTC') {
    property.setValue(ICAL.Time.fromJSDate(instant, true));
  } else {
    property.setValue(ICAL.Time.fromDateTimeString(instantToWallClock(instant, zone)));
    property.setParameter('tzid', zone);
  }
  return property;
}
