import { DateTime } from 'luxon';

/**
 * ISO 8601 date-time with an explicit offset or Z: "2026-03-09T09:00:00-05:00". The offset's hours and
 * minutes are those RFC 3339 allows (00-23, 00-59): luxon would otherwise read "+25:00" as an instant.
 */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Epoch milliseconds of ISO instants already read (NaN for one luxon finds invalid, such as Feb 30).
 * Validation reads `from`/`to` and the service reads them again, and a calendar asks for the same
 * windows over and over: luxon's parse is the expensive part of both. Only text with an explicit offset
 * is kept (its instant depends on nothing else), and the map is emptied when full, so it stays small.
 */
const instantCache = new Map<string, number>();
const INSTANT_CACHE_SIZE = 1000;

function instantMillis(value: string): number {
  let millis = instantCache.get(value);
  if (millis === undefined) {
    millis = DateTime.fromISO(value, { setZone: true }).toMillis();
    if (ISO_INSTANT.test(value)) {
      if (instantCache.size >= INSTANT_CACHE_SIZE) instantCache.clear();
      instantCache.set(value, millis);
    }
  }
  return millis;
}

/**
 * The years a calendar lives in, on every route, import and series. Dates far outside are typos, and
 * inside these years every layer agrees on them: PGlite reads a timestamptz of year 0099 back through
 * `new Date(text)`, whose legacy parse takes it for 1999, while PostgreSQL sorts it as 0099.
 */
export const FIRST_YEAR = 1900;
export const LAST_YEAR = 2999;
export const YEARS_MESSAGE = `must be in the years ${FIRST_YEAR} to ${LAST_YEAR}`;
export const FIRST_INSTANT = new Date(Date.UTC(FIRST_YEAR, 0, 1));
/** The moment the last year ends: still a valid exclusive end (of a window, or of an all-day event on 31 December). */
export const END_INSTANT = new Date(Date.UTC(LAST_YEAR + 1, 0, 1));

export function inCalendarYears(year: number): boolean {
  return year >= FIRST_YEAR && year <= LAST_YEAR;
}

/** An instant (or a date, at its UTC midnight) from the first year's start to the last year's end, both included. */
function inCalendarRange(millis: number): boolean {
  return millis >= FIRST_INSTANT.getTime() && millis <= END_INSTANT.getTime();
}

export function isInstantInCalendarYears(value: string): boolean {
  return inCalendarRange(instantMillis(value));
}

export function isDateInCalendarYears(value: string): boolean {
  return inCalendarRange(Date.parse(`${value}T00:00:00Z`));
}

/** A date-time that names one instant: offsets are required, because a bare local time is ambiguous. */
export function isIsoInstant(value: unknown): value is string {
  return typeof value === 'string' && ISO_INSTANT.test(value) && !Number.isNaN(instantMillis(value));
}

/** A calendar date 'YYYY-MM-DD' that exists. */
export function isIsoDate(value: unknown): value is string {
  return typeof value === 'string' && ISO_DATE.test(value) && DateTime.fromISO(value, { zone: 'UTC' }).isValid;
}

export function parseInstant(value: string): Date {
  return new Date(instantMillis(value));
}

/** The instant at which a calendar date begins in a zone (00:00, or the first valid time after a gap). */
export function startOfDateIn(date: string, zone: string): Date {
  return DateTime.fromISO(date, { zone }).startOf('day').toJSDate();
}

/** The calendar date of an instant in a zone. */
export function dateIn(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toISODate() as string;
}

/** An instant as ISO 8601 in a zone's local time with its offset: "2026-10-26T09:00:00+01:00". */
export function localIso(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toISO({ suppressMilliseconds: true }) as string;
}
