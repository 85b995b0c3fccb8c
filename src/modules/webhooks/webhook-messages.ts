import { randomBytes } from 'node:crypto';
import type { BookingChangeData, BookingPayload } from '../bookings/booking-changes.js';
import type { Change } from '../changes/changes.rows.js';
import type { EventChangeData, EventPayload } from '../events/event-changes.js';

/**
 * The bodies Calento sends, in the Standard Webhooks shape `{ type, timestamp, data }`. docs/webhooks.md
 * documents each type with a JSON schema; the schemas are checked against these builders by a test.
 */
export interface WebhookMessage<T extends string = string, D = unknown> {
  type: T;
  /** When the change happened (ISO 8601, UTC) — not when this attempt was made. */
  timestamp: string;
  data: D;
}

export interface EventMessageData {
  /** The event after the change; for `event.deleted`, as it was. */
  event: EventPayload;
  /** `event.updated`: the event before the change. */
  previous: EventPayload | null;
  /** API names of the fields that changed. */
  changedFields: string[];
  /** Who made the change: api, series, ics, booking, google:<client calendar id>. */
  origin: string;
  /** Set when the change is to one occurrence of a series. */
  seriesId: string | null;
  occurrenceId: string | null;
}

export interface BookingMessageData {
  booking: BookingPayload;
  /** `booking.rescheduled`: where it was. */
  previous: { startTime: string; endTime: string } | null;
}

export interface PingMessageData {
  webhookId: string;
  message: string;
}

/** The message a change becomes, or null when the change carries nothing to send. */
export function messageOf(change: Change): WebhookMessage | null {
  const timestamp = change.createdAt.toISOString();
  if (change.kind.startsWith('event.')) {
    const data = change.data as unknown as EventChangeData;
    const event = data.after ?? data.before;
    if (!event) return null;
    const body: EventMessageData = {
      event,
      previous: change.kind === 'event.updated' ? data.before : null,
      changedFields: change.fields,
      origin: change.origin,
      seriesId: change.seriesId,
      occurrenceId: change.occurrenceId,
    };
    return { type: change.kind, timestamp, data: body };
  }
  if (change.kind.startsWith('booking.')) {
    const data = change.data as unknown as BookingChangeData;
    const body: BookingMessageData = { booking: data.booking, previous: data.previous ?? null };
    return { type: change.kind, timestamp, data: body };
  }
  return null;
}

export function pingMessage(webhookId: string, at: Date): WebhookMessage<'ping', PingMessageData> {
  return { type: 'ping', timestamp: at.toISOString(), data: { webhookId, message: 'Calento test message' } };
}

/** `msg_` and 26 random base32 characters: the `webhook-id` header, unique per message. */
export function newMessageId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const bytes = randomBytes(26);
  let id = 'msg_';
  for (const byte of bytes) id += alphabet[byte & 31];
  return id;
}

/** A signing secret in the Standard Webhooks format: `whsec_` + base64 of 32 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
