import { createHash } from 'node:crypto';

/**
 * Page and sync tokens are opaque to clients; inside they are positions in the fake's change log,
 * the calendar's epoch (bumped to invalidate them) and a fingerprint of the query they belong to.
 */
export interface PageState {
  /** events list, instances, calendarList */
  k: 'ev' | 'in' | 'cl';
  /** calendar id or account email */
  c: string;
  /** sort key of the last item already returned */
  a: (number | string)[];
  /** change-log position when the listing began (becomes the nextSyncToken) */
  s: number;
  /** in incremental listings: the sync token's position */
  f?: number;
  e: number;
  q: string;
}

export interface SyncState {
  k: 'evs' | 'cls';
  c: string;
  s: number;
  e: number;
  q: string;
}

const encode = (state: object): string => Buffer.from(JSON.stringify(state)).toString('base64url');

function decode<T>(token: string): T | undefined {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return value && typeof value === 'object' ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

export const encodePageToken = (state: PageState): string => encode(state);
export const encodeSyncToken = (state: SyncState): string => encode(state);
export const decodePageToken = (token: string): PageState | undefined => {
  const s = decode<PageState>(token);
  return s && typeof s.k === 'string' && Array.isArray(s.a) && typeof s.s === 'number' ? s : undefined;
};
export const decodeSyncToken = (token: string): SyncState | undefined => {
  const s = decode<SyncState>(token);
  return s && typeof s.k === 'string' && typeof s.s === 'number' && typeof s.e === 'number' ? s : undefined;
};

/** Fingerprint of a query: every parameter but the ones named, in a stable order. */
export function fingerprint(query: URLSearchParams, ignore: string[]): string {
  const pairs = [...query.entries()].filter(([k]) => !ignore.includes(k)).sort(([a, x], [b, y]) => (a === b ? x.localeCompare(y) : a.localeCompare(b)));
  return createHash('sha1').update(JSON.stringify(pairs)).digest('base64url').slice(0, 12);
}

export function compareKeys(a: (number | string)[], b: (number | string)[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}
