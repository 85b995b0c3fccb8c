import { buildCalendar, type IcsPerson } from '../../engines/ical/calendar-writer.js';
import type { IcsMethod } from './email.rows.js';

export type { IcsPerson };

/** One calendar event as an iTIP message sees it. Times are instants, written in the event's zone. */
export interface IcsEvent {
  /** Stable across every message about this event, so calendar apps update instead of duplicating. */
  uid: string;
  /** Bump on every change; an update or cancellation with a lower sequence is ignored by clients. */
  sequence: number;
  start: Date;
  end: Date;
  summary: string;
  description?: string | null;
  location?: string | null;
  url?: string | null;
  organizer: IcsPerson;
  attendees: IcsPerson[];
  /** An RRULE value ("FREQ=WEEKLY;BYDAY=MO") for a recurring series. */
  rrule?: string | null;
  /** All-day: the dates (end exclusive), written as VALUE=DATE instead of start/end. */
  dates?: { start: string; end: string } | null;
  /** Cancelled occurrences of the series, as occurrence ids ('YYYY-MM-DDTHH:mm:ssZ' or 'YYYY-MM-DD'). */
  exdates?: string[];
  /** The message is about one occurrence of the series `uid` names: its occurrence id (RECURRENCE-ID). */
  recurrenceId?: string | null;
  /** IANA zone: timed times are written as its wall clock (TZID + VTIMEZONE); absent or UTC: Z times. */
  timezone?: string | null;
  /**
   * A series' occurrences edited one by one, each written as its own VEVENT (same UID, its RECURRENCE-ID)
   * after the master: RFC 5546 has a REQUEST for the series carry them, or clients drop or misplace them.
   */
  overrides?: IcsOverride[];
}

export interface IcsOverride {
  recurrenceId: string;
  start: Date;
  end: Date;
  summary: string;
  description?: string | null;
  location?: string | null;
  timezone?: string | null;
  dates?: { start: string; end: string } | null;
}

/** The iTIP message (METHOD:REQUEST or CANCEL) about one event, through the one ICS writer. */
export function buildIcs(method: IcsMethod, event: IcsEvent, stamp: Date): string {
  const series = { timezone: event.timezone ?? 'UTC', isAllDay: Boolean(event.dates) };
  const overrides = (event.overrides ?? []).map((override) => ({
    uid: event.uid,
    sequence: event.sequence,
    title: override.summary,
    description: override.description,
    location: override.location,
    start: override.start,
    end: override.end,
    timezone: override.timezone ?? 'UTC',
    dates: override.dates,
    status: 'confirmed' as const,
    recurrenceId: override.recurrenceId,
    series,
    organizer: event.organizer,
    attendees: event.attendees,
  }));
  return buildCalendar(
    [
      {
        uid: event.uid,
        sequence: event.sequence,
        title: event.summary,
        description: event.description,
        location: event.location,
        url: event.url,
        start: event.start,
        end: event.end,
        timezone: event.timezone ?? 'UTC',
        dates: event.dates,
        status: 'confirmed',
        rrule: event.rrule,
        exdates: event.exdates,
        recurrenceId: event.recurrenceId,
        organizer: event.organizer,
        attendees: event.attendees,
      },
      ...overrides,
    ],
    { method },
    stamp,
  );
}
