import rrulePkg from 'rrule';
import {
  addDays,
  instantToRruleDate,
  rruleDateToInstant,
  rruleDateToWallClock,
  wallClockToInstant,
  wallClockToRruleDate,
} from '../../common/time/wall-clock.js';
import {
  compileSeries,
  formatInstantId,
  formatRule,
  normalizeOccurrenceId,
  RecurrenceError,
  runsDaily,
  untilBefore,
  weekdayOf,
  type CompiledSeries,
  type Frequency,
  type ParsedRule,
  type RuleParts,
  type SeriesDefinition,
} from './recurrence.rule.js';

export {
  MAX_COUNT,
  normalizeOccurrenceId,
  parseRule,
  RecurrenceError,
  type ParsedRule,
  type RecurrenceErrorCode,
  type RecurrenceField,
  type SeriesDefinition,
} from './recurrence.rule.js';

const { RRule } = rrulePkg;

/**
 * Pure recurrence expansion. rrule.js iterates in the series' local wall time, "dressed as UTC"
 * (DTSTART 09:00 New York is given as 09:00Z, tzid unset), so BYDAY and BYHOUR mean local days and hours
 * and a 09:00 series stays at 09:00 across DST; wall-clock.ts turns each result into a real instant.
 */

export interface Occurrence {
  /** Timed: original start in UTC, 'YYYY-MM-DDTHH:mm:ssZ'. All-day: 'YYYY-MM-DD'. */
  occurrenceId: string;
  /** All-day: 00:00 of the date in the series zone. */
  start: Date;
  end: Date;
  /**
   * The rule's wall clock for this occurrence, same format as SeriesDefinition.localStart. It differs
   * from the start's wall clock only inside a DST gap (02:30 that happens at 03:30); a series split at
   * this occurrence must start at this value to keep the rest of the series at 02:30.
   */
  localStart: string;
}

export interface SeriesSummary {
  rule: ParsedRule;
  firstOccurrence: Occurrence;
  lastOccurrenceEnd: Date | null;
}

export const DEFAULT_MAX_OCCURRENCES = 5000;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
// rrule.js periods (days for DAILY, weeks for WEEKLY …) one expansion may walk, in a row without a
// result and in total: about 0.1 s and 1 s of rrule.js work.
const MAX_EMPTY_PERIODS = 20_000;
const MAX_PERIODS = 200_000;

interface Located {
  occurrence: Occurrence;
  fake: Date;
  index: number; // position among the rule's results from DTSTART; only kept for COUNT rules
}

/**
 * Occurrences overlapping [from, to) (start < to && end > from; a zero-length one counts when
 * from <= start < to), sorted by start, EXDATEs removed. Throws OCCURRENCE_CAP rather than truncate.
 */
export function expandSeries(
  def: SeriesDefinition,
  window: { from: Date; to: Date },
  opts: { maxOccurrences?: number } = {},
): Occurrence[] {
  const s = compileSeries(def);
  const cap = opts.maxOccurrences ?? DEFAULT_MAX_OCCURRENCES;
  const from = window.from.getTime();
  const to = window.to.getTime();
  if (Number.isNaN(from) || Number.isNaN(to)) throw new RangeError('expandSeries: invalid window');
  if (from >= to) return [];
  // In the fake frame, padded a day each side for zone offsets, and by the duration to the left.
  const lo = instantToRruleDate(new Date(from - durationMsOf(s)), s.zone).getTime() - DAY_MS;
  const hi = instantToRruleDate(window.to, s.zone).getTime() + DAY_MS;
  const found = new Map<string, Occurrence>();
  walk(s, lo, (fake) => {
    if (fake.getTime() > hi) return false;
    if (fake.getTime() < lo) return true;
    const occ = toOccurrence(s, fake);
    const start = occ.start.getTime();
    const overlaps = start < to && (occ.end.getTime() > from || (occ.end.getTime() === start && start >= from));
    if (overlaps && isKept(s, occ) && !found.has(occ.occurrenceId)) {
      found.set(occ.occurrenceId, occ);
      if (found.size > cap) {
        throw new RecurrenceError(
          'OCCURRENCE_CAP',
          'recurrenceRule',
          `the window holds more than ${cap} occurrences of this series; ask for a shorter window`,
        );
      }
    }
    return true;
  });
  return sortByStart([...found.values()]);
}

