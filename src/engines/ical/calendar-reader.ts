import ICAL from 'ical.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { FIRST_YEAR, inCalendarYears, LAST_YEAR } from '../../common/time/instants.js';
import { toOneLine } from '../../common/text/one-line.js';
import { isValidZone } from '../../common/time/zones.js';
import { addDays, instantToWallClock, parseWallClock, wallClockToInstant } from '../../common/time/wall-clock.js';
import { WINDOWS_ZONES } from './windows-zones.js';
import { ianaZoneOfVtimezone } from './zone-match.js';

/**
 * Reads iCalendar text (RFC 5545) with ical.js into what Calento stores: for each VEVENT its UID, the
 * API-shaped event input (validated later by the same rules as POST /events), and for series their
 * EXDATEs, for edited occurrences their RECURRENCE-ID. Pure: no database, no clock.
 */

/** A DATE or DATE-TIME value as written, and the instant it stands for. */
export interface IcsTime {
  isDate: boolean;
  /** 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:mm:ss', as written in the file. */
  wall: string;
  /** Dates: midnight in the default zone. Floating times: read in the default zone. */
  instant: Date;
  /** True when the file pins the instant (Z, a known TZID or one of its VTIMEZONEs); false when floating. */
  exact: boolean;
  /** The IANA zone it was written in ('UTC' for Z), when there is one. */
  zone: string | null;
}

/**
 * An event as the API's create input spells it (POST /events: ISO strings, optional fields left out),
 * so the importer validates it by the same rules. Declared here, not taken from the events module's DTO:
 * an engine sits below the modules that use it.
 */
export interface EventInput {
  title: string;
  description?: string;
  location?: string;
  startTime: string;
  endTime: string;
  timezone?: string;
  isAllDay?: boolean;
  status?: 'confirmed' | 'tentative' | 'cancelled';
  transparency?: 'busy' | 'free';
  visibility?: 'default' | 'public' | 'private';
  recurrenceRule?: string;
}

export interface IcsEvent {
  uid: string;
  /** Set on an edited or cancelled occurrence of a series. */
  recurrenceId: IcsTime | null;
  /** STATUS:CANCELLED. */
  cancelled: boolean;
  /** Null only for a cancelled occurrence, whose times do not matter. */
  input: EventInput | null;
  exdates: IcsTime[];
}

export interface SkippedEvent {
  uid: string | null;
  reason: string;
}

export type IcsEntry = { event: IcsEvent } | { skipped: SkippedEvent };

const MAX_UID_LENGTH = 255;
const UNTITLED = '(no title)';

/** Every VEVENT of the text. Throws INVALID_ICALENDAR when the text is not iCalendar. */
export function parseCalendar(text: string, userZone: string): IcsEntry[] {
  // Windows tools start UTF-8 files with a byte order mark; ical.js would read it as part of a property name.
  const { calendars, unreadable } = readCalendars(text.replace(/^\uFEFF/, ''));
  const entries: IcsEntry[] = unreadable.map((skipped) => ({ skipped }));
  for (const calendar of calendars) {
    const declared = calendar.getFirstPropertyValue('x-wr-timezone');
    const defaultZone = typeof declared === 'string' && isValidZone(declared.trim()) ? declared.trim() : userZone;
    const reader = new TimeReader(calendar, defaultZone);
    for (const vevent of calendar.getAllSubcomponents('vevent')) entries.push(readEvent(vevent, reader));
  }
  return entries;
}

/**
 * ical.js refuses a whole file for one bad value (an RRULE with an unknown FREQ). Then the calendar is
 * read without its VEVENTs and each VEVENT on its own, so only the bad ones are skipped.
 */
