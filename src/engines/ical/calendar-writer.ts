import ICAL from 'ical.js';
import { instantToWallClock } from '../../common/time/wall-clock.js';
import { vtimezone } from './vtimezone.js';

/**
 * The one iCalendar (RFC 5545) writer: the subscription feed and exports (METHOD:PUBLISH) and the iTIP
 * messages mailed to attendees (RFC 5546: METHOD:REQUEST invites or updates, METHOD:CANCEL withdraws).
 * Built as ical.js components, so escaping and value formats are the library's job; lines are folded here.
 *
 * One rule for what identifies an item in every calendar app:
 * - UID: the imported UID if the event came from a file, else `<id>@calento`; an occurrence of a series
 *   carries its series' UID plus a RECURRENCE-ID.
 * - RECURRENCE-ID and EXDATE: the occurrence id as the series writes it — a date for an all-day series,
 *   else the original start as a wall clock of the series' zone with TZID.
 * - SEQUENCE: the series' (or event's) counter, bumped by the events module on every change attendees see.
 * Timed values are wall clocks with TZID and a VTIMEZONE for each zone, so a 09:00 series stays at 09:00
 * across DST in every client; UTC is written with Z; all-day as VALUE=DATE.
 */

export type IcsMethod = 'PUBLISH' | 'REQUEST' | 'CANCEL';

export interface IcsPerson {
  email: string;
  name?: string | null;
  /** An attendee's answer as Calento knows it; not known is written as NEEDS-ACTION. */
  response?: IcsResponse | null;
}

export type IcsResponse = 'needsAction' | 'accepted' | 'declined' | 'tentative';

const PARTSTAT: Record<IcsResponse, string> = {
  needsAction: 'NEEDS-ACTION',
  accepted: 'ACCEPTED',
  declined: 'DECLINED',
  tentative: 'TENTATIVE',
};

/** One VEVENT. */
export interface IcsVevent {
  uid: string;
  sequence?: number | null;
  title: string;
  description?: string | null;
  location?: string | null;
  url?: string | null;
  start: Date;
  end: Date;
  /** IANA zone timed values are written in ('UTC': Z times). */
  timezone: string;
  /** All-day: the dates (end exclusive), written as VALUE=DATE instead of start/end. */
  dates?: { start: string; end: string } | null;
  status: 'confirmed' | 'tentative' | 'cancelled';
  transparency?: 'busy' | 'free';
  visibility?: 'default' | 'public' | 'private';
  rrule?: string | null;
  /** Cancelled occurrences of the series, as occurrence ids. */
  exdates?: string[];
  /** This VEVENT is one occurrence of the series `uid` names: its occurrence id. */
  recurrenceId?: string | null;
  /** The series' own shape, which decides how occurrence ids are written (defaults: this VEVENT's). */
  series?: { timezone: string; isAllDay: boolean };
  created?: Date | null;
  lastModified?: Date | null;
  /** iTIP messages: who sends it and to whom. */
  organizer?: IcsPerson | null;
  attendees?: IcsPerson[];
}

export interface CalendarOptions {
  method?: IcsMethod;
  /** X-WR-CALNAME, shown by clients that subscribe. */
  name?: string;
  /** X-WR-TIMEZONE: the zone a client should display the calendar in. */
  timezone?: string;
  /** How often a subscribing client should refresh (REFRESH-INTERVAL, X-PUBLISHED-TTL). */
  refreshMinutes?: number;
}

const PRODID = '-//Calento//Calento Calendar//EN';

/**
 * The UID an event is published under (feed, export, invitations, Google): the imported one if it came
 * from a file or from Google, else `<id>@calento`.
 */
export function uidOf(event: { id: string; icalUid?: string | null }): string {
  return event.icalUid ?? `${event.id}@calento`;
}

/** The Calento event id a UID of the form `<id>@calento` names (an event Calento published); else null. */
export function calentoIdOfUid(uid: string | null): string | null {
  return uid ? (/^([0-9a-f-]{36})@calento$/i.exec(uid)?.[1] ?? null) : null;
}

/** `now` is DTSTAMP and decides how far ahead VTIMEZONE transitions are written (engines read no clock). */
export function buildCalendar(vevents: IcsVevent[], options: CalendarOptions, now: Date): string {
  const method = options.method ?? 'PUBLISH';
  const calendar = new ICAL.Component('vcalendar');
  calendar.addPropertyWithValue('version', '2.0');
  calendar.addPropertyWithValue('prodid', PRODID);
  calendar.addPropertyWithValue('calscale', 'GREGORIAN');
  calendar.addPropertyWithValue('method', method);
  if (options.name) calendar.addPropertyWithValue('x-wr-calname', text(options.name));
  if (options.timezone) calendar.addPropertyWithValue('x-wr-timezone', options.timezone);
  if (options.refreshMinutes) {
    const duration = ICAL.Duration.fromSeconds(options.refreshMinutes * 60);
    const refresh = new ICAL.Property('refresh-interval');
    refresh.resetType('duration');
    refresh.setValue(duration);
    calendar.addProperty(refresh);
    calendar.addPropertyWithValue('x-published-ttl', duration.toString());
  }

  // Each zone's VTIMEZONE must cover the earliest instant written in it.
  const zones = new Map<string, number>();
  const useZone = (zone: string, instant: Date) => {
    if (zone === 'UTC') return;
    const year = Number(instantToWallClock(instant, zone).slice(0, 4));
    zones.set(zone, Math.min(zones.get(zone) ?? year, year));
  };
  const written = vevents.map((vevent) => {
    if (!vevent.dates) useZone(vevent.timezone, vevent.start);
    const series = vevent.series ?? { timezone: vevent.timezone, isAllDay: Boolean(vevent.dates) };
    if (vevent.recurrenceId && !series.isAllDay) useZone(series.timezone, new Date(vevent.recurrenceId));
    return veventOf(vevent, method, now);
  });
  for (const [zone, fromYear] of [...zones].sort(([a], [b]) => a.localeCompare(b))) {
    calendar.addSubcomponent(vtimezone(zone, fromYear, now));
  }
  for (const vevent of written) calendar.addSubcomponent(vevent);
  // ical.js folds after 75 octets and then adds the leading space, so its continuation lines are 76.
  return calendar.toString().replace(/\r\n /g, '').split('\r\n').map(fold).join('\r\n') + '\r\n';
}

