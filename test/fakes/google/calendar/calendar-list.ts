import { apiErrors } from '../errors.js';
import { etagOf, type Store } from '../state/store.js';
import { ACCESS_ROLES, roleRank, type AccessRole, type AccountState, type Calendar, type ListEntry } from '../state/types.js';
import { bool, checkSyncCompatible, int } from './list-params.js';
import { compareKeys, decodePageToken, decodeSyncToken, encodePageToken, encodeSyncToken, fingerprint, type PageState } from './tokens.js';

export function renderListEntry(state: AccountState, entry: ListEntry, cal: Calendar | undefined): Record<string, unknown> {
  const role = cal?.acl.get(state.account.email);
  if (entry.deleted || !cal || !role) return { kind: 'calendar#calendarListEntry', etag: entry.etag, id: entry.calendarId, deleted: true };
  const out: Record<string, unknown> = {
    kind: 'calendar#calendarListEntry',
    etag: entry.etag,
    id: cal.id,
    summary: cal.summary,
  };
  if (cal.description) out.description = cal.description;
  out.timeZone = cal.timeZone;
  if (entry.summaryOverride) out.summaryOverride = entry.summaryOverride;
  out.colorId = entry.colorId;
  out.backgroundColor = entry.backgroundColor;
  out.foregroundColor = entry.foregroundColor;
  if (entry.hidden) out.hidden = true;
  if (entry.selected) out.selected = true;
  out.accessRole = role;
  out.defaultReminders = role === 'owner' || role === 'writer' ? [{ method: 'popup', minutes: 10 }] : [];
  if (cal.primaryOf === state.account.email) {
    out.notificationSettings = { notifications: [{ type: 'eventCreation', method: 'email' }] };
    out.primary = true;
  }
  out.conferenceProperties = { allowedConferenceSolutionTypes: ['hangoutsMeet'] };
  return out;
}

/** calendarList.list: paging, showHidden/showDeleted/minAccessRole, and its own sync tokens. */
export function listCalendarList(store: Store, state: AccountState, query: URLSearchParams): Record<string, unknown> {
  const email = state.account.email;
  const maxResults = int(query, 'maxResults', 100, 1, 250);
  const showDeleted = bool(query, 'showDeleted');
  const showHidden = bool(query, 'showHidden');
  const minAccessRole = query.get('minAccessRole') as AccessRole | null;
  if (minAccessRole && !ACCESS_ROLES.includes(minAccessRole)) throw apiErrors.invalid(`Invalid value for: minAccessRole`, 'minAccessRole');
  const syncToken = query.get('syncToken');
  let fromSeq: number | undefined;
  if (syncToken) {
    checkSyncCompatible(query, ['minAccessRole']);
    const sync = decodeSyncToken(syncToken);
    if (!sync || sync.k !== 'cls' || sync.c !== email) throw apiErrors.invalid('Invalid sync token value.', 'syncToken');
    if (sync.e !== state.listEpoch) throw apiErrors.fullSyncRequired();
    fromSeq = sync.s;
  }
  const pageFingerprint = fingerprint(query, ['pageToken', 'maxResults']);
  let page: PageState | undefined;
  const pageToken = query.get('pageToken');
  if (pageToken) {
    page = decodePageToken(pageToken);
    if (!page || page.k !== 'cl' || page.c !== email || page.q !== pageFingerprint) throw apiErrors.invalid('Invalid page token value.', 'pageToken');
    if (page.f !== undefined && page.e !== state.listEpoch) throw apiErrors.fullSyncRequired();
  }
  const snapshot = page?.s ?? store.currentSeq;
  const entries: { key: (number | string)[]; entry: ListEntry }[] = [];
  for (const entry of state.list.values()) {
    const cal = store.calendars.get(entry.calendarId);
    const role = cal?.acl.get(email);
    const gone = entry.deleted || !role;
    if (fromSeq !== undefined) {
      // Incremental results always carry deleted and hidden entries.
      if (entry.seq <= fromSeq) continue;
    } else {
      if (gone && !showDeleted) continue;
      if (entry.hidden && !showHidden) continue;
      if (minAccessRole && (!role || roleRank(role) < roleRank(minAccessRole))) continue;
    }
    entries.push({ key: [cal?.primaryOf === email ? 0 : 1, entry.calendarId], entry });
  }
  entries.sort((a, b) => compareKeys(a.key, b.key));
  const after = page?.a;
  const rest = after ? entries.filter((e) => compareKeys(e.key, after) > 0) : entries;
  const size = Math.min(maxResults, store.settings.pageSizeCap ?? Infinity);
  const items = rest.slice(0, size);
  const out: Record<string, unknown> = { kind: 'calendar#calendarList', etag: etagOf(store.currentSeq) };
  if (rest.length > size) {
    out.nextPageToken = encodePageToken({ k: 'cl', c: email, a: items.at(-1)!.key, s: snapshot, f: fromSeq, e: page?.e ?? state.listEpoch, q: pageFingerprint });
  } else {
    out.nextSyncToken = encodeSyncToken({ k: 'cls', c: email, s: snapshot, e: page?.e ?? state.listEpoch, q: '' });
  }
  out.items = items.map(({ entry }) => renderListEntry(state, entry, store.calendars.get(entry.calendarId)));
  return out;
}

export function renderCalendar(cal: Calendar): Record<string, unknown> {
  const out: Record<string, unknown> = { kind: 'calendar#calendar', etag: etagOf(cal.lastSeq), id: cal.id, summary: cal.summary };
  if (cal.description) out.description = cal.description;
  out.timeZone = cal.timeZone;
  out.conferenceProperties = { allowedConferenceSolutionTypes: ['hangoutsMeet'] };
  return out;
}
