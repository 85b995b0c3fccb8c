import { rfc3339 } from '../clock.js';
import { apiErrors } from '../errors.js';
import { etagOf, type Store } from '../state/store.js';
import { roleRank, type AccessRole, type Calendar, type StoredEvent } from '../state/types.js';
import { instanceView, isMaster } from './event-ops.js';
import { renderEvent, type RenderMode } from './event-render.js';
import { bool, checkSyncCompatible, instant, int, SYNC_DISALLOWED } from './list-params.js';
import { expandSeries, expansionEnd } from './recurrence.js';
import { isValidZone, whenToMs } from './time.js';
import { compareKeys, decodePageToken, decodeSyncToken, encodePageToken, encodeSyncToken, fingerprint, type PageState } from './tokens.js';

type Key = (number | string)[];
interface Entry {
  key: Key;
  ev: StoredEvent;
  mode: RenderMode;
}

const DAY = 86_400_000;
const NEVER = 8.64e15;

/** Paging shared by events.list and events.instances: cursor after the last key, short pages allowed. */
function page(store: Store, entries: Entry[], after: Key | undefined, maxResults: number): { items: Entry[]; last?: Key; more: boolean } {
  entries.sort((a, b) => compareKeys(a.key, b.key));
  const from = after ? entries.findIndex((e) => compareKeys(e.key, after) > 0) : 0;
  const rest = from < 0 ? [] : entries.slice(from);
  const size = Math.min(maxResults, store.settings.pageSizeCap ?? Infinity);
  const items = rest.slice(0, size);
  return { items, last: items.at(-1)?.key ?? after, more: rest.length > size };
}

function textOf(ev: StoredEvent): string {
  const f = ev.fields;
  const attendees = Array.isArray(f.attendees) ? (f.attendees as { email?: string; displayName?: string }[]).map((a) => `${a.email ?? ''} ${a.displayName ?? ''}`) : [];
  return [f.summary, f.description, f.location, ...attendees].filter((x) => typeof x === 'string').join(' ').toLowerCase();
}

function extendedMatch(ev: StoredEvent, scope: 'private' | 'shared', wanted: string[]): boolean {
  const props = (ev.fields.extendedProperties as Record<string, Record<string, string>> | undefined)?.[scope] ?? {};
  return wanted.every((pair) => {
    const eq = pair.indexOf('=');
    return eq > 0 && props[pair.slice(0, eq)] === pair.slice(eq + 1);
  });
}

const exceptionIds = (cal: Calendar): Set<string> => {
  const ids = new Set<string>();
  for (const ev of cal.events.values()) if (ev.recurringEventId) ids.add(ev.id);
  return ids;
};

