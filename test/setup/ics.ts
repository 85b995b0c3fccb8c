import ICAL from 'ical.js';
import type { ReceivedMail } from './smtp-sink.js';

export interface ParsedInvite {
  method: string;
  uid: string;
  sequence: number;
  status: string;
  summary: string;
  description: string | null;
  location: string | null;
  start: Date;
  end: Date;
  organizer: string;
  attendees: string[];
  rrule: string | null;
}

/** Parses one VCALENDAR with ical.js, the way a calendar client reads it. */
export function parseIcs(text: string): ParsedInvite {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const vevent = calendar.getFirstSubcomponent('vevent');
  if (!vevent) throw new Error('no VEVENT in the calendar');
  const event = new ICAL.Event(vevent);
  const rrule = vevent.getFirstPropertyValue('rrule');
  return {
    method: String(calendar.getFirstPropertyValue('method')),
    uid: event.uid,
    sequence: event.sequence,
    status: String(vevent.getFirstPropertyValue('status')),
    summary: event.summary,
    description: event.description ?? null,
    location: event.location ?? null,
    start: event.startDate.toJSDate(),
    end: event.endDate.toJSDate(),
    organizer: mailto(String(event.organizer)),
    attendees: event.attendees.map((attendee) => mailto(String(attendee.getFirstValue()))),
    rrule: rrule ? String(rrule) : null,
  };
}

/** URI schemes are case-insensitive (some writers send MAILTO:). */
const mailto = (uri: string) => uri.replace(/^mailto:/i, 'mailto:');

/** The invitation of a received email: the text/calendar part must be there and say its method. */
export function inviteOf(mail: ReceivedMail): { contentType: string; invite: ParsedInvite; attachmentCount: number } {
  const calendars = mail.parsed.attachments.filter((part) => /^(text\/calendar|application\/ics)/.test(part.contentType));
  const alternative = calendars.find((part) => part.contentType === 'text/calendar');
  if (!alternative) throw new Error(`no text/calendar part in: ${mail.parsed.attachments.map((a) => a.contentType).join(', ')}`);
  const methodParam = /method=([A-Z]+)/i.exec(mail.raw)?.[1] ?? '';
  return {
    contentType: `text/calendar; method=${methodParam}`,
    invite: parseIcs(alternative.content.toString('utf8')),
    attachmentCount: calendars.length,
  };
}
