import { rfc3339 } from '../clock.js';
import { isDate, type Calendar, type StoredEvent, type When } from '../state/types.js';
import { formatDateTime } from './time.js';

export interface RenderContext {
  cal: Calendar;
  /** The account making the request (decides `self` flags). */
  viewer: string;
  /** Zone to print dateTimes in: the request's `timeZone` or the calendar's. */
  zone: string;
}

/**
 * full: the whole resource. stripped: what Google guarantees for a deleted event (id) or a cancelled
 * instance (id, recurringEventId, originalStartTime) in incremental results. busy: what a
 * freeBusyReader may see.
 */
export type RenderMode = 'full' | 'stripped' | 'busy';

export function renderWhen(when: When, zone: string): Record<string, string> {
  if (isDate(when)) return { date: when.date };
  const out: Record<string, string> = { dateTime: formatDateTime(when.ms, when.timeZone ?? zone) };
  if (when.timeZone) out.timeZone = when.timeZone;
  return out;
}

export const htmlLinkFor = (eventId: string, calendarId: string): string =>
  `https://www.google.com/calendar/event?eid=${Buffer.from(`${eventId} ${calendarId}`).toString('base64url')}`;

export function renderEvent(ev: StoredEvent, ctx: RenderContext, mode: RenderMode = 'full'): Record<string, unknown> {
  if (mode === 'stripped') {
    const out: Record<string, unknown> = { kind: 'calendar#event', etag: ev.etag, id: ev.id, status: ev.status };
    if (ev.recurringEventId) {
      out.recurringEventId = ev.recurringEventId;
      if (ev.originalStart) out.originalStartTime = renderWhen(ev.originalStart, ctx.zone);
    }
    return out;
  }
  if (mode === 'busy') {
    return {
      kind: 'calendar#event', etag: ev.etag, id: ev.id, status: ev.status,
      start: renderWhen(ev.start, ctx.zone), end: renderWhen(ev.end, ctx.zone),
    };
  }
  const { cal, viewer, zone } = ctx;
  const f = ev.fields;
  const organizerSelf = cal.primaryOf === viewer || cal.acl.get(viewer) === 'owner';
  const organizer: Record<string, unknown> = { email: cal.id };
  if (!cal.primaryOf) organizer.displayName = cal.summary;
  if (organizerSelf) organizer.self = true;
  const creator: Record<string, unknown> = { email: ev.creatorEmail };
  if (ev.creatorEmail === viewer) creator.self = true;

  const out: Record<string, unknown> = {
    kind: 'calendar#event',
    etag: ev.etag,
    id: ev.id,
    status: ev.status,
    htmlLink: htmlLinkFor(ev.id, cal.id),
    created: rfc3339(ev.created),
    updated: rfc3339(ev.updated),
  };
  for (const key of ['summary', 'description', 'location', 'colorId'] as const) if (f[key] !== undefined) out[key] = f[key];
  out.creator = creator;
  out.organizer = organizer;
  out.start = renderWhen(ev.start, zone);
  out.end = renderWhen(ev.end, zone);
  if (f.endTimeUnspecified !== undefined) out.endTimeUnspecified = f.endTimeUnspecified;
  if (ev.recurrence) out.recurrence = [...ev.recurrence];
  if (ev.recurringEventId) out.recurringEventId = ev.recurringEventId;
  if (ev.originalStart) out.originalStartTime = renderWhen(ev.originalStart, zone);
  for (const key of ['transparency', 'visibility'] as const) if (f[key] !== undefined) out[key] = f[key];
  out.iCalUID = ev.iCalUID;
  out.sequence = ev.sequence;
  for (const [key, value] of Object.entries(f)) {
    if (!(key in out) && key !== 'reminders' && key !== 'eventType') out[key] = value;
  }
  out.reminders = f.reminders ?? { useDefault: true };
  out.eventType = f.eventType ?? 'default';
  return out;
}
