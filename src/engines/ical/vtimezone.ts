import ICAL from 'ical.js';
import { DateTime, IANAZone } from 'luxon';
import { rruleDateToWallClock } from '../../common/time/wall-clock.js';

/**
 * VTIMEZONE components (RFC 5545 §3.6.5) built from the runtime's IANA data, because ical.js ships
 * no zone database. Most clients resolve an IANA TZID by name; Outlook
 * and a few others read these definitions, so they must be right for every date a feed can contain:
 * explicit transitions from the earliest event's year, then, when the zone's current rules repeat
 * yearly, two RRULE observances that carry them forward indefinitely.
 */

const MINUTE_MS = 60_000;
const WEEK_MS = 7 * 86_400_000;
/** Years of future transitions used to verify a yearly rule (or written out when none fits). */
const LOOKAHEAD_YEARS = 10;
const FIRST_YEAR = 1970;

interface Transition {
  /** First instant (ms) of the new offset. */
  at: number;
  /** Offsets in minutes east of UTC. */
  from: number;
  to: number;
  /** The onset as the wall clock in force before it (what DTSTART of an observance means). */
  local: Date;
}

interface YearlyRule {
  month: number;
  /** RRULE BYDAY value such as "2SU" or "-1SU". */
  byDay: string;
  /** The first transition the rule describes. */
  onset: Transition;
}

const cache = new Map<string, ICAL.Component>();

/** The VTIMEZONE of an IANA zone, valid from January 1 of `fromYear` on. */
export function vtimezone(zone: string, fromYear: number, now: Date): ICAL.Component {
  const thisYear = now.getUTCFullYear();
  const first = Math.min(Math.max(fromYear, FIRST_YEAR), thisYear);
  const key = `${zone}|${first}|${thisYear}`;
  let component = cache.get(key);
  if (!component) {
    component = build(zone, first, thisYear);
    if (cache.size > 500) cache.clear();
    cache.set(key, component);
  }
  // Callers attach the component to a calendar; hand out copies so the cached one stays detached.
  return new ICAL.Component(component.toJSON());
}

function build(zone: string, fromYear: number, thisYear: number): ICAL.Component {
  const iana = IANAZone.create(zone);
  const start = Date.UTC(fromYear, 0, 1);
  const explicitEnd = Date.UTC(thisYear + 2, 0, 1);
  const horizon = Date.UTC(thisYear + 2 + LOOKAHEAD_YEARS, 0, 1);
  const all = transitionsBetween(iana, start, horizon);
  const rules = yearlyRules(all.filter((t) => t.at >= explicitEnd));

  const component = new ICAL.Component('vtimezone');
  component.addPropertyWithValue('tzid', zone);
  const initial = iana.offset(start);
  component.addSubcomponent(
    observance(zone, { at: start, from: initial, to: initial, local: new Date(start + initial * MINUTE_MS) }),
  );
  const explicit = rules ? all.filter((t) => t.at < explicitEnd) : all;
  for (const transition of explicit) component.addSubcomponent(observance(zone, transition));
  if (rules) {
    // Each rule starts at its first onset after the explicit part, so the two never overlap.
    for (const rule of rules) {
      const sub = observance(zone, rule.onset);
      sub.addPropertyWithValue('rrule', ICAL.Recur.fromString(`FREQ=YEARLY;BYMONTH=${rule.month};BYDAY=${rule.byDay}`));
      component.addSubcomponent(sub);
    }
  }
  return component;
}

/** Offset changes in [from, to): weekly steps, then bisection to the minute. */
function transitionsBetween(zone: IANAZone, from: number, to: number): Transition[] {
  const found: Transition[] = [];
  let at = from;
  let offset = zone.offset(at);
  while (at < to) {
    const next = Math.min(at + WEEK_MS, to);
    if (zone.offset(next) === offset) {
      at = next;
      continue;
    }
    let lo = at;
    let hi = next;
    while (hi - lo > MINUTE_MS) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS;
      if (zone.offset(mid) === offset) lo = mid;
      else hi = mid;
    }
    const after = zone.offset(hi);
    found.push({ at: hi, from: offset, to: after, local: new Date(hi + offset * MINUTE_MS) });
    at = hi;
    offset = after;
  }
  return found;
}

/**
 * The zone's transitions as yearly rules ("second Sunday of March at 02:00"), when every year of the
 * look-ahead has the same two; null when the zone has no DST or irregular dates.
 */
function yearlyRules(future: Transition[]): YearlyRule[] | null {
  const byYear = new Map<number, Transition[]>();
  for (const t of future) {
    const year = t.local.getUTCFullYear();
    byYear.set(year, [...(byYear.get(year) ?? []), t]);
  }
  const years = [...byYear.values()];
  if (years.length < LOOKAHEAD_YEARS - 1 || years.some((list) => list.length !== 2)) return null;
  const rules: YearlyRule[] = [];
  for (const i of [0, 1]) {
    const column = years.map((list) => list[i]);
    const shapes = column.map((t) => `${t.local.getUTCMonth()}|${t.local.getUTCDay()}|${timeOf(t)}|${t.from}|${t.to}`);
    if (new Set(shapes).size !== 1) return null;
    const first = column[0];
    const weekday = WEEKDAYS[first.local.getUTCDay()];
    const ordinals = new Set(column.map((t) => Math.ceil(t.local.getUTCDate() / 7)));
    let byDay: string;
    if (ordinals.size === 1 && [...ordinals][0] <= 4) byDay = `${[...ordinals][0]}${weekday}`;
    else if (column.every((t) => isLastOfMonth(t.local))) byDay = `-1${weekday}`;
    else return null;
    rules.push({ month: first.local.getUTCMonth() + 1, byDay, onset: first });
  }
  return rules;
}

const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

function timeOf(t: Transition): string {
  return rruleDateToWallClock(t.local).slice(11);
}

function isLastOfMonth(local: Date): boolean {
  return new Date(local.getTime() + WEEK_MS).getUTCMonth() !== local.getUTCMonth();
}

function observance(zone: string, t: Transition): ICAL.Component {
  const dst = DateTime.fromMillis(t.at, { zone }).isInDST;
  const sub = new ICAL.Component(dst ? 'daylight' : 'standard');
  const wall = rruleDateToWallClock(t.local);
  sub.addPropertyWithValue('dtstart', ICAL.Time.fromDateTimeString(wall));
  sub.addPropertyWithValue('tzoffsetfrom', ICAL.UtcOffset.fromSeconds(t.from * 60));
  sub.addPropertyWithValue('tzoffsetto', ICAL.UtcOffset.fromSeconds(t.to * 60));
  // Abbreviations only ("EST"); ICU's fallback "GMT+1" says nothing TZOFFSETTO does not.
  const name = DateTime.fromMillis(t.at, { zone, locale: 'en-US' }).offsetNameShort;
  if (name && /^[A-Z]{2,5}$/.test(name)) sub.addPropertyWithValue('tzname', name);
  return sub;
}