function readCalendars(text: string): { calendars: ICAL.Component[]; unreadable: SkippedEvent[] } {
  try {
    return { calendars: parseRoots(text), unreadable: [] };
  } catch (error) {
    const lines = text.replace(/\r?\n[ \t]/g, '').split(/\r?\n/);
    const frame: string[] = [];
    const blocks: string[][] = [];
    let block: string[] | null = null;
    for (const line of lines) {
      const tag = line.trim().toUpperCase();
      if (tag === 'BEGIN:VEVENT' && !block) block = [];
      if (block) block.push(line);
      else frame.push(line);
      if (tag === 'END:VEVENT' && block) {
        blocks.push(block);
        block = null;
      }
    }
    const calendars = blocks.length && !block ? tryParse(frame.join('\r\n')) : null;
    if (!calendars || calendars.length !== 1) throw error;
    const unreadable: SkippedEvent[] = [];
    for (const vevent of blocks) {
      try {
        calendars[0].addSubcomponent(new ICAL.Component(ICAL.parse(vevent.join('\r\n')) as unknown[]));
      } catch (blockError) {
        const uid = vevent.find((line) => /^UID[;:]/i.test(line))?.replace(/^[^:]*:/, '').trim() || null;
        unreadable.push({ uid, reason: `unreadable: ${messageOf(blockError)}` });
      }
    }
    return { calendars, unreadable };
  }
}

function tryParse(text: string): ICAL.Component[] | null {
  try {
    return parseRoots(text);
  } catch {
    return null;
  }
}

function parseRoots(text: string): ICAL.Component[] {
  let parsed: unknown;
  try {
    parsed = ICAL.parse(text);
  } catch (error) {
    throw notICalendar(isLibraryMessage(error) ? error.message : whyUnreadable(text));
  }
  const list = (Array.isArray(parsed) && typeof parsed[0] === 'string' ? [parsed] : parsed) as unknown[];
  if (!Array.isArray(list) || list.length === 0) throw notICalendar('no BEGIN:VCALENDAR found');
  return list.map((jcal) => {
    const component = new ICAL.Component(jcal as unknown[]);
    if (component.name !== 'vcalendar') throw notICalendar(`expected VCALENDAR, found ${component.name.toUpperCase()}`);
    return component;
  });
}

function messageOf(error: unknown): string {
  return isLibraryMessage(error) ? error.message : 'invalid value';
}

/**
 * ical.js reports what it could not read with its own errors (ParserError, or a plain Error naming the
 * value); a TypeError from inside it ("Cannot read properties of undefined") describes ical.js, not the
 * file, and is not shown to the client.
 */
function isLibraryMessage(error: unknown): error is Error {
  return error instanceof ICAL.parse.ParserError || (error instanceof Error && error.constructor === Error);
}

function whyUnreadable(text: string): string {
  const first = text.split(/\r?\n/).find((line) => line.trim()) ?? '';
  return /^BEGIN:VCALENDAR$/i.test(first.trim()) ? 'it could not be read' : 'it does not start with BEGIN:VCALENDAR';
}

function notICalendar(why: string): DomainError {
  return new DomainError('INVALID_ICALENDAR', {}, [{ field: 'ics', message: `is not iCalendar text (${why})` }]);
}

/** Thrown for one VEVENT that cannot be imported; it becomes a `skipped` entry, never a 4xx or 5xx. */
class SkipEvent extends Error {}

function readEvent(vevent: ICAL.Component, reader: TimeReader): IcsEntry {
  const rawUid = vevent.getFirstPropertyValue('uid');
  const uid = typeof rawUid === 'string' ? rawUid.trim() : '';
  try {
    if (!uid) throw new SkipEvent('has no UID');
    if (uid.length > MAX_UID_LENGTH) throw new SkipEvent(`UID is longer than ${MAX_UID_LENGTH} characters`);
    for (const unsupported of ['rdate', 'exrule']) {
      if (vevent.hasProperty(unsupported)) throw new SkipEvent(`${unsupported.toUpperCase()} is not supported`);
    }
    const recurrenceProperty = vevent.getFirstProperty('recurrence-id');
    if (recurrenceProperty?.getParameter('range')) throw new SkipEvent('RECURRENCE-ID with RANGE is not supported');
    const recurrenceId = recurrenceProperty ? reader.one(recurrenceProperty) : null;
    const cancelled = text(vevent, 'status')?.toUpperCase() === 'CANCELLED';
    // A cancelled occurrence only says which occurrence is gone.
    if (recurrenceId && cancelled) return { event: { uid, recurrenceId, cancelled, input: null, exdates: [] } };
    const rules = vevent.getAllProperties('rrule');
    if (rules.length > 1) throw new SkipEvent('more than one RRULE is not supported');
    const isSeries = rules.length === 1 && !recurrenceId;
    const input = readInput(vevent, reader, isSeries);
    const exdates = isSeries ? vevent.getAllProperties('exdate').flatMap((property) => reader.all(property)) : [];
    return { event: { uid, recurrenceId, cancelled, input, exdates } };
  } catch (error) {
    if (error instanceof SkipEvent) return { skipped: { uid: uid || null, reason: error.message } };
    // ical.js reports a malformed value when it is read.
    return { skipped: { uid: uid || null, reason: `unreadable: ${messageOf(error)}` } };
  }
}

