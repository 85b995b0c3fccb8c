/** Row shapes of the Google sync tables (migrations/0017_google_sync.sql) and their camelCase records. */
export const SYNC_STRATEGIES = ['merge', 'import', 'export'] as const;
export type SyncStrategy = (typeof SYNC_STRATEGIES)[number];
export const SYNC_STATES = ['queued', 'syncing', 'idle', 'error', 'paused'] as const;
export type SyncState = (typeof SYNC_STATES)[number];

export interface SyncCounts {
  imported: number;
  updated: number;
  deleted: number;
  exported: number;
  conflicts: number;
  fullSyncs: number;
}

export const NO_COUNTS: SyncCounts = { imported: 0, updated: 0, deleted: 0, exported: 0, conflicts: 0, fullSyncs: 0 };

export interface CalendarSyncRow {
  id: string;
  user_id: string;
  client_id: string;
  calendar_row_id: string;
  calendar_id: string;
  strategy: SyncStrategy;
  enabled: boolean;
  state: SyncState;
  sync_token: string | null;
  sync_queued: boolean;
  full_sync_due: boolean;
  last_synced_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  counts: Partial<SyncCounts>;
  channel_id: string | null;
  channel_resource_id: string | null;
  channel_token_hash: Buffer | null;
  channel_expires_at: Date | null;
  last_message_number: string | null;
  calendar_zone: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface CalendarSync {
  id: string;
  userId: string;
  clientId: string;
  calendarRowId: string;
  calendarId: string;
  strategy: SyncStrategy;
  enabled: boolean;
  state: SyncState;
  syncToken: string | null;
  syncQueued: boolean;
  fullSyncDue: boolean;
  lastSyncedAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  counts: SyncCounts;
  channel: { id: string; resourceId: string; tokenHash: Buffer; expiresAt: Date } | null;
  lastMessageNumber: number | null;
  /** The calendar's zone at the last completed listing (events without a zone of their own were read in it). */
  calendarZone: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const calendarSyncColumns = `id, user_id, client_id, calendar_row_id, calendar_id, strategy, enabled, state, sync_token,
  sync_queued, full_sync_due, last_synced_at, last_error, last_error_at, counts, channel_id, channel_resource_id,
  channel_token_hash, channel_expires_at, last_message_number, calendar_zone, created_at, updated_at`;

export function toCalendarSync(row: CalendarSyncRow): CalendarSync {
  return {
    id: row.id,
    userId: row.user_id,
    clientId: row.client_id,
    calendarRowId: row.calendar_row_id,
    calendarId: row.calendar_id,
    strategy: row.strategy,
    enabled: row.enabled,
    state: row.state,
    syncToken: row.sync_token,
    syncQueued: row.sync_queued,
    fullSyncDue: row.full_sync_due,
    lastSyncedAt: row.last_synced_at,
    lastError: row.last_error,
    lastErrorAt: row.last_error_at,
    counts: { ...NO_COUNTS, ...row.counts },
    channel:
      row.channel_id && row.channel_resource_id && row.channel_token_hash && row.channel_expires_at
        ? { id: row.channel_id, resourceId: row.channel_resource_id, tokenHash: row.channel_token_hash, expiresAt: row.channel_expires_at }
        : null,
    lastMessageNumber: row.last_message_number === null ? null : Number(row.last_message_number),
    calendarZone: row.calendar_zone,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The origin of changes a sync makes locally, and the source of the events it creates. */
export const googleOrigin = (sync: Pick<CalendarSync, 'calendarRowId'>) => `google:${sync.calendarRowId}` as const;

export interface EventLinkRow {
  id: string;
  user_id: string;
  sync_id: string;
  event_id: string | null;
  google_event_id: string;
  google_series_id: string | null;
  ical_uid: string | null;
  etag: string | null;
  google_updated: Date | null;
  snapshot: Record<string, unknown> | null;
  created_at: Date;
  updated_at: Date;
}

export interface EventLink {
  id: string;
  userId: string;
  syncId: string;
  eventId: string | null;
  googleEventId: string;
  googleSeriesId: string | null;
  icalUid: string | null;
  etag: string | null;
  googleUpdated: Date | null;
  /** Google's copy of the version Calento last saw or wrote. */
  snapshot: Record<string, unknown> | null;
  /** When Calento last wrote the link: a local event changed after it has edits Google has not seen. */
  updatedAt: Date;
}

export const eventLinkColumns = 'id, user_id, sync_id, event_id, google_event_id, google_series_id, ical_uid, etag, google_updated, snapshot, created_at, updated_at';

export function toEventLink(row: EventLinkRow): EventLink {
  return {
    id: row.id,
    userId: row.user_id,
    syncId: row.sync_id,
    eventId: row.event_id,
    googleEventId: row.google_event_id,
    googleSeriesId: row.google_series_id,
    icalUid: row.ical_uid,
    etag: row.etag,
    googleUpdated: row.google_updated,
    snapshot: row.snapshot,
    updatedAt: row.updated_at,
  };
}

export interface ConflictRow {
  id: string;
  user_id: string;
  sync_id: string;
  client_id: string;
  calendar_id: string;
  event_id: string | null;
  google_event_id: string;
  local: Record<string, unknown>;
  google: Record<string, unknown>;
  fields: string[];
  status: 'open' | 'resolved';
  resolution: 'local' | 'google' | 'merged' | null;
  created_at: Date;
  resolved_at: Date | null;
}

export interface Conflict {
  id: string;
  userId: string;
  syncId: string;
  clientId: string;
  calendarId: string;
  eventId: string | null;
  googleEventId: string;
  local: Record<string, unknown>;
  google: Record<string, unknown>;
  fields: string[];
  status: 'open' | 'resolved';
  resolution: 'local' | 'google' | 'merged' | null;
  createdAt: Date;
  resolvedAt: Date | null;
}

export function toConflict(row: ConflictRow): Conflict {
  return {
    id: row.id,
    userId: row.user_id,
    syncId: row.sync_id,
    clientId: row.client_id,
    calendarId: row.calendar_id,
    eventId: row.event_id,
    googleEventId: row.google_event_id,
    local: row.local,
    google: row.google,
    fields: row.fields,
    status: row.status,
    resolution: row.resolution,
    createdAt: row.created_at,
    resolvedAt: row.resolved_at,
  };
}
