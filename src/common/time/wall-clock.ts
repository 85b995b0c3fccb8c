import { IANAZone } from 'luxon';

/**
 * Wall clocks versus instants. rrule.js knows nothing of zones: Calento hands it the local wall clock
 * "dressed as UTC" (09:00 in New York becomes the Date 09:00Z) and reads its results the same way.
 * This module is the only place that turns such fake-UTC Dates, or wall-clock strings, into real
 * instants and back; everything else passes instants or 'YYYY-MM-DDTHH:mm:ss' strings around.
 */

export interface WallClock {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2}))?$/;

/** 'YYYY-MM-DDTHH:mm:ss' or 'YYYY-MM-DD' (midnight) into parts; null when malformed or not a real date. */
export function parseWallClock(text: string): WallClock | null {
  const m = WALL_CLOCK.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  return { year, month, day, hour, minute, second };
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The wall clock as a fake-UTC Date: the frame rrule.js computes in. */
export function wallClockToRruleDate(local: string | WallClock): Date {
  const w = typeof local === 'string' ? parseOrThrow(local) : local;
  const date = new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second));
  // Date.UTC maps years 0-99 to 1900-1999; fix the year explicitly.
  date.setUTCFullYear(w.year);
  return date;
}

/** A fake-UTC Date back to 'YYYY-MM-DDTHH:mm:ss' (or 'YYYY-MM-DD' with dateOnly). */
export function rruleDateToWallClock(fake: Date, dateOnly = false): string {
  const iso = fake.toISOString(); // 'YYYY-MM-DDTHH:mm:ss.sssZ' for years 0-9999
  return dateOnly ? iso.slice(0, 10) : iso.slice(0, 19);
}

/**
 * The instant a wall clock denotes in `zone`. RFC 5545 §3.3.5: a time inside a DST gap is read with
 * the offset in force before the gap (02:30 on a spring-forward night becomes 03:30 of the new offset);
 * a time that happens twice at fall-back is the first of the two.
 */
export function wallClockToInstant(local: string | WallClock, zone: string): Date {
  return new Date(wallClockMillisToInstant(wallClockToRruleDate(local).getTime(), zone));
}

/**
 * wallClockToInstant on milliseconds, for loops that must not allocate (the slot engine's days): the
 * wall clock is given dressed as UTC, the instant comes back as epoch milliseconds.
 */
export function wallClockMillisToInstant(asUtc: number, zone: string): number {
  return resolveWallClock(asUtc, ianaZone(zone));
}

/** instantToRruleDate on milliseconds: the wall clock in `zone` at epoch `ms`, dressed as UTC. */
export function instantToWallClockMillis(ms: number, zone: string): number {
  return ms + ianaZone(zone).at(ms);
}

/** The wall clock of an instant in `zone`, as 'YYYY-MM-DDTHH:mm:ss' (seconds truncated). */
export function instantToWallClock(instant: Date, zone: string): string {
  return rruleDateToWallClock(instantToRruleDate(instant, zone));
}

/** rrule.js result (wall clock dressed as UTC) to the real instant in `zone`. */
export function rruleDateToInstant(fake: Date, zone: string): Date {
  return new Date(wallClockMillisToInstant(fake.getTime(), zone));
}

/** A real instant to rrule.js's frame: its wall clock in `zone`, dressed as UTC. */
export function instantToRruleDate(instant: Date, zone: string): Date {
  return new Date(instantToWallClockMillis(instant.getTime(), zone));
}

/** 'YYYY-MM-DD' plus n calendar days. */
export function addDays(date: string, days: number): string {
  return rruleDateToWallClock(new Date(wallClockToRruleDate(date).getTime() + days * DAY_MS), true);
}

