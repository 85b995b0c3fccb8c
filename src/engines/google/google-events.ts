import { dateIn, localIso } from '../../common/time/instants.js';
import { addDays, instantToWallClock, parseWallClock, wallClockToInstant, wallClockToRruleDate } from '../../common/time/wall-clock.js';
import { isValidZone } from '../../common/time/zones.js';
import { occurrenceExists } from '../recurrence/recurrence.engine.js';
import { formatInstantId, normalizeOccurrenceId } from '../recurrence/recurrence.rule.js';
import {
  googleWhenOf,
  parseGoogleInstanceId,
  seriesFromGoogle,
  seriesToGoogle,
  type ExtraOccurrence,
} from './google-recurrence.js';
import type {
  CalentoAttachment,
  CalentoAttendee,
  CalentoEventWrite,
  CalentoReminder,
  GoogleEvent,
  GoogleMeta,
  GoogleReminder,
  GoogleWhen,
} from './google-types.js';

export * from './google-types.js';
export { FAR_UNTIL, googleInstanceId, parseGoogleInstanceId, type ExtraOccurrence } from './google-recurrence.js';

/**
 * Google Calendar v3 events ⇄ Calento event rows. Pure: no database, no HTTP. fromGoogle accepts
 * anything Google (or an ICS file behind it) can hold and always returns something the events writer
 * and the table's constraints accept; what it had to change is listed in `warnings`.
 * Every choice is documented in docs/google-mapping.md.
 */

export const UNTITLED = '(No title)';
export const LIMITS = { title: 500, description: 10_000, location: 1000, attendeeName: 200, email: 254, reminders: 10, attachments: 20 } as const;
const MAX_REMINDER_MINUTES = 40_320;
const GOOGLE_MAX_REMINDERS = 5;
const MINUTE_MS = 60_000;

/** Google's event palette (colors.get → event), ids 1–11. */
export const GOOGLE_EVENT_COLORS: Readonly<Record<string, string>> = {
  '1': '#a4bdfc',
  '2': '#7ae7bf',
  '3': '#dbadff',
  '4': '#ff887c',
  '5': '#fbd75b',
  '6': '#ffb878',
  '7': '#46d6db',
  '8': '#e1e1e1',
  '9': '#5484ed',
  '10': '#51b749',
  '11': '#dc2127',
};

/** extendedProperties.private keys where Calento keeps what Google cannot hold (a free colour, Slack reminders). */
export const SHADOW_KEYS = { color: 'calentoColor', reminders: 'calentoReminders' } as const;

interface Mapped {
  write: CalentoEventWrite;
  attendees: CalentoAttendee[];
  google: GoogleMeta;
  warnings: string[];
}

export type FromGoogleResult =
  | ({ kind: 'event' } & Mapped)
  | ({ kind: 'series'; extraOccurrences: ExtraOccurrence[] } & Mapped)
  | ({ kind: 'override'; seriesGoogleId: string; originalStart: string } & Mapped)
  | { kind: 'cancelledOccurrence'; googleId: string; seriesGoogleId: string; originalStart: string }
  | { kind: 'deleted'; googleId: string }
  /** Only for a resource without id or without any readable time: there is nothing to store. */
  | { kind: 'unreadable'; googleId: string | null; reason: string };

export interface FromGoogleOptions {
  /** The calendar's defaultReminders, used for `reminders.useDefault`. Without them: no reminders. */
  defaultReminders?: GoogleReminder[] | null;
}

