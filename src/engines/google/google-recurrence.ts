import { localIso } from '../../common/time/instants.js';
import {
  addDays,
  instantToWallClock,
  parseWallClock,
  wallClockToInstant,
} from '../../common/time/wall-clock.js';
import { isValidZone } from '../../common/time/zones.js';
import {
  expandSeries,
  lastOccurrenceEnd,
  MAX_COUNT,
  nextOccurrences,
  occurrenceExists,
  parseRule,
  RecurrenceError,
  type Occurrence,
  type SeriesDefinition,
} from '../recurrence/recurrence.engine.js';
import { formatInstantId, MAX_INTERVAL, normalizeOccurrenceId } from '../recurrence/recurrence.rule.js';

/**
 * Google's `recurrence[]` lines (RRULE, EXRULE, RDATE, EXDATE) to Calento's series columns and back,
 * and Google's instance ids. Google follows RFC 5545 (the start is always the first instance and
 * counts towards COUNT); Calento wants a series to start on its first rule occurrence. The difference
 * is carried by "extra occurrences" (an off-rule start, RDATEs): overrides whose original start is
 * not an occurrence of the rule. See docs/google-mapping.md.
 */

/**
 * UNTIL given to an unbounded HOURLY/MINUTELY rule, which the recurrence engine refuses to store or
 * expand (UNBOUNDED_RULE); toGoogle removes it again, so Google never sees it.
 */
export const FAR_UNTIL = '29991231T235959Z';
/** Most RDATE/off-rule extra occurrences kept per series. */
export const MAX_EXTRA_OCCURRENCES = 1000;
/** How far past the start EXRULE exclusions and date-only EXDATEs of a timed series are looked for. */
const EXCLUSION_HORIZON_MS = 5 * 366 * 86_400_000;
const MAX_SERIES_DAYS = 366;
const MAX_EXRULE_MATCHES = 20_000;

export interface SeriesStart {
  isAllDay: boolean;
  /** Zone of the series (all-day: the calendar's). */
  timezone: string;
  /** Google's start: 'YYYY-MM-DDTHH:mm:ss' wall clock in `timezone`, or 'YYYY-MM-DD'. */
  localStart: string;
  /** Timed: whole minutes; all-day: whole days × 1440. */
  durationMinutes: number;
}

/** An occurrence Google has and the rule does not produce: the sync stores it as an override. */
export interface ExtraOccurrence {
  /** Calento occurrence id (the override's original_start). */
  originalStart: string;
  startTime: Date;
  endTime: Date;
  startDate: string | null;
  endDate: string | null;
}

export interface MappedSeries {
  /** Canonical RRULE value (no "RRULE:"), as Calento stores it. */
  recurrenceRule: string;
  /** Calento occurrence ids, each an occurrence of the rule, sorted. */
  exdates: string[];
  /** Wall clock (or date) of the first rule occurrence: the master's start. */
  localStart: string;
  startTime: Date;
  endTime: Date;
  startDate: string | null;
  endDate: string | null;
  recurrenceEnd: Date | null;
  extraOccurrences: ExtraOccurrence[];
}

export type SeriesMapping =
  | { kind: 'series'; series: MappedSeries; warnings: string[] }
  /** No rule occurrence at all (or a rule Calento cannot run): a single event at Google's start. */
  | { kind: 'single'; warnings: string[] };

interface Line {
  name: string;
  params: Record<string, string>;
  values: string[];
}

export function splitLine(raw: string): Line | null {
  if (typeof raw !== 'string') return null;
  // A bare rule value ("FREQ=WEEKLY;…") is read as the RRULE it obviously is.
  const line = /^FREQ=/i.test(raw.trim()) ? `RRULE:${raw.trim()}` : raw.trim();
  const colon = line.indexOf(':');
  if (colon < 0) return null;
  // A TZID may be quoted: EXDATE;TZID="Europe/Berlin":…
  const [name, ...rawParams] = line.slice(0, colon).split(';');
  const params: Record<string, string> = {};
  for (const p of rawParams) {
    const eq = p.indexOf('=');
    if (eq > 0) params[p.slice(0, eq).trim().toUpperCase()] = p.slice(eq + 1).trim().replace(/^"|"$/g, '');
  }
  const value = line.slice(colon + 1).trim();
  return { name: name.trim().toUpperCase(), params, values: value.split(',').map((v) => v.trim()).filter(Boolean) };
}

