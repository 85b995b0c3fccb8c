import rrulePkg from 'rrule';
import type { Options } from 'rrule';
import {
  addDays,
  daysInMonth,
  instantToRruleDate,
  parseWallClock,
  wallClockToInstant,
  wallClockToRruleDate,
  type WallClock,
} from '../../common/time/wall-clock.js';
import { END_INSTANT, FIRST_YEAR, inCalendarYears, LAST_YEAR } from '../../common/time/instants.js';
import { isValidZone } from '../../common/time/zones.js';

// rrule ships CommonJS to Node: its named exports only exist on the default export.
const { RRule, Weekday } = rrulePkg;

/**
 * Text in and out: RRULE parsing, validation (rrule.js accepts almost anything, so the checks live
 * here) and canonical form, occurrence ids, and the checked series handed to rrule.js. No expansion
 * happens in this file.
 */

export type RecurrenceErrorCode =
  | 'INVALID_RULE'
  | 'UNBOUNDED_RULE'
  | 'OCCURRENCE_CAP'
  | 'INVALID_EXDATE'
  | 'INVALID_SERIES' // start, zone or duration unusable, or the start is not an occurrence of the rule
  | 'UNKNOWN_OCCURRENCE' // an occurrence id the series does not produce
  | 'FIRST_OCCURRENCE'; // "this and following" at the first occurrence: nothing would remain before it

export type RecurrenceField = 'recurrenceRule' | 'exdates' | 'startTime' | 'endTime' | 'timezone' | 'occurrenceId';

/** Framework-free error; the API layer maps it to a 400 naming `field`. */
export class RecurrenceError extends Error {
  override readonly name = 'RecurrenceError';

  constructor(
    readonly code: RecurrenceErrorCode,
    readonly field: RecurrenceField,
    message: string,
  ) {
    super(message);
  }
}

export type Frequency = 'YEARLY' | 'MONTHLY' | 'WEEKLY' | 'DAILY' | 'HOURLY' | 'MINUTELY';

/** weekday 0 = Monday … 6 = Sunday (rrule.js numbering); n = 0 means every such weekday. */
export interface ByDay {
  weekday: number;
  n: number;
}

/** UNTIL: an instant for timed series, a date ('YYYY-MM-DD', inclusive) for all-day ones. */
export type Until = { kind: 'instant'; instant: Date } | { kind: 'date'; date: string };

export interface RuleParts {
  freq: Frequency;
  interval: number;
  count?: number;
  until?: Until;
  byMonth?: number[];
  byWeekNo?: number[];
  byYearDay?: number[];
  byMonthDay?: number[];
  byDay?: ByDay[];
  byHour?: number[];
  byMinute?: number[];
  bySetPos?: number[];
  wkst: number;
}

export interface ParsedRule {
  frequency: string;
  bounded: boolean;
  /** Latest allowed occurrence start (all-day: midnight of the UNTIL date in the series zone). */
  until?: Date;
  count?: number;
  /** Canonical RRULE value, without "RRULE:". */
  normalized: string;
}

export interface RuleContext {
  isAllDay: boolean;
  timezone: string;
}

