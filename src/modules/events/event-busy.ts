import { seriesBusySpans } from '../../engines/recurrence/busy-spans.js';
import { seriesOf, withRecurrenceErrors } from './event-timing.js';
import type { BusyVisibleEvent } from './events.repository.js';

/** A stretch of busy time from the calendar: a single event, an edited occurrence, or a series' merged occurrences. */
export interface BusyBlock {
  start: Date;
  end: Date;
  /** The event, edited occurrence or series. */
  id: string;
  title: string;
}

/**
 * Tentative events block time (as in Google Calendar); an invitation only once accepted. The busy read
 * (EventsRepository.findBusyInWindow, the `blocksTime` filter) applies the same test in SQL; keep the two
 * in step.
 */
export function blocksTime(item: BusyVisibleEvent): boolean {
  if (item.event.transparency !== 'busy' || item.event.status === 'cancelled') return false;
  return item.role === 'owner' || item.myResponse === 'accepted';
}

/**
 * Busy time of the events visible in a window (EventsRepository.findBusyInWindow): single events and
 * edited occurrences as they are, each series as the merged spans of its occurrences overlapping the
 * window, without those its overrides replace (`replacedOccurrences`, wherever those were moved). Unlike
 * the calendar view this has no occurrence cap: a series every minute for years costs a few spans a day.
 */
export function busyBlocks(
  visible: BusyVisibleEvent[],
  replacedOccurrences: Array<{ seriesId: string; originalStart: string }>,
  window: { from: Date; to: Date },
): BusyBlock[] {
  const replaced = new Map<string, string[]>();
  for (const { seriesId, originalStart } of replacedOccurrences) {
    const ids = replaced.get(seriesId) ?? [];
    ids.push(originalStart);
    replaced.set(seriesId, ids);
  }
  const blocks: BusyBlock[] = [];
  for (const entry of visible) {
    if (!blocksTime(entry)) continue;
    const { event } = entry;
    if (!event.recurrenceRule) {
      blocks.push({ start: event.startTime, end: event.endTime, id: event.id, title: event.title });
      continue;
    }
    const spans = withRecurrenceErrors(() => seriesBusySpans(seriesOf(event), window, replaced.get(event.id) ?? []));
    for (const span of spans) blocks.push({ start: span.start, end: span.end, id: event.id, title: event.title });
  }
  return blocks;
}
