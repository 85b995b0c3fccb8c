/** Row shapes of the clients module's tables, and their camelCase records. */

export type ClientStatus = 'pending' | 'connected' | 'needs_reauth' | 'disconnected';
export const CLIENT_STATUSES: readonly ClientStatus[] = ['pending', 'connected', 'needs_reauth', 'disconnected'];

/** A client with what the API shows of its connection (account email, credential id). */
export interface ClientRow {
  id: string;
  user_id: string;
  name: string;
  color: string;
  description: string | null;
  status: ClientStatus;
  created_at: Date;
  updated_at: Date;
  account_email: string | null;
  connected_at: Date | null;
  credential_id: string | null;
}

export interface Client {
  id: string;
  userId: string;
  name: string;
  color: string;
  description: string | null;
  status: ClientStatus;
  accountEmail: string | null;
  connectedAt: Date | null;
  credentialId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export function toClient(row: ClientRow): Client {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    color: row.color,
    description: row.description,
    status: row.status,
    accountEmail: row.account_email,
    connectedAt: row.connected_at,
    credentialId: row.credential_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export type CredentialStatus = 'unverified' | 'valid' | 'invalid';

export interface CredentialRow {
  id: string;
  user_id: string;
  client_id: string;
  use_default: boolean;
  google_client_id: string | null;
  client_secret: string | null;
  secret_hint: string | null;
  scopes: string[];
  status: CredentialStatus;
  verified_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** OAuth credentials as stored: `sealedSecret` never leaves the module. */
export interface Credential {
  id: string;
  userId: string;
  clientId: string;
  useDefault: boolean;
  googleClientId: string | null;
  sealedSecret: string | null;
  secretHint: string | null;
  scopes: string[];
  status: CredentialStatus;
  verifiedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const credentialColumns = `id, user_id, client_id, use_default, google_client_id, client_secret, secret_hint, scopes,
  status, verified_at, created_at, updated_at`;

export function toCredential(row: CredentialRow): Credential {
  return {
    id: row.id,
    userId: row.user_id,
    clientId: row.client_id,
    useDefault: row.use_default,
    googleClientId: row.google_client_id,
    sealedSecret: row.client_secret,
    secretHint: row.secret_hint,
    scopes: row.scopes,
    status: row.status,
    verifiedAt: row.verified_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface AccountRow {
  client_id: string;
  user_id: string;
  credential_id: string;
  oauth_client_id: string;
  subject: string | null;
  email: string;
  access_token: string | null;
  access_token_expires_at: Date | null;
  refresh_token: string | null;
  granted_scopes: string[];
  connected_at: Date;
  refreshed_at: Date | null;
}

/** A connected Google account; the tokens are sealed values. */
export interface Account {
  clientId: string;
  userId: string;
  credentialId: string;
  oauthClientId: string;
  subject: string | null;
  email: string;
  sealedAccessToken: string | null;
  accessTokenExpiresAt: Date | null;
  sealedRefreshToken: string | null;
  grantedScopes: string[];
  connectedAt: Date;
  refreshedAt: Date | null;
}

export const accountColumns = `client_id, user_id, credential_id, oauth_client_id, subject, email, access_token,
  access_token_expires_at, refresh_token, granted_scopes, connected_at, refreshed_at`;

export function toAccount(row: AccountRow): Account {
  return {
    clientId: row.client_id,
    userId: row.user_id,
    credentialId: row.credential_id,
    oauthClientId: row.oauth_client_id,
    subject: row.subject,
    email: row.email,
    sealedAccessToken: row.access_token,
    accessTokenExpiresAt: row.access_token_expires_at,
    sealedRefreshToken: row.refresh_token,
    grantedScopes: row.granted_scopes,
    connectedAt: row.connected_at,
    refreshedAt: row.refreshed_at,
  };
}

export interface OAuthStateRow {
  id: string;
  user_id: string;
  client_id: string;
  credential_id: string;
  code_verifier: string;
  expires_at: Date;
  used_at: Date | null;
}

export interface OAuthState {
  id: string;
  userId: string;
  clientId: string;
  credentialId: string;
  sealedVerifier: string;
  expiresAt: Date;
  usedAt: Date | null;
}

export const stateColumns = 'id, user_id, client_id, credential_id, code_verifier, expires_at, used_at';

export function toOAuthState(row: OAuthStateRow): OAuthState {
  return {
    id: row.id,
    userId: row.user_id,
    clientId: row.client_id,
    credentialId: row.credential_id,
    sealedVerifier: row.code_verifier,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
  };
}

export type AccessRole = 'freeBusyReader' | 'reader' | 'writer' | 'owner';
export const ACCESS_ROLES: readonly AccessRole[] = ['freeBusyReader', 'reader', 'writer', 'owner'];

export interface CalendarRow {
  id: string;
  user_id: string;
  client_id: string;
  calendar_id: string;
  summary: string;
  description: string | null;
  is_primary: boolean;
  access_role: AccessRole;
  time_zone: string | null;
  background_color: string | null;
  hidden: boolean;
  busy: boolean;
  destination: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface ClientCalendar {
  /** Calento's row id (for other tables to reference); the API shows `calendarId` as the id. */
  rowId: string;
  userId: string;
  clientId: string;
  /** Google's calendar id. */
  calendarId: string;
  summary: string;
  description: string | null;
  primary: boolean;
  accessRole: AccessRole;
  timeZone: string | null;
  backgroundColor: string | null;
  hidden: boolean;
  busy: boolean;
  destination: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const calendarColumns = `id, user_id, client_id, calendar_id, summary, description, is_primary, access_role, time_zone,
  background_color, hidden, busy, destination, created_at, updated_at`;

export function toClientCalendar(row: CalendarRow): ClientCalendar {
  return {
    rowId: row.id,
    userId: row.user_id,
    clientId: row.client_id,
    calendarId: row.calendar_id,
    summary: row.summary,
    description: row.description,
    primary: row.is_primary,
    accessRole: row.access_role,
    timeZone: row.time_zone,
    backgroundColor: row.background_color,
    hidden: row.hidden,
    busy: row.busy,
    destination: row.destination,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** One calendar as Google's calendarList reports it. */
export interface RemoteCalendar {
  calendarId: string;
  summary: string;
  description: string | null;
  primary: boolean;
  accessRole: AccessRole;
  timeZone: string | null;
  backgroundColor: string | null;
  hidden: boolean;
}