/** The first `limit` occurrences with end > after (EXDATEs removed), sorted by start. */
export function nextOccurrences(def: SeriesDefinition, after: Date, limit: number): Occurrence[] {
  const s = compileSeries(def);
  if (!Number.isInteger(limit) || limit < 0 || limit > DEFAULT_MAX_OCCURRENCES) {
    throw new RecurrenceError('OCCURRENCE_CAP', 'recurrenceRule', `limit must be 0 to ${DEFAULT_MAX_OCCURRENCES}`);
  }
  if (limit === 0) return [];
  const lo = instantToRruleDate(new Date(after.getTime() - durationMsOf(s)), s.zone).getTime() - DAY_MS;
  const found = new Map<string, Occurrence>();
  let stopAfter = Infinity;
  walk(s, lo, (fake) => {
    if (fake.getTime() > stopAfter) return false;
    if (fake.getTime() < lo) return true;
    const occ = toOccurrence(s, fake);
    if (occ.end.getTime() > after.getTime() && isKept(s, occ) && !found.has(occ.occurrenceId)) {
      found.set(occ.occurrenceId, occ);
      // Keep going one more day: inside a DST gap a later wall clock can map to an earlier instant.
      if (found.size === limit) stopAfter = fake.getTime() + DAY_MS;
    }
    return true;
  });
  return sortByStart([...found.values()]).slice(0, limit);
}

/** Is this id a real, not excluded, occurrence of the series? */
export function occurrenceExists(def: SeriesDefinition, occurrenceId: string): boolean {
  const s = compileSeries(def);
  const id = normalizeOccurrenceId(occurrenceId, s.isAllDay);
  return id !== null && !s.exdates.has(id) && locate(s, id) !== null;
}

/**
 * "This and following", old series: the rule ending right before the occurrence. COUNT rules get a
 * smaller COUNT, others an UNTIL one second (all-day: one day) before it. Throws FIRST_OCCURRENCE when
 * nothing comes before it (edit the whole series instead).
 */
export function truncateRuleBefore(def: SeriesDefinition, occurrenceId: string): string {
  return splitSeriesAt(def, occurrenceId).head.rule;
}

/** "This and following", new series starting at that occurrence: COUNT reduced, UNTIL kept. */
export function remainingRuleFrom(def: SeriesDefinition, occurrenceId: string): string {
  const s = compileSeries(def);
  return formatRule(tailParts(s, locateOrThrow(s, occurrenceId)));
}

/**
 * Both halves of a "this and following" split as full definitions: the head keeps the start and the
 * EXDATEs before the occurrence, the tail starts at the occurrence's rule wall clock and keeps the rest.
 * Together they produce exactly the original occurrences.
 */
export function splitSeriesAt(
  def: SeriesDefinition,
  occurrenceId: string,
): { head: SeriesDefinition; tail: SeriesDefinition } {
  const s = compileSeries(def);
  const hit = locateOrThrow(s, occurrenceId);
  const id = hit.occurrence.occurrenceId;
  if (firstResult(s)?.getTime() === hit.fake.getTime()) {
    throw new RecurrenceError(
      'FIRST_OCCURRENCE',
      'occurrenceId',
      `${id} is the first occurrence of the series; change the whole series instead`,
    );
  }
  const headParts: RuleParts =
    s.parts.count !== undefined
      ? { ...s.parts, count: hit.index }
      : { ...s.parts, until: untilBefore(id, s.isAllDay) };
  const exdates = [...s.exdates];
  return {
    head: { ...def, rule: formatRule(headParts), exdates: exdates.filter((x) => x < id) },
    tail: {
      ...def,
      rule: formatRule(tailParts(s, hit)),
      localStart: hit.occurrence.localStart,
      exdates: exdates.filter((x) => x >= id),
    },
  };
}

/**
 * End of the series' last occurrence; null when the rule is infinite. EXDATEs are ignored so the value
 * stays an upper bound when they change. A bounded rule without any occurrence gives the series start.
 */
export function lastOccurrenceEnd(def: SeriesDefinition): Date | null {
  const s = compileSeries(def);
  if (!s.rule.bounded) return null;
  const last: { end?: Date } = {};
  const keepLatest = (lo: number) => (fake: Date): boolean => {
    if (fake.getTime() < lo) return true;
    const occ = toOccurrence(s, fake);
    if (withinUntil(s, occ) && !(last.end && last.end >= occ.end)) last.end = occ.end;
    return true;
  };
  if (s.parts.count !== undefined) {
    walk(s, null, keepLatest(-Infinity));
    return last.end ?? seriesStart(s);
  }
  // UNTIL rules may be long (HOURLY for years): look back from UNTIL in growing steps.
  const end = s.rruleUntil!.getTime();
  for (let span = 8 * DAY_MS; ; span *= 8) {
    const lo = end - span;
    walk(s, lo, keepLatest(lo));
    if (last.end) return last.end;
    if (lo <= s.dtstart.getTime()) return seriesStart(s);
  }
}