/** events.list with Google's semantics for paging, sync tokens, deletions, singleEvents and windows. */
export function listEvents(store: Store, cal: Calendar, role: AccessRole, viewer: string, query: URLSearchParams): Record<string, unknown> {
  const now = store.clock.now();
  const syncToken = query.get('syncToken');
  const pageToken = query.get('pageToken');
  const singleEvents = bool(query, 'singleEvents');
  const showDeleted = bool(query, 'showDeleted');
  const maxResults = int(query, 'maxResults', 250, 1, 2500);
  const orderBy = query.get('orderBy');
  const zone = query.get('timeZone') || cal.timeZone;
  if (!isValidZone(zone)) throw apiErrors.invalid('Invalid time zone.', 'timeZone');

  let fromSeq: number | undefined;
  let epoch = cal.epoch;
  const syncFingerprint = `${singleEvents}`;
  if (syncToken) {
    checkSyncCompatible(query, SYNC_DISALLOWED);
    const state = decodeSyncToken(syncToken);
    if (!state || state.k !== 'evs' || state.c !== cal.id) throw apiErrors.invalid('Invalid sync token value.', 'syncToken');
    if (state.e !== cal.epoch) throw apiErrors.fullSyncRequired();
    if (state.q !== syncFingerprint) throw apiErrors.invalid('The sync token does not match the query (singleEvents).', 'syncToken');
    fromSeq = state.s;
  }
  if (orderBy && orderBy !== 'startTime' && orderBy !== 'updated') throw apiErrors.invalid(`Invalid value for: orderBy`, 'orderBy');
  if (orderBy === 'startTime' && !singleEvents) {
    throw apiErrors.invalid('The requested ordering is not available for the particular query.', 'orderBy');
  }
  const timeMin = instant(query, 'timeMin');
  const timeMax = instant(query, 'timeMax');
  if (timeMin !== undefined && timeMax !== undefined && timeMin >= timeMax) throw apiErrors.timeRangeEmpty('timeMax');
  const updatedMin = instant(query, 'updatedMin');
  if (updatedMin !== undefined && updatedMin < now - store.settings.updatedMinMaxAgeDays * DAY) throw apiErrors.updatedMinTooLongAgo();

  const pageFingerprint = fingerprint(query, ['pageToken', 'maxResults']);
  let state: PageState | undefined;
  if (pageToken) {
    state = decodePageToken(pageToken);
    if (!state || state.k !== 'ev' || state.c !== cal.id || state.q !== pageFingerprint) {
      throw apiErrors.invalid('Invalid page token value.', 'pageToken');
    }
    if (state.f !== undefined && state.e !== cal.epoch) throw apiErrors.fullSyncRequired();
    epoch = state.e;
  }
  const snapshot = state?.s ?? store.currentSeq;

  const iCalUID = query.get('iCalUID');
  const q = query.get('q')?.toLowerCase();
  const privateProps = query.getAll('privateExtendedProperty');
  const sharedProps = query.getAll('sharedExtendedProperty');
  const eventTypes = query.getAll('eventTypes');
  const incremental = fromSeq !== undefined || updatedMin !== undefined;
  const includeDeleted = showDeleted || incremental;
  const changed = (ev: StoredEvent) =>
    fromSeq !== undefined ? ev.seq > fromSeq : updatedMin !== undefined ? ev.updated >= updatedMin : true;
  const matches = (ev: StoredEvent) =>
    (!iCalUID || ev.iCalUID === iCalUID) &&
    (!q || textOf(ev).includes(q)) &&
    (privateProps.length === 0 || extendedMatch(ev, 'private', privateProps)) &&
    (sharedProps.length === 0 || extendedMatch(ev, 'shared', sharedProps)) &&
    (eventTypes.length === 0 || eventTypes.includes((ev.fields.eventType as string) ?? 'default'));
  const fromMs = timeMin ?? -NEVER;
  const toMs = timeMax ?? NEVER;
  const horizon = (master: StoredEvent) => timeMax ?? expansionEnd(master, cal.timeZone, now, store.settings.expansionHorizonDays);
  const inWindow = (startMs: number, endMs: number) => endMs > fromMs && startMs < toMs;
  const modeOf = (ev: StoredEvent): RenderMode =>
    ev.status === 'cancelled' && !showDeleted ? 'stripped' : roleRank(role) < roleRank('reader') ? 'busy' : 'full';

  const entries: Entry[] = [];
  let overridden: Set<string> | undefined;
  const add = (ev: StoredEvent, ordinal: number, startMs: number) => {
    const key: Key =
      orderBy === 'startTime' ? [startMs, ordinal, ev.id] : orderBy === 'updated' ? [ev.updated, ordinal, startMs, ev.id] : [ordinal, startMs, ev.id];
    entries.push({ key, ev, mode: modeOf(ev) });
  };
  const span = (ev: StoredEvent) => [whenToMs(ev.start, cal.timeZone), whenToMs(ev.end, cal.timeZone)] as const;

  for (const ev of cal.events.values()) {
    if (roleRank(role) < roleRank('reader') && ev.status === 'cancelled') continue;
    if (ev.recurringEventId) {
      if (!changed(ev) || !matches(ev)) continue;
      // Cancelled exceptions stay listed when singleEvents and showDeleted are both false (Google).
      if (ev.status === 'cancelled' && singleEvents && !includeDeleted) continue;
      // A cancelled instance stands where it originally was.
      const original = ev.status === 'cancelled' && ev.originalStart ? whenToMs(ev.originalStart, cal.timeZone) : undefined;
      const [s, e] = original !== undefined ? [original, original + 1] : span(ev);
      if (!inWindow(s, e)) continue;
      const master = cal.events.get(ev.recurringEventId);
      add(ev, singleEvents ? (master?.ordinal ?? ev.ordinal) : ev.ordinal, s);
      continue;
    }
    if (!isMaster(ev)) {
      if (!changed(ev) || !matches(ev)) continue;
      if (ev.status === 'cancelled' && !includeDeleted) continue;
      const [s, e] = span(ev);
      if (inWindow(s, e)) add(ev, ev.ordinal, s);
      continue;
    }
    if (!changed(ev) || !matches(ev)) continue;
    if (!singleEvents) {
      if (ev.status === 'cancelled' && !includeDeleted) continue;
      if (timeMin !== undefined || timeMax !== undefined) {
        const hasInstance = expandSeries(ev, cal.timeZone, fromMs, Math.min(toMs, horizon(ev))).some((o) => inWindow(o.startMs, o.endMs));
        if (!hasInstance) continue;
      }
      add(ev, ev.ordinal, whenToMs(ev.start, cal.timeZone));
      continue;
    }
    // singleEvents: the series becomes its instances; deleted series only show up as changes.
    if (ev.status === 'cancelled' && !incremental) continue;
    overridden ??= exceptionIds(cal);
    for (const occ of expandSeries(ev, cal.timeZone, fromMs, horizon(ev))) {
      if (!inWindow(occ.startMs, occ.endMs)) continue;
      const view = instanceView(ev, occ);
      if (overridden.has(view.id)) continue;
      add(view, ev.ordinal, occ.startMs);
    }
  }

  const { items, last, more } = page(store, entries, state?.a, maxResults);
  const out: Record<string, unknown> = {
    kind: 'calendar#events',
    etag: etagOf(cal.lastSeq),
    summary: cal.summary,
    description: cal.description ?? '',
    updated: rfc3339(cal.lastUpdated),
    timeZone: cal.timeZone,
    accessRole: role,
    defaultReminders: [],
  };
  if (more) {
    out.nextPageToken = encodePageToken({ k: 'ev', c: cal.id, a: last ?? [], s: snapshot, f: fromSeq, e: epoch, q: pageFingerprint });
  } else if (!orderBy && !q && !iCalUID && privateProps.length === 0 && sharedProps.length === 0) {
    out.nextSyncToken = encodeSyncToken({ k: 'evs', c: cal.id, s: snapshot, e: epoch, q: syncFingerprint });
  }
  const ctx = { cal, viewer, zone };
  out.items = items.map((entry) => renderEvent(entry.ev, ctx, entry.mode));
  return out;
}

