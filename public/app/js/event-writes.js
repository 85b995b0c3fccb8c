// Where an event is written: the user's own events go through /events, an event of a synced client
// calendar through /clients/:id/calendars/:calendarId/events (written at Google first, with its etag, so
// a change made at Google meanwhile is a 409 CHANGED_AT_GOOGLE instead of a silent overwrite).
import { api, enc } from './api.js';

/** The key of a calendar target: 'local' or '<clientId>|<calendarId>'. */
export const targetKey = (calendar) => (calendar ? `${calendar.clientId}|${calendar.calendarId}` : 'local');

export function parseTargetKey(key) {
  if (!key || key === 'local') return null;
  const at = key.indexOf('|');
  return { clientId: key.slice(0, at), calendarId: key.slice(at + 1) };
}

const calendarPath = (calendar) => `/clients/${calendar.clientId}/calendars/${enc(calendar.calendarId)}/events`;

/**
 * The calendars an event can be written to: every synced (enabled) client calendar, by client. Each is
 * { clientId, calendarId, clientName, color, summary }. A failing status route throws (its caller shows it).
 */
export async function writableCalendars(clients) {
  const status = await api('GET', '/calendar/sync/status');
  const byId = new Map(clients.map((c) => [c.id, c]));
  return (status?.data ?? [])
    .filter((s) => s.enabled && byId.has(s.clientId))
    .map((s) => ({ clientId: s.clientId, calendarId: s.calendarId, clientName: byId.get(s.clientId).name, color: byId.get(s.clientId).color, summary: s.summary ?? s.calendarId }));
}

/** Creates an event on a client calendar (`calendar` set) or locally (null). */
export function createEvent(calendar, body) {
  return calendar ? api('POST', calendarPath(calendar), { body }) : api('POST', '/events', { body });
}

/** Changes a single event or a whole series (its master id) where it lives. */
export function updateEvent(calendar, eventId, body) {
  return calendar ? api('PUT', `${calendarPath(calendar)}/${eventId}`, { body }) : api('PATCH', `/events/${eventId}`, { body });
}

/** Deletes a single event or a whole series (its master id) where it lives. */
export function deleteEvent(calendar, eventId) {
  return calendar ? api('DELETE', `${calendarPath(calendar)}/${eventId}`) : api('DELETE', `/events/${eventId}`);
}

/** The body that recreates an API event elsewhere (a single event: no series fields). */
export function copyOf(ev) {
  const body = {
    title: ev.title,
    timezone: ev.timezone,
    isAllDay: ev.isAllDay,
    startTime: ev.isAllDay ? ev.startDate : ev.startTime,
    endTime: ev.isAllDay ? ev.endDate : ev.endTime,
    status: ev.status === 'cancelled' ? undefined : ev.status,
    transparency: ev.transparency,
    visibility: ev.visibility,
    attendees: (ev.attendees ?? []).map((a) => (a.name ? { email: a.email, name: a.name } : { email: a.email })),
    reminders: (ev.reminders ?? []).map((r) => ({ method: r.method, minutesBefore: r.minutesBefore })),
  };
  if (ev.description) body.description = ev.description;
  if (ev.location) body.location = ev.location;
  if (ev.attachments?.length) body.attachments = ev.attachments.map((a) => ({ url: a.url, title: a.title, mimeType: a.mimeType }));
  return body;
}

/**
 * Moves a single event to another calendar (`body` is what is created there): created on the target first,
 * then deleted at its source; when that delete fails (say Google changed it meanwhile) the new copy is
 * deleted again, so nothing is doubled, and the error is thrown. Nothing is lost on any failure: the source
 * goes only once its copy exists.
 */
export async function relocate(ev, target, body = copyOf(ev)) {
  const created = await createEvent(target, body);
  try {
    await deleteEvent(ev.calendar, ev.id);
  } catch (error) {
    await deleteEvent(target, created.id).catch(() => {});
    throw error;
  }
  return created;
}

/** Moves a single event as it is to another calendar (bulk "Move to calendar…"). */
export async function moveEvent(ev, target) {
  if (ev.seriesId || ev.recurrence) throw new Error(`“${ev.title}” repeats: repeating events are not moved between calendars.`);
  if (targetKey(ev.calendar) === targetKey(target)) return ev;
  return relocate(ev, target);
}
