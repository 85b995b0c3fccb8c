import ICAL from 'ical.js';
import { luxonZone } from '../../common/time/wall-clock.js';
import { WINDOWS_ZONES } from './windows-zones.js';

/**
 * The IANA zone behind a TZID that only the file's own VTIMEZONE defines (Outlook writes "W. Europe
 * Standard Time" or "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, …"). A series must repeat in a zone
 * with rules, so one is chosen whose UTC offsets are the VTIMEZONE's over the event's year and the next;
 * offsets that agree only around the event would make the series drift the first DST change after it.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** A zone's offset at an instant (ms), in minutes east of UTC. */
type OffsetAt = (at: number) => number;

const windowsByName = new Map(Object.entries(WINDOWS_ZONES).map(([name, zone]) => [name.toLowerCase(), zone]));

/**
 * A Windows name from the CLDR table when its zone agrees; else the first agreeing zone, preferring
 * one whose city the TZID names, then UTC, then the zones Windows names stand for, then the rest by
 * name. Null when no zone agrees (a made-up rule, or a VTIMEZONE ical.js cannot read).
 */
export function ianaZoneOfVtimezone(tzid: string, definition: ICAL.Component, year: number): string | null {
  const offsetAt = vtimezoneOffsets(definition, year + 1);
  if (!offsetAt) return null;
  const samples = samplesOf(offsetAt, year);
  const agrees = (zone: string) => samples.every(({ at, offset }) => luxonZone(zone).offset(at) === offset);
  const windows = windowsByName.get(tzid.trim().toLowerCase());
  if (windows && agrees(windows)) return windows;
  return candidatesFor(tzid).find(agrees) ?? null;
}

/**
 * The VTIMEZONE's offset at an instant, from ical.js's list of its changes (UTC instants with the
 * offset in force from then on). Reading a UTC instant through ical.js's local-time lookup would guess
 * wrong in the hour a fall-back repeats.
 */
function vtimezoneOffsets(definition: ICAL.Component, untilYear: number): OffsetAt | null {
  let changes: Array<{ at: number; from: number; to: number }>;
  try {
    const zone = new ICAL.Timezone(definition);
    zone._ensureCoverage(untilYear);
    changes = (zone.changes as Array<Record<string, number>>)
      .map((c) => ({
        at: Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second),
        from: c.prevUtcOffset / 60,
        to: c.utcOffset / 60,
      }))
      .sort((a, b) => a.at - b.at);
  } catch {
    return null;
  }
  if (!changes.length || changes.some((c) => !Number.isFinite(c.at + c.from + c.to))) return null;
  return (at) => {
    let lo = 0;
    let hi = changes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (changes[mid].at <= at) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? changes[0].from : changes[lo - 1].to;
  };
}

/**
 * What a zone must reproduce: the instants around each change first (they reject most zones at once),
 * then one sample a day over `year` and the next, which catches a change the VTIMEZONE lacks.
 */
function samplesOf(offsetAt: OffsetAt, year: number): Array<{ at: number; offset: number }> {
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 2, 0, 1);
  const instants: number[] = [];
  let previous = offsetAt(start);
  for (let day = start; day < end; day += DAY_MS) {
    const offset = offsetAt(day + DAY_MS);
    if (offset !== previous) {
      const change = firstMinuteOf(offsetAt, day, day + DAY_MS, previous);
      instants.push(change - HOUR_MS, change - MINUTE_MS, change, change + HOUR_MS);
    }
    previous = offset;
  }
  for (let day = start; day < end; day += DAY_MS) instants.push(day + 12 * HOUR_MS);
  return instants.map((at) => ({ at, offset: offsetAt(at) }));
}

/** The first minute in (from, to] whose offset is no longer `before`. */
function firstMinuteOf(offsetAt: OffsetAt, from: number, to: number, before: number): number {
  let lo = from;
  let hi = to;
  while (hi - lo > MINUTE_MS) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS;
    if (offsetAt(mid) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

let fallbackOrder: string[] | null = null;

/** Every zone the runtime knows, in the order tried when the TZID names no city. */
function fallbackZones(): string[] {
  if (!fallbackOrder) {
    const representatives = Object.values(WINDOWS_ZONES);
    const rest = Intl.supportedValuesOf('timeZone').filter((zone) => !representatives.includes(zone)).sort();
    fallbackOrder = ['UTC', ...new Set(representatives), ...rest];
  }
  return fallbackOrder;
}

/** Zones whose city the TZID text names come first, in the order the text names them. */
function candidatesFor(tzid: string): string[] {
  const text = tzid.toLowerCase();
  const named = fallbackZones()
    .map((zone) => ({ zone, at: cityPosition(text, zone) }))
    .filter(({ at }) => at >= 0)
    .sort((a, b) => a.at - b.at)
    .map(({ zone }) => zone);
  return [...named, ...fallbackZones().filter((zone) => !named.includes(zone))];
}

function cityPosition(text: string, zone: string): number {
  const city = zone.slice(zone.lastIndexOf('/') + 1).replace(/_/g, ' ').toLowerCase();
  if (city.length < 3) return -1;
  const match = new RegExp(`(^|[^a-z])${city.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}($|[^a-z])`).exec(text);
  return match ? match.index : -1;
}