/** One Google event resource → what the sync stores. */
export function fromGoogle(event: GoogleEvent, calendarTimeZone: string, options: FromGoogleOptions = {}): FromGoogleResult {
  const googleId = typeof event.id === 'string' && event.id ? event.id : null;
  if (!googleId) return { kind: 'unreadable', googleId: null, reason: 'no id' };
  const calendarZone = isValidZone(calendarTimeZone) ? calendarTimeZone : 'UTC';
  const seriesGoogleId = typeof event.recurringEventId === 'string' && event.recurringEventId ? event.recurringEventId : null;

  if (event.status === 'cancelled') {
    if (!seriesGoogleId) return { kind: 'deleted', googleId };
    const originalStart = originalStartOf(event, seriesGoogleId, calendarZone);
    // Without a readable original start the instance cannot be named; deleting that id is harmless.
    if (!originalStart) return { kind: 'deleted', googleId };
    return { kind: 'cancelledOccurrence', googleId, seriesGoogleId, originalStart };
  }

  const warnings: string[] = [];
  const zone = zoneOf(event.start?.timeZone, calendarZone, warnings);
  const timing = timingOf(event, zone, warnings);
  if (!timing) return { kind: 'unreadable', googleId, reason: 'no readable start time' };
  const write: CalentoEventWrite = {
    title: titleOf(event.summary),
    description: textOf(event.description, LIMITS.description, 'description', warnings),
    location: textOf(event.location, LIMITS.location, 'location', warnings),
    ...timing,
    timezone: zone,
    status: event.status === 'tentative' ? 'tentative' : 'confirmed',
    transparency: event.transparency === 'transparent' || declinedByOwner(event) ? 'free' : 'busy',
    color: colorOf(event),
    visibility: visibilityOf(event.visibility),
    reminders: remindersOf(event, options.defaultReminders),
    attachments: attachmentsOf(event.attachments),
    recurrenceRule: null,
    exdates: [],
    localStart: null,
    recurrenceEnd: null,
    seriesId: null,
    originalStart: null,
    icalUid: seriesGoogleId ? null : nonEmpty(event.iCalUID),
  };
  const mapped = (w: CalentoEventWrite): Mapped => ({ write: w, attendees: attendeesOf(event.attendees, warnings), google: metaOf(event, googleId, seriesGoogleId), warnings });

  if (seriesGoogleId) {
    const originalStart = originalStartOf(event, seriesGoogleId, calendarZone);
    if (originalStart) return { kind: 'override', seriesGoogleId, originalStart, ...mapped({ ...write, originalStart }) };
    warnings.push('an occurrence without a readable originalStartTime is kept as a single event');
    return { kind: 'event', ...mapped(write) };
  }

  const lines = (Array.isArray(event.recurrence) ? event.recurrence : []).filter((line): line is string => typeof line === 'string');
  if (lines.length === 0) return { kind: 'event', ...mapped(write) };
  const mapping = seriesFromGoogle(lines, {
    isAllDay: write.isAllDay,
    timezone: zone,
    localStart: write.isAllDay ? (write.startDate as string) : instantToWallClock(write.startTime, zone),
    durationMinutes: write.isAllDay
      ? daysBetween(write.startDate as string, write.endDate as string) * 1440
      : Math.max(1, Math.round((write.endTime.getTime() - write.startTime.getTime()) / MINUTE_MS)),
  });
  warnings.push(...mapping.warnings);
  if (mapping.kind === 'single') return { kind: 'event', ...mapped(write) };
  const { extraOccurrences, ...series } = mapping.series;
  return { kind: 'series', extraOccurrences, ...mapped({ ...write, ...series }) };
}

// ---------------------------------------------------------------------------------------------
// Reading Google's fields

function metaOf(event: GoogleEvent, id: string, recurringEventId: string | null): GoogleMeta {
  const updated = typeof event.updated === 'string' ? new Date(event.updated) : null;
  return {
    id,
    etag: nonEmpty(event.etag),
    updated: updated && !Number.isNaN(updated.getTime()) ? updated : null,
    recurringEventId,
    iCalUID: nonEmpty(event.iCalUID),
    sequence: Number.isInteger(event.sequence) && (event.sequence as number) >= 0 ? (event.sequence as number) : 0,
  };
}

function zoneOf(zone: string | null | undefined, calendarZone: string, warnings: string[]): string {
  if (!zone) return calendarZone;
  if (isValidZone(zone)) return zone;
  warnings.push(`unknown time zone "${zone}": the calendar's (${calendarZone}) is used`);
  return calendarZone;
}

type When = { date: string } | { instant: Date };

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A start or end: a date, an instant with offset, or a wall clock read in `zone`; whole seconds.
 * Parsed by hand: luxon's ISO parser costs ten times as much, and a full sync reads 20,000 of these.
 */
