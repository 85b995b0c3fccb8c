import { DateTime } from 'luxon';

import {
  instantToWallClockMillis,
  luxonZone,
  rruleDateToWallClock,
  wallClockMillisToInstant,
  wallClockToRruleDate,
} from '../../common/time/wall-clock.js';
import { mergeSpans, type Span, type TimeInterval, toInterval, toSpan } from './intervals.js';

export { mergeIntervals, overlaps, subtractIntervals, type TimeInterval } from './intervals.js';

/**
 * Pure availability engine: weekly rules + date exceptions -> working intervals -> bookable slots.
 * No I/O; zone conversions go through common/time/wall-clock.ts. Decisions the product spec left open:
 *
 * - Wall clock -> instant as in recurrence (RFC 5545 §3.3.5): a wall time inside a DST gap is read with
 *   the offset before the gap (02:30 on a spring-forward night becomes 03:30); an ambiguous one (fall
 *   back) is the first of the two. A rule whose converted end is not after its start yields nothing.
 * - A date exception replaces every weekly rule occurrence whose local date (in the rule's own zone)
 *   equals the exception's date. Several exceptions on one date add up their hours, but one marked
 *   unavailable on that date wins. An "available" exception without both times contributes no hours.
 * - Working intervals are merged (touching ones join), so 09:00-12:00 plus 12:00-17:00 is one grid.
 * - Grid: slot starts step `slotIntervalMinutes` from the start of the working interval, restarting at
 *   each host-local midnight when an interval spans midnight. That keeps the grid independent of the
 *   window the booker asked for (24/7 availability would otherwise align to wherever the window began).
 *   A slot may run past midnight while it stays inside its working interval.
 * - Buffers are checked against busy time and existing bookings only, not against working hours
 *   (Cal.com behaviour): a 09:00 slot with a 15-minute buffer before is fine if 08:45-09:00 is free.
 * - Booking window: a start is allowed up to and including now + N calendar days in the host zone.
 * - Limits count existing bookings of this link by the host-local day / ISO week (Monday) of their start.
 * - isSlotBookable ignores `q.window` (that only bounds the listing); for any start inside the window it
 *   agrees with computeSlots. Reject reasons are checked in this order: NOTICE, WINDOW, OUTSIDE_HOURS,
 *   NOT_ON_GRID, DAY_LIMIT, WEEK_LIMIT, BUSY.
 */

export interface WeeklyRule {
  /** 0 = Sunday .. 6 = Saturday */
  dayOfWeek: number;
  /** 'HH:mm' */
  startTime: string;
  /** 'HH:mm' after startTime; '24:00' is the end of the day */
  endTime: string;
  /** IANA zone */
  timezone: string;
}

export interface DateException {
  /** 'YYYY-MM-DD', a local date in `timezone` */
  date: string;
  isUnavailable: boolean;
  /** replacement hours when available */
  startTime?: string;
  endTime?: string;
  timezone: string;
}

export interface SlotQuery {
  window: TimeInterval;
  now: Date;
  durationMinutes: number;
  /** step between slot starts; default = duration */
  slotIntervalMinutes?: number;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  minimumNoticeMinutes: number;
  /** null or undefined = unlimited */
  bookingWindowDays?: number | null;
  hostTimezone: string;
  maxPerDay?: number | null;
  maxPerWeek?: number | null;
  /** confirmed bookings of this link: counted for the limits and busy as well */
  existingBookings: TimeInterval[];
  /** every other busy time of the host */
  busy: TimeInterval[];
  rules: WeeklyRule[];
  exceptions: DateException[];
}

export interface Slot {
  start: Date;
  end: Date;
}

export type SlotRejection = 'OUTSIDE_HOURS' | 'BUSY' | 'NOTICE' | 'WINDOW' | 'DAY_LIMIT' | 'WEEK_LIMIT' | 'NOT_ON_GRID';

export type SlotVerdict = { ok: true } | { ok: false; reason: SlotRejection };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/**
 * Rule occurrences are generated for local dates this many days beyond the asked range, so a merged
 * interval's start is either its true start or lies far enough back that the midnight restart of the
 * grid decides alignment; see the grid note above.
 */
const MARGIN_DAYS = 2;

/** The host's open hours overlapping `window`, merged, as whole intervals (not clipped to the window). */
export function workingIntervals(rules: WeeklyRule[], exceptions: DateException[], window: TimeInterval): TimeInterval[] {
  return workingSpans(rules, exceptions, window.start.getTime(), window.end.getTime()).map(toInterval);
}

