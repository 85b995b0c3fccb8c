import type { FakeClock } from '../clock.js';
import { apiErrors } from '../errors.js';
import { resourceIdFor } from './ids.js';
import {
  roleRank,
  type AccessRole,
  type AccessToken,
  type AccountState,
  type Calendar,
  type Grant,
  type ListEntry,
  type OAuthClient,
  type RefreshToken,
  type StoredEvent,
} from './types.js';

export type Change = { kind: 'events'; calendarId: string } | { kind: 'calendarList'; email: string };

/** Google's calendar palette (colorId → background), the part the fake hands out. */
export const CALENDAR_COLORS: Record<string, string> = {
  '1': '#ac725e', '2': '#d06b64', '3': '#f83a22', '4': '#fa573c', '5': '#ff7537', '6': '#ffad46',
  '7': '#42d692', '8': '#16a765', '9': '#7bd148', '10': '#b3dc6c', '11': '#fbe983', '12': '#fad165',
  '13': '#92e1c0', '14': '#9fe1e7', '15': '#9fc6e7', '16': '#4986e7', '17': '#9a9cff', '18': '#b99aff',
  '19': '#c2c2c2', '20': '#cabdbf', '21': '#cca6ac', '22': '#f691b2', '23': '#cd74e6', '24': '#a47ae2',
};

export interface CalendarSpec {
  id?: string;
  summary?: string;
  description?: string;
  timeZone?: string;
  accessRole?: AccessRole;
  colorId?: string;
  backgroundColor?: string;
  foregroundColor?: string;
  hidden?: boolean;
  selected?: boolean;
  summaryOverride?: string;
}

/** Knobs that shape listings; tests may change them at run time. */
export interface ListSettings {
  /** Serve at most this many items per page whatever maxResults says (Google's pages may be short). */
  pageSizeCap?: number;
  /** How far past "now" an unbounded series is expanded when no timeMax is given. */
  expansionHorizonDays: number;
  /** updatedMin older than this → 410 updatedMinTooLongAgo. */
  updatedMinMaxAgeDays: number;
}

/** All state of the fake, in memory. One global change counter orders every write. */
export class Store {
  readonly settings: ListSettings = { expansionHorizonDays: 730, updatedMinMaxAgeDays: 28 };
  readonly clients = new Map<string, OAuthClient>();
  readonly accounts = new Map<string, AccountState>();
  readonly calendars = new Map<string, Calendar>();
  readonly accessTokens = new Map<string, AccessToken>();
  readonly refreshTokens = new Map<string, RefreshToken>();
  readonly grants = new Map<string, Grant>();
  private seq = 0;
  private ordinal = 0;
  private readonly listeners: ((change: Change) => void)[] = [];

  constructor(readonly clock: FakeClock) {}

  get currentSeq(): number {
    return this.seq;
  }

  onChange(listener: (change: Change) => void): void {
    this.listeners.push(listener);
  }

  emit(change: Change): void {
    for (const listener of this.listeners) listener(change);
  }

  nextOrdinal(): number {
    return ++this.ordinal;
  }

  /** Records a change to one event row: new position in the log, etag and `updated`. */
  touchEvent(cal: Calendar, ev: StoredEvent): void {
    const seq = ++this.seq;
    const now = this.clock.now();
    ev.seq = seq;
    ev.etag = etagOf(seq);
    ev.updated = now;
    cal.lastSeq = seq;
    cal.lastUpdated = now;
  }

  touchListEntry(entry: ListEntry): void {
    entry.seq = ++this.seq;
    entry.etag = etagOf(entry.seq);
  }

  // ---- accounts and calendars ---------------------------------------------------------------

  account(email: string): AccountState | undefined {
    return this.accounts.get(email.toLowerCase());
  }

  requireAccount(email: string): AccountState {
    const state = this.account(email);
    if (!state) throw new Error(`fake Google: no account ${email}`);
    return state;
  }

  createAccount(email: string, name?: string, timeZone = 'UTC'): AccountState {
    const key = email.toLowerCase();
    if (this.accounts.has(key)) throw new Error(`fake Google: account ${email} exists`);
    const state: AccountState = {
      account: { email: key, name: name ?? key.split('@')[0], sub: String(100000000000000000000n + BigInt(this.accounts.size + 1)) },
      list: new Map(),
      listEpoch: 1,
    };
    this.accounts.set(key, state);
    const primary = this.createCalendar(key, { id: key, summary: key, timeZone, accessRole: 'owner' });
    primary.primaryOf = key;
    return state;
  }