const LINE_OCTETS = 75;

/** RFC 5545 §3.1: at most 75 octets a line, the continuation's leading space included, never inside a UTF-8 sequence. */
function fold(line: string): string {
  if (Buffer.byteLength(line) <= LINE_OCTETS) return line;
  const parts: string[] = [];
  let part = '';
  let octets = 0;
  for (const char of line) {
    const code = char.codePointAt(0) as number;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (octets + size > LINE_OCTETS) {
      parts.push(part);
      part = ' ';
      octets = 1;
    }
    part += char;
    octets += size;
  }
  parts.push(part);
  return parts.join('\r\n');
}

/**
 * TEXT may hold no control character but HTAB (RFC 5545 §3.3.11): line breaks of any kind become the
 * escaped newline, the rest are dropped. A bare CR inside a line ends it for some parsers.
 */
function text(value: string): string {
  return value.replace(/\r\n?/g, '\n').replace(/[\x00-\x08\x0B-\x1F\x7F]/g, '');
}

/** Parameter values (CN) cannot hold a line break at all, escaped or not: it becomes a space. */
function parameter(value: string): string {
  return value.replace(/\r\n?|\n/g, ' ').replace(/[\x00-\x08\x0B-\x1F\x7F]/g, '');
}

function veventOf(item: IcsVevent, method: IcsMethod, now: Date): ICAL.Component {
  const vevent = new ICAL.Component('vevent');
  const series = item.series ?? { timezone: item.timezone, isAllDay: Boolean(item.dates) };
  const occurrence = (name: string, id: string) =>
    series.isAllDay ? dateProperty(name, id.slice(0, 10)) : timeProperty(name, new Date(id), series.timezone);

  vevent.addPropertyWithValue('uid', text(item.uid));
  vevent.addPropertyWithValue('dtstamp', ICAL.Time.fromJSDate(now, true));
  if (item.sequence !== undefined && item.sequence !== null) vevent.addPropertyWithValue('sequence', item.sequence);
  if (item.created) vevent.addPropertyWithValue('created', ICAL.Time.fromJSDate(item.created, true));
  if (item.lastModified) vevent.addPropertyWithValue('last-modified', ICAL.Time.fromJSDate(item.lastModified, true));
  if (item.dates) {
    vevent.addProperty(dateProperty('dtstart', item.dates.start));
    vevent.addProperty(dateProperty('dtend', item.dates.end));
  } else {
    vevent.addProperty(timeProperty('dtstart', item.start, item.timezone));
    vevent.addProperty(timeProperty('dtend', item.end, item.timezone));
  }
  if (item.rrule) {
    vevent.addPropertyWithValue('rrule', ICAL.Recur.fromString(item.rrule));
    for (const id of item.exdates ?? []) vevent.addProperty(occurrence('exdate', id));
  }
  if (item.recurrenceId) vevent.addProperty(occurrence('recurrence-id', item.recurrenceId));
  vevent.addPropertyWithValue('summary', text(item.title));
  if (item.description) vevent.addPropertyWithValue('description', text(item.description));
  if (item.location) vevent.addPropertyWithValue('location', text(item.location));
  if (item.url) vevent.addPropertyWithValue('url', item.url);
  const status = method === 'CANCEL' ? 'cancelled' : item.status;
  vevent.addPropertyWithValue('status', status.toUpperCase());
  if (item.transparency) vevent.addPropertyWithValue('transp', item.transparency === 'free' ? 'TRANSPARENT' : 'OPAQUE');
  if (item.visibility && item.visibility !== 'default') vevent.addPropertyWithValue('class', item.visibility.toUpperCase());
  if (item.organizer) {
    const organizer = vevent.addPropertyWithValue('organizer', `mailto:${item.organizer.email}`);
    organizer.setParameter('cn', parameter(item.organizer.name || item.organizer.email));
  }
  for (const person of item.attendees ?? []) {
    const attendee = vevent.addPropertyWithValue('attendee', `mailto:${person.email}`);
    attendee.setParameter('role', 'REQ-PARTICIPANT');
    // RFC 5546 lets the organizer state each answer it holds; a client reading NEEDS-ACTION for someone
    // who accepted would reset their reply on a mere title change, so only the unanswered are asked.
    const response = person.response ?? 'needsAction';
    attendee.setParameter('partstat', PARTSTAT[response]);
    if (method === 'REQUEST' && response === 'needsAction') attendee.setParameter('rsvp', 'TRUE');
    if (person.name) attendee.setParameter('cn', parameter(person.name));
  }
  return vevent;
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