type DateValue = { date: string } | { wall: string } | { instant: Date };

/** One RDATE/EXDATE value: a date, a UTC instant, a TZID wall clock (as an instant) or a floating wall clock. */
function parseDateValue(raw: string, params: Record<string, string>): DateValue | null {
  const value = params.VALUE === 'PERIOD' ? raw.split('/')[0] : raw;
  let m = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (m) {
    const date = `${m[1]}-${m[2]}-${m[3]}`;
    return parseWallClock(date) ? { date } : null;
  }
  m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)$/i.exec(value);
  if (!m) return null;
  const wall = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`;
  if (!parseWallClock(wall)) return null;
  if (m[7]) return { instant: new Date(`${wall}Z`) };
  if (params.TZID && isValidZone(params.TZID)) return { instant: wallClockToInstant(wall, params.TZID) };
  return { wall };
}

/**
 * A date value as a Calento occurrence start in the series: all-day series take the date (a date-time
 * gives its date in the series zone); timed series take the instant (a floating wall clock is read in
 * the series zone, a bare date gives null: callers decide what a date means there).
 */
function toSeriesTime(value: DateValue, start: SeriesStart): { id: string; local: string } | null {
  if (start.isAllDay) {
    const date = 'date' in value ? value.date : 'wall' in value ? value.wall.slice(0, 10) : instantToWallClock(value.instant, start.timezone).slice(0, 10);
    return { id: date, local: date };
  }
  if ('date' in value) return null;
  const instant = 'wall' in value ? wallClockToInstant(value.wall, start.timezone) : value.instant;
  return { id: formatInstantId(instant), local: instantToWallClock(instant, start.timezone) };
}

interface RuleRepair {
  rule: string;
  warnings: string[];
}

const KNOWN_PARTS = new Set(['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'BYDAY', 'WKST', 'BYMONTH', 'BYWEEKNO', 'BYYEARDAY', 'BYMONTHDAY', 'BYHOUR', 'BYMINUTE', 'BYSETPOS']);

/**
 * Makes an RRULE value Calento's engine accepts while keeping its meaning where it can: drops parts it
 * has no use for, clamps COUNT/INTERVAL, writes a date UNTIL of a timed series as the end of that day,
 * and bounds unbounded HOURLY/MINUTELY rules by FAR_UNTIL. Returns null for a rule it cannot run.
 */
function repairRule(value: string, start: SeriesStart, countAdjust: number): RuleRepair | null {
  const warnings: string[] = [];
  const parts = new Map<string, string>();
  for (const piece of value.replace(/^RRULE:/i, '').split(';')) {
    const m = /^\s*([A-Za-z-]+)\s*=\s*(.+?)\s*$/.exec(piece);
    if (!m) continue;
    const name = m[1].toUpperCase();
    if (!KNOWN_PARTS.has(name)) {
      warnings.push(`rule part ${name} dropped`);
      continue;
    }
    if (!parts.has(name)) parts.set(name, m[2].toUpperCase());
  }
  const freq = parts.get('FREQ');
  if (!freq || !['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY', 'HOURLY', 'MINUTELY'].includes(freq)) return null;
  const subDaily = freq === 'HOURLY' || freq === 'MINUTELY';
  if (start.isAllDay && subDaily) return null;
  if (start.isAllDay) {
    for (const name of ['BYHOUR', 'BYMINUTE']) if (parts.delete(name)) warnings.push(`${name} dropped from an all-day series`);
  }
  if (parts.has('COUNT') && parts.has('UNTIL')) {
    parts.delete('COUNT');
    warnings.push('COUNT dropped: the rule also has UNTIL');
  }
  if (parts.has('COUNT')) {
    const count = Number(parts.get('COUNT'));
    if (!Number.isInteger(count) || count < 1) return null;
    let adjusted = count - countAdjust;
    if (adjusted > MAX_COUNT) {
      adjusted = MAX_COUNT;
      warnings.push(`COUNT=${count} cut to ${MAX_COUNT}`);
    }
    if (adjusted < 1) return { rule: '', warnings }; // nothing left after the start
    parts.set('COUNT', String(adjusted));
  }
  const interval = Number(parts.get('INTERVAL') ?? '1');
  if (Number.isInteger(interval) && interval > MAX_INTERVAL) {
    parts.set('INTERVAL', String(MAX_INTERVAL));
    warnings.push(`INTERVAL cut to ${MAX_INTERVAL}`);
  }
  const until = parts.get('UNTIL');
  if (until && !start.isAllDay && /^\d{8}$/.test(until)) {
    const date = `${until.slice(0, 4)}-${until.slice(4, 6)}-${until.slice(6, 8)}`;
    if (parseWallClock(date)) parts.set('UNTIL', compactInstant(wallClockToInstant(`${date}T23:59:59`, start.timezone)));
  }
  if (subDaily && !parts.has('COUNT') && !parts.has('UNTIL')) {
    parts.set('UNTIL', FAR_UNTIL);
    warnings.push(`unbounded FREQ=${freq} stored with UNTIL=${FAR_UNTIL}`);
  }
  return { rule: [...parts].map(([k, v]) => `${k}=${v}`).join(';'), warnings };
}

function definition(start: SeriesStart, rule: string, localStart = start.localStart, exdates: string[] = []): SeriesDefinition {
  return { rule, timezone: start.timezone, isAllDay: start.isAllDay, localStart, durationMinutes: start.durationMinutes, exdates };
}

/** Start and end of an occurrence that starts at `local` (wall clock or date) in the series. */
function occurrenceAt(start: SeriesStart, id: string, local: string): ExtraOccurrence {
  if (start.isAllDay) {
    const endDate = addDays(local, start.durationMinutes / 1440);
    return {
      originalStart: id,
      startTime: wallClockToInstant(local, start.timezone),
      endTime: wallClockToInstant(endDate, start.timezone),
      startDate: local,
      endDate,
    };
  }
  const startTime = new Date(id);
  return { originalStart: id, startTime, endTime: new Date(startTime.getTime() + start.durationMinutes * 60_000), startDate: null, endDate: null };
}

function startId(start: SeriesStart): string {
  return start.isAllDay ? start.localStart : formatInstantId(wallClockToInstant(start.localStart, start.timezone));
}

/**
 * Google's recurrence lines for a series starting at `start` → Calento's series columns. Never throws
 * for anything Google can hold: what cannot be represented is reported in `warnings`, and a series
 * without any rule occurrence (or with a rule Calento cannot run) comes back as `single`.
 */
export function seriesFromGoogle(lines: string[], start: SeriesStart): SeriesMapping {
  const warnings: string[] = [];
  if (start.durationMinutes > MAX_SERIES_DAYS * 1440) {
    start = { ...start, durationMinutes: MAX_SERIES_DAYS * 1440 };
    warnings.push(`occurrences longer than ${MAX_SERIES_DAYS} days cut to ${MAX_SERIES_DAYS} days`);
  }
  const parsed = lines.map(splitLine);
  if (parsed.some((line) => line === null)) warnings.push('unreadable recurrence lines dropped');
  const byName = (name: string) => parsed.filter((l): l is Line => l !== null && l.name === name);
  const rrules = byName('RRULE');
  const others = parsed.filter((l) => l && !['RRULE', 'EXRULE', 'RDATE', 'EXDATE'].includes(l.name));
  if (others.length) warnings.push(`recurrence lines ${others.map((l) => l!.name).join(', ')} dropped`);
  if (rrules.length === 0) {
    warnings.push('no RRULE');
    return { kind: 'single', warnings };
  }
  if (rrules.length > 1) warnings.push('only the first RRULE is kept');
  const rawRule = rrules[0].values.join(',');

  try {
    // 1. Is Google's start itself an occurrence of the rule? RFC 5545 counts it either way.
    const probe = repairRule(rawRule, start, 0);
    if (!probe) return unsupported(rawRule, warnings);
    const probeRule = probe.rule ? parseRule(probe.rule, start).normalized : null;
    const first = probeRule ? nextOccurrences(definition(start, probeRule), startInstant(start), 1)[0] : undefined;
    const onRule = first !== undefined && first.occurrenceId === startId(start);
    const repaired = onRule ? probe : repairRule(rawRule, start, 1);
    if (!repaired) return unsupported(rawRule, warnings);
    warnings.push(...repaired.warnings);

    // 2. Extra occurrences: an off-rule start, and RDATEs that are not rule occurrences.
    const extras = new Map<string, ExtraOccurrence>();
    if (!onRule) extras.set(startId(start), occurrenceAt(start, startId(start), start.localStart));
    const rule = onRule ? probeRule : repaired.rule ? parseRule(repaired.rule, start).normalized : null;
    const ruleDef = rule ? definition(start, rule) : null;
    for (const line of byName('RDATE')) {
      for (const raw of line.values) {
        const value = parseDateValue(raw, line.params);
        const dated = value && 'date' in value && !start.isAllDay ? { wall: `${value.date}T${start.localStart.slice(11)}` } : value;
        const at = dated && toSeriesTime(dated, start);
        if (!at) {
          warnings.push(`RDATE ${raw} unreadable`);
          continue;
        }
        if (ruleDef && occurrenceExists(ruleDef, at.id)) continue;
        if (extras.size >= MAX_EXTRA_OCCURRENCES) {
          warnings.push(`more than ${MAX_EXTRA_OCCURRENCES} RDATEs: the rest dropped`);
          break;
        }
        extras.set(at.id, occurrenceAt(start, at.id, at.local));
      }
    }

    // 3. The master starts on the first rule occurrence.
    const firstRule = onRule ? first : ruleDef ? nextOccurrences(ruleDef, startInstant(start), 1)[0] : undefined;
    if (!ruleDef || !firstRule) {
      if (extras.size > 1) warnings.push('the rule has no occurrence: RDATEs dropped, Google\'s start kept as a single event');
      return { kind: 'single', warnings };
    }
    const master = definition(start, rule!, firstRule.localStart);

    // 4. Exclusions: EXDATEs (any form) and EXRULE matches, kept only where they hit an occurrence.
    const excluded = new Set<string>();
    for (const line of byName('EXDATE')) {
      for (const raw of line.values) {
        const value = parseDateValue(raw, line.params);
        if (!value) {
          warnings.push(`EXDATE ${raw} unreadable`);
          continue;
        }
        if ('date' in value && !start.isAllDay) {
          // A date on a timed series: every occurrence starting that day in the series zone.
          const from = wallClockToInstant(value.date, start.timezone);
          const to = wallClockToInstant(addDays(value.date, 1), start.timezone);
          for (const occ of expandSeries(master, { from, to })) excluded.add(occ.occurrenceId);
          for (const extra of extras.values()) if (extra.startTime >= from && extra.startTime < to) excluded.add(extra.originalStart);
          continue;
        }
        const at = toSeriesTime(value, start);
        if (at) excluded.add(at.id);
      }
    }
    for (const line of byName('EXRULE')) {
      const ex = repairRule(line.values.join(','), start, 0);
      if (!ex?.rule) {
        warnings.push('an EXRULE Calento cannot run was dropped');
        continue;
      }
      const exDef = definition(start, parseRule(ex.rule, start).normalized);
      const window = { from: firstRule.start, to: new Date(firstRule.start.getTime() + EXCLUSION_HORIZON_MS) };
      try {
        for (const occ of expandSeries(exDef, window, { maxOccurrences: MAX_EXRULE_MATCHES })) excluded.add(occ.occurrenceId);
      } catch (error) {
        if (!(error instanceof RecurrenceError)) throw error;
        warnings.push(`an EXRULE matching more than ${MAX_EXRULE_MATCHES} times in five years was dropped`);
        continue;
      }
      if (!/COUNT|UNTIL/.test(ex.rule)) warnings.push('an unbounded EXRULE applied for five years only');
    }
    const exdates: string[] = [];
    for (const id of excluded) {
      const normalized = normalizeOccurrenceId(id, start.isAllDay);
      if (!normalized) continue;
      if (extras.delete(normalized)) continue;
      if (occurrenceExists(master, normalized)) exdates.push(normalized);
    }
    exdates.sort();

    return {
      kind: 'series',
      warnings,
      series: {
        recurrenceRule: rule!,
        exdates,
        localStart: firstRule.localStart,
        ...timesOf(start, firstRule),
        recurrenceEnd: lastOccurrenceEnd({ ...master, exdates }),
        extraOccurrences: [...extras.values()].sort((a, b) => a.startTime.getTime() - b.startTime.getTime()),
      },
    };
  } catch (error) {
    // RangeError: a wall clock or zone the time helpers cannot place (a year far outside the engine's).
    if (error instanceof RecurrenceError || error instanceof RangeError) return unsupported(rawRule, warnings, error.message);
    throw error;
  }
}

function unsupported(rule: string, warnings: string[], why = 'not a rule Calento can run'): SeriesMapping {
  warnings.push(`RRULE:${rule} is ${why === 'not a rule Calento can run' ? why : `unusable (${why})`}; kept as a single event`);
  return { kind: 'single', warnings };
}

function timesOf(start: SeriesStart, occ: Occurrence) {
  if (!start.isAllDay) return { startTime: occ.start, endTime: occ.end, startDate: null, endDate: null };
  return { startTime: occ.start, endTime: occ.end, startDate: occ.localStart, endDate: addDays(occ.localStart, start.durationMinutes / 1440) };
}

function startInstant(start: SeriesStart): Date {
  // One millisecond before, so an occurrence at the start itself counts as "next".
  return new Date(wallClockToInstant(start.localStart, start.timezone).getTime() - 1);
}

function compactInstant(instant: Date): string {
  return formatInstantId(instant).replace(/[-:]/g, '');
}

/** Calento's series → Google recurrence lines. */
export interface SeriesForGoogle {
  recurrenceRule: string;
  exdates: string[];
  timezone: string;
  isAllDay: boolean;
  localStart: string;
}

/**
 * RRULE (FAR_UNTIL removed) and one EXDATE line: `EXDATE;TZID=<zone>:<local>,…` for timed series,
 * `EXDATE;VALUE=DATE:<date>,…` for all-day ones. Extra occurrences become one RDATE line in the
 * same form; `countExtra` adds to COUNT when the caller moves Google's start to an extra occurrence.
 */
export function seriesToGoogle(series: SeriesForGoogle, extraStarts: string[] = [], countExtra = 0): string[] {
  let rule = series.recurrenceRule.replace(/^RRULE:/i, '').split(';').filter((p) => p.toUpperCase() !== `UNTIL=${FAR_UNTIL}`);
  if (countExtra) rule = rule.map((p) => p.replace(/^COUNT=(\d+)$/i, (_m, n: string) => `COUNT=${Number(n) + countExtra}`));
  const lines = [`RRULE:${rule.join(';')}`];
  const dateLine = (name: string, ids: string[]) => {
    const values = [...new Set(ids.map((id) => normalizeOccurrenceId(id, series.isAllDay)).filter((id): id is string => id !== null))].sort();
    if (values.length === 0) return;
    if (series.isAllDay) lines.push(`${name};VALUE=DATE:${values.map((d) => d.replaceAll('-', '')).join(',')}`);
    else lines.push(`${name};TZID=${series.timezone}:${values.map((id) => instantToWallClock(new Date(id), series.timezone).replace(/[-:]/g, '')).join(',')}`);
  };
  dateLine('EXDATE', series.exdates);
  dateLine('RDATE', extraStarts);
  return lines;
}

/** Google's instance id: `{masterId}_{YYYYMMDDTHHMMSSZ}` (UTC), or `_{YYYYMMDD}` for all-day series. */
export function googleInstanceId(masterGoogleId: string, originalStart: string, isAllDay: boolean): string {
  const id = normalizeOccurrenceId(originalStart, isAllDay);
  if (!id) throw new RangeError(`"${originalStart}" is not an occurrence id`);
  return `${masterGoogleId}_${id.replace(/[-:]/g, '')}`;
}

/** The inverse of googleInstanceId; null for ids that are not instance ids (split masters end in `_R…`). */
export function parseGoogleInstanceId(instanceId: string): { masterId: string; originalStart: string; isAllDay: boolean } | null {
  const m = /^(.+)_(\d{8})(T\d{6}Z)?$/.exec(instanceId);
  if (!m) return null;
  const isAllDay = m[3] === undefined;
  const originalStart = normalizeOccurrenceId(`${m[2]}${m[3] ?? ''}`, isAllDay);
  return originalStart ? { masterId: m[1], originalStart, isAllDay } : null;
}

/** Google's start/end of an occurrence in the series (its originalStartTime). */
export function googleWhenOf(originalStart: string, isAllDay: boolean, timezone: string): { date: string } | { dateTime: string; timeZone: string } {
  if (isAllDay) return { date: originalStart };
  return { dateTime: localIso(new Date(originalStart), timezone), timeZone: timezone };
}
