import { apiErrors } from '../errors.js';
import { isDate, type EventStatus, type When } from '../state/types.js';
import { validateRecurrence } from './recurrence.js';
import { hasOffset, isValidDate, isValidZone, isWallClock, wallToMs } from './time.js';

/** Client-writable fields kept verbatim (everything else in a body is server-managed or ignored). */
const WRITABLE = [
  'summary', 'description', 'location', 'colorId', 'endTimeUnspecified', 'transparency', 'visibility',
  'attendees', 'attendeesOmitted', 'extendedProperties', 'reminders', 'source', 'guestsCanInviteOthers',
  'guestsCanModify', 'guestsCanSeeOtherGuests', 'anyoneCanAddSelf', 'conferenceData', 'attachments',
  'eventType', 'gadget', 'locked', 'workingLocationProperties', 'outOfOfficeProperties',
  'focusTimeProperties', 'birthdayProperties',
] as const;

export interface EventInput {
  start: When;
  end: When;
  recurrence?: string[];
  status: EventStatus;
  sequence?: number;
  iCalUID?: string;
  fields: Record<string, unknown>;
}

function parseWhen(raw: unknown, which: 'start' | 'end'): When {
  if (!raw || typeof raw !== 'object') throw apiErrors.required(`Missing ${which} time.`);
  const r = raw as { date?: unknown; dateTime?: unknown; timeZone?: unknown };
  const timeZone = r.timeZone ?? undefined;
  if (timeZone !== undefined && (typeof timeZone !== 'string' || !isValidZone(timeZone))) {
    throw apiErrors.invalidBody(`Invalid time zone definition for ${which} time.`);
  }
  const date = r.date ?? undefined;
  const dateTime = r.dateTime ?? undefined;
  if (date !== undefined && dateTime !== undefined) throw apiErrors.invalidBody(`Invalid ${which} time.`);
  if (date !== undefined) {
    if (typeof date !== 'string' || !isValidDate(date)) throw apiErrors.invalidBody(`Invalid ${which} time.`);
    return { date };
  }
  if (dateTime === undefined) throw apiErrors.required(`Missing ${which} time.`);
  if (typeof dateTime !== 'string') throw apiErrors.invalidBody(`Invalid ${which} time.`);
  let ms: number | undefined;
  if (hasOffset(dateTime)) ms = Date.parse(dateTime);
  else if (isWallClock(dateTime)) {
    if (!timeZone) throw apiErrors.invalidBody(`Missing time zone definition for ${which} time.`);
    ms = wallToMs(dateTime, timeZone as string);
  }
  if (ms === undefined || Number.isNaN(ms)) throw apiErrors.invalidBody(`Invalid ${which} time.`);
  // Google keeps whole seconds.
  ms = Math.floor(ms / 1000) * 1000;
  return timeZone ? { ms, timeZone: timeZone as string } : { ms };
}

/**
 * Reads and validates an event body (insert, update, or a patch already merged onto the current
 * event), with Google's 400s for missing or inconsistent times and bad recurrence.
 */
export function parseEventInput(body: Record<string, unknown>, options: { instance?: boolean } = {}): EventInput {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw apiErrors.parseError();
  const start = parseWhen(body.start, 'start');
  const end = parseWhen(body.end, 'end');
  if (isDate(start) !== isDate(end)) {
    throw apiErrors.invalidBody('Start and end times must either both be date or both be dateTime.');
  }
  const empty = isDate(start) && isDate(end) ? end.date <= start.date : (end as { ms: number }).ms < (start as { ms: number }).ms;
  if (empty) throw apiErrors.timeRangeEmpty();

  let recurrence: string[] | undefined;
  if (!options.instance && body.recurrence !== undefined && body.recurrence !== null) {
    recurrence = validateRecurrence(body.recurrence);
    if (recurrence.length === 0) recurrence = undefined;
    if (recurrence && !isDate(start) && !start.timeZone) {
      throw apiErrors.invalidBody('Missing time zone definition for start time.');
    }
  }

  const status = (body.status ?? 'confirmed') as EventStatus;
  if (!['confirmed', 'tentative', 'cancelled'].includes(status)) throw apiErrors.invalid('Invalid value for: status');
  if (body.transparency !== undefined && body.transparency !== null && !['opaque', 'transparent'].includes(body.transparency as string)) {
    throw apiErrors.invalidBody('Invalid transparency value.');
  }
  if (body.visibility !== undefined && body.visibility !== null && !['default', 'public', 'private', 'confidential'].includes(body.visibility as string)) {
    throw apiErrors.invalidBody('Invalid visibility value.');
  }
  if (body.attendees !== undefined && body.attendees !== null) {
    if (!Array.isArray(body.attendees)) throw apiErrors.invalidBody('Invalid attendees.');
    for (const a of body.attendees as { email?: unknown }[]) {
      if (!a || typeof a !== 'object' || (typeof a.email !== 'string' && !('id' in a))) {
        throw apiErrors.required('Missing email for attendee.');
      }
    }
  }
  let sequence: number | undefined;
  if (body.sequence !== undefined && body.sequence !== null) {
    sequence = Number(body.sequence);
    if (!Number.isInteger(sequence) || sequence < 0) throw apiErrors.invalid('Invalid value for: sequence');
  }

  const fields: Record<string, unknown> = {};
  for (const name of WRITABLE) if (body[name] !== undefined && body[name] !== null) fields[name] = body[name];
  const iCalUID = typeof body.iCalUID === 'string' && body.iCalUID ? body.iCalUID : undefined;
  return { start, end, recurrence, status, sequence, iCalUID, fields };
}

/** Google's patch: objects merge key by key, arrays and scalars replace, `null` clears. */
export function mergePatch(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (typeof value === 'object' && !Array.isArray(value) && typeof out[key] === 'object' && out[key] !== null && !Array.isArray(out[key])) {
      out[key] = mergePatch(out[key] as Record<string, unknown>, value as Record<string, unknown>);
    } else out[key] = value;
  }
  return out;
}
