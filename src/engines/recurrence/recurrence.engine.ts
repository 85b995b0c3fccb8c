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
  untilBefore,
  type CompiledSeries,
  type ParsedRule,
  type RuleParts,
  type SeriesDefinition,
} from './recurrence.rule.js';
import { walk } from './recurrence.walk.js';

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

const DAY_MS = 86_400_000;

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
 * The rule's wall clock of an occurrence (Occurrence.localStart), EXDATEs ignored; null when the rule
 * has no such occurrence. It differs from the start's own wall clock only inside a DST gap.
 */
export function occurrenceLocalStart(def: SeriesDefinition, occurrenceId: string): string | null {
  const s = compileSeries(def);
  const id = normalizeOccurrenceId(occurrenceId, s.isAllDay);
  return id === null ? null : (locate(s, id)?.occurrence.localStart ?? null);
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
  const end = s.rruleUntil.getTime();
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