function readInput(vevent: ICAL.Component, reader: TimeReader, isSeries: boolean): EventInput {
  const startProperty = vevent.getFirstProperty('dtstart');
  if (!startProperty) throw new SkipEvent('has no DTSTART');
  const start = reader.one(startProperty);
  // A timed event is kept in the zone it was written in; UTC and floating times take the calendar's zone,
  // except for a series written in UTC, which repeats in UTC.
  const zone = start.isDate || (start.zone === 'UTC' && !isSeries) ? reader.defaultZone : (start.zone ?? reader.defaultZone);
  const end = readEnd(vevent, reader, start, zone);
  // Liberal: a title with a line break or a control character is taken, on one line.
  const summary = text(vevent, 'summary');
  const title = summary === null ? null : toOneLine(summary);
  const status = text(vevent, 'status')?.toUpperCase();
  const visibility = text(vevent, 'class')?.toUpperCase();
  const input: EventInput = {
    title: title || UNTITLED,
    description: text(vevent, 'description') ?? undefined,
    location: text(vevent, 'location') ?? undefined,
    startTime: start.isDate ? start.wall : start.instant.toISOString(),
    endTime: end.isDate ? end.wall : end.instant.toISOString(),
    timezone: zone,
    isAllDay: start.isDate,
    status: status === 'TENTATIVE' ? 'tentative' : status === 'CANCELLED' ? 'cancelled' : 'confirmed',
    transparency: text(vevent, 'transp')?.toUpperCase() === 'TRANSPARENT' ? 'free' : 'busy',
    visibility:
      visibility === 'PUBLIC' ? 'public' : visibility === 'PRIVATE' || visibility === 'CONFIDENTIAL' ? 'private' : 'default',
  };
  if (isSeries) input.recurrenceRule = ruleOf(vevent, start, zone);
  return input;
}

/** DTEND, or DTSTART + DURATION, or (RFC 5545 §3.6.1) one day for a date and nothing for a date-time. */
function readEnd(vevent: ICAL.Component, reader: TimeReader, start: IcsTime, zone: string): IcsTime {
  const endProperty = vevent.getFirstProperty('dtend');
  if (endProperty) {
    const end = reader.one(endProperty);
    if (end.isDate !== start.isDate) throw new SkipEvent('DTSTART and DTEND must both be dates or both date-times');
    return end;
  }
  const durationProperty = vevent.getFirstProperty('duration');
  if (!durationProperty) {
    if (start.isDate) return { ...start, wall: addDays(start.wall, 1) };
    throw new SkipEvent('has neither DTEND nor DURATION; Calento events need a length');
  }
  const duration = durationProperty.getFirstValue() as ICAL.Duration;
  if (duration.isNegative) throw new SkipEvent('DURATION must not be negative');
  const days = duration.weeks * 7 + duration.days;
  if (start.isDate) return { ...start, wall: addDays(start.wall, days) };
  // Days are calendar days in the event's zone (the same wall clock, across DST); hours are exact.
  const local = instantToWallClock(start.instant, zone);
  const shifted = wallClockToInstant(`${addDays(local.slice(0, 10), days)}T${local.slice(11)}`, zone);
  const seconds = duration.hours * 3600 + duration.minutes * 60 + duration.seconds;
  return { ...start, instant: new Date(shifted.getTime() + seconds * 1000) };
}

/**
 * The RRULE value. RFC 5545 wants UNTIL in the type of DTSTART; a bare date on a timed series (common
 * in the wild) is read as the end of that day in the series' zone.
 */
