import { uidOf, type IcsVevent } from '../../engines/ical/calendar-writer.js';
import type { EventRecord } from './events.rows.js';

/**
 * Events as VEVENTs for the one ICS writer: single events and series, and each override as a VEVENT
 * with its series' UID and a RECURRENCE-ID. An override whose series is not in the list is left out.
 */
export function veventsOf(events: EventRecord[]): IcsVevent[] {
  const masters = new Map(events.filter((event) => event.seriesId === null).map((event) => [event.id, event]));
  const vevents: IcsVevent[] = [];
  for (const event of events) {
    const master = event.seriesId === null ? event : masters.get(event.seriesId);
    if (!master) continue;
    vevents.push({
      uid: uidOf(master),
      sequence: master.sequence,
      title: event.title,
      description: event.description,
      location: event.location,
      start: event.startTime,
      end: event.endTime,
      timezone: event.timezone,
      dates: event.isAllDay ? { start: event.startDate as string, end: event.endDate as string } : null,
      status: event.status,
      transparency: event.transparency,
      visibility: event.visibility,
      rrule: event.recurrenceRule,
      exdates: event.recurrenceRule ? event.exdates : [],
      recurrenceId: event.seriesId !== null ? event.originalStart : null,
      series: { timezone: master.timezone, isAllDay: master.isAllDay },
      created: event.createdAt,
      lastModified: event.updatedAt,
    });
  }
  return vevents;
}
