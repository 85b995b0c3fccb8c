import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import request from 'supertest';
import { Database } from '../../src/db/database.js';
import { ChangeFeed } from '../../src/modules/changes/change-feed.service.js';
import type { Change } from '../../src/modules/changes/changes.rows.js';
import type { EventChangeData } from '../../src/modules/events/event-changes.js';
import { BookingsService } from '../../src/modules/bookings/bookings.service.js';
import { EventsService } from '../../src/modules/events/events.service.js';
import { EventsWriter } from '../../src/modules/events/events.writer.js';
import { seriesOccurrence } from '../../src/modules/events/event-views.js';
import { toWrite } from '../../src/modules/events/events.rows.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { registerUser, type TestUser } from '../factories/users.js';

/**
 * Every path that writes events leaves exactly one change per committed change (two for a split, which
 * is two changes: the cut series and the new one), with its origin; a rolled-back write leaves none.
 */
let t: TestApp;
let feed: ChangeFeed;
let user: TestUser;
let lastSeq = 0;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PUBLIC_PER_IP: '100000' });
  feed = t.app.get(ChangeFeed);
  user = await registerUser(t.http, { timezone: 'America/New_York' });
});
afterAll(async () => t?.close());

const api = () => request(t.http);

/** The changes of `owner` since the last call. */
async function newChanges(owner: TestUser = user): Promise<Array<Change<EventChangeData>>> {
  const changes = (await feed.since(owner.id, lastSeq)) as unknown as Array<Change<EventChangeData>>;
  if (changes.length) lastSeq = Math.max(lastSeq, changes.at(-1)!.seq);
  return changes;
}

const summary = (changes: Array<Pick<Change, 'kind' | 'origin' | 'occurrenceId'>>) => changes.map((change) => `${change.kind} ${change.origin}${change.occurrenceId ? ' occurrence' : ''}`);

const event = {
  title: 'Planning',
  startTime: '2027-03-01T14:00:00Z',
  endTime: '2027-03-01T15:00:00Z',
  timezone: 'America/New_York',
};
const weekly = { ...event, title: 'Weekly', recurrenceRule: 'FREQ=WEEKLY;COUNT=10' };

describe('events API', () => {
  it('create, update, no-op update, duplicate and delete each leave one change (none for the no-op)', async () => {
    await newChanges();
    const created = await api().post('/api/v1/events').set(user.auth).send({ ...event, attendees: [{ email: 'ann@example.com' }] }).expect(201);
    const [first] = await newChanges();
    expect(first).toMatchObject({ kind: 'event.created', origin: 'api', eventId: created.body.id, userId: user.id });
    expect(first.fields).toEqual(expect.arrayContaining(['title', 'startTime', 'endTime']));
    expect(first.data.after).toMatchObject({ id: created.body.id, title: 'Planning', attendees: [expect.objectContaining({ email: 'ann@example.com' })] });

    await api().patch(`/api/v1/events/${created.body.id}`).set(user.auth).send({ title: 'Planning 2' }).expect(200);
    const updates = await newChanges();
    expect(summary(updates)).toEqual(['event.updated api']);
    expect(updates[0].fields).toEqual(['title']);
    expect(updates[0].data.before?.title).toBe('Planning');
    expect(updates[0].data.after?.title).toBe('Planning 2');
    expect(updates[0].data.after!.sequence).toBe(updates[0].data.before!.sequence + 1);

    await api().patch(`/api/v1/events/${created.body.id}`).set(user.auth).send({ title: 'Planning 2' }).expect(200);
    expect(await newChanges()).toEqual([]);

    await api().post(`/api/v1/events/${created.body.id}/duplicate`).set(user.auth).send({}).expect(201);
    expect(summary(await newChanges())).toEqual(['event.created api']);

    await api().delete(`/api/v1/events/${created.body.id}`).set(user.auth).expect(204);
    const deleted = await newChanges();
    expect(summary(deleted)).toEqual(['event.deleted api']);
    expect(deleted[0].data).toMatchObject({ before: { id: created.body.id }, after: null });
  });

  it('event.created lists every field the event was created with, its guests and tags included', async () => {
    const tag = await api().post('/api/v1/tags').set(user.auth).send({ name: `c-${Date.now()}` }).expect(201);
    await newChanges();
    const full = {
      ...event,
      reminders: [{ method: 'email', minutesBefore: 10 }],
      attendees: [{ email: 'ann@example.com' }],
      tagIds: [tag.body.id],
    };
    await api().post('/api/v1/events').set(user.auth).send(full).expect(201);
    await api().post('/api/v1/events').set(user.auth).send(event).expect(201);
    const [withAll, bare] = await newChanges();
    expect(withAll.fields).toEqual(expect.arrayContaining(['title', 'startTime', 'endTime', 'reminders', 'attendees', 'tags']));
    expect(bare.fields).not.toContain('attendees');
    expect(bare.fields).not.toContain('tags');
  });

  it('tags and an invitee answer leave one change each, for the owner', async () => {
    const guest = await registerUser(t.http);
    const created = await api().post('/api/v1/events').set(user.auth).send({ ...event, attendees: [{ email: guest.email }] }).expect(201);
    const tag = await api().post('/api/v1/tags').set(user.auth).send({ name: `t-${Date.now()}` }).expect(201);
    await newChanges();
    await api().post(`/api/v1/events/${created.body.id}/tags/${tag.body.id}`).set(user.auth).expect(200);
    await api().delete(`/api/v1/events/${created.body.id}/tags/${tag.body.id}`).set(user.auth).expect(204);
    await api().post(`/api/v1/events/${created.body.id}/rsvp`).set(guest.auth).send({ response: 'accepted' }).expect(200);
    const changes = await newChanges();
    expect(changes.map((change) => [change.kind, change.fields])).toEqual([
      ['event.updated', ['tags']],
      ['event.updated', ['tags']],
      ['event.updated', ['attendees']],
    ]);
    expect(changes[2].data.after?.attendees).toEqual([expect.objectContaining({ email: guest.email, responseStatus: 'accepted' })]);
    expect(await feed.since(guest.id)).toEqual([]);
  });
});

