import { DateTime, IANAZone } from 'luxon';
import { isDate, type When } from '../state/types.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;
const WALL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const zoneValidity = new Map<string, boolean>();
/** luxon builds an Intl formatter per check (~0.2 ms); seeding 10,000 events asks 20,000 times. */
export function isValidZone(zone: string): boolean {
  let valid = zoneValidity.get(zone);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(zone);
    zoneValidity.set(zone, valid);
  }
  return valid;
}

/** RFC3339 with an offset (as Google requires for timeMin, timeMax, updatedMin); undefined if not. */
export function parseRfc3339(value: string): number | undefined {
  if (!RFC3339.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

export const hasOffset = (value: string): boolean => RFC3339.test(value);
export const isWallClock = (value: string): boolean => WALL.test(value);

export function isValidDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  return DateTime.fromISO(value, { zone: 'UTC' }).isValid;
}

/** A wall-clock time without offset, read in `zone` (a time in a DST gap moves forward, as luxon does). */
export function wallToMs(value: string, zone: string): number | undefined {
  const dt = DateTime.fromISO(value, { zone });
  return dt.isValid ? dt.toMillis() : undefined;
}

const offsets = new Map<string, number>();
/** Offset of a zone at an instant, cached per quarter hour (zone transitions fall on those). */
function offsetMinutes(ms: number, zone: string): number {
  const key = `${zone}|${Math.floor(ms / 900_000)}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    offset = IANAZone.create(zone).offset(ms);
    if (offsets.size > 200_000) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

/** Google prints instants in a zone with its offset, without milliseconds, `Z` for UTC. */
export function formatDateTime(ms: number, zone: string): string {
  if (zone === 'UTC' || zone === 'Etc/UTC') return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const offset = offsetMinutes(ms, zone);
  const wall = new Date(ms + offset * 60_000).toISOString();
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  const seconds = wall.slice(17, 19);
  return `${wall.slice(0, 16)}:${seconds}${offset === 0 ? 'Z' : `${sign}${hh}:${mm}`}`;
}

/** Start of an all-day date in a zone. */
export const dateToMs = (date: string, zone: string): number => DateTime.fromISO(date, { zone }).toMillis();

export const addDays = (date: string, days: number): string =>
  DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate() ?? date;

export const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** The instant a start/end stands for; all-day dates begin at midnight in the calendar's zone. */
export const whenToMs = (when: When, calendarZone: string): number =>
  isDate(when) ? dateToMs(when.date, calendarZone) : when.ms;

/** Suffix of an instance id: `20240310T140000Z` (UTC) for timed series, `20240310` for all-day. */
export function instanceKey(when: When): string {
  if (isDate(when)) return when.date.replace(/-/g, '');
  return new Date(when.ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Reads an instance-id suffix back: a date or a UTC instant. */
export function parseInstanceKey(key: string): When | undefined {
  let m = /^(\d{4})(\d{2})(\d{2})$/.exec(key);
  if (m) return isValidDate(`${m[1]}-${m[2]}-${m[3]}`) ? { date: `${m[1]}-${m[2]}-${m[3]}` } : undefined;
  m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(key);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(ms) ? undefined : { ms };
}

export const sameWhen = (a: When | undefined, b: When | undefined): boolean => {
  if (!a || !b) return a === b;
  if (isDate(a) || isDate(b)) return isDate(a) && isDate(b) && a.date === b.date;
  return a.ms === b.ms && (a.timeZone ?? '') === (b.timeZone ?? '');
};

export const sameInstant = (a: When, b: When): boolean =>
  isDate(a) ? isDate(b) && a.date === b.date : !isDate(b) && a.ms === b.ms;
