import { DateTime } from 'luxon';
import rrulePkg from 'rrule';
import type { Options } from 'rrule';
import { apiErrors } from '../errors.js';
import { isDate, type StoredEvent, type When } from '../state/types.js';
import { addDays, dateToMs, daysBetween, instanceKey, isValidZone } from './time.js';

const { RRule, RRuleSet } = rrulePkg;
type RRuleSetT = InstanceType<typeof RRuleSet>;

/**
 * Expansion of a series the way Google does it: the rule runs in the wall clock of `start.timeZone`
 * (a 09:00 weekly meeting in New York stays 09:00 across DST). rrule.js is fed wall-clock times dressed
 * as UTC ("floating") and each result is turned back into an instant with luxon.
 */

export interface Occurrence {
  /** Instance-id suffix (UTC timestamp, or the date for all-day series). */
  key: string;
  start: When;
  end: When;
  startMs: number;
  endMs: number;
}

/** Most instances one expansion returns; an unbounded series is cut there (and by the horizon). */
export const MAX_INSTANCES = 5000;

type Line = { name: string; params: Record<string, string>; value: string };

function splitLine(line: string): Line {
  const colon = line.indexOf(':');
  const head = colon < 0 ? line : line.slice(0, colon);
  const value = colon < 0 ? '' : line.slice(colon + 1);
  const [name, ...rawParams] = head.split(';');
  const params: Record<string, string> = {};
  for (const p of rawParams) {
    const eq = p.indexOf('=');
    if (eq > 0) params[p.slice(0, eq).toUpperCase()] = p.slice(eq + 1);
  }
  return { name: name.trim().toUpperCase(), params, value: value.trim() };
}

/** Checks recurrence lines as Google does on write (400 "Invalid recurrence rule." otherwise). */
export function validateRecurrence(lines: unknown): string[] {
  if (!Array.isArray(lines)) throw apiErrors.invalidBody('Invalid recurrence rule.');
  for (const line of lines) {
    if (typeof line !== 'string') throw apiErrors.invalidBody('Invalid recurrence rule.');
    const { name, params, value } = splitLine(line);
    if (name === 'RRULE' || name === 'EXRULE') {
      let options: Partial<Options>;
      try {
        options = RRule.parseString(value);
      } catch {
        throw apiErrors.invalidBody('Invalid recurrence rule.');
      }
      if (options.freq === undefined || /DTSTART/i.test(value)) throw apiErrors.invalidBody('Invalid recurrence rule.');
    } else if (name === 'RDATE' || name === 'EXDATE') {
      if (params.TZID && !isValidZone(params.TZID)) throw apiErrors.invalidBody('Invalid recurrence rule.');
      for (const v of value.split(',')) if (parseDateValue(v, params, 'UTC') === undefined) throw apiErrors.invalidBody('Invalid recurrence rule.');
    } else {
      throw apiErrors.invalidBody('Invalid recurrence rule.');
    }
  }
  return lines as string[];
}

type Parsed = { date: string } | { wall: string } | { ms: number };