export const MAX_COUNT = 10_000;
export const MAX_INTERVAL = 10_000;
const MAX_DURATION_MINUTES = 366 * 1440;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const FREQUENCIES: Frequency[] = ['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY', 'HOURLY', 'MINUTELY'];
const LIST_PARTS: Record<string, [min: number, max: number, signed: boolean]> = {
  BYMONTH: [1, 12, false],
  BYWEEKNO: [1, 53, true],
  BYYEARDAY: [1, 366, true],
  BYMONTHDAY: [1, 31, true],
  BYHOUR: [0, 23, false],
  BYMINUTE: [0, 59, false],
  BYSETPOS: [1, 366, true],
};
const KNOWN_PARTS = new Set(['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'BYDAY', 'WKST', ...Object.keys(LIST_PARTS)]);

export function parseRule(rule: string, opts: RuleContext): ParsedRule {
  return describeRule(parseRuleParts(rule, opts), opts);
}

export function describeRule(parts: RuleParts, opts: RuleContext): ParsedRule {
  const until = parts.until && untilInstant(parts.until, opts.timezone);
  return {
    frequency: parts.freq,
    bounded: parts.count !== undefined || until !== undefined,
    ...(until && { until }),
    ...(parts.count !== undefined && { count: parts.count }),
    normalized: formatRule(parts),
  };
}

/** Parses and validates an RRULE value; throws RecurrenceError naming the offending part. */
export function parseRuleParts(rule: string, { isAllDay, timezone }: RuleContext): RuleParts {
  if (!isValidZone(timezone)) {
    throw new RecurrenceError('INVALID_SERIES', 'timezone', `"${timezone}" is not an IANA time zone`);
  }
  if (typeof rule !== 'string' || rule.length > 1000) invalid('the rule must be a string of at most 1000 characters');
  const body = rule.trim().replace(/^RRULE:/i, '');
  if (/DTSTART/i.test(body)) invalid('DTSTART is not allowed inside the rule; the series start is given separately');
  if (/[\r\n:]/.test(body)) invalid('expected a single RRULE value such as "FREQ=WEEKLY;BYDAY=MO"');

  const raw = new Map<string, string>();
  const pieces = body.split(';');
  if (pieces.at(-1) === '' && pieces.length > 1) pieces.pop(); // tolerate one trailing ';'
  for (const piece of pieces) {
    const m = /^([A-Za-z-]+)=(.+)$/.exec(piece);
    if (!m) invalid(`"${piece}" is not a NAME=VALUE rule part`);
    const name = m[1].toUpperCase();
    if (name === 'BYSECOND') invalid('BYSECOND is not supported');
    if (!KNOWN_PARTS.has(name)) invalid(`unknown rule part ${name}`);
    if (raw.has(name)) invalid(`${name} appears more than once`);
    raw.set(name, m[2].toUpperCase());
  }

  const freqText = raw.get('FREQ');
  if (freqText === undefined) invalid('FREQ is required');
  if (freqText === 'SECONDLY') invalid('FREQ=SECONDLY is not supported');
  const freq = FREQUENCIES.find((f) => f === freqText);
  if (!freq) invalid(`FREQ=${freqText} is not a frequency (YEARLY, MONTHLY, WEEKLY, DAILY, HOURLY, MINUTELY)`);

  const parts: RuleParts = { freq, interval: 1, wkst: 0 };
  for (const [name, value] of raw) {
    if (name === 'INTERVAL') parts.interval = positiveInt(name, value, MAX_INTERVAL);
    else if (name === 'COUNT') parts.count = positiveInt(name, value, MAX_COUNT);
    else if (name === 'UNTIL') parts.until = parseUntil(value, isAllDay, timezone);
    else if (name === 'BYDAY') parts.byDay = parseByDay(value);
    else if (name === 'WKST') parts.wkst = weekdayIndex(name, value);
    else if (name in LIST_PARTS) setList(parts, name, parseIntList(name, value, ...LIST_PARTS[name]));
  }
  checkCombinations(parts, isAllDay);
  return parts;
}

function checkCombinations(p: RuleParts, isAllDay: boolean): void {
  const subDaily = p.freq === 'HOURLY' || p.freq === 'MINUTELY';
  if (p.count !== undefined && p.until) invalid('COUNT and UNTIL cannot be combined');
  if (isAllDay && subDaily) invalid(`FREQ=${p.freq} needs a timed series, not an all-day one`);
  if (isAllDay && (p.byHour || p.byMinute)) invalid(`${p.byHour ? 'BYHOUR' : 'BYMINUTE'} applies only to timed series`);
  if (subDaily && p.count === undefined && !p.until) {
    throw new RecurrenceError('UNBOUNDED_RULE', 'recurrenceRule', `FREQ=${p.freq} needs COUNT or UNTIL`);
  }
  if (p.byWeekNo && p.freq !== 'YEARLY') invalid('BYWEEKNO is only allowed with FREQ=YEARLY');
  if (p.byYearDay && ['DAILY', 'WEEKLY', 'MONTHLY'].includes(p.freq)) {
    invalid(`BYYEARDAY is not allowed with FREQ=${p.freq}`);
  }
  if (p.byMonthDay && p.freq === 'WEEKLY') invalid('BYMONTHDAY is not allowed with FREQ=WEEKLY');
  const ordinals = (p.byDay ?? []).filter((d) => d.n !== 0);
  if (ordinals.length) {
    if (p.freq !== 'MONTHLY' && p.freq !== 'YEARLY') invalid(`BYDAY ordinals (like 2MO) need FREQ=MONTHLY or YEARLY`);
    if (p.byWeekNo) invalid('BYDAY ordinals cannot be combined with BYWEEKNO');
    const withinMonth = p.freq === 'MONTHLY' || p.byMonth !== undefined;
    const bad = ordinals.find((d) => Math.abs(d.n) > (withinMonth ? 5 : 53));
    const most = withinMonth ? 'a month has at most 5' : 'a year has at most 53';
    if (bad) invalid(`BYDAY=${formatByDay(bad)}: ${most} of each weekday`);
  }
  const hasOtherBy = p.byMonth || p.byWeekNo || p.byYearDay || p.byMonthDay || p.byDay || p.byHour || p.byMinute;
  if (p.bySetPos && !hasOtherBy) invalid('BYSETPOS needs another BYxxx part to select from');
  if (p.byMonthDay) {
    const months = p.byMonth ?? [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    const possible = months.some((m) => p.byMonthDay!.some((d) => Math.abs(d) <= daysInMonth(2000, m)));
    if (!possible) invalid(`BYMONTHDAY=${p.byMonthDay.join(',')} never occurs in BYMONTH=${months.join(',')}`);
  }
  // rrule.js steps minutes across hour boundaries in ways that drift or never end; such rules are run
  // as the equivalent DAILY rule instead, which needs a step that divides an hour.
  if (p.freq === 'MINUTELY' && (p.byHour || p.byMinute) && 60 % p.interval !== 0) {
    invalid('FREQ=MINUTELY with BYHOUR or BYMINUTE needs an INTERVAL that divides 60');
  }
  if (p.freq === 'MINUTELY' && p.bySetPos) invalid('BYSETPOS is not supported with FREQ=MINUTELY');
}

function parseUntil(value: string, isAllDay: boolean, zone: string): Until {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/.exec(value);
  const date = m && `${m[1]}-${m[2]}-${m[3]}`;
  const local = m && m[4] !== undefined ? `${date}T${m[4]}:${m[5]}:${m[6]}` : date;
  if (!m || !date || !local || !parseWallClock(local)) {
    invalid(`UNTIL=${value} is not a date (YYYYMMDD) or UTC date-time (YYYYMMDDTHHMMSSZ)`);
  }
  // All-day: the calendar date written is the last day, whatever time is attached (as calendar apps do).
  if (isAllDay) return { kind: 'date', date };
  if (m[4] === undefined) invalid(`UNTIL=${value} must be a UTC date-time such as ${value}T235959Z for a timed series`);
  // RFC 5545 wants UTC here; a floating value is read as the series' own wall clock.
  const instant = m[7] === 'Z' ? new Date(`${local}Z`) : wallClockToInstant(local, zone);
  return { kind: 'instant', instant };
}

function parseByDay(value: string): ByDay[] {
  const days = value.split(',').map((item) => {
    const m = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.exec(item);
    const n = m?.[1] === undefined ? 0 : Number(m[1]);
    if (!m || (m[1] !== undefined && (n === 0 || Math.abs(n) > 53))) {
      invalid(`BYDAY: "${item}" is not a weekday like MO, 2TU or -1FR`);
    }
    return { weekday: WEEKDAYS.indexOf(m[2]), n };
  });
  return uniqueSorted(days, (a, b) => a.weekday - b.weekday || a.n - b.n, formatByDay);
}

function parseIntList(name: string, value: string, min: number, max: number, signed: boolean): number[] {
  const numbers = value.split(',').map((item) => {
    const n = /^[+-]?\d{1,4}$/.test(item) ? Number(item) : NaN;
    const size = signed ? Math.abs(n) : n;
    if (!(size >= min && size <= max) || (signed && n === 0) || (!signed && item.startsWith('-'))) {
      const range = signed ? `${min} to ${max} or -${max} to -${min}` : `${min} to ${max}`;
      invalid(`${name}: "${item}" is out of range (${range})`);
    }
    return n;
  });
  return uniqueSorted(numbers, (a, b) => a - b, String);
}

function positiveInt(name: string, value: string, max: number): number {
  const n = /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= max)) invalid(`${name}=${value} must be a whole number from 1 to ${max}`);
  return n;
}

function weekdayIndex(name: string, value: string): number {
  const index = WEEKDAYS.indexOf(value);
  if (index < 0) invalid(`${name}=${value} is not a weekday (MO … SU)`);
  return index;
}

function setList(parts: RuleParts, name: string, values: number[]): void {
  const key = ({ BYMONTH: 'byMonth', BYWEEKNO: 'byWeekNo', BYYEARDAY: 'byYearDay', BYMONTHDAY: 'byMonthDay',
    BYHOUR: 'byHour', BYMINUTE: 'byMinute', BYSETPOS: 'bySetPos' } as const)[name as 'BYMONTH'];
  parts[key] = values;
}

function uniqueSorted<T>(items: T[], compare: (a: T, b: T) => number, key: (item: T) => string): T[] {
  const seen = new Map(items.map((item) => [key(item), item]));
  return [...seen.values()].sort(compare);
}

/** The canonical RRULE value: fixed part order, sorted de-duplicated lists, defaults left out. */
export function formatRule(p: RuleParts): string {
  const out = [`FREQ=${p.freq}`];
  if (p.interval !== 1) out.push(`INTERVAL=${p.interval}`);
  if (p.count !== undefined) out.push(`COUNT=${p.count}`);
  if (p.until) out.push(`UNTIL=${formatUntil(p.until)}`);
  const lists: [string, number[] | undefined][] = [
    ['BYMONTH', p.byMonth],
    ['BYWEEKNO', p.byWeekNo],
    ['BYYEARDAY', p.byYearDay],
    ['BYMONTHDAY', p.byMonthDay],
  ];
  for (const [name, values] of lists) if (values) out.push(`${name}=${values.join(',')}`);
  if (p.byDay) out.push(`BYDAY=${p.byDay.map(formatByDay).join(',')}`);
  if (p.byHour) out.push(`BYHOUR=${p.byHour.join(',')}`);
  if (p.byMinute) out.push(`BYMINUTE=${p.byMinute.join(',')}`);
  if (p.bySetPos) out.push(`BYSETPOS=${p.bySetPos.join(',')}`);
  if (p.wkst !== 0) out.push(`WKST=${WEEKDAYS[p.wkst]}`);
  return out.join(';');
}

function formatUntil(until: Until): string {
  if (until.kind === 'date') return until.date.replaceAll('-', '');
  return until.instant.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

function formatByDay(d: ByDay): string {
  return `${d.n === 0 ? '' : d.n}${WEEKDAYS[d.weekday]}`;
}

export function untilInstant(until: Until, zone: string): Date {
  return until.kind === 'instant' ? until.instant : wallClockToInstant(until.date, zone);
}

/**
 * Occurrence ids. Timed: the original start instant in UTC, whole seconds, 'YYYY-MM-DDTHH:mm:ssZ'
 * (e.g. '2026-03-09T13:00:00Z'). All-day: the local date 'YYYY-MM-DD'. Ids compare chronologically
 * as plain strings.
 */
export function normalizeOccurrenceId(id: string, isAllDay: boolean): string | null {
  if (typeof id !== 'string' || id.length > 40) return null;
  if (isAllDay) {
    const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(id);
    const date = m && `${m[1]}-${m[2]}-${m[3]}`;
    return date && parseWallClock(date) ? date : null;
  }
  const m =
    /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}:?\d{2})$/.exec(id) ??
    /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})()(Z)$/.exec(id);
  if (!m) return null;
  const [, y, mo, d, h, mi, s = '00', fraction = '', zone] = m;
  if (/[1-9]/.test(fraction) || !parseWallClock(`${y}-${mo}-${d}T${h}:${mi}:${s}`)) return null;
  let offsetMinutes = 0;
  if (!/^z$/i.test(zone)) {
    const [oh, om] = [Number(zone.slice(1, 3)), Number(zone.slice(-2))];
    if (oh > 18 || om > 59) return null;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) - offsetMinutes * 60_000;
  return formatInstantId(new Date(utc));
}

