import type { Options } from 'rrule';
import rrulePkg from 'rrule';
import { instantToRruleDate, rruleDateToInstant } from '../../common/time/wall-clock.js';
import { expandSeries } from './recurrence.engine.js';
import { compileSeries, normalizeOccurrenceId, runsDaily, type CompiledSeries, type RuleParts, type SeriesDefinition } from './recurrence.rule.js';
import { runRule, walk } from './recurrence.walk.js';

const { RRule } = rrulePkg;

/**
 * A series' busy time without listing its occurrences: exactly the union of the occurrences that
 * overlap a window, as merged spans, at a cost that does not grow with how dense the rule is
 * (FREQ=MINUTELY for years, DAILY with every BYHOUR and BYMINUTE).
 *
 * In the fake frame (wall clock dressed as UTC, where rrule.js works) every day lasts 24 h, so the
 * rule's results on a day are a pattern of offsets from its midnight that depends on little:
 * - HOURLY and plain MINUTELY step uniformly from DTSTART; a day's points are fixed by the step's
 *   phase at midnight, kept when the day passes the day filters (BYMONTH, BYMONTHDAY, BYYEARDAY,
 *   BYDAY) and, for HOURLY, the hour is in BYHOUR; each point carries the same times within its
 *   period (BYMINUTE × BYSECOND, BYSETPOS applied), asked of rrule.js once.
 * - Every other timed rule without a per-period BYSETPOS gives each of its days the same times
 *   (BYHOUR × BYMINUTE × BYSECOND, or DAILY's BYSETPOS choice among them, which rrule.js gives once);
 *   its days are counted for plain DAILY and WEEKLY rules, and otherwise come from rrule.js running the
 *   rule with one time a day.
 * DTSTART, UNTIL and COUNT only cut the first and last days. A day whose zone offset is constant
 * around it maps to instants by one shift, so its merged pattern is reused as is; any other day
 * (a DST change near it, an excluded occurrence, the series' ends, the window's edges) maps each
 * result on its own, as expandSeries does. All-day series and the remaining rules (BYSETPOS on WEEKLY,
 * MONTHLY or YEARLY: at most a few hundred results a period) are expanded and merged.
 */

export interface BusySpan {
  start: Date;
  end: Date;
}

interface Span {
  s: number;
  e: number;
}

/** A day's results: fake-frame offsets from midnight (sorted), and their merged [start, start + duration). */
interface DayPattern {
  offsets: number[];
  merged: Span[];
}