export function computeSlots(q: SlotQuery): Slot[] {
  const p = prepare(q);
  const ws = q.window.start.getTime();
  const we = q.window.end.getTime();
  const earliest = Math.max(ws, p.earliest);
  const last = Math.min(we - 1, p.latest); // inclusive bound on a start
  const working = workingSpans(q.rules, q.exceptions, ws, we + p.duration);
  const busy = new BusySweep(p.blocked);
  const slots: Slot[] = [];

  for (const w of working) {
    if (w.s > last) break;
    for (const seg of hostDaySegments(w, q.hostTimezone)) {
      if (seg.s > last) break;
      if (seg.e <= earliest) continue;
      if (p.limitReached(seg.s) !== null) continue;
      let s = seg.s;
      if (s < earliest) s += Math.ceil((earliest - s) / p.step) * p.step;
      for (; s < seg.e && s <= last && s + p.duration <= w.e; s += p.step) {
        if (!busy.blocks(s - p.before, s + p.duration + p.after)) {
          slots.push({ start: new Date(s), end: new Date(s + p.duration) });
        }
      }
    }
  }
  return slots;
}

export function isSlotBookable(q: SlotQuery, start: Date): SlotVerdict {
  const p = prepare(q);
  const s = start.getTime();
  if (s < p.earliest) return { ok: false, reason: 'NOTICE' };
  if (s > p.latest) return { ok: false, reason: 'WINDOW' };
  const w = workingSpans(q.rules, q.exceptions, s, s + p.duration).find((x) => x.s <= s && s + p.duration <= x.e);
  if (!w) return { ok: false, reason: 'OUTSIDE_HOURS' };
  const origin = Math.max(w.s, hostDayStart(s, q.hostTimezone));
  if ((s - origin) % p.step !== 0) return { ok: false, reason: 'NOT_ON_GRID' };
  const limit = p.limitReached(s);
  if (limit) return { ok: false, reason: limit };
  if (new BusySweep(p.blocked).blocks(s - p.before, s + p.duration + p.after)) return { ok: false, reason: 'BUSY' };
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------------

interface Prepared {
  duration: number;
  step: number;
  before: number;
  after: number;
  earliest: number;
  latest: number;
  blocked: Span[];
  /** the limit a start at this instant would exceed, judged by its host-local day and week */
  limitReached(at: number): 'DAY_LIMIT' | 'WEEK_LIMIT' | null;
}

/** Everything computeSlots and isSlotBookable share, so the two cannot drift apart. */
function prepare(q: SlotQuery): Prepared {
  const duration = q.durationMinutes * MINUTE;
  const step = (q.slotIntervalMinutes ?? q.durationMinutes) * MINUTE;
  if (!(duration > 0) || !(step > 0)) throw new RangeError('durationMinutes and slotIntervalMinutes must be positive');
  const zone = q.hostTimezone;
  const now = q.now.getTime();
  const latest =
    q.bookingWindowDays == null ? Infinity : zoned(now, zone).plus({ days: q.bookingWindowDays }).toMillis();
  const blocked = mergeSpans([...q.busy.map(toSpan), ...q.existingBookings.map(toSpan)]);

  const maxDay = q.maxPerDay ?? null;
  const maxWeek = q.maxPerWeek ?? null;
  // Bookings counted by host-local day number and by the day number of their ISO week's Monday.
  const perDay = new Map<number, number>();
  const perWeek = new Map<number, number>();
  if (maxDay !== null || maxWeek !== null) {
    for (const b of q.existingBookings) {
      const day = localDay(b.start.getTime(), zone);
      bump(perDay, day);
      bump(perWeek, mondayOf(day));
    }
  }
  const limitReached = (at: number): 'DAY_LIMIT' | 'WEEK_LIMIT' | null => {
    if (maxDay === null && maxWeek === null) return null;
    const day = localDay(at, zone);
    if (maxDay !== null && (perDay.get(day) ?? 0) >= maxDay) return 'DAY_LIMIT';
    if (maxWeek !== null && (perWeek.get(mondayOf(day)) ?? 0) >= maxWeek) return 'WEEK_LIMIT';
    return null;
  };

  return {
    duration,
    step,
    before: q.bufferBeforeMinutes * MINUTE,
    after: q.bufferAfterMinutes * MINUTE,
    earliest: now + q.minimumNoticeMinutes * MINUTE,
    latest,
    blocked,
    limitReached,
  };
}

/**
 * Answers "does [from, to) overlap a blocked span?" against merged, sorted spans. Queries with
 * non-decreasing `from` (as computeSlots makes them) cost O(1) amortised: the cursor only moves forward.
 */
class BusySweep {
  private i = 0;
  constructor(private readonly spans: readonly Span[]) {}

  blocks(from: number, to: number): boolean {
    const spans = this.spans;
    while (this.i < spans.length && spans[this.i].e <= from) this.i++;
    return this.i < spans.length && spans[this.i].s < to;
  }
}

/** Merged working spans overlapping [from, to). */
function workingSpans(rules: readonly WeeklyRule[], exceptions: readonly DateException[], from: number, to: number): Span[] {
  const byDate = new Map<string, DateException[]>();
  for (const x of exceptions) {
    const list = byDate.get(x.date);
    if (list) list.push(x);
    else byDate.set(x.date, [x]);
  }

  const raw: Span[] = [];
  const rulesByZone = groupBy(rules, (r) => r.timezone);
  for (const [zone, zoneRules] of rulesByZone) {
    for (const date of localDates(from, to, zone)) {
      if (byDate.has(date.iso)) continue;
      for (const r of zoneRules) {
        if (r.dayOfWeek === date.dayOfWeek) pushWall(raw, date.iso, r.startTime, r.endTime, zone);
      }
    }
  }

  for (const [iso, list] of byDate) {
    if (list.some((x) => x.isUnavailable)) continue;
    for (const x of list) {
      if (x.startTime && x.endTime) pushWall(raw, iso, x.startTime, x.endTime, x.timezone);
    }
  }

  return mergeSpans(raw).filter((w) => w.s < to && w.e > from);
}

/**
 * Local dates in `zone` covering [from, to) plus MARGIN_DAYS either side. Dates are counted as day
 * numbers (days since 1970-01-01 on the local calendar), so a zone oddity such as a missing local
 * midnight cannot skip one.
 */
function localDates(from: number, to: number, zone: string): { iso: string; dayOfWeek: number }[] {
  const out: { iso: string; dayOfWeek: number }[] = [];
  const last = localDay(to, zone) + MARGIN_DAYS;
  for (let day = localDay(from, zone) - MARGIN_DAYS; day <= last; day++) {
    out.push({ iso: rruleDateToWallClock(new Date(day * DAY), true), dayOfWeek: modulo(day + 4, 7) }); // 1970-01-01 was a Thursday
  }
  return out;
}

function pushWall(out: Span[], isoDate: string, startTime: string, endTime: string, zone: string): void {
  const s = wallToMillis(isoDate, startTime, zone);
  const e = wallToMillis(isoDate, endTime, zone);
  if (e > s) out.push({ s, e });
}

const HOUR_MINUTE = /^(\d{2}):(\d{2})(?::00)?$/;

/** 'YYYY-MM-DD' + 'HH:mm' (or '24:00', the next midnight) in `zone` to epoch ms. */
function wallToMillis(isoDate: string, time: string, zone: string): number {
  const clock = HOUR_MINUTE.exec(time);
  const hour = Number(clock?.[1]);
  const minute = Number(clock?.[2]);
  if (!clock || hour > 24 || minute > 59 || (hour === 24 && minute > 0)) {
    throw new RangeError(`invalid local time ${isoDate} ${time} in ${zone}`);
  }
  const midnight = wallClockToRruleDate(isoDate).getTime(); // a RangeError too for a date that is not one
  return wallClockMillisToInstant(midnight + hour * HOUR + minute * MINUTE, zone);
}

/** Pieces of `w` cut at host-local midnights; each piece restarts the slot grid. */
function hostDaySegments(w: Span, zone: string): Span[] {
  const out: Span[] = [];
  let day = localDay(w.s, zone);
  let dayStart = wallClockMillisToInstant(day * DAY, zone);
  while (dayStart < w.e) {
    const next = wallClockMillisToInstant(++day * DAY, zone);
    const s = Math.max(w.s, dayStart);
    const e = Math.min(w.e, next);
    if (e > s) out.push({ s, e });
    dayStart = next;
  }
  return out;
}

function hostDayStart(at: number, zone: string): number {
  return wallClockMillisToInstant(localDay(at, zone) * DAY, zone);
}

/** The host-local calendar day of an instant, as a day number (days since 1970-01-01). */
function localDay(at: number, zone: string): number {
  return Math.floor(instantToWallClockMillis(at, zone) / DAY);
}

/** The day number of the Monday that starts the ISO week of `day`. */
function mondayOf(day: number): number {
  return day - modulo(day + 3, 7); // 1970-01-01 was a Thursday: (day + 3) mod 7 is 0 on Mondays
}

function modulo(n: number, m: number): number {
  return ((n % m) + m) % m;
}

/** Zone arithmetic goes through the memoized zone (common/time/wall-clock.ts): one ICU call per zone and day. */
function zoned(ms: number, zone: string): DateTime {
  const dt = DateTime.fromMillis(ms, { zone: luxonZone(zone) });
  if (!dt.isValid) throw new RangeError(`invalid time zone ${zone}`);
  return dt;
}

function bump(map: Map<number, number>, key: number): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function groupBy<T>(list: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of list) {
    const k = key(x);
    const group = out.get(k);
    if (group) group.push(x);
    else out.set(k, [x]);
  }
  return out;
}