describe('series edits', () => {
  it('each scope leaves its changes, with origin series and the occurrence named', async () => {
    const series = await api().post('/api/v1/events').set(user.auth).send(weekly).expect(201);
    const id = series.body.id as string;
    await newChanges();
    // 09:00 in New York every week: 14:00Z before the DST change of 2027-03-14, 13:00Z after.
    const occurrence = (week: number) =>
      DateTime.fromISO('2027-03-01T09:00', { zone: 'America/New_York' }).plus({ weeks: week }).toUTC().toISO({ suppressMilliseconds: true });

    await api().put(`/api/v1/events/${id}/occurrences/${occurrence(1)}`).set(user.auth).send({ title: 'Moved' }).expect(200);
    const edited = await newChanges();
    expect(summary(edited)).toEqual(['event.updated series occurrence']);
    expect(edited[0]).toMatchObject({ seriesId: id, occurrenceId: occurrence(1) });
    expect(edited[0].data.series?.id).toBe(id);

    await api().delete(`/api/v1/events/${id}/occurrences/${occurrence(2)}`).set(user.auth).expect(204);
    const cancelled = await newChanges();
    expect(summary(cancelled)).toEqual(['event.deleted series occurrence']);
    expect(cancelled[0]).toMatchObject({ seriesId: id, occurrenceId: occurrence(2) });
    // Cancelling it again changes nothing.
    await api().delete(`/api/v1/events/${id}/occurrences/${occurrence(2)}`).set(user.auth).expect(204);
    expect(await newChanges()).toEqual([]);

    // Deleting the edited occurrence puts it back as the series has it.
    await api().delete(`/api/v1/events/${edited[0].eventId}`).set(user.auth).expect(204);
    const restored = await newChanges();
    expect(summary(restored)).toEqual(['event.updated api occurrence']);
    expect(restored[0].data.after?.title).toBe('Weekly');

    await api().put(`/api/v1/events/${id}/occurrences/${occurrence(5)}`).query({ scope: 'following' }).set(user.auth).send({ title: 'Later' }).expect(200);
    expect(summary(await newChanges())).toEqual(['event.updated series', 'event.created series']);

    await api().delete(`/api/v1/events/${id}/occurrences/${occurrence(3)}`).query({ scope: 'following' }).set(user.auth).expect(204);
    expect(summary(await newChanges())).toEqual(['event.updated series']);

    await api().put(`/api/v1/events/${id}/recurrence`).set(user.auth).send({ recurrenceRule: 'FREQ=DAILY;COUNT=3' }).expect(200);
    await api().delete(`/api/v1/events/${id}/recurrence`).set(user.auth).expect(200);
    const rules = await newChanges();
    expect(rules.map((change) => [change.kind, change.origin, change.fields])).toEqual([
      ['event.updated', 'series', ['recurrence']],
      ['event.updated', 'series', ['recurrence']],
    ]);
  });

  it('moving a whole series is one change; deleting it from its first occurrence is one', async () => {
    const series = await api().post('/api/v1/events').set(user.auth).send(weekly).expect(201);
    const id = series.body.id as string;
    await api().put(`/api/v1/events/${id}/occurrences/2027-03-08T14:00:00Z`).set(user.auth).send({ title: 'Edited' }).expect(200);
    await newChanges();
    await api()
      .patch(`/api/v1/events/${id}`)
      .set(user.auth)
      .send({ startTime: '2027-03-01T15:00:00Z', endTime: '2027-03-01T16:00:00Z' })
      .expect(200);
    const moved = await newChanges();
    expect(summary(moved)).toEqual(['event.updated api']);
    expect(moved[0].fields).toEqual(expect.arrayContaining(['startTime', 'endTime', 'recurrence']));
    await api().delete(`/api/v1/events/${id}/occurrences/2027-03-01T15:00:00Z`).query({ scope: 'following' }).set(user.auth).expect(204);
    expect(summary(await newChanges())).toEqual(['event.deleted series']);
  });
});

