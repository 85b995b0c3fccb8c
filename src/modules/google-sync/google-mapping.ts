import type { calendar_v3 } from 'googleapis/build/src/apis/calendar/index.js';
import {
  cancellationOf,
  contentDiff,
  fromGoogle,
  googleInstanceId,
  toGoogle,
  type ExtraOccurrence,
  type GoogleEvent as EngineEvent,
} from '../../engines/google/google-events.js';
import type { AttendeeInput } from '../events/events.writer.js';
import type { Attendee, EventRecord, EventWrite } from '../events/events.rows.js';

/**
 * The sync's view of the pure mapping engine (src/engines/google, docs/google-mapping.md): Google's
 * resources in, the events writer's writes out, and back.
 */
export type GoogleEvent = calendar_v3.Schema$Event;

interface Version {
  googleId: string;
  etag: string | null;
  updated: Date | null;
  /** The resource as Google sent it (kept on the link: the base of a three-way comparison). */
  resource: GoogleEvent;
}

/** A Google event as the sync applies it locally. */
export type LocalItem =
  /** A single event or a series (with the occurrences Google has beyond its rule: RDATEs, an off-rule start). */
  | (Version & { kind: 'event'; icalUid: string | null; write: EventWrite; attendees: AttendeeInput[]; extras: ExtraOccurrence[] })
  /** One occurrence of a series, changed. */
  | (Version & { kind: 'override'; seriesGoogleId: string; occurrenceId: string; write: EventWrite; attendees: AttendeeInput[] })
  /** One occurrence of a series, cancelled. */
  | { kind: 'cancelledOccurrence'; googleId: string; seriesGoogleId: string; occurrenceId: string }
  /** A deleted event or series, or a resource with nothing readable in it (treated as gone). */
  | { kind: 'deleted'; googleId: string };

export function localOf(item: GoogleEvent, calendarZone: string, defaultReminders: calendar_v3.Schema$EventReminder[] | null = null): LocalItem {
  const mapped = fromGoogle(item as EngineEvent, calendarZone, { defaultReminders });
  const version = { googleId: item.id as string, etag: item.etag ?? null, updated: item.updated ? new Date(item.updated) : null, resource: item };
  switch (mapped.kind) {
    case 'deleted':
      return { kind: 'deleted', googleId: mapped.googleId };
    case 'unreadable':
      return { kind: 'deleted', googleId: mapped.googleId ?? '' };
    case 'cancelledOccurrence':
      return { kind: 'cancelledOccurrence', googleId: mapped.googleId, seriesGoogleId: mapped.seriesGoogleId, occurrenceId: mapped.originalStart };
    case 'override':
      return { ...version, kind: 'override', seriesGoogleId: mapped.seriesGoogleId, occurrenceId: mapped.originalStart, write: mapped.write, attendees: attendeesOf(mapped.attendees) };
    case 'series':
      return { ...version, kind: 'event', icalUid: mapped.write.icalUid, write: mapped.write, attendees: attendeesOf(mapped.attendees), extras: mapped.extraOccurrences };
    case 'event':
      return { ...version, kind: 'event', icalUid: mapped.write.icalUid, write: mapped.write, attendees: attendeesOf(mapped.attendees), extras: [] };
  }
}

/** Guests with the answers they gave at Google (Google holds them: guests answer there, not here). */
function attendeesOf(list: Array<{ email: string; name?: string; responseStatus?: AttendeeInput['responseStatus'] }>): AttendeeInput[] {
  return list.map((attendee) => ({ email: attendee.email, ...(attendee.name ? { name: attendee.name } : {}), responseStatus: attendee.responseStatus ?? 'needsAction' }));
}

/** Same stored content: an update that would change nothing is skipped. */
export function sameLocal(a: EventWrite, b: EventWrite): boolean {
  return contentDiff(a, b).length === 0;
}

/**
 * The Google resource of a local event (an override: of one instance of its series). A series passes
 * its overrides, so the occurrences Google has beyond the rule go back as they came (as RDATEs).
 */
export function googleBodyOf(event: EventRecord, attendees: Attendee[], master: EventRecord | null, overrides: EventRecord[] = []): GoogleEvent {
  return explicitWhen(toGoogle(event, attendees, master, { extraStarts: extraStartsOf(event, overrides) }) as GoogleEvent);
}

/** The Google resource of an event that exists only as a write yet (created on Google first), or a series' new version. */
export function googleBodyOfWrite(write: EventWrite, attendees: Array<{ email: string; name?: string | null }>, overrides: EventRecord[] = []): GoogleEvent {
  return explicitWhen(toGoogle(write, attendees, null, { extraStarts: extraStartsOf(write, overrides) }) as GoogleEvent);
}

/**
 * The series' overrides that stand for no occurrence of its rule: an off-rule start or an RDATE read
 * from Google (GoogleImport.placeExtras). Left out, Google would lose those occurrences.
 */
function extraStartsOf(series: EventWrite, overrides: EventRecord[]): string[] {
  if (!series.recurrenceRule || !series.localStart) return [];
  return overrides
    .map((override) => override.originalStart)
    .filter((start): start is string => start !== null && cancellationOf(series, start) === 'override');
}

/**
 * Google's patch merges start and end key by key: moving between all-day and timed must clear the
 * other key, or the event holds both a date and a dateTime and Google refuses it (400). Harmless on
 * insert and update, where null means absent.
 */
function explicitWhen(body: GoogleEvent): GoogleEvent {
  const clear = (when: GoogleEvent['start']) => (when && typeof when.date === 'string' ? { ...when, dateTime: null, timeZone: null } : when ? { ...when, date: null } : when);
  return { ...body, start: clear(body.start), end: clear(body.end) };
}

/**
 * Query parameters of every event write: without supportsAttachments Google ignores the attachments of
 * the body (an insert gets none, a change keeps the old ones).
 */
export const EVENT_WRITE = { supportsAttachments: true } as const;

export function instanceIdOf(masterGoogleId: string, occurrenceId: string, isAllDay: boolean): string {
  return googleInstanceId(masterGoogleId, occurrenceId, isAllDay);
}