/**
 * Everything the API should check when a series is created or its rule changes: the rule, zone,
 * start, duration and EXDATEs, that the start is itself the first occurrence, and (bounded rules) that
 * the whole series can be walked. Expansion does not demand the start to match: like Google and
 * rrule.js, an off-rule start is simply not an occurrence.
 */
export function validateSeries(def: SeriesDefinition): SeriesSummary {
  const s = compileSeries(def);
  const first = firstResult(s);
  if (!first) throw new RecurrenceError('INVALID_RULE', 'recurrenceRule', 'the rule produces no occurrence');
  if (first.getTime() !== s.dtstart.getTime()) {
    const wanted = rruleDateToWallClock(first, s.isAllDay);
    throw new RecurrenceError(
      'INVALID_SERIES',
      'startTime',
      `the start ${def.localStart} is not an occurrence of the rule; its first occurrence would be ${wanted}`,
    );
  }
  return { rule: s.rule, firstOccurrence: toOccurrence(s, first), lastOccurrenceEnd: lastOccurrenceEnd(def) };
}

/**
 * Feeds rrule.js results (fake frame, in order) to `visit` until it returns false. Without COUNT the
 * walk starts at a later period boundary near `fromFake` instead of at DTSTART; `index` (position from
 * DTSTART) is then -1.
 */
function walk(s: CompiledSeries, fromFake: number | null, visit: (fake: Date, index: number) => boolean): void {
  const skipTo = s.parts.count === undefined && fromFake !== null ? fastForward(s, fromFake) : null;
  const rule = new RRule({ ...s.options, dtstart: skipTo ?? s.dtstart, until: s.rruleUntil ?? null }, true);
  const budget = limitPeriods(rule);
  rule.all((date, index) => {
    budget.sawResult();
    return visit(date, skipTo ? -1 : index);
  });
  if (budget.exhausted) {
    throw new RecurrenceError(
      'INVALID_RULE',
      'recurrenceRule',
      `the rule matches too rarely for FREQ=${s.parts.freq} (or never); use a coarser FREQ`,
    );
  }
}

/**
 * rrule.js stops only on a result, so a rule that matches nothing (DAILY;INTERVAL=7;BYDAY=TU from a
 * Monday) spins until year 9999. Its loop reads `options.interval` once on entry, then twice per
 * period: first to test for 0 (stop), then to advance. Counting the test reads gives a per-period hook,
 * and answering 0 there ends the loop cleanly. A unit test pins this behaviour of rrule 2.8.
 */
function limitPeriods(rule: InstanceType<typeof RRule>): { sawResult(): void; readonly exhausted: boolean } {
  const options = rule.options;
  const interval = options.interval;
  let reads = 0;
  let empty = 0;
  let total = 0;
  let exhausted = false;
  Object.defineProperty(options, 'interval', {
    configurable: true,
    enumerable: true,
    get: () => {
      reads += 1;
      if (!exhausted && reads % 2 === 0) {
        empty += 1;
        total += 1;
        exhausted = empty > MAX_EMPTY_PERIODS || total > MAX_PERIODS;
      }
      return exhausted ? 0 : interval;
    },
  });
  return {
    sawResult: () => {
      empty = 0;
    },
    get exhausted() {
      return exhausted;
    },
  };
}

/**
 * A DTSTART a whole number of INTERVAL periods after the original, on a period boundary, at least
 * 8 days before `fromFake` (BYWEEKNO sets spill up to a week past their year). With the defaults
 * spelled out (rruleOptions) it yields exactly the original results from there on.
 */