/** How a rule places results on days. */
interface DayModel {
  /** Days (fake day numbers) from `first` to `last` that may have results, ascending. */
  days(first: number, last: number): Iterable<number>;
  /** The results of a day given by `days`; empty offsets when it has none. */
  pattern(day: number): DayPattern;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const EMPTY: DayPattern = { offsets: [], merged: [] };
const DAYS_PER_WALK = 64;
// Any day serves to ask rrule.js for the times within one period: 2000-01-03 is a Monday, far from
// the year's edges.
const REFERENCE_DAY = Date.UTC(2000, 0, 3);

/**
 * The merged busy spans of the series' occurrences overlapping [from, to) (start < to and end > from),
 * leaving out EXDATEs and `skipOccurrenceIds` (occurrences an override replaces; the caller adds the
 * override's own time). Equal to merging expandSeries(def, window) for any window, without a cap.
 */
export function seriesBusySpans(
  def: SeriesDefinition,
  window: { from: Date; to: Date },
  skipOccurrenceIds: Iterable<string> = [],
): BusySpan[] {
  const skipped = [...skipOccurrenceIds].filter((id) => normalizeOccurrenceId(id, def.isAllDay) !== null);
  const withSkips: SeriesDefinition = { ...def, exdates: [...(def.exdates ?? []), ...skipped] };
  const s = compileSeries(withSkips);
  const from = window.from.getTime();
  const to = window.to.getTime();
  if (Number.isNaN(from) || Number.isNaN(to)) throw new RangeError('seriesBusySpans: invalid window');
  if (from >= to || (!s.isAllDay && s.durationMs === 0)) return [];
  const model = s.isAllDay ? null : dayModel(s);
  if (!model) {
    const occurrences = expandSeries(withSkips, window, { maxOccurrences: Number.MAX_SAFE_INTEGER });
    return toBusy(mergeSpans(occurrences.map((o) => ({ s: o.start.getTime(), e: o.end.getTime() }))));
  }
  return toBusy(spansOf(s, model, from, to));
}

/** The day loop: each day's pattern shifted as a whole, or its results mapped one by one. */
function spansOf(s: CompiledSeries, model: DayModel, from: number, to: number): Span[] {
  const zone = s.zone;
  const duration = s.durationMs;
  const dtstart = s.dtstart.getTime();
  // The same fake-frame bounds as expandSeries: a day either side for zone offsets.
  const lo = instantToRruleDate(new Date(from - duration), zone).getTime() - DAY_MS;
  const hi = instantToRruleDate(new Date(to), zone).getTime() + DAY_MS;
  const firstDay = Math.max(dayOf(lo), dayOf(dtstart));
  const hiDay = dayOf(hi);
  let lastFake = s.rruleUntil.getTime();
  if (s.parts.count !== undefined) lastFake = Math.min(lastFake, countEnd(s, model, hiDay));
  const lastDay = Math.min(hiDay, dayOf(lastFake));
  const excluded = [...s.exdates].map((id) => Date.parse(id)).sort((a, b) => a - b);
  const excludedSet = new Set(excluded);
  const shifts = new ZoneShifts(zone);
  const out: Span[] = [];
  // Results come mostly in order: join a span to the last one when it starts inside it, so a day with
  // an EXDATE adds a few spans, not one per minute. The final merge sorts out the rest (DST changes).
  const add = (start: number, end: number): void => {
    const last = out[out.length - 1];
    if (last && start >= last.s && start <= last.e) last.e = Math.max(last.e, end);
    else out.push({ s: start, e: end });
  };
  for (const day of model.days(firstDay, lastDay)) {
    const { offsets: times, merged } = model.pattern(day);
    if (times.length === 0) continue;
    const base = day * DAY_MS;
    const firstFake = base + times[0];
    const lastOfDay = base + times[times.length - 1];
    const shift = shifts.constantAround(day);
    const whole =
      shift !== null &&
      firstFake >= dtstart &&
      lastOfDay <= lastFake &&
      (s.untilMs === undefined || lastOfDay - shift <= s.untilMs) &&
      !anyWithin(excluded, firstFake - shift, lastOfDay - shift) &&
      firstFake - shift + duration > from &&
      lastOfDay - shift < to;
    if (whole) {
      for (const span of merged) add(base - shift + span.s, base - shift + span.e);
      continue;
    }
    for (const time of times) {
      const fake = base + time;
      if (fake < dtstart || fake > lastFake) continue;
      const start = shift !== null ? fake - shift : rruleDateToInstant(new Date(fake), zone).getTime();
      if (s.untilMs !== undefined && start > s.untilMs) continue;
      if (excludedSet.has(start) || start >= to || start + duration <= from) continue;
      add(start, start + duration);
    }
  }
  return mergeSpans(out);
}

/**
 * The fake time of the COUNT-th result, or Infinity when it comes after day `hiDay`. COUNT counts
 * rrule.js results (EXDATEs included), all of which lie in the patterns.
 */
function countEnd(s: CompiledSeries, model: DayModel, hiDay: number): number {
  const dtstart = s.dtstart.getTime();
  let remaining = s.parts.count as number;
  for (const day of model.days(dayOf(dtstart), hiDay)) {
    const times = model.pattern(day).offsets;
    const base = day * DAY_MS;
    let first = 0;
    while (first < times.length && base + times[first] < dtstart) first += 1;
    const n = times.length - first;
    if (n >= remaining) return base + times[first + remaining - 1];
    remaining -= n;
  }
  return Infinity;
}

/** The model for a timed rule, or null when its days do not share one pattern. */
function dayModel(s: CompiledSeries): DayModel | null {
  const { freq } = s.parts;
  if ((freq === 'HOURLY' || freq === 'MINUTELY') && !runsDaily(s.parts)) return steppingModel(s);
  const daily = freq === 'DAILY' || runsDaily(s.parts);
  if (s.parts.bySetPos && !daily) return null;
  return sameTimesModel(s);
}

/** HOURLY and plain MINUTELY: points DTSTART + k × step, filtered by day (and BYHOUR), each with the period's times. */
function steppingModel(s: CompiledSeries): DayModel {
  const hourly = s.parts.freq === 'HOURLY';
  const unit = hourly ? HOUR_MS : MINUTE_MS;
  const step = s.parts.interval * unit;
  // rrule.js keeps only the hour (HOURLY) or minute (MINUTELY) of DTSTART for its steps.
  const anchor = Math.floor(s.dtstart.getTime() / unit) * unit;
  const periodOptions: Partial<Options> = hourly
    ? { freq: RRule.HOURLY, byminute: s.options.byminute, bysecond: s.options.bysecond, bysetpos: s.options.bysetpos }
    : { freq: RRule.MINUTELY, bysecond: s.options.bysecond };
  const within = periodTimes(periodOptions, unit, s);
  const byHour = hourly && s.parts.byHour ? new Set(s.parts.byHour) : null;
  const passes = dayFilter(s.parts);
  const patterns = new Map<number, DayPattern>();
  const duration = s.durationMs;
  return {
    *days(first, last) {
      if (step <= DAY_MS) {
        for (let day = first; day <= last; day++) yield day;
        return;
      }
      // Steps longer than a day: only the days holding a point.
      let point = anchor + Math.ceil((first * DAY_MS - anchor) / step) * step;
      for (; dayOf(point) <= last; point += step) yield dayOf(point);
    },
    pattern(day) {
      if (!passes(day)) return EMPTY;
      const phase = mod(anchor - day * DAY_MS, step); // first point of the day, from midnight
      let pattern = patterns.get(phase);
      if (!pattern) {
        const offsets: number[] = [];
        for (let point = phase; point < DAY_MS; point += step) {
          if (byHour && !byHour.has(Math.floor(point / HOUR_MS))) continue;
          for (const time of within) offsets.push(point + time);
        }
        pattern = { offsets, merged: mergeSorted(offsets, duration) };
        patterns.set(phase, pattern);
      }
      return pattern;
    },
  };
}

/** Rules whose days all carry the same times: one pattern, on the days of the rule. */
function sameTimesModel(s: CompiledSeries): DayModel {
  const dayOptions: Partial<Options> = {
    freq: RRule.DAILY,
    byhour: s.options.byhour,
    byminute: s.options.byminute,
    bysecond: s.options.bysecond,
    ...(s.parts.bySetPos && { bysetpos: s.options.bysetpos }),
  };
  const offsets = s.parts.bySetPos ? periodTimes(dayOptions, DAY_MS, s) : timesOfDay(dayOptions);
  const pattern: DayPattern = { offsets, merged: mergeSorted(offsets, s.durationMs) };
  return {
    // Counted when the rule is plain enough, otherwise asked of rrule.js.
    days: countedDays(s) ?? rruleDays(s),
    pattern: () => pattern,
  };
}

/**
 * The days of any rule, from rrule.js run with one time a day from DTSTART's midnight, in walks of a few
 * dozen days (counting COUNT from DTSTART usually stops long before `last`).
 */
function rruleDays(s: CompiledSeries): DayModel['days'] {
  const { count: _count, bysetpos: _bysetpos, ...options } = s.options;
  const daysOnly: CompiledSeries = {
    ...s,
    // Starting at DTSTART's midnight keeps every period; the spelled-out defaults keep every filter.
    dtstart: new Date(dayOf(s.dtstart.getTime()) * DAY_MS),
    parts: { ...s.parts, count: undefined, bySetPos: undefined },
    options: { ...options, byhour: [0], byminute: [0], bysecond: [0] },
  };
  return function* (first, last) {
    for (let cursor = first; cursor <= last; ) {
      const found: number[] = [];
      walk(daysOnly, cursor * DAY_MS, (fake) => {
        const day = dayOf(fake.getTime());
        if (day > last) return false;
        if (day >= cursor) found.push(day);
        return found.length < DAYS_PER_WALK;
      });
      yield* found;
      if (found.length < DAYS_PER_WALK) return;
      cursor = found[found.length - 1] + 1;
    }
  };
}

/**
 * The days of a DAILY or WEEKLY rule with plain day filters, counted rather than asked of rrule.js
 * (whose day sets cost a few hundred kilobytes of garbage per period walked: most of a booking page's
 * slot request). The same days as rrule.js with one time a day from DTSTART's midnight: DAILY steps
 * INTERVAL days from DTSTART's day; WEEKLY takes the BYDAY weekdays (DTSTART's without BYDAY) of
 * every INTERVAL-th week from DTSTART's, weeks starting on WKST; both keep the days that pass the
 * filters (UNTIL and COUNT cut the last day in spansOf, as they do rrule.js's days). Null for any
 * other rule (ordinal BYDAY, BYWEEKNO, WEEKLY with BYMONTHDAY or BYYEARDAY): rrule.js answers those.
 * The seeded random tests compare both ways on every kind of rule.
 */
function countedDays(s: CompiledSeries): DayModel['days'] | null {
  const p = s.parts;
  const weekly = p.freq === 'WEEKLY';
  if ((p.freq !== 'DAILY' && !weekly) || p.byWeekNo || p.byDay?.some((d) => d.n !== 0)) return null;
  if (weekly && (p.byMonthDay || p.byYearDay)) return null;
  const startDay = dayOf(s.dtstart.getTime());
  const interval = p.interval;
  const passes = dayFilter(p);
  // Weekdays from Monday = 0, as in RuleParts; fake day 0 (1970-01-01) was a Thursday.
  const weekday = (day: number) => mod(day + 3, 7);
  const weekdays = new Set(p.byDay ? p.byDay.map((d) => d.weekday) : [weekday(startDay)]);
  const weekStart = (day: number) => day - mod(weekday(day) - p.wkst, 7);
  const firstWeek = weekStart(startDay);
  return function* (first, last) {
    const from = Math.max(first, startDay);
    if (!weekly) {
      for (let day = startDay + Math.ceil((from - startDay) / interval) * interval; day <= last; day += interval) {
        if (passes(day)) yield day;
      }
      return;
    }
    for (let day = from; day <= last; day++) {
      if (weekdays.has(weekday(day)) && mod((weekStart(day) - firstWeek) / 7, interval) === 0 && passes(day)) yield day;
    }
  };
}

/**
 * Offsets from the period's start (an hour, a minute or a day) of the times rrule.js gives one period
 * of the rule: the period's own BYxxx lists and BYSETPOS, no day filters.
 */
function periodTimes(options: Partial<Options>, period: number, s: CompiledSeries): number[] {
  const times: number[] = [];
  runRule({ ...options, interval: 1, wkst: s.options.wkst, dtstart: new Date(REFERENCE_DAY), until: null }, s.parts.freq, (fake) => {
    const offset = fake.getTime() - REFERENCE_DAY;
    if (offset >= period) return false;
    times.push(offset);
    return true;
  });
  return times;
}

/**
 * A day's times without BYSETPOS: every BYHOUR × BYMINUTE × BYSECOND, as rrule.js gives a DAILY period
 * (asking it costs a year's masks of garbage per series, on every slot request). The lists are sorted
 * and distinct (parseRule), so the product comes out ascending.
 */
function timesOfDay(options: Partial<Options>): number[] {
  const list = (value: number | number[] | null | undefined): number[] => (value == null ? [] : Array.isArray(value) ? value : [value]);
  const times: number[] = [];
  for (const hour of list(options.byhour)) {
    for (const minute of list(options.byminute)) {
      for (const second of list(options.bysecond)) times.push(hour * HOUR_MS + minute * MINUTE_MS + second * 1000);
    }
  }
  return times;
}

/** rrule.js's day filters, for the rules whose days are stepped or counted here (no ordinals, no BYWEEKNO there). */
function dayFilter(p: RuleParts): (day: number) => boolean {
  const { byMonth, byMonthDay, byYearDay, byDay } = p;
  if (!byMonth && !byMonthDay && !byYearDay && !byDay) return () => true;
  const weekdays = byDay && new Set(byDay.map((d) => d.weekday));
  return (day) => {
    const date = new Date(day * DAY_MS);
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth() + 1;
    if (byMonth && !byMonth.includes(month)) return false;
    if (weekdays && !weekdays.has((date.getUTCDay() + 6) % 7)) return false;
    if (byMonthDay) {
      const monthDay = date.getUTCDate();
      const monthLength = new Date(Date.UTC(year, month, 0)).getUTCDate();
      if (!byMonthDay.includes(monthDay) && !byMonthDay.includes(monthDay - monthLength - 1)) return false;
    }
    if (byYearDay) {
      const yearDay = day - dayOf(Date.UTC(year, 0, 1)) + 1;
      const yearLength = isLeap(year) ? 366 : 365;
      if (!byYearDay.includes(yearDay) && !byYearDay.includes(yearDay - yearLength - 1)) return false;
    }
    return true;
  };
}

/**
 * UTC offsets at the UTC midnights around a fake day. When they agree from the day before to the day
 * after, wall-clock.ts reads every wall clock of the day with that one offset, and a result's instant
 * is its fake time minus it.
 */
class ZoneShifts {
  private readonly atMidnight = new Map<number, number>();