function resolveWallClock(asUtc: number, zone: ZoneOffsets): number {
  // Offsets a day either side bracket any single transition near this wall clock.
  const before = zone.at(asUtc - DAY_MS);
  const after = zone.at(asUtc + DAY_MS);
  const first = asUtc - before;
  const firstValid = zone.at(first) === before;
  if (before === after) {
    if (firstValid) return first;
  } else {
    const second = asUtc - after;
    const secondValid = zone.at(second) === after;
    if (firstValid && secondValid) return Math.min(first, second);
    if (firstValid) return first;
    if (secondValid) return second;
  }
  // Nonexistent wall clock (a DST gap): keep the offset from before the gap.
  return first;
}

/**
 * UTC offsets of one zone, memoized per UTC day. Asking luxon costs about 10 µs, which would dominate
 * expanding a long series or laying out a month of slots; a day whose two ends share an offset is
 * taken as constant, and a day with a transition is bisected once to the second (tz transitions fall
 * on whole seconds, and no zone has two in one day). Values are luxon's own, in minutes.
 */
class ZoneOffsets {
  private readonly boundaries = new Map<number, number>();
  private readonly transitions = new Map<number, number>();

  constructor(private readonly zone: IANAZone) {}

  /** The offset at `ts` in milliseconds. */
  at(ts: number): number {
    return Math.round(this.minutesAt(ts) * MINUTE_MS);
  }

  /** The offset at `ts` in minutes, exactly as IANAZone.offset answers it. */
  minutesAt(ts: number): number {
    const day = Math.floor(ts / DAY_MS);
    const start = this.boundary(day);
    const end = this.boundary(day + 1);
    if (start === end) return start;
    return ts < this.transition(day, start) ? start : end;
  }

  private boundary(day: number): number {
    let offset = this.boundaries.get(day);
    if (offset === undefined) {
      offset = this.zone.offset(day * DAY_MS);
      if (this.boundaries.size > 200_000) this.boundaries.clear();
      this.boundaries.set(day, offset);
    }
    return offset;
  }

  private transition(day: number, startOffset: number): number {
    let at = this.transitions.get(day);
    if (at === undefined) {
      let lo = day * DAY_MS;
      let hi = lo + DAY_MS;
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
        if (this.zone.offset(mid) === startOffset) lo = mid;
        else hi = mid;
      }
      at = hi;
      if (this.transitions.size > 10_000) this.transitions.clear();
      this.transitions.set(day, at);
    }
    return at;
  }
}

/**
 * A luxon zone that answers offsets from the memo above: DateTime arithmetic in it (fromObject,
 * startOf, plus) gives exactly what it gives with IANAZone, without asking ICU each time.
 */
class MemoizedIanaZone extends IANAZone {
  constructor(
    name: string,
    private readonly offsets: ZoneOffsets,
  ) {
    super(name);
  }

  override offset(ts: number): number {
    return this.offsets.minutesAt(ts);
  }
}

const zones = new Map<string, ZoneOffsets>();
const luxonZones = new Map<string, IANAZone>();

function ianaZone(name: string): ZoneOffsets {
  let zone = zones.get(name);
  if (!zone) {
    const iana = IANAZone.create(name);
    if (!iana.isValid) throw new RangeError(`Unknown time zone "${name}"`);
    zone = new ZoneOffsets(iana);
    if (zones.size < 1000) zones.set(name, zone);
  }
  return zone;
}

/**
 * The zone to hand luxon for repeated arithmetic in `name` (the slot engine's days and wall times).
 * An unknown name gets luxon's own invalid zone, so the caller sees luxon's usual invalid DateTime.
 */
export function luxonZone(name: string): IANAZone {
  let zone = luxonZones.get(name);
  if (!zone) {
    const iana = IANAZone.create(name);
    if (!iana.isValid) return iana;
    zone = new MemoizedIanaZone(name, ianaZone(name));
    if (luxonZones.size < 1000) luxonZones.set(name, zone);
  }
  return zone;
}

function parseOrThrow(text: string): WallClock {
  const parsed = parseWallClock(text);
  if (!parsed) throw new RangeError(`Not a wall clock: "${text}"`);
  return parsed;
}
