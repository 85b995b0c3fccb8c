/** Row shapes of the change feed and their mapping. */
export interface ChangeRow {
  seq: number;
  kind: string;
  user_id: string;
  origin: string;
  event_id: string | null;
  series_id: string | null;
  occurrence_id: string | null;
  booking_id: string | null;
  fields: string[];
  data: Record<string, unknown>;
  created_at: Date;
}

/** One committed change, as subscribers receive it. `data` is what the writing module put there. */
export interface Change<D = Record<string, unknown>> {
  seq: number;
  kind: string;
  userId: string;
  origin: string;
  eventId: string | null;
  seriesId: string | null;
  occurrenceId: string | null;
  bookingId: string | null;
  fields: string[];
  data: D;
  createdAt: Date;
}

/**
 * The user a change is about, as they were when their account was deleted in the change's own
 * transaction: subscribers run after the users row is gone, and a cancellation still has to name its
 * organizer or host.
 */
export interface DepartedUser {
  email: string;
  name: string;
  timezone: string;
}

/** What a writer appends; the feed adds seq and time. */
export interface ChangeInput<D = Record<string, unknown>> {
  kind: string;
  userId: string;
  origin: string;
  eventId?: string | null;
  seriesId?: string | null;
  occurrenceId?: string | null;
  bookingId?: string | null;
  fields?: string[];
  data?: D;
}

export const changeColumns =
  'seq, kind, user_id, origin, event_id, series_id, occurrence_id, booking_id, fields, data, created_at';

export function toChange(row: ChangeRow): Change {
  return {
    seq: row.seq,
    kind: row.kind,
    userId: row.user_id,
    origin: row.origin,
    eventId: row.event_id,
    seriesId: row.series_id,
    occurrenceId: row.occurrence_id,
    bookingId: row.booking_id,
    fields: row.fields,
    data: row.data,
    createdAt: row.created_at,
  };
}
