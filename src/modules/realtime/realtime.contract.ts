import type { Change } from '../changes/changes.rows.js';
import type { BookingChangeData, BookingChangeKind } from '../bookings/booking-changes.js';
import type { EventChangeData, EventChangeKind } from '../events/event-changes.js';

/**
 * What a socket.io client of Calento sees (docs/realtime.md). The endpoint shares the API's HTTP server
 * under the API prefix, so a reverse proxy that forwards /api/v1 (with WebSocket upgrades) serves it too.
 */
export const REALTIME_PATH = '/api/v1/realtime';

/** The user's own room; every socket of a user joins it. */
export const userRoom = (userId: string): string => `user:${userId}`;

/**
 * A committed change, emitted under its kind (`event.created`, …, `booking.cancelled`, …). `data` is the
 * change's contract: EventChangeData (`before`/`after` EventPayloads, `series`) or BookingChangeData
 * (`booking`, `previous`).
 */
export interface RealtimeChange {
  seq: number;
  kind: EventChangeKind | BookingChangeKind;
  origin: string;
  data: EventChangeData | BookingChangeData;
}

/** `ready`: sent once per connection, after the changes missed since `since` (if any). */
export const READY_EVENT = 'ready';
export interface RealtimeReady {
  userId: string;
  /** How many missed changes were sent before this message. */
  resumed: number;
  /**
   * True when the missed changes could not be sent (the `since` seq is older than REALTIME_RESUME_HOURS,
   * unknown, or too many changes were missed): reload the state through the REST API.
   */
  resync: boolean;
  /** A resume point: the seq of the user's last change up to here (0 when none is kept). Reconnect with `since` = the seq of the last message received. */
  seq: number;
}

/** `session.ended`: sent just before the server disconnects the socket; reconnect with a fresh token. */
export const SESSION_ENDED_EVENT = 'session.ended';
export interface RealtimeSessionEnded {
  reason: 'token_expired' | 'session_revoked';
}

/** Most missed changes a reconnecting client is sent; beyond that it is told to resync. */
export const RESUME_LIMIT = 1000;

/** A change of the feed as a client receives it. */
export function toRealtimeChange(change: Change): RealtimeChange {
  return {
    seq: change.seq,
    kind: change.kind as RealtimeChange['kind'],
    origin: change.origin,
    data: change.data as unknown as RealtimeChange['data'],
  };
}