function fastForward(s: CompiledSeries, fromFake: number): Date | null {
  const { wkst } = s.parts;
  const [freq, interval]: [Frequency, number] = runsDaily(s.parts) ? ['DAILY', 1] : [s.parts.freq, s.parts.interval];
  const d0 = s.dtstart;
  const target = new Date(fromFake - 8 * DAY_MS);
  if (target <= d0) return null;
  const y0 = d0.getUTCFullYear();
  const m0 = d0.getUTCMonth();
  const day0 = Date.UTC(y0, m0, d0.getUTCDate());
  const stepFrom = (origin: number, step: number): Date | null => {
    const k = Math.floor((target.getTime() - origin) / step);
    return k > 0 ? new Date(origin + k * step) : null;
  };
  switch (freq) {
    case 'MINUTELY':
      return stepFrom(d0.getTime(), interval * MINUTE_MS);
    case 'HOURLY':
      return stepFrom(d0.getTime(), interval * HOUR_MS);
    case 'DAILY':
      return stepFrom(day0, interval * DAY_MS);
    case 'WEEKLY':
      return stepFrom(day0 - ((weekdayOf(d0) - wkst + 7) % 7) * DAY_MS, interval * 7 * DAY_MS);
    case 'MONTHLY': {
      const k = Math.floor(((target.getUTCFullYear() - y0) * 12 + target.getUTCMonth() - m0) / interval);
      return k > 0 ? utcDate(y0, m0 + k * interval) : null;
    }
    case 'YEARLY': {
      const k = Math.floor((target.getUTCFullYear() - y0) / interval);
      return k > 0 ? utcDate(y0 + k * interval, 0) : null;
    }
  }
}

function utcDate(year: number, month: number): Date {
  const date = new Date(Date.UTC(2000, month, 1));
  date.setUTCFullYear(year + date.getUTCFullYear() - 2000);
  return date;
}

function locate(s: CompiledSeries, id: string): Located | null {
  const target = s.isAllDay ? wallClockToRruleDate(id) : instantToRruleDate(new Date(id), s.zone);
  const lo = target.getTime() - DAY_MS;
  const hi = target.getTime() + DAY_MS;
  let hit: Located | null = null;
  walk(s, lo, (fake, index) => {
    if (fake.getTime() > hi) return false;
    if (fake.getTime() < lo) return true;
    const occurrence = toOccurrence(s, fake);
    if (occurrence.occurrenceId !== id || !withinUntil(s, occurrence)) return true;
    hit = { occurrence, fake, index };
    return false;
  });
  return hit;
}

function locateOrThrow(s: CompiledSeries, occurrenceId: string): Located {
  const id = normalizeOccurrenceId(occurrenceId, s.isAllDay);
  const hit = id === null || s.exdates.has(id) ? null : locate(s, id);
  if (!hit) {
    const message = `"${occurrenceId}" is not an occurrence of the series`;
    throw new RecurrenceError('UNKNOWN_OCCURRENCE', 'occurrenceId', message);
  }
  return hit;
}

function tailParts(s: CompiledSeries, hit: Located): RuleParts {
  return s.parts.count !== undefined ? { ...s.parts, count: s.parts.count - hit.index } : s.parts;
}

function firstResult(s: CompiledSeries): Date | null {
  let first: Date | null = null;
  walk(s, null, (fake) => {
    first = fake;
    return false;
  });
  return first;
}

function toOccurrence(s: CompiledSeries, fake: Date): Occurrence {
  if (s.isAllDay) {
    const date = rruleDateToWallClock(fake, true);
    return {
      occurrenceId: date,
      start: wallClockToInstant(date, s.zone),
      end: wallClockToInstant(addDays(date, s.durationDays), s.zone),
      localStart: date,
    };
  }
  const start = rruleDateToInstant(fake, s.zone);
  return {
    occurrenceId: formatInstantId(start),
    start,
    end: new Date(start.getTime() + s.durationMs),
    localStart: rruleDateToWallClock(fake),
  };
}

function withinUntil(s: CompiledSeries, occ: Occurrence): boolean {
  return s.untilMs === undefined || occ.start.getTime() <= s.untilMs;
}

function isKept(s: CompiledSeries, occ: Occurrence): boolean {
  return withinUntil(s, occ) && !s.exdates.has(occ.occurrenceId);
}

function durationMsOf(s: CompiledSeries): number {
  return s.isAllDay ? s.durationDays * DAY_MS + DAY_MS : s.durationMs;
}

function seriesStart(s: CompiledSeries): Date {
  return rruleDateToInstant(s.dtstart, s.zone);
}

function sortByStart(list: Occurrence[]): Occurrence[] {
  return list.sort((a, b) => a.start.getTime() - b.start.getTime() || (a.occurrenceId < b.occurrenceId ? -1 : 1));
}
