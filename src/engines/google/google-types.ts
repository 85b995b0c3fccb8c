/**
 * The shapes this engine reads and writes. Google's are the parts of Calendar v3's Event resource it
 * uses (googleapis' Schema$Event is assignable to GoogleEvent). Calento's mirror EventWrite in
 * src/modules/events/events.rows.ts field for field, since an engine may not import a module.
 */

export interface GoogleWhen {
  date?: string | null;
  dateTime?: string | null;
  timeZone?: string | null;
}

export interface GoogleAttendee {
  email?: string | null;
  displayName?: string | null;
  responseStatus?: string | null;
  self?: boolean | null;
  resource?: boolean | null;
  organizer?: boolean | null;
  optional?: boolean | null;
}

export interface GoogleReminder {
  method?: string | null;
  minutes?: number | null;
}

export interface GoogleAttachment {
  fileUrl?: string | null;
  title?: string | null;
  mimeType?: string | null;
}

export interface GoogleEvent {
  id?: string | null;
  etag?: string | null;
  status?: string | null;
  updated?: string | null;
  summary?: string | null;
  description?: string | null;
  location?: string | null;
  colorId?: string | null;
  start?: GoogleWhen | null;
  end?: GoogleWhen | null;
  endTimeUnspecified?: boolean | null;
  recurrence?: string[] | null;
  recurringEventId?: string | null;
  originalStartTime?: GoogleWhen | null;
  transparency?: string | null;
  visibility?: string | null;
  iCalUID?: string | null;
  sequence?: number | null;
  attendees?: GoogleAttendee[] | null;
  reminders?: { useDefault?: boolean | null; overrides?: GoogleReminder[] | null } | null;
  attachments?: GoogleAttachment[] | null;
  extendedProperties?: { private?: Record<string, string> | null; shared?: Record<string, string> | null } | null;
}

export type CalentoStatus = 'confirmed' | 'tentative' | 'cancelled';
export type CalentoTransparency = 'busy' | 'free';
export type CalentoVisibility = 'default' | 'public' | 'private';

export interface CalentoReminder {
  method: 'email' | 'slack' | 'popup';
  minutesBefore: number;
}

export interface CalentoAttachment {
  url: string;
  title: string;
  mimeType: string;
}

/** Structurally EventWrite (events.rows.ts): what the events writer stores. */
export interface CalentoEventWrite {
  title: string;
  description: string | null;
  location: string | null;
  startTime: Date;
  endTime: Date;
  timezone: string;
  isAllDay: boolean;
  startDate: string | null;
  endDate: string | null;
  status: CalentoStatus;
  transparency: CalentoTransparency;
  color: string | null;
  visibility: CalentoVisibility;
  reminders: CalentoReminder[];
  attachments: CalentoAttachment[];
  recurrenceRule: string | null;
  exdates: string[];
  localStart: string | null;
  recurrenceEnd: Date | null;
  /** Always null here: the sync knows the local series id of an override. */
  seriesId: string | null;
  originalStart: string | null;
  icalUid: string | null;
}

/** Structurally the writer's AttendeeInput (email, name), plus Google's answer. */
export interface CalentoAttendee {
  email: string;
  name?: string;
  responseStatus?: 'needsAction' | 'accepted' | 'declined' | 'tentative';
}

export interface GoogleMeta {
  id: string;
  etag: string | null;
  updated: Date | null;
  recurringEventId: string | null;
  iCalUID: string | null;
  sequence: number;
}