describe('iCalendar import', () => {
  const ics = (summaryText: string) =>
    [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Example//EN',
      'BEGIN:VEVENT',
      'UID:import-changes-1@example.com',
      'DTSTAMP:20270101T000000Z',
      'DTSTART:20270401T100000Z',
      'DTEND:20270401T110000Z',
      'RRULE:FREQ=DAILY;COUNT=5',
      `SUMMARY:${summaryText}`,
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:import-changes-1@example.com',
      'DTSTAMP:20270101T000000Z',
      'RECURRENCE-ID:20270402T100000Z',
      'DTSTART:20270402T120000Z',
      'DTEND:20270402T130000Z',
      'SUMMARY:Moved day',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');

  it('a file leaves one change per series and per edited occurrence, origin ics; the same file again none', async () => {
    await newChanges();
    await api().post('/api/v1/calendar/import').set(user.auth).send({ ics: ics('Standup') }).expect(200);
    expect(summary(await newChanges())).toEqual(['event.created ics', 'event.updated ics occurrence']);
    await api().post('/api/v1/calendar/import').set(user.auth).send({ ics: ics('Standup') }).expect(200);
    expect(await newChanges()).toEqual([]);
    await api().post('/api/v1/calendar/import').set(user.auth).send({ ics: ics('Standup v2') }).expect(200);
    const changed = await newChanges();
    expect(summary(changed)).toEqual(['event.updated ics']);
    expect(changed[0].fields).toEqual(['title']);
  });
});

describe('bookings', () => {
  it('booking, rescheduling and cancelling each leave the booking change and the host event change', async () => {
    const host = await registerUser(t.http, { timezone: 'UTC' });
    const rules = [1, 2, 3, 4, 5, 6, 0].map((dayOfWeek) => ({ dayOfWeek, startTime: '00:00', endTime: '23:59' }));
    await api().put('/api/v1/availability/schedule').set(host.auth).send({ timezone: 'UTC', rules }).expect(200);
    const slug = `changes-${Date.now().toString(36)}`;
    await api().post('/api/v1/booking-links').set(host.auth).send({ slug, title: 'Call', durationMinutes: 30 }).expect(201);
    const day = DateTime.utc().plus({ days: 3 }).startOf('day');
    const start = (hour: number) => day.set({ hour }).toISO({ suppressMilliseconds: true });
    await newChanges(host);
    const booked = await api()
      .post('/api/v1/bookings')
      .send({ slug, start: start(10), name: 'Grace', email: 'grace@example.com', timezone: 'UTC' })
      .expect(201);
    const created = await newChanges(host);
    expect(summary(created)).toEqual(['event.created booking', 'booking.created booking']);
    // The host event arrives with the booker as its guest.
    expect(created[0].fields).toContain('attendees');
    expect(created[1]).toMatchObject({ bookingId: booked.body.id, eventId: created[0].eventId });
    expect(created[1].data).toMatchObject({ booking: { id: booked.body.id, bookerEmail: 'grace@example.com', status: 'confirmed' } });

    await api().post(`/api/v1/bookings/${booked.body.id}/reschedule`).set(host.auth).send({ start: start(12) }).expect(200);
    const moved = await newChanges(host);
    expect(summary(moved)).toEqual(['event.updated booking', 'booking.rescheduled booking']);
    expect(moved[1].data).toMatchObject({ previous: { startTime: new Date(start(10) as string).toISOString() } });

    await api().post(`/api/v1/bookings/${booked.body.id}/cancel`).set(host.auth).send({}).expect(200);
    expect(summary(await newChanges(host))).toEqual(['event.updated booking', 'booking.cancelled booking']);
  });
});

describe('rollback', () => {
  it('leaves no change for any writer operation of a transaction that rolls back', async () => {
    const db = t.app.get(Database);
    const writer = t.app.get(EventsWriter);
    const events = t.app.get(EventsService);
    const bookings = t.app.get(BookingsService);
    const series = await api().post('/api/v1/events').set(user.auth).send(weekly).expect(201);
    const master = (await events.findOwned(user.id, series.body.id))!;
    const single = (await events.findOwned(user.id, (await api().post('/api/v1/events').set(user.auth).send(event).expect(201)).body.id))!;
    // An event with an invitee and a tag, and a tag it does not have: for the answer and the tag writes.
    const invitedId = (await api().post('/api/v1/events').set(user.auth).send({ ...event, title: 'Invited', attendees: [{ email: 'ann@example.com' }] }).expect(201)).body.id;
    const attached = await api().post('/api/v1/tags').set(user.auth).send({ name: `on-${Date.now()}` }).expect(201);
    const loose = await api().post('/api/v1/tags').set(user.auth).send({ name: `off-${Date.now()}` }).expect(201);
    await api().post(`/api/v1/events/${invitedId}/tags/${attached.body.id}`).set(user.auth).expect(200);
    const invited = (await events.findOwned(user.id, invitedId))!;
    // A host with a booking link and one confirmed booking: booking and cancelling each write two changes.
    const host = await registerUser(t.http, { timezone: 'UTC' });
    const rules = [1, 2, 3, 4, 5, 6, 0].map((dayOfWeek) => ({ dayOfWeek, startTime: '00:00', endTime: '23:59' }));
    await api().put('/api/v1/availability/schedule').set(host.auth).send({ timezone: 'UTC', rules }).expect(200);
    const slug = `rollback-${Date.now().toString(36)}`;
    await api().post('/api/v1/booking-links').set(host.auth).send({ slug, title: 'Call', durationMinutes: 30 }).expect(201);
    const day = DateTime.utc().plus({ days: 4 }).startOf('day');
    const booking = { slug, name: 'Grace', email: 'grace@example.com', timezone: 'UTC' };
    const booked = await api().post('/api/v1/bookings').send({ ...booking, start: day.set({ hour: 10 }).toISO() }).expect(201);
    await newChanges();
    await newChanges(host);

    const occurrenceId = '2027-03-08T14:00:00Z';
    // [name, whose feed, changes the operation writes before the rollback, the operation]
    const operations: Array<[string, TestUser, number, () => Promise<unknown>]> = [
      ['create', user, 1, () => writer.create(user.id, toWrite(single), { origin: 'api' })],
      ['create many', user, 2, () => writer.createMany(user.id, [{ write: toWrite(single) }, { write: { ...toWrite(single), title: 'Batch' }, attendees: [{ email: 'bo@example.com' }] }], { origin: 'ics' })],
      ['update', user, 1, () => writer.update(user.id, single, { ...toWrite(single), title: 'Never' }, { origin: 'api' })],
      ['remove', user, 1, () => writer.remove(user.id, single, { origin: 'api' })],
      ['edit one', user, 1, () => writer.editOccurrence(user.id, master, occurrenceId, null, seriesOccurrence(master, occurrenceId), { ...toWrite(seriesOccurrence(master, occurrenceId)), title: 'Never' }, 'series')],
      ['cancel one', user, 1, () => writer.cancelOccurrence(user.id, master, occurrenceId, seriesOccurrence(master, occurrenceId), 'series')],
      ['respond', user, 1, () => writer.respond(invited, 'ann@example.com', 'accepted')],
      ['attach tag', user, 1, () => writer.attachTag(user.id, invited, loose.body.id)],
      ['detach tag', user, 1, () => writer.detachTag(user.id, invited, attached.body.id)],
      ['book', host, 2, () => bookings.create({ ...booking, start: day.set({ hour: 14 }).toISO()! }, null)],
      ['cancel booking', host, 2, () => bookings.cancelForHost({ id: host.id, email: host.email, timezone: 'UTC' }, booked.body.id, null)],
    ];
    for (const [name, owner, count, operation] of operations) {
      await expect(
        db.tx(async () => {
          await operation();
          expect({ name, written: (await feed.since(owner.id, lastSeq)).length }).toEqual({ name, written: count });
          throw new Error(`roll back ${name}`);
        }),
      ).rejects.toThrow(`roll back ${name}`);
      expect({ name, changes: await newChanges(owner) }).toEqual({ name, changes: [] });
    }
    // And nothing they wrote stayed.
    expect((await events.findOwned(user.id, single.id))?.title).toBe('Planning');
    const after = await api().get(`/api/v1/events/${invitedId}`).set(user.auth).expect(200);
    expect(after.body.attendees).toEqual([expect.objectContaining({ email: 'ann@example.com', responseStatus: 'needsAction' })]);
    expect(after.body.tags.map((tag: { id: string }) => tag.id)).toEqual([attached.body.id]);
    const hostBookings = await api().get('/api/v1/bookings').set(host.auth).expect(200);
    expect(hostBookings.body.data.map((b: { id: string; status: string }) => [b.id, b.status])).toEqual([[booked.body.id, 'confirmed']]);
  });
});
