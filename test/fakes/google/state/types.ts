export type AccessRole = 'freeBusyReader' | 'reader' | 'writer' | 'owner';
export const ACCESS_ROLES: AccessRole[] = ['freeBusyReader', 'reader', 'writer', 'owner'];
export const roleRank = (role: AccessRole): number => ACCESS_ROLES.indexOf(role);

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  name: string;
}

export interface Account {
  email: string;
  name: string;
  /** Google's numeric subject id. */
  sub: string;
}

/** A start or end as stored: an all-day date, or an instant with the zone it was given in (if any). */
export type When = { date: string } | { ms: number; timeZone?: string };
export const isDate = (when: When): when is { date: string } => 'date' in when;

export type EventStatus = 'confirmed' | 'tentative' | 'cancelled';

export interface StoredEvent {
  id: string;
  /** Creation order; the default list order and the paging cursor. */
  ordinal: number;
  /** Global change counter at this row's last change; sync tokens are positions in it. */
  seq: number;
  etag: string;
  created: number;
  updated: number;
  status: EventStatus;
  sequence: number;
  iCalUID: string;
  creatorEmail: string;
  start: When;
  end: When;
  recurrence?: string[];
  /** Set on exceptions (stored overrides of one instance). */
  recurringEventId?: string;
  originalStart?: When;
  /** Every other client-writable field, as the client sent it (summary, attendees, reminders…). */
  fields: Record<string, unknown>;
}

export interface Calendar {
  id: string;
  summary: string;
  description?: string;
  timeZone: string;
  /** The account whose primary calendar this is, if any. */
  primaryOf?: string;
  events: Map<string, StoredEvent>;
  acl: Map<string, AccessRole>;
  /** Bumped to invalidate every sync token issued for this calendar (410 fullSyncRequired). */
  epoch: number;
  lastSeq: number;
  lastUpdated: number;
  resourceId: string;
}

/** One account's view of a calendar (its calendarList entry). */
export interface ListEntry {
  calendarId: string;
  backgroundColor: string;
  foregroundColor: string;
  colorId: string;
  hidden: boolean;
  selected: boolean;
  summaryOverride?: string;
  deleted: boolean;
  seq: number;
  etag: string;
}

export interface AccountState {
  account: Account;
  list: Map<string, ListEntry>;
  listEpoch: number;
}

export interface Grant {
  email: string;
  clientId: string;
  scopes: Set<string>;
  /** Live refresh tokens of this grant; revocation empties the grant entirely. */
  refreshTokens: Set<string>;
  accessTokens: Set<string>;
}

export interface AccessToken {
  token: string;
  email: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
}

export interface RefreshToken {
  token: string;
  email: string;
  clientId: string;
  scopes: string[];
}
