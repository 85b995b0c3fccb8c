import { apiErrors, GoogleApiError } from '../errors.js';
import type { Store } from '../state/store.js';
import { isMaster } from './event-ops.js';
import { expandSeries } from './recurrence.js';
import { isValidZone, parseRfc3339, whenToMs } from './time.js';

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');

/**
 * freeBusy.query: busy intervals of the named calendars, clipped to the window and merged; cancelled
 * and transparent events are free. A calendar the caller cannot see gets a per-calendar notFound.
 */
export function queryFreeBusy(store: Store, email: string, body: Record<string, unknown>): Record<string, unknown> {
  if (!body || typeof body !== 'object') throw apiErrors.parseError();
  if (!body.timeMin) throw apiErrors.required('Missing timeMin.');
  if (!body.timeMax) throw apiErrors.required('Missing timeMax.');
  const timeMin = parseRfc3339(String(body.timeMin));
  const timeMax = parseRfc3339(String(body.timeMax));
  if (timeMin === undefined) throw apiErrors.badRequest('Invalid value for: timeMin');
  if (timeMax === undefined) throw apiErrors.badRequest('Invalid value for: timeMax');
  if (timeMin >= timeMax) throw apiErrors.timeRangeEmpty('timeMax');
  if (body.timeZone !== undefined && !isValidZone(String(body.timeZone))) throw apiErrors.invalidBody('Invalid time zone.');
  const expansionMax = body.calendarExpansionMax === undefined ? 50 : Number(body.calendarExpansionMax);
  if (!Number.isInteger(expansionMax) || expansionMax < 1 || expansionMax > 50) throw apiErrors.invalidBody('Invalid value for: calendarExpansionMax');
  const groupMax = body.groupExpansionMax === undefined ? 100 : Number(body.groupExpansionMax);
  if (!Number.isInteger(groupMax) || groupMax < 1 || groupMax > 100) throw apiErrors.invalidBody('Invalid value for: groupExpansionMax');
  const items = Array.isArray(body.items) ? (body.items as { id?: unknown }[]) : [];
  if (items.length > 50) throw new GoogleApiError(400, 'tooManyCalendarsRequested', 'Too many calendars requested.');

  const calendars: Record<string, unknown> = {};
  for (const item of items) {
    const id = String(item?.id ?? '');
    const calId = id === 'primary' ? email : id;
    const cal = store.calendars.get(calId);
    if (!cal || !cal.acl.get(email)) {
      calendars[id] = { errors: [{ domain: 'global', reason: 'notFound' }], busy: [] };
      continue;
    }
    const spans: [number, number][] = [];
    const take = (s: number, e: number) => {
      if (e > timeMin && s < timeMax) spans.push([Math.max(s, timeMin), Math.min(e, timeMax)]);
    };
    const exceptionsByKey = new Map<string, { status: string; transparent: boolean }>();
    for (const ev of cal.events.values()) if (ev.recurringEventId) exceptionsByKey.set(ev.id, { status: ev.status, transparent: ev.fields.transparency === 'transparent' });
    for (const ev of cal.events.values()) {
      if (ev.status === 'cancelled' || ev.fields.transparency === 'transparent') continue;
      if (isMaster(ev)) {
        for (const occ of expandSeries(ev, cal.timeZone, timeMin, timeMax)) {
          if (!exceptionsByKey.has(`${ev.id}_${occ.key}`)) take(occ.startMs, occ.endMs);
        }
      } else take(whenToMs(ev.start, cal.timeZone), whenToMs(ev.end, cal.timeZone));
    }
    spans.sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const span of spans) {
      const last = merged.at(-1);
      if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
      else merged.push([...span]);
    }
    calendars[id] = { busy: merged.map(([s, e]) => ({ start: iso(s), end: iso(e) })) };
  }
  return { kind: 'calendar#freeBusy', timeMin: iso(timeMin), timeMax: iso(timeMax), calendars };
}