function readWhen(when: GoogleWhen | null | undefined, zone: string): When | null {
  if (!when) return null;
  if (typeof when.date === 'string' && DATE_ONLY.test(when.date) && parseWallClock(when.date)) return { date: when.date };
  const m = typeof when.dateTime === 'string' ? DATE_TIME.exec(when.dateTime.trim()) : null;
  if (!m) return null;
  const [, y, mo, d, h, mi, sec = '00', offset] = m;
  const wall = `${y}-${mo}-${d}T${h}:${mi}:${sec}`;
  if (!parseWallClock(wall)) return null;
  if (offset === undefined) return { instant: wallClockToInstant(wall, zoneOf(when.timeZone, zone, [])) };
  let offsetMinutes = 0;
  if (!/^z$/i.test(offset)) {
    const [oh, om] = [Number(offset.slice(1, 3)), Number(offset.slice(-2))];
    if (oh > 18 || om > 59) return null;
    offsetMinutes = (offset[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const local = wallClockToRruleDate(wall).getTime(); // the wall clock as if it were UTC (years 0-99 kept)
  return { instant: new Date(local - offsetMinutes * MINUTE_MS) };
}

function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

type Timing = Pick<CalentoEventWrite, 'startTime' | 'endTime' | 'isAllDay' | 'startDate' | 'endDate'>;

/**
 * Start and end, always with end > start: an empty or reversed all-day range lasts one day, an empty
 * or reversed timed one (Google allows zero-length events) one minute.
 */
function timingOf(event: GoogleEvent, zone: string, warnings: string[]): Timing | null {
  const start = readWhen(event.start, zone) ?? readWhen(event.originalStartTime, zone);
  if (!start) return null;
  const end = readWhen(event.end, zone);
  if ('date' in start) {
    let endDate = !end ? null : 'date' in end ? end.date : dateIn(new Date(end.instant.getTime() - 1), zone);
    if (end && 'instant' in end) endDate = endDate && addDays(endDate, 1);
    if (!endDate || endDate <= start.date) {
      if (end) warnings.push('an all-day event ending on or before its start lasts one day');
      endDate = addDays(start.date, 1);
    }
    return {
      isAllDay: true,
      startDate: start.date,
      endDate,
      startTime: wallClockToInstant(start.date, zone),
      endTime: wallClockToInstant(endDate, zone),
    };
  }
  let endTime = !end ? null : 'instant' in end ? end.instant : wallClockToInstant(end.date, zone);
  if (!endTime || endTime <= start.instant) {
    if (end && !event.endTimeUnspecified && endTime && endTime < start.instant) warnings.push('an event ending before its start lasts one minute');
    endTime = new Date(start.instant.getTime() + MINUTE_MS);
  }
  return { isAllDay: false, startDate: null, endDate: null, startTime: start.instant, endTime };
}

/** The occurrence id an exception replaces: its originalStartTime, or else its instance id. */
function originalStartOf(event: GoogleEvent, seriesGoogleId: string, calendarZone: string): string | null {
  const zone = zoneOf(event.originalStartTime?.timeZone ?? event.start?.timeZone, calendarZone, []);
  const when = readWhen(event.originalStartTime, zone);
  if (when) return 'date' in when ? when.date : formatInstantId(when.instant);
  const parsed = typeof event.id === 'string' ? parseGoogleInstanceId(event.id) : null;
  return parsed && parsed.masterId === seriesGoogleId ? parsed.originalStart : null;
}

/** Code points, not UTF-16 units: PostgreSQL's char_length counts characters. NUL cannot be stored. */
function clip(text: string, max: number): string {
  const clean = text.replace(/\u0000/g, '');
  const chars = Array.from(clean);
  return chars.length > max ? chars.slice(0, max).join('') : clean;
}

function titleOf(summary: string | null | undefined): string {
  const title = typeof summary === 'string' ? clip(summary.trim(), LIMITS.title).trim() : '';
  return title || UNTITLED;
}

function textOf(value: string | null | undefined, max: number, field: string, warnings: string[]): string | null {
  if (typeof value !== 'string' || value.length === 0) return null;
  const out = clip(value, max);
  if (Array.from(value.replace(/\u0000/g, '')).length > max) warnings.push(`${field} cut to ${max} characters`);
  return out || null;
}

function nonEmpty(value: string | null | undefined): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function visibilityOf(value: string | null | undefined): CalentoVisibility {
  // Google documents "confidential" as private, kept for compatibility.
  if (value === 'private' || value === 'confidential') return 'private';
  return value === 'public' ? 'public' : 'default';
}

type CalentoVisibility = CalentoEventWrite['visibility'];

/**
 * An invitation the calendar's owner (the `self` attendee) declined: Google's free/busy does not count it,
 * though the event stays in the calendar, so here it is free time.
 */
function declinedByOwner(event: GoogleEvent): boolean {
  return Array.isArray(event.attendees) && event.attendees.some((a) => a && a.self === true && a.responseStatus === 'declined');
}

function colorOf(event: GoogleEvent): string | null {
  const fromId = event.colorId ? GOOGLE_EVENT_COLORS[event.colorId] ?? null : null;
  const shadow = event.extendedProperties?.private?.[SHADOW_KEYS.color];
  // Calento's own colour, when Google's colour is still the one Calento sent for it.
  if (shadow && /^#[0-9a-fA-F]{6}$/.test(shadow) && nearestColorId(shadow) === (event.colorId ?? null)) return shadow.toLowerCase();
  return fromId;
}

/** The palette id closest to a hex colour (Euclidean in RGB). */
export function nearestColorId(hex: string): string {
  const rgb = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
  const target = rgb(hex);
  let best = '1';
  let bestDistance = Infinity;
  for (const [id, color] of Object.entries(GOOGLE_EVENT_COLORS)) {
    const distance = rgb(color).reduce((sum, c, i) => sum + (c - target[i]) ** 2, 0);
    if (distance < bestDistance) [best, bestDistance] = [id, distance];
  }
  return best;
}

function remindersOf(event: GoogleEvent, defaults: GoogleReminder[] | null | undefined): CalentoReminder[] {
  const source = event.reminders?.useDefault === false || !event.reminders ? event.reminders?.overrides ?? [] : defaults ?? [];
  const google = normalizeReminders(
    (Array.isArray(source) ? source : []).map((r) => ({
      method: r?.method === 'email' ? ('email' as const) : ('popup' as const),
      minutesBefore: Math.min(MAX_REMINDER_MINUTES, Math.max(0, Math.round(Number(r?.minutes) || 0))),
    })),
  );
  const shadow = readShadowReminders(event.extendedProperties?.private?.[SHADOW_KEYS.reminders]);
  if (shadow && sameReminders(googleView(shadow), google)) return shadow;
  return google.slice(0, LIMITS.reminders);
}

function normalizeReminders(list: CalentoReminder[]): CalentoReminder[] {
  const unique = new Map(list.map((r) => [`${r.method}|${r.minutesBefore}`, r]));
  return [...unique.values()].sort((a, b) => a.minutesBefore - b.minutesBefore || a.method.localeCompare(b.method));
}

/** What Google can hold of Calento's reminders: email and popup, at most five. */
function googleView(list: CalentoReminder[]): CalentoReminder[] {
  return normalizeReminders(list.filter((r) => r.method !== 'slack')).slice(0, GOOGLE_MAX_REMINDERS);
}

function sameReminders(a: CalentoReminder[], b: CalentoReminder[]): boolean {
  return JSON.stringify(normalizeReminders(a)) === JSON.stringify(normalizeReminders(b));
}

function readShadowReminders(text: string | undefined): CalentoReminder[] | null {
  if (!text) return null;
  try {
    const list: unknown = JSON.parse(text);
    if (!Array.isArray(list) || list.length > LIMITS.reminders) return null;
    const ok = list.every(
      (r) =>
        r && ['email', 'slack', 'popup'].includes(r.method) && Number.isInteger(r.minutesBefore) && r.minutesBefore >= 0 && r.minutesBefore <= MAX_REMINDER_MINUTES,
    );
    return ok ? normalizeReminders(list.map((r) => ({ method: r.method, minutesBefore: r.minutesBefore }))) : null;
  } catch {
    return null;
  }
}

function attachmentsOf(list: GoogleEvent['attachments']): CalentoAttachment[] {
  const out: CalentoAttachment[] = [];
  for (const a of Array.isArray(list) ? list : []) {
    const url = typeof a?.fileUrl === 'string' ? a.fileUrl : '';
    if (!a) continue;
    if (!/^https:\/\/[^\s]+$/i.test(url) || url.length > 2048) continue;
    const mimeType = typeof a.mimeType === 'string' && /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i.test(a.mimeType) && a.mimeType.length <= 127 ? a.mimeType : 'application/octet-stream';
    out.push({ url, title: (typeof a.title === 'string' && clip(a.title.trim(), 200)) || 'Attachment', mimeType });
    if (out.length === LIMITS.attachments) break;
  }
  return out;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Guests: not the calendar's owner (`self`), not rooms (`resource`); valid addresses, once each. */
function attendeesOf(list: GoogleEvent['attendees'], warnings: string[]): CalentoAttendee[] {
  const out = new Map<string, CalentoAttendee>();
  for (const a of Array.isArray(list) ? list : []) {
    if (!a || typeof a !== 'object' || a.self || a.resource) continue;
    const email = typeof a.email === 'string' ? a.email.trim().toLowerCase() : '';
    if (!EMAIL.test(email) || email.length > LIMITS.email) {
      if (email) warnings.push(`attendee "${email.slice(0, 80)}" is not an email address and was left out`);
      continue;
    }
    const name = typeof a.displayName === 'string' ? clip(a.displayName.trim(), LIMITS.attendeeName) : '';
    const status = a.responseStatus;
    const responseStatus = status === 'accepted' || status === 'declined' || status === 'tentative' ? status : 'needsAction';
    if (!out.has(email)) out.set(email, { email, ...(name && { name }), responseStatus });
  }
  return [...out.values()];
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

// ---------------------------------------------------------------------------------------------
// Writing Google's resource

/** The Calento event to send; an EventRecord or EventWrite fits. */
export type CalentoEvent = Omit<CalentoEventWrite, 'seriesId' | 'recurrenceEnd'> & { seriesId?: string | null; recurrenceEnd?: Date | null };

export interface ToGoogleOptions {
  /**
   * A series' occurrences that are not rule occurrences (its overrides whose original start the rule
   * does not produce, as fromGoogle returned them in extraOccurrences): sent as RDATEs, the earliest
   * as Google's start when it comes before the series' own.
   */
  extraStarts?: string[];
}

export interface GoogleEventBody {
  summary: string;
  description: string | null;
  location: string | null;
  start: GoogleWhen;
  end: GoogleWhen;
  status: 'confirmed' | 'tentative' | 'cancelled';
  transparency: 'opaque' | 'transparent';
  visibility: 'default' | 'public' | 'private';
  colorId: string | null;
  attendees: { email: string; displayName?: string; responseStatus?: string }[];
  reminders: { useDefault: false; overrides: { method: 'email' | 'popup'; minutes: number }[] };
  attachments: { fileUrl: string; title: string; mimeType: string }[];
  extendedProperties: { private: Record<string, string> };
  recurrence?: string[];
  originalStartTime?: GoogleWhen;
  iCalUID?: string;
}

/**
 * The requestBody for events.insert / patch / update. For an override pass its series as
 * `seriesMaster` and send the body to the instance id (googleInstanceId). Calento's `cancelled`
 * status is Google's deletion: the sync should delete instead of sending it.
 */
export function toGoogle(
  event: CalentoEvent,
  attendees: ReadonlyArray<{ email: string; name?: string | null; responseStatus?: string | null }> = [],
  seriesMaster?: Pick<CalentoEvent, 'isAllDay' | 'timezone'> | null,
  options: ToGoogleOptions = {},
): GoogleEventBody {
  let { start, end } = whenOf(event);
  const reminders = googleView(event.reminders ?? []);
  const body: GoogleEventBody = {
    summary: event.title,
    description: event.description ?? null,
    location: event.location ?? null,
    start,
    end,
    status: event.status,
    transparency: event.transparency === 'free' ? 'transparent' : 'opaque',
    visibility: event.visibility,
    colorId: event.color ? nearestColorId(event.color) : null,
    attendees: attendees.map((a) => ({
      email: a.email,
      ...(a.name ? { displayName: a.name } : {}),
      ...(a.responseStatus ? { responseStatus: a.responseStatus } : {}),
    })),
    reminders: { useDefault: false, overrides: reminders.map((r) => ({ method: r.method as 'email' | 'popup', minutes: r.minutesBefore })) },
    attachments: (event.attachments ?? []).map((a) => ({ fileUrl: a.url, title: a.title, mimeType: a.mimeType })),
    extendedProperties: {
      private: { [SHADOW_KEYS.color]: event.color ?? '', [SHADOW_KEYS.reminders]: JSON.stringify(normalizeReminders(event.reminders ?? [])) },
    },
  };
  if (event.originalStart && seriesMaster) {
    body.originalStartTime = googleWhenOf(event.originalStart, seriesMaster.isAllDay, seriesMaster.timezone);
    return body;
  }
  if (event.recurrenceRule && event.localStart) {
    const extras = [...new Set(options.extraStarts ?? [])].sort();
    const ownStart = event.isAllDay ? (event.startDate as string) : formatInstantId(event.startTime);
    let countExtra = 0;
    if (extras.length && extras[0] < ownStart) {
      // Google's start is always an instance: the earliest extra occurrence takes that place.
      const first = extras.shift() as string;
      ({ start, end } = whenOf(shifted(event, first)));
      body.start = start;
      body.end = end;
      countExtra = 1;
    }
    body.recurrence = seriesToGoogle(
      { recurrenceRule: event.recurrenceRule, exdates: event.exdates, timezone: event.timezone, isAllDay: event.isAllDay, localStart: event.localStart },
      extras,
      countExtra,
    );
  }
  if (event.icalUid) body.iCalUID = event.icalUid;
  return body;
}

function whenOf(event: Pick<CalentoEvent, 'isAllDay' | 'startDate' | 'endDate' | 'startTime' | 'endTime' | 'timezone'>): { start: GoogleWhen; end: GoogleWhen } {
  if (event.isAllDay) return { start: { date: event.startDate }, end: { date: event.endDate } };
  return {
    start: { dateTime: localIso(event.startTime, event.timezone), timeZone: event.timezone },
    end: { dateTime: localIso(event.endTime, event.timezone), timeZone: event.timezone },
  };
}

/** The event moved to start at an occurrence id, keeping its length. */
function shifted(event: CalentoEvent, id: string): CalentoEvent {
  if (event.isAllDay) {
    const days = daysBetween(event.startDate as string, event.endDate as string);
    return { ...event, startDate: id, endDate: addDays(id, days) };
  }
  const startTime = new Date(id);
  return { ...event, startTime, endTime: new Date(startTime.getTime() + (event.endTime.getTime() - event.startTime.getTime())) };
}

/**
 * What a cancelled Google instance (fromGoogle's `cancelledOccurrence`) does to the stored series:
 * `exdate` when it is an occurrence of the rule (the writer's cancelOccurrence), otherwise `override`:
 * it was an extra occurrence, so its override goes (an EXDATE there would match nothing, and
 * Calento's series checks refuse such EXDATEs).
 */
export function cancellationOf(
  series: Pick<CalentoEventWrite, 'recurrenceRule' | 'localStart' | 'timezone' | 'isAllDay' | 'startDate' | 'endDate' | 'startTime' | 'endTime'>,
  originalStart: string,
): 'exdate' | 'override' {
  const id = normalizeOccurrenceId(originalStart, series.isAllDay);
  if (!id || !series.recurrenceRule || !series.localStart) return 'override';
  const durationMinutes = series.isAllDay
    ? daysBetween(series.startDate as string, series.endDate as string) * 1440
    : Math.round((series.endTime.getTime() - series.startTime.getTime()) / MINUTE_MS);
  const def = { rule: series.recurrenceRule, timezone: series.timezone, isAllDay: series.isAllDay, localStart: series.localStart, durationMinutes };
  return occurrenceExists(def, id) ? 'exdate' : 'override';
}

// ---------------------------------------------------------------------------------------------
// Matching (initial sync, strategy "merge")

type Matchable = Pick<CalentoEventWrite, 'title' | 'isAllDay' | 'startDate' | 'endDate' | 'startTime' | 'endTime'> & { icalUid?: string | null };

/**
 * Title (trimmed, spaces collapsed, case folded) + start + end: dates for all-day events, UTC
 * instants to the second for timed ones.
 */
export function matchKey(event: Matchable): string {
  const title = event.title.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
  const when = event.isAllDay
    ? `${event.startDate}/${event.endDate}`
    : `${formatInstantId(wholeSeconds(event.startTime))}/${formatInstantId(wholeSeconds(event.endTime))}`;
  return `${title}|${when}`;
}

/** Merge's test for "the same event": the same iCalUID, or else the same matchKey. */
export function sameContent(a: Matchable, b: Matchable): boolean {
  if (a.icalUid && b.icalUid && a.icalUid === b.icalUid) return true;
  return matchKey(a) === matchKey(b);
}

const COMPARED: (keyof CalentoEventWrite)[] = [
  'title', 'description', 'location', 'startTime', 'endTime', 'timezone', 'isAllDay', 'startDate', 'endDate', 'status',
  'transparency', 'color', 'visibility', 'reminders', 'recurrenceRule', 'exdates', 'localStart', 'originalStart',
];

/** The fields two writes disagree on (conflict detection after a 412); [] when Google and Calento agree. */
export function contentDiff(a: Partial<CalentoEventWrite>, b: Partial<CalentoEventWrite>): string[] {
  const norm = (field: keyof CalentoEventWrite, value: unknown) => {
    if (value instanceof Date) return value.getTime();
    if (field === 'reminders' && Array.isArray(value)) return normalizeReminders(value as CalentoReminder[]);
    if (field === 'exdates' && Array.isArray(value)) return [...value].sort();
    return value ?? null;
  };
  return COMPARED.filter((field) => JSON.stringify(norm(field, a[field])) !== JSON.stringify(norm(field, b[field])));
}