function parseDateValue(value: string, params: Record<string, string>, zone: string): Parsed | undefined {
  let m = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (m) return { date: `${m[1]}-${m[2]}-${m[3]}` };
  m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)$/.exec(value);
  if (!m) return undefined;
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`;
  if (m[7]) return { ms: Date.parse(`${iso}Z`) };
  if (params.TZID && params.TZID !== zone) {
    const dt = DateTime.fromISO(iso, { zone: params.TZID });
    return dt.isValid ? { ms: dt.toMillis() } : undefined;
  }
  return { wall: iso };
}

/** Wall clock of an instant in `zone`, dressed as UTC. */
function floatingOf(ms: number, zone: string): Date {
  const dt = DateTime.fromMillis(ms, { zone });
  return new Date(Date.UTC(dt.year, dt.month - 1, dt.day, dt.hour, dt.minute, dt.second));
}

const floatingToMs = (f: Date, zone: string): number =>
  DateTime.fromObject(
    { year: f.getUTCFullYear(), month: f.getUTCMonth() + 1, day: f.getUTCDate(), hour: f.getUTCHours(), minute: f.getUTCMinutes(), second: f.getUTCSeconds() },
    { zone },
  ).toMillis();

const floatingDate = (date: string): Date => new Date(`${date}T00:00:00Z`);

function toFloating(parsed: Parsed, zone: string, allDay: boolean): Date {
  if ('date' in parsed) return floatingDate(parsed.date);
  if ('wall' in parsed) return new Date(`${allDay ? parsed.wall.slice(0, 10) + 'T00:00:00' : parsed.wall}Z`);
  if (allDay) return floatingDate(DateTime.fromMillis(parsed.ms, { zone }).toISODate()!);
  return floatingOf(parsed.ms, zone);
}

function ruleOptions(value: string, dtstart: Date, zone: string, allDay: boolean): Partial<Options> {
  const options = RRule.parseString(value);
  const until = /UNTIL=([0-9TZ]+)/i.exec(value)?.[1];
  if (until) {
    const parsed = parseDateValue(until.toUpperCase(), {}, zone);
    if (parsed && 'date' in parsed && !allDay) options.until = new Date(`${parsed.date}T23:59:59Z`);
    else if (parsed) options.until = toFloating(parsed, zone, allDay);
  }
  options.dtstart = dtstart;
  options.tzid = null;
  return options;
}

interface Compiled {
  set: RRuleSetT;
  zone: string;
  allDay: boolean;
  durationMs: number;
  durationDays: number;
}

function compile(master: StoredEvent, calendarZone: string): Compiled {
  const allDay = isDate(master.start);
  const zone = allDay ? calendarZone : ((master.start as { timeZone?: string }).timeZone ?? calendarZone);
  const dtstart = isDate(master.start) ? floatingDate(master.start.date) : floatingOf(master.start.ms, zone);
  const set = new RRuleSet();
  let firstRule = true;
  for (const raw of master.recurrence ?? []) {
    const { name, params, value } = splitLine(raw);
    if (name === 'RRULE' || name === 'EXRULE') {
      const options = ruleOptions(value, dtstart, zone, allDay);
      if (name === 'RRULE' && firstRule) {
        firstRule = false;
        // RFC 5545: DTSTART is always the first instance and counts towards COUNT.
        const probe = new RRule({ ...options, count: 1, until: null });
        const first = probe.all()[0];
        if (options.count && (!first || first.getTime() !== dtstart.getTime())) options.count = Math.max(options.count - 1, 0);
      }
      const rule = new RRule(options);
      if (name === 'RRULE') set.rrule(rule);
      else set.exrule(rule);
    } else if (name === 'RDATE' || name === 'EXDATE') {
      for (const v of value.split(',')) {
        const parsed = parseDateValue(v.trim(), params, zone);
        if (!parsed) continue;
        const f = toFloating(parsed, zone, allDay);
        if (name === 'RDATE') set.rdate(f);
        else set.exdate(f);
      }
    }
  }
  set.rdate(dtstart);
  const durationMs = isDate(master.start) || isDate(master.end) ? 0 : master.end.ms - master.start.ms;
  const durationDays = isDate(master.start) && isDate(master.end) ? daysBetween(master.start.date, master.end.date) : 0;
  return { set, zone, allDay, durationMs, durationDays };
}

function occurrenceOf(f: Date, c: Compiled, master: StoredEvent, calendarZone: string): Occurrence {
  if (c.allDay) {
    const date = f.toISOString().slice(0, 10);
    const start = { date };
    const end = { date: addDays(date, c.durationDays) };
    return { key: instanceKey(start), start, end, startMs: dateToMs(date, calendarZone), endMs: dateToMs(end.date, calendarZone) };
  }
  const tz = (master.start as { timeZone?: string }).timeZone;
  const endTz = (master.end as { timeZone?: string }).timeZone;
  const startMs = floatingToMs(f, c.zone);
  const endMs = startMs + c.durationMs;
  const start: When = tz ? { ms: startMs, timeZone: tz } : { ms: startMs };
  const end: When = endTz ? { ms: endMs, timeZone: endTz } : { ms: endMs };
  return { key: instanceKey(start), start, end, startMs, endMs };
}

/** Every RRULE has COUNT or UNTIL (else listings cut the series at a horizon). */
export const isBounded = (master: StoredEvent): boolean =>
  (master.recurrence ?? []).every((line) => !/^RRULE/i.test(line) || /(COUNT|UNTIL)=/i.test(line));

/** Where an unbounded series stops being expanded when the request gives no timeMax. */
export function expansionEnd(master: StoredEvent, calendarZone: string, nowMs: number, horizonDays: number): number {
  if (isBounded(master)) return Date.UTC(9999, 0, 1);
  const firstMs = isDate(master.start) ? dateToMs(master.start.date, calendarZone) : master.start.ms;
  return Math.max(nowMs, firstMs) + horizonDays * 86_400_000;
}

const cache = new WeakMap<StoredEvent, { seq: number; windows: Map<string, Occurrence[]> }>();

/**
 * Occurrences whose [start, end) touches [fromMs, toMs] (callers apply their exact inclusivity),
 * in start order, at most MAX_INSTANCES. Cached per master version, since paging repeats the window.
 */
export function expandSeries(master: StoredEvent, calendarZone: string, fromMs: number, toMs: number): Occurrence[] {
  let entry = cache.get(master);
  if (!entry || entry.seq !== master.seq) {
    entry = { seq: master.seq, windows: new Map() };
    cache.set(master, entry);
  }
  const cacheKey = `${fromMs}:${toMs}:${calendarZone}`;
  const hit = entry.windows.get(cacheKey);
  if (hit) return hit;
  const c = compile(master, calendarZone);
  const slackMs = c.durationMs + c.durationDays * 86_400_000 + 2 * 86_400_000;
  // Nothing happens before DTSTART (RDATEs earlier than it are not modelled), nor after year 9999.
  const firstMs = isDate(master.start) ? dateToMs(master.start.date, calendarZone) : master.start.ms;
  const after = floatingOf(Math.max(fromMs, firstMs) - slackMs, c.zone);
  const before = floatingOf(Math.min(toMs + 2 * 86_400_000, Date.UTC(9999, 0, 1)), c.zone);
  if (before.getTime() < after.getTime()) return [];
  const floats = c.set.between(after, before, true, (_d, i) => i < MAX_INSTANCES);
  const result = floats
    .map((f) => occurrenceOf(f, c, master, calendarZone))
    .filter((o) => o.endMs >= fromMs && o.startMs <= toMs);
  if (entry.windows.size > 50) entry.windows.clear();
  entry.windows.set(cacheKey, result);
  return result;
}

/** The occurrence with this original start (instance-id suffix), if the series has one. */
export function findOccurrence(master: StoredEvent, calendarZone: string, originalStart: When): Occurrence | undefined {
  const ms = isDate(originalStart) ? dateToMs(originalStart.date, calendarZone) : originalStart.ms;
  const key = instanceKey(originalStart);
  return expandSeries(master, calendarZone, ms - 86_400_000, ms + 86_400_000).find((o) => o.key === key);
}

/** Replaces COUNT/UNTIL of the RRULE lines so the series ends before `beforeMs` (a split). */
export function untilBefore(lines: string[], beforeMs: number, allDay: boolean, beforeDate?: string): string[] {
  const until = allDay
    ? (addDays(beforeDate!, -1) ?? '').replace(/-/g, '')
    : new Date(beforeMs - 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return lines.map((line) => {
    const { name } = splitLine(line);
    if (name !== 'RRULE') return line;
    const body = line.slice(line.indexOf(':') + 1).split(';').filter((p) => !/^(COUNT|UNTIL)=/i.test(p));
    return `RRULE:${[...body, `UNTIL=${until}`].join(';')}`;
  });
}

/** RRULE lines for the remainder of a split series: COUNT reduced by the occurrences already past. */
export function remainderLines(lines: string[], occurrencesBefore: number): string[] {
  return lines.map((line) => {
    const { name } = splitLine(line);
    if (name !== 'RRULE') return line;
    return line.replace(/COUNT=(\d+)/i, (_m, n: string) => `COUNT=${Math.max(Number(n) - occurrencesBefore, 1)}`);
  });
}
