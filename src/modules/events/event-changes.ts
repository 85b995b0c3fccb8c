import type { DepartedUser } from '../changes/changes.rows.js';
import type { Attachment, Attendee, EventRecord, Reminder } from './events.rows.js';

/**
 * The contract of `event.*` changes in the feed (src/modules/changes). One change per committed change of
 * one calendar item: a single event, a series, or one occurrence of a series.
 *
 * - `event.created` — a new single event or series (also: the new series of a "this and following" split).
 * - `event.updated` — a field, the attendees or the rule of an event or series changed; or one occurrence
 *   was edited or put back as the series has it (then `seriesId` and `occurrenceId` are set on the change
 *   and `eventId` is the override's id, or the series' id when no override remains).
 * - `event.deleted` — an event or a series (with its overrides) was deleted; or one occurrence was
 *   cancelled (`seriesId` and `occurrenceId` set, `after` null).
 *
 * Columns of the change row: `event_id`, `series_id`, `occurrence_id`, `origin` (api, series, ics, booking,
 * google:<client calendar id>), `fields` (API names of the fields that changed). `data` is EventChangeData.
 */
export type EventChangeKind = 'event.created' | 'event.updated' | 'event.deleted';

/** An event as webhooks and realtime clients see it: the API's event shape, plus its attendees. */
export interface EventPayload {
  id: string;
  /** Set on an occurrence (override or virtual) of a series. */
  seriesId: string | null;
  /** The occurrence's original start (or date, all-day), when this is one occurrence of a series. */
  occurrenceId: string | null;
  title: string;
  description: string | null;
  location: string | null;
  /** ISO 8601 instants (UTC). */
  startTime: string;
  endTime: string;
  timezone: string;
  isAllDay: boolean;
  startDate: string | null;
  endDate: string | null;
  status: 'confirmed' | 'tentative' | 'cancelled';
  transparency: 'busy' | 'free';
  color: string | null;
  visibility: 'default' | 'public' | 'private';
  recurrence: { rule: string; exdates: string[] } | null;
  reminders: Reminder[];
  attachments: Attachment[];
  attendees: Array<{ email: string; name: string | null; responseStatus: string }>;
  /** iTIP SEQUENCE of the item (a series counts for its occurrences). */
  sequence: number;
  /** What created it: api, series, ics, booking, google:<client calendar id>. */
  source: string;
  /** The UID it came with from an iCalendar file (or Google), if any; else it is published as `<id>@calento`. */
  icalUid: string | null;
  updatedAt: string;
}

export interface EventChangeData {
  /** The item before the change; null for `event.created`. */
  before: EventPayload | null;
  /** The item after the change; null for `event.deleted`. */
  after: EventPayload | null;
  /** For a change of one occurrence: its series as it is after the change. */
  series?: EventPayload | null;
  /** Set when the owner's account is deleted with this change: the organizer the messages name. */
  departedOwner?: DepartedUser;
}

/**
 * An event row (or a virtual occurrence built from its series) as the feed carries it. `occurrenceId`
 * marks one occurrence of `seriesId`: an override's own, or the one a virtual occurrence stands for.
 */
/**
 * A timed series' rule is read in its zone: another zone moves its occurrences wherever the two zones'
 * offsets part (a DST change one observes and the other does not), even when the first start stays put.
 * A single event or an all-day one keeps its instants or dates, so its zone alone is not news to
 * attendees. The writer bumps SEQUENCE and the email subscriber mails the update on this one rule.
 */
export function seriesZoneMoved(before: { timezone: string }, after: { repeats: boolean; isAllDay: boolean; timezone: string }): boolean {
  return after.repeats && !after.isAllDay && before.timezone !== after.timezone;
}

export function eventPayload(
  event: EventRecord,
  attendees: Attendee[],
  occurrence: { seriesId: string; occurrenceId: string } | null = event.seriesId && event.originalStart
    ? { seriesId: event.seriesId, occurrenceId: event.originalStart }
    : null,
): EventPayload {
  return {
    id: event.id,
    seriesId: occurrence?.seriesId ?? null,
    occurrenceId: occurrence?.occurrenceId ?? null,
    title: event.title,
    description: event.description,
    location: event.location,
    startTime: event.startTime.toISOString(),
    endTime: event.endTime.toISOString(),
    timezone: event.timezone,
    isAllDay: event.isAllDay,
    startDate: event.startDate,
    endDate: event.endDate,
    status: event.status,
    transparency: event.transparency,
    color: event.color,
    visibility: event.visibility,
    recurrence: event.recurrenceRule && !occurrence ? { rule: event.recurrenceRule, exdates: event.exdates } : null,
    reminders: event.reminders,
    attachments: event.attachments,
    attendees: attendees.map((attendee) => ({ email: attendee.email, name: attendee.name, responseStatus: attendee.responseStatus })),
    sequence: event.sequence,
    source: event.source,
    icalUid: event.icalUid,
    updatedAt: event.updatedAt.toISOString(),
  };
}
