/** Row shapes of the events tables and their mapping to camelCase records. */
export type EventStatus = 'confirmed' | 'tentative' | 'cancelled';
export type Transparency = 'busy' | 'free';
export type Visibility = 'default' | 'public' | 'private';
export type ResponseStatus = 'needsAction' | 'accepted' | 'declined' | 'tentative';

export interface Reminder {
  method: 'email' | 'slack' | 'popup';
  minutesBefore: number;
}

export interface Attachment {
  url: string;
  title: string;
  mimeType: string;
}

export interface EventRow {
  id: string;
  user_id: string;
  title: string;
  description: string | null;
  location: string | null;
  start_time: Date;
  end_time: Date;
  timezone: string;
  is_all_day: boolean;
  start_date: string | null;
  end_date: string | null;
  status: EventStatus;
  transparency: Transparency;
  color: string | null;
  visibility: Visibility;
  reminders: Reminder[];
  attachments: Attachment[];
  recurrence_rule: string | null;
  recurrence_exdates: string[];
  local_start: string | null;
  recurrence_end: Date | null;
  series_id: string | null;
  original_start: string | null;
  ical_uid: string | null;
  sequence: number;
  source: string;
  created_at: Date;
  updated_at: Date;
}

export interface EventRecord {
  id: string;
  userId: string;
  title: string;
  description: string | null;
  location: string | null;
  startTime: Date;
  endTime: Date;
  timezone: string;
  isAllDay: boolean;
  startDate: string | null;
  endDate: string | null;
  status: EventStatus;
  transparency: Transparency;
  color: string | null;
  visibility: Visibility;
  reminders: Reminder[];
  attachments: Attachment[];
  recurrenceRule: string | null;
  exdates: string[];
  localStart: string | null;
  recurrenceEnd: Date | null;
  seriesId: string | null;
  originalStart: string | null;
  icalUid: string | null;
  /** iTIP SEQUENCE, bumped by the events writer on every change attendees see (a series' covers its occurrences). */
  sequence: number;
  /** The origin that created the event (api, series, ics, booking, google:<client calendar id>). */
  source: string;
  createdAt: Date;
  updatedAt: Date;
}

export const eventColumns = `id, user_id, title, description, location, start_time, end_time, timezone, is_all_day,
  start_date::text AS start_date, end_date::text AS end_date, status, transparency, color, visibility, reminders,
  attachments, recurrence_rule, recurrence_exdates, local_start, recurrence_end, series_id, original_start, ical_uid,
  sequence, source, created_at, updated_at`;

export function toEvent(row: EventRow): EventRecord {
  return {
    ...toBusyEvent(row),
    userId: row.user_id,
    description: row.description,
    location: row.location,
    color: row.color,
    visibility: row.visibility,
    reminders: row.reminders,
    attachments: row.attachments,
    recurrenceEnd: row.recurrence_end,
    icalUid: row.ical_uid,
    sequence: row.sequence,
    source: row.source,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * What busy time needs of an event (modules/events/event-busy.ts): its times, whether it blocks, and its
 * series definition. The free/busy, check and slot reads select only these columns: over a month of a
 * busy calendar the full rows cost several times more to parse (dates, JSON) than the busy time itself.
 */
export type BusyEventRecord = Pick<
  EventRecord,
  | 'id' | 'title' | 'startTime' | 'endTime' | 'timezone' | 'isAllDay' | 'startDate' | 'endDate' | 'status' | 'transparency'
  | 'recurrenceRule' | 'exdates' | 'localStart' | 'seriesId' | 'originalStart'
>;

export const busyEventColumns = `id, title, start_time, end_time, timezone, is_all_day, start_date::text AS start_date,
  end_date::text AS end_date, status, transparency, recurrence_rule, recurrence_exdates, local_start, series_id, original_start`;

export function toBusyEvent(row: EventRow): BusyEventRecord {
  return {
    id: row.id,
    title: row.title,
    startTime: row.start_time,
    endTime: row.end_time,
    timezone: row.timezone,
    isAllDay: row.is_all_day,
    startDate: row.start_date,
    endDate: row.end_date,
    status: row.status,
    transparency: row.transparency,
    recurrenceRule: row.recurrence_rule,
    exdates: row.recurrence_exdates,
    localStart: row.local_start,
    seriesId: row.series_id,
    originalStart: row.original_start,
  };
}

/** The columns a write sets; the repository turns this into one INSERT or UPDATE. */
export type EventWrite = Omit<EventRecord, 'id' | 'userId' | 'createdAt' | 'updatedAt' | 'sequence' | 'source'>;

export function toWrite(event: EventRecord): EventWrite {
  const { id: _id, userId: _user, createdAt: _c, updatedAt: _u, sequence: _s, source: _o, ...write } = event;
  return write;
}

export interface TagRow {
  id: string;
  user_id: string;
  name: string;
  color: string;
  created_at: Date;
  updated_at: Date;
}

export interface Tag {
  id: string;
  name: string;
  color: string;
  createdAt: Date;
  updatedAt: Date;
}

export function toTag(row: TagRow): Tag {
  return { id: row.id, name: row.name, color: row.color, createdAt: row.created_at, updatedAt: row.updated_at };
}

export interface AttendeeRow {
  event_id: string;
  email: string;
  name: string | null;
  response_status: ResponseStatus;
  responded_at: Date | null;
}

export interface Attendee {
  email: string;
  name: string | null;
  responseStatus: ResponseStatus;
  respondedAt: Date | null;
}

export function toAttendee(row: AttendeeRow): Attendee {
  return { email: row.email, name: row.name, responseStatus: row.response_status, respondedAt: row.responded_at };
}

/** The key EventsService.existing reports taken title+start+end under (titles compare case-insensitively). */
export function sameTimeKey(key: { title: string; startTime: Date; endTime: Date }): string {
  return `${key.title.toLowerCase()}|${key.startTime.getTime()}|${key.endTime.getTime()}`;
}
