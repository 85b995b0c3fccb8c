import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { Database } from '../../src/db/database.js';
import { ChangeFeed } from '../../src/modules/changes/change-feed.service.js';
import type { BookingChangeData, BookingPayload } from '../../src/modules/bookings/booking-changes.js';
import type { Change, ChangeInput } from '../../src/modules/changes/changes.rows.js';
import type { EventChangeData, EventPayload } from '../../src/modules/events/event-changes.js';

/**
 * Changes shaped by the events and bookings contracts, for tests that drive subscribers by appending to
 * the feed directly (ChangeFeed.append inside db.tx), not through the writers.
 */
export function eventPayload(title: string, overrides: Partial<EventPayload> = {}): EventPayload {
  return {
    id: randomUUID(),
    seriesId: null,
    occurrenceId: null,
    title,
    description: null,
    location: null,
    startTime: '2030-01-07T09:00:00.000Z',
    endTime: '2030-01-07T10:00:00.000Z',
    timezone: 'UTC',
    isAllDay: false,
    startDate: null,
    endDate: null,
    status: 'confirmed',
    transparency: 'busy',
    color: null,
    visibility: 'default',
    recurrence: null,
    reminders: [],
    attachments: [],
    attendees: [],
    sequence: 0,
    source: 'api',
    icalUid: null,
    updatedAt: '2030-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export function eventChange(
  userId: string,
  kind: 'event.created' | 'event.updated' | 'event.deleted',
  title: string,
  origin = 'api',
): ChangeInput<EventChangeData> {
  const item = eventPayload(title);
  const data: EventChangeData = {
    before: kind === 'event.created' ? null : { ...item, title: `${title} (before)` },
    after: kind === 'event.deleted' ? null : item,
  };
  return { kind, userId, origin, eventId: item.id, fields: kind === 'event.updated' ? ['title'] : [], data };
}

export function bookingChange(
  userId: string,
  kind: 'booking.created' | 'booking.cancelled' | 'booking.rescheduled',
  bookerName: string,
): ChangeInput<BookingChangeData> {
  const id = randomUUID();
  const booking: BookingPayload = {
    id,
    status: kind === 'booking.cancelled' ? 'cancelled' : 'confirmed',
    startTime: '2030-01-08T14:00:00.000Z',
    endTime: '2030-01-08T14:30:00.000Z',
    title: `Meeting with ${bookerName}`,
    bookingLinkId: null,
    eventId: null,
    icalUid: `booking-${id}@calento`,
    bookerName,
    bookerEmail: 'booker@example.com',
    bookerTimezone: 'Europe/Paris',
    notes: null,
    location: null,
    meetingUrl: null,
    cancelledBy: kind === 'booking.cancelled' ? 'booker' : null,
    cancelReason: null,
    sequence: 0,
    createdAt: '2030-01-01T00:00:00.000Z',
  };
  const data: BookingChangeData =
    kind === 'booking.rescheduled' ? { booking, previous: { startTime: '2030-01-08T13:00:00.000Z', endTime: '2030-01-08T13:30:00.000Z' } } : { booking };
  return { kind, userId, origin: 'booking', bookingId: booking.id, data };
}

/** Appends changes through the app's own feed writer in one transaction, as a writing module does. */
export function appendChanges(app: INestApplicationContext, ...changes: Array<ChangeInput<object>>): Promise<Change[]> {
  const db = app.get(Database);
  const feed = app.get(ChangeFeed);
  return db.tx(async () => {
    const made: Change[] = [];
    for (const change of changes) made.push((await feed.append(change)) as Change);
    return made;
  });
}