/** events.instances: one series' instances (timeMin inclusive here), with its exceptions in place. */
export function listInstances(store: Store, cal: Calendar, role: AccessRole, viewer: string, eventId: string, query: URLSearchParams): Record<string, unknown> {
  const master = cal.events.get(eventId);
  if (!master || master.recurringEventId) throw apiErrors.notFound();
  if (master.status === 'cancelled') throw apiErrors.deleted();
  const showDeleted = bool(query, 'showDeleted');
  const maxResults = int(query, 'maxResults', 250, 1, 2500);
  const zone = query.get('timeZone') || cal.timeZone;
  const timeMin = instant(query, 'timeMin');
  const timeMax = instant(query, 'timeMax');
  if (timeMin !== undefined && timeMax !== undefined && timeMin >= timeMax) throw apiErrors.timeRangeEmpty('timeMax');
  const originalStart = query.get('originalStart');
  const pageFingerprint = fingerprint(query, ['pageToken', 'maxResults']);
  let state: PageState | undefined;
  const pageToken = query.get('pageToken');
  if (pageToken) {
    state = decodePageToken(pageToken);
    if (!state || state.k !== 'in' || state.c !== `${cal.id}/${eventId}` || state.q !== pageFingerprint) {
      throw apiErrors.invalid('Invalid page token value.', 'pageToken');
    }
  }
  const now = store.clock.now();
  const fromMs = timeMin ?? -NEVER;
  const toMs = timeMax ?? NEVER;
  const horizon = timeMax ?? expansionEnd(master, cal.timeZone, now, store.settings.expansionHorizonDays);
  const inWindow = (s: number, e: number) => e >= fromMs && s < toMs;
  const entries: Entry[] = [];
  const mode = (ev: StoredEvent): RenderMode => (roleRank(role) < roleRank('reader') ? 'busy' : 'full');
  const exceptions = new Map<string, StoredEvent>();
  if (isMaster(master)) for (const ev of cal.events.values()) if (ev.recurringEventId === master.id) exceptions.set(ev.id, ev);
  const occurrences = isMaster(master) ? expandSeries(master, cal.timeZone, fromMs, horizon) : [];
  for (const occ of occurrences) {
    const view = exceptions.get(`${master.id}_${occ.key}`) ?? instanceView(master, occ);
    exceptions.delete(view.id);
    if (view.status === 'cancelled' && !showDeleted) continue;
    const s = whenToMs(view.start, cal.timeZone);
    const e = whenToMs(view.end, cal.timeZone);
    if (!inWindow(s, e)) continue;
    entries.push({ key: [occ.startMs, view.id], ev: view, mode: mode(view) });
  }
  for (const exc of exceptions.values()) {
    if (exc.status === 'cancelled' && !showDeleted) continue;
    const s = whenToMs(exc.start, cal.timeZone);
    if (!inWindow(s, whenToMs(exc.end, cal.timeZone))) continue;
    entries.push({ key: [whenToMs(exc.originalStart ?? exc.start, cal.timeZone), exc.id], ev: exc, mode: mode(exc) });
  }
  const filtered = originalStart
    ? entries.filter((e) => e.ev.originalStart && whenToMs(e.ev.originalStart, cal.timeZone) === (Date.parse(originalStart) || whenToMs({ date: originalStart }, cal.timeZone)))
    : entries;
  const { items, last, more } = page(store, filtered, state?.a, maxResults);
  const out: Record<string, unknown> = {
    kind: 'calendar#events',
    etag: etagOf(cal.lastSeq),
    summary: cal.summary,
    description: cal.description ?? '',
    updated: rfc3339(cal.lastUpdated),
    timeZone: cal.timeZone,
    accessRole: role,
    defaultReminders: [],
  };
  if (more) out.nextPageToken = encodePageToken({ k: 'in', c: `${cal.id}/${eventId}`, a: last ?? [], s: store.currentSeq, e: cal.epoch, q: pageFingerprint });
  out.items = items.map((entry) => renderEvent(entry.ev, { cal, viewer, zone }, entry.mode));
  return out;
}
