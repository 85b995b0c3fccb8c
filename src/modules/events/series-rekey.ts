import { rruleDateToWallClock, instantToWallClock, wallClockToInstant, wallClockToRruleDate } from '../../common/time/wall-clock.js';
import {
  lastOccurrenceEnd,
  occurrenceExists,
  occurrenceLocalStart,
  validateSeries,
  type SeriesDefinition,
} from '../../engines/recurrence/recurrence.engine.js';
import { formatInstantId } from '../../engines/recurrence/recurrence.rule.js';

export interface Rekeyed {
  /** Old occurrence id → the id the same occurrence has in the new series (absent: it no longer exists). */
  map: Map<string, string>;
  exdates: string[];
  recurrenceEnd: Date | null;
}

/**
 * When a series moves in time (new start, new zone), its occurrence ids — original start instants —
 * change too. EXDATEs and overrides follow their occurrence by the same wall-clock shift as the series
 * start (a 09:00→10:00 move turns a cancelled 9 March 09:00 into a cancelled 9 March 10:00). Ids that do
 * not land on an occurrence of the new series are orphans and are dropped, as are all ids when the
 * series switches between all-day and timed.
 */
export function rekeySeries(before: SeriesDefinition, after: SeriesDefinition, ids: string[] = []): Rekeyed {
  validateSeries({ ...after, exdates: [] });
  const map = new Map<string, string>();
  if (before.isAllDay === after.isAllDay) {
    const shift = wallClockToRruleDate(after.localStart).getTime() - wallClockToRruleDate(before.localStart).getTime();
    const bare = { ...after, exdates: [] };
    const was = { ...before, exdates: [] };
    for (const id of new Set([...(before.exdates ?? []), ...ids])) {
      // The rule's wall clock, not the instant's: inside a DST gap 02:30 is held at 03:30.
      const wall = before.isAllDay ? id : (occurrenceLocalStart(was, id) ?? instantToWallClock(new Date(id), before.timezone));
      const moved = rruleDateToWallClock(new Date(wallClockToRruleDate(wall).getTime() + shift), after.isAllDay);
      const next = after.isAllDay ? moved : formatInstantId(wallClockToInstant(moved, after.timezone));
      if (occurrenceExists(bare, next)) map.set(id, next);
    }
  }
  const exdates = [...new Set((before.exdates ?? []).flatMap((id) => (map.has(id) ? [map.get(id) as string] : [])))].sort();
  return { map, exdates, recurrenceEnd: lastOccurrenceEnd({ ...after, exdates }) };
}