export function formatInstantId(instant: Date): string {
  return instant.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The UNTIL that ends a series right before this occurrence: the day before, or one second before. */
export function untilBefore(occurrenceId: string, isAllDay: boolean): Until {
  if (isAllDay) return { kind: 'date', date: addDays(occurrenceId, -1) };
  return { kind: 'instant', instant: new Date(Date.parse(occurrenceId) - 1000) };
}

export interface SeriesDefinition {
  /** RRULE value, with or without "RRULE:"; no DTSTART inside. */
  rule: string;
  /** IANA zone the rule is defined in. */
  timezone: string;
  isAllDay: boolean;
  /** First occurrence's wall clock in `timezone`: 'YYYY-MM-DDTHH:mm:ss' (timed) or 'YYYY-MM-DD' (all-day). */
  localStart: string;
  /** Timed: length of each occurrence. All-day: a positive multiple of 1440. */
  durationMinutes: number;
  /** Occurrence ids to skip, in any form normalizeOccurrenceId accepts. */
  exdates?: string[];
}

const FREQ = {
  YEARLY: RRule.YEARLY,
  MONTHLY: RRule.MONTHLY,
  WEEKLY: RRule.WEEKLY,
  DAILY: RRule.DAILY,
  HOURLY: RRule.HOURLY,
  MINUTELY: RRule.MINUTELY,
};

/** A validated series, ready for rrule.js: parts, the fake-frame DTSTART, bounds and options. */
export interface CompiledSeries {
  zone: string;
  isAllDay: boolean;
  parts: RuleParts;
  rule: ParsedRule;
  dtstart: Date; // fake-UTC frame
  durationMs: number;
  durationDays: number;
  untilMs?: number; // timed: latest start instant (UNTIL, or the calendar's end); rrule gets a padded fake-frame bound
  rruleUntil: Date;
  exdates: Set<string>;
  options: Partial<Options>;
}

/** Validates a whole series definition; throws RecurrenceError naming the field. */
export function compileSeries(def: SeriesDefinition): CompiledSeries {
  const { isAllDay, timezone: zone } = def;
  const parts = parseRuleParts(def.rule, { isAllDay, timezone: zone });
  const rule = describeRule(parts, { isAllDay, timezone: zone });
  const shape = isAllDay ? /^\d{4}-\d{2}-\d{2}$/ : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;
  const start = shape.test(String(def.localStart)) ? parseWallClock(def.localStart) : null;
  if (!start || !inCalendarYears(start.year)) {
    const format = isAllDay ? 'YYYY-MM-DD' : 'YYYY-MM-DDTHH:mm:ss';
    throw new RecurrenceError('INVALID_SERIES', 'startTime', `the start must be a ${format} wall clock in ${FIRST_YEAR}-${LAST_YEAR}`);
  }
  const minutes = def.durationMinutes;
  const durationOk = isAllDay
    ? Number.isInteger(minutes / 1440) && minutes >= 1440 && minutes <= MAX_DURATION_MINUTES
    : Number.isInteger(minutes) && minutes >= 0 && minutes <= MAX_DURATION_MINUTES;
  if (!durationOk) {
    const what = isAllDay ? 'a whole number of days (1440-minute steps)' : 'from 0 minutes';
    throw new RecurrenceError('INVALID_SERIES', 'endTime', `an occurrence must last ${what} up to 366 days`);
  }
  const exdates = new Set<string>();
  for (const raw of def.exdates ?? []) {
    const id = normalizeOccurrenceId(raw, isAllDay);
    if (!id) {
      const format = isAllDay ? 'a date YYYY-MM-DD' : 'an ISO date-time with offset, e.g. 2026-03-09T13:00:00Z';
      throw new RecurrenceError('INVALID_EXDATE', 'exdates', `"${raw}" is not an occurrence id (${format})`);
    }
    exdates.add(id);
  }
  const dtstart = wallClockToRruleDate(start);
  checkReachable(parts, start);
  // Every series ends with the calendar's last year, whatever its rule says: an occurrence (an all-day
  // one's date, a timed one's start in UTC) past it could not be listed, stored or answered in dates.
  const ruleUntilMs = parts.until?.kind === 'instant' ? parts.until.instant.getTime() : Infinity;
  const untilMs = isAllDay ? undefined : Math.min(ruleUntilMs, END_INSTANT.getTime() - 1000);
  const lastDate = `${LAST_YEAR}-12-31`;
  const rruleUntil =
    untilMs !== undefined
      ? new Date(instantToRruleDate(new Date(untilMs), zone).getTime() + DAY_MS)
      : wallClockToRruleDate(parts.until?.kind === 'date' && parts.until.date < lastDate ? parts.until.date : lastDate);
  return {
    zone,
    isAllDay,
    parts,
    rule,
    dtstart,
    durationMs: minutes * MINUTE_MS,
    durationDays: minutes / 1440,
    untilMs,
    rruleUntil,
    exdates,
    options: rruleOptions(parts, start, dtstart),
  };
}

/** rrule.js options with every DTSTART-derived default spelled out, so a later DTSTART yields the same set. */
function rruleOptions(p: RuleParts, start: WallClock, dtstart: Date): Partial<Options> {
  const subDaily = p.freq === 'HOURLY' || p.freq === 'MINUTELY';
  const o: Partial<Options> = {
    freq: FREQ[p.freq],
    interval: p.interval,
    wkst: p.wkst,
    byhour: p.byHour ?? (subDaily ? null : [start.hour]),
    byminute: p.byMinute ?? (p.freq === 'MINUTELY' ? null : [start.minute]),
    bysecond: [start.second],
  };
  if (p.count !== undefined) o.count = p.count;
  if (p.bySetPos) o.bysetpos = p.bySetPos;
  if (p.byMonth) o.bymonth = p.byMonth;
  if (p.byWeekNo) o.byweekno = p.byWeekNo;
  if (p.byYearDay) o.byyearday = p.byYearDay;
  if (p.byMonthDay) o.bymonthday = p.byMonthDay;
  if (p.byDay) o.byweekday = p.byDay.map((d) => new Weekday(d.weekday, d.n === 0 ? undefined : d.n));
  if (runsDaily(p)) {
    // rrule.js steps such rules minute by minute and can skip hours or never stop; with a step that
    // divides an hour they are exactly "these minutes of these hours, every day".
    o.freq = RRule.DAILY;
    o.interval = 1;
    o.byhour = p.byHour ?? [...Array(24).keys()];
    o.byminute = (p.byMinute ?? [...Array(60).keys()]).filter((m) => (m - start.minute) % p.interval === 0);
  }
  if (!p.byWeekNo && !p.byYearDay && !p.byMonthDay && !p.byDay) {
    if (p.freq === 'YEARLY') o.bymonth = p.byMonth ?? [start.month];
    if (p.freq === 'YEARLY' || p.freq === 'MONTHLY') o.bymonthday = [start.day];
    if (p.freq === 'WEEKLY') o.byweekday = [weekdayOf(dtstart)];
  }
  return o;
}

export function runsDaily(p: RuleParts): boolean {
  return p.freq === 'MINUTELY' && (p.byHour !== undefined || p.byMinute !== undefined);
}

/** rrule.js loops forever looking for an hour or minute its step can never reach; refuse those rules. */
function checkReachable(p: RuleParts, start: WallClock): void {
  if (p.freq === 'HOURLY' && p.byHour) {
    const step = gcd(p.interval, 24);
    if (!p.byHour.some((h) => (h - start.hour) % step === 0)) {
      unreachable(`BYHOUR=${p.byHour.join(',')}`, `${p.interval} hours`, start);
    }
  }
  if (p.freq === 'MINUTELY' && p.byMinute && !p.byMinute.some((m) => (m - start.minute) % p.interval === 0)) {
    unreachable(`BYMINUTE=${p.byMinute.join(',')}`, `${p.interval} minutes`, start);
  }
}

function unreachable(part: string, step: string, start: WallClock): never {
  const at = `${String(start.hour).padStart(2, '0')}:${String(start.minute).padStart(2, '0')}`;
  throw new RecurrenceError('INVALID_RULE', 'recurrenceRule', `${part} is never reached every ${step} from ${at}`);
}

export function weekdayOf(fake: Date): number {
  return (fake.getUTCDay() + 6) % 7; // rrule.js: 0 = Monday
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function invalid(message: string): never {
  throw new RecurrenceError('INVALID_RULE', 'recurrenceRule', message);
}