  constructor(private readonly zone: string) {}

  constantAround(day: number): number | null {
    const shift = this.offset(day - 1);
    for (let d = day; d <= day + 2; d++) if (this.offset(d) !== shift) return null;
    return shift;
  }

  private offset(day: number): number {
    let offset = this.atMidnight.get(day);
    if (offset === undefined) {
      const ts = day * DAY_MS;
      offset = instantToRruleDate(new Date(ts), this.zone).getTime() - ts;
      this.atMidnight.set(day, offset);
    }
    return offset;
  }
}

function mergeSorted(offsets: number[], duration: number): Span[] {
  const out: Span[] = [];
  for (const start of offsets) {
    const last = out[out.length - 1];
    if (last && start <= last.e) last.e = Math.max(last.e, start + duration);
    else out.push({ s: start, e: start + duration });
  }
  return out;
}

function mergeSpans(list: Span[]): Span[] {
  const sorted = list.filter((x) => x.e > x.s).sort((a, b) => a.s - b.s || a.e - b.e);
  const out: Span[] = [];
  for (const x of sorted) {
    const last = out[out.length - 1];
    if (last && x.s <= last.e) last.e = Math.max(last.e, x.e);
    else out.push({ s: x.s, e: x.e });
  }
  return out;
}

/** Is any of the sorted values within [lo, hi]? */
function anyWithin(sorted: number[], lo: number, hi: number): boolean {
  let a = 0;
  let b = sorted.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (sorted[m] < lo) a = m + 1;
    else b = m;
  }
  return a < sorted.length && sorted[a] <= hi;
}

function toBusy(spans: Span[]): BusySpan[] {
  return spans.map((x) => ({ start: new Date(x.s), end: new Date(x.e) }));
}

function dayOf(fake: number): number {
  return Math.floor(fake / DAY_MS);
}

function mod(a: number, m: number): number {
  return ((a % m) + m) % m;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