  createCalendar(email: string, spec: CalendarSpec): Calendar {
    const owner = this.requireAccount(email);
    const id = spec.id ?? `${randomCalendarKey()}@group.calendar.google.com`;
    if (this.calendars.has(id)) throw new Error(`fake Google: calendar ${id} exists`);
    const cal: Calendar = {
      id,
      summary: spec.summary ?? id,
      description: spec.description,
      timeZone: spec.timeZone ?? 'UTC',
      events: new Map(),
      acl: new Map(),
      epoch: 1,
      lastSeq: ++this.seq,
      lastUpdated: this.clock.now(),
      resourceId: resourceIdFor(`events:${id}`),
    };
    this.calendars.set(id, cal);
    this.share(cal, owner.account.email, spec.accessRole ?? 'owner', spec);
    return cal;
  }

  /** Gives an account a role on a calendar and a calendarList entry for it. */
  share(cal: Calendar, email: string, role: AccessRole, display: CalendarSpec = {}): ListEntry {
    const state = this.requireAccount(email);
    const hadRole = cal.acl.get(state.account.email);
    cal.acl.set(state.account.email, role);
    // Google: an ACL change invalidates the calendar's sync tokens.
    if (hadRole && hadRole !== role) cal.epoch++;
    const colorId = display.colorId ?? String((state.list.size % 24) + 1);
    const entry: ListEntry = state.list.get(cal.id) ?? {
      calendarId: cal.id,
      colorId,
      backgroundColor: display.backgroundColor ?? CALENDAR_COLORS[colorId] ?? '#9fc6e7',
      foregroundColor: display.foregroundColor ?? '#000000',
      hidden: display.hidden ?? false,
      selected: display.selected ?? !display.hidden,
      summaryOverride: display.summaryOverride,
      deleted: false,
      seq: 0,
      etag: '',
    };
    entry.deleted = false;
    state.list.set(cal.id, entry);
    this.touchListEntry(entry);
    return entry;
  }

  /** Resolves `primary` and checks the account may see the calendar at all (else 404, as Google). */
  calendarFor(email: string, calendarId: string): { cal: Calendar; role: AccessRole } {
    const id = calendarId === 'primary' ? email : calendarId;
    const cal = this.calendars.get(id) ?? this.calendars.get(id.toLowerCase());
    const role = cal?.acl.get(email);
    if (!cal || !role) throw apiErrors.notFound();
    return { cal, role };
  }

  requireRole(role: AccessRole, needed: AccessRole): void {
    if (roleRank(role) >= roleRank(needed)) return;
    throw needed === 'writer' || needed === 'owner' ? apiErrors.writerAccess() : apiErrors.readerAccess();
  }

  requireCalendar(calendarId: string): Calendar {
    const cal = this.calendars.get(calendarId);
    if (!cal) throw new Error(`fake Google: no calendar ${calendarId}`);
    return cal;
  }

  // ---- OAuth grants -------------------------------------------------------------------------

  grant(email: string, clientId: string): Grant | undefined {
    return this.grants.get(grantKey(email, clientId));
  }

  ensureGrant(email: string, clientId: string): Grant {
    const key = grantKey(email, clientId);
    let grant = this.grants.get(key);
    if (!grant) {
      grant = { email, clientId, scopes: new Set(), refreshTokens: new Set(), accessTokens: new Set() };
      this.grants.set(key, grant);
    }
    return grant;
  }

  /** Ends every token of an account for one OAuth client (or all clients), refresh tokens included. */
  revokeGrant(email: string, clientId?: string): number {
    let revoked = 0;
    for (const [key, grant] of this.grants) {
      if (grant.email !== email.toLowerCase() || (clientId && grant.clientId !== clientId)) continue;
      for (const token of grant.accessTokens) this.accessTokens.delete(token);
      for (const token of grant.refreshTokens) this.refreshTokens.delete(token);
      revoked += grant.accessTokens.size + grant.refreshTokens.size;
      this.grants.delete(key);
    }
    return revoked;
  }
}

const grantKey = (email: string, clientId: string) => `${email.toLowerCase()}\n${clientId}`;

/** Quoted, opaque, and different after every change (Google's look like "3381234567890000"). */
export const etagOf = (seq: number): string => `"3${String(seq).padStart(15, '0')}"`;

function randomCalendarKey(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let key = '';
  for (let i = 0; i < 26; i++) key += alphabet[Math.floor(Math.random() * alphabet.length)];
  return key;
}
