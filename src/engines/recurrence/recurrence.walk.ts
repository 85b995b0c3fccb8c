import rrulePkg from 'rrule';
import type { Options } from 'rrule';
import { RecurrenceError, runsDaily, weekdayOf, type CompiledSeries, type Frequency } from './recurrence.rule.js';

const { RRule } = rrulePkg;

/**
 * Driving rrule.js: a walk over a compiled series from any point, and a bounded run of any options.
 * Shared by the expansion (recurrence.engine.ts) and the busy-time reader (busy-spans.ts).
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
// rrule.js periods (days for DAILY, weeks for WEEKLY …) one expansion may walk, in a row without a
// result and in total: about 0.1 s and 1 s of rrule.js work.
const MAX_EMPTY_PERIODS = 20_000;
const MAX_PERIODS = 200_000;

/**
 * Feeds rrule.js results (fake frame, in order) to `visit` until it returns false. Without COUNT the
 * walk starts at a later period boundary near `fromFake` instead of at DTSTART; `index` (position from
 * DTSTART) is then -1.
 */
export function walk(s: CompiledSeries, fromFake: number | null, visit: (fake: Date, index: number) => boolean): void {
  const skipTo = s.parts.count === undefined && fromFake !== null ? fastForward(s, fromFake) : null;
  if (!skipTo && s.parts.freq === 'WEEKLY' && s.parts.bySetPos) {
    walkFromWeekStart(s, visit);
    return;
  }
  runRule({ ...s.options, dtstart: skipTo ?? s.dtstart, until: s.rruleUntil }, s.parts.freq, (date, index) =>
    visit(date, skipTo ? -1 : index),
  );
}

/**
 * rrule.js begins a WEEKLY rule's first week on DTSTART's day, so BYSETPOS counts only the days from
 * there: BYDAY=MO,TU;BYSETPOS=2 from a Tuesday skips to the next week's Tuesday. RFC 5545 picks the
 * positions in the whole week (from WKST) and then drops what falls before DTSTART. So rrule.js runs
 * from the start of DTSTART's week, and the dropping, and COUNT from DTSTART, happen here. Later weeks
 * are whole either way, and fastForward lands on a week start, so only this first week differs.
 */
function walkFromWeekStart(s: CompiledSeries, visit: (fake: Date, index: number) => boolean): void {
  const first = s.dtstart.getTime();
  const weekStart = Math.floor(first / DAY_MS) * DAY_MS - ((weekdayOf(s.dtstart) - s.parts.wkst + 7) % 7) * DAY_MS;
  const { count: _count, ...options } = s.options;
  const count = s.parts.count;
  let index = 0;
  runRule({ ...options, dtstart: new Date(weekStart), until: s.rruleUntil }, s.parts.freq, (date) => {
    if (date.getTime() < first) return true;
    const more = visit(date, index);
    index += 1;
    return more && (count === undefined || index < count);
  });
}

/**
 * rrule.js results of `options` (dtstart included, fake frame) fed to `visit` until it returns false,
 * within the period budget; a rule that runs out of it is refused as matching too rarely.
 */
export function runRule(options: Partial<Options>, freq: Frequency, visit: (fake: Date, index: number) => boolean): void {
  const rule = new RRule(options, true);
  const budget = limitPeriods(rule);
  rule.all((date, index) => {
    budget.sawResult();
    return visit(date, index);
  });
  if (budget.exhausted) {
    throw new RecurrenceError(
      'INVALID_RULE',
      'recurrenceRule',
      `the rule matches too rarely for FREQ=${freq} (or never); use a coarser FREQ`,
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