function ruleOf(vevent: ICAL.Component, start: IcsTime, zone: string): string {
  const rule = (vevent.getFirstPropertyValue('rrule') as ICAL.Recur).toString();
  if (start.isDate) return rule;
  return rule.replace(/UNTIL=(\d{4})(\d{2})(\d{2})(?=;|$)/, (_, y: string, m: string, d: string) => {
    const until = wallClockToInstant(`${y}-${m}-${d}T23:59:59`, zone);
    return `UNTIL=${until.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '')}`;
  });
}

function text(component: ICAL.Component, name: string): string | null {
  const value = component.getFirstPropertyValue(name);
  return typeof value === 'string' ? value : null;
}

/** Turns DATE / DATE-TIME property values into instants, with the calendar's zones. */
class TimeReader {
  private readonly zones = new Map<string, string | null>();

  constructor(
    private readonly calendar: ICAL.Component,
    readonly defaultZone: string,
  ) {}

  one(property: ICAL.Property): IcsTime {
    return this.all(property)[0];
  }

  all(property: ICAL.Property): IcsTime[] {
    const name = property.name.toUpperCase();
    const values = property.getValues();
    if (values.length === 0) throw new SkipEvent(`${name} has no value`);
    return values.map((value) => this.read(name, property, value));
  }

  private read(name: string, property: ICAL.Property, value: unknown): IcsTime {
    if (!(value instanceof ICAL.Time)) throw new SkipEvent(`${name} must be a DATE or DATE-TIME`);
    const date = `${pad(value.year, 4)}-${pad(value.month)}-${pad(value.day)}`;
    const wall = value.isDate ? date : `${date}T${pad(value.hour)}:${pad(value.minute)}:${pad(value.second)}`;
    if (!parseWallClock(wall) || !inCalendarYears(value.year)) {
      throw new SkipEvent(`${name} ${wall} is not a date between ${FIRST_YEAR} and ${LAST_YEAR}`);
    }
    if (value.isDate) return { isDate: true, wall, instant: wallClockToInstant(wall, this.defaultZone), exact: false, zone: null };
    if (value.zone?.tzid === 'UTC') return { isDate: false, wall, instant: new Date(`${wall}Z`), exact: true, zone: 'UTC' };
    const tzid = property.getParameter('tzid');
    const iana = typeof tzid === 'string' ? this.ianaZoneOf(tzid, value.year) : null;
    if (iana) return { isDate: false, wall, instant: wallClockToInstant(wall, iana), exact: true, zone: iana };
    if (typeof tzid === 'string' && value.zone && value.zone.tzid !== 'floating') {
      // A VTIMEZONE no IANA zone reproduces: ical.js applies it, and a series repeats in the calendar's zone.
      return { isDate: false, wall, instant: new Date(value.toUnixTime() * 1000), exact: true, zone: null };
    }
    // Floating, or a TZID nobody defines: the calendar's own zone.
    return { isDate: false, wall, instant: wallClockToInstant(wall, this.defaultZone), exact: false, zone: null };
  }

  /**
   * An IANA name for a TZID: itself, the VTIMEZONE's X-LIC-LOCATION, a path suffix ("/mozilla.org/…/Europe/Berlin"),
   * or a zone whose offsets are the VTIMEZONE's (zone-match.ts). Decided once per TZID, with the year of
   * its first value, so every event and exception of the file written in it lands in the same zone.
   */
  private ianaZoneOf(tzid: string, year: number): string | null {
    let zone = this.zones.get(tzid);
    if (zone === undefined) {
      zone = this.resolve(tzid, year);
      this.zones.set(tzid, zone);
    }
    return zone;
  }

  private resolve(tzid: string, year: number): string | null {
    const definition = this.calendar
      .getAllSubcomponents('vtimezone')
      .find((component) => component.getFirstPropertyValue('tzid') === tzid);
    const location = definition?.getFirstPropertyValue('x-lic-location');
    const parts = tzid.split('/').filter(Boolean);
    const candidates = [tzid, typeof location === 'string' ? location : '', ...parts.map((_, i) => parts.slice(i).join('/'))];
    const named = candidates.find((candidate) => candidate && isValidZone(candidate));
    if (named) return named;
    if (definition) return ianaZoneOfVtimezone(tzid, definition, year);
    // A Windows name with no VTIMEZONE at all (some exporters leave it out): the zone CLDR maps it to,
    // rather than reading the times as floating in the calendar's zone.
    return WINDOWS_ZONES[tzid] ?? null;
  }
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}
