import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import request from 'supertest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { expectProblem } from '../setup/problem.js';
import { eventually } from '../setup/wait.js';
import { settleChanges } from '../setup/changes.js';
import { registerUser, type TestUser } from '../factories/users.js';

let t: TestApp;
let stranger: TestUser;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PUBLIC_PER_IP: '100000' });
  stranger = await registerUser(t.http);
});
afterAll(async () => {
  await t?.close();
});

const api = () => request(t.http);
let slugCounter = 0;
const uniqueSlug = (prefix = 'link') => `${prefix}-${Date.now().toString(36)}-${++slugCounter}`;

/** Mon–Fri 09:00–17:00 in the host's zone. */
async function workWeek(host: TestUser, zone: string): Promise<void> {
  const rules = [1, 2, 3, 4, 5].map((dayOfWeek) => ({ dayOfWeek, startTime: '09:00', endTime: '17:00' }));
  await api().put('/api/v1/availability/schedule').set(host.auth).send({ timezone: zone, rules }).expect(200);
}

/** The Monday at least two weeks ahead, as a luxon date in the zone (always inside the 60-day window). */
function targetMonday(zone: string): DateTime {
  const now = DateTime.now().setZone(zone).startOf('day');
  return now.plus({ days: 14 + ((8 - now.weekday) % 7) });
}

const at = (day: DateTime, hour: number, minute = 0) => day.set({ hour, minute }).toUTC().toISO({ suppressMilliseconds: true }) as string;

async function newHost(zone = 'America/New_York', link: object = {}) {
  const host = await registerUser(t.http, { timezone: zone, name: 'Host Person' });
  await workWeek(host, zone);
  const slug = uniqueSlug();
  const created = await api()
    .post('/api/v1/booking-links')
    .set(host.auth)
    .send({ slug, title: 'Intro call', durationMinutes: 30, ...link })
    .expect(201);
  return { host, slug, link: created.body };
}

const booker = (start: string, extra: object = {}) => ({
  name: 'Grace Hopper',
  email: 'grace@example.com',
  timezone: 'Europe/London',
  start,
  ...extra,
});

describe('booking links (host)', () => {
  it('creates with defaults and the public URL', async () => {
    const host = await registerUser(t.http);
    const slug = uniqueSlug('Intro').toUpperCase();
    const res = await api().post('/api/v1/booking-links').set(host.auth).send({ slug, title: 'Intro', durationMinutes: 30 }).expect(201);
    expect(res.body).toMatchObject({
      slug: slug.toLowerCase(),
      title: 'Intro',
      durationMinutes: 30,
      isActive: true,
      bufferBeforeMinutes: 0,
      bufferAfterMinutes: 0,
      slotIntervalMinutes: null,
      minimumNoticeMinutes: 0,
      bookingWindowDays: 60,
      maxBookingsPerDay: null,
      maxBookingsPerWeek: null,
      bookingUrl: `http://calento.test/book/${slug.toLowerCase()}`,
    });
    expect(res.body).not.toHaveProperty('userId');
  });

  it('refuses a taken slug in any case with 409', async () => {
    const { slug } = await newHost();
    const other = await registerUser(t.http);
    expectProblem(await api().post('/api/v1/booking-links').set(other.auth).send({ slug: slug.toUpperCase(), title: 'Mine', durationMinutes: 15 }), 409, 'SLUG_TAKEN');
  });

  it.each([
    [{ slug: 'ab', title: 'T', durationMinutes: 30 }, 'slug'],
    [{ slug: '-lead', title: 'T', durationMinutes: 30 }, 'slug'],
    [{ slug: 'has space', title: 'T', durationMinutes: 30 }, 'slug'],
    [{ slug: 'dou--ble', title: 'T', durationMinutes: 30 }, 'slug'],
    [{ slug: 'fine-slug', title: '', durationMinutes: 30 }, 'title'],
    [{ slug: 'fine-slug', title: 'T', durationMinutes: 3 }, 'durationMinutes'],
    [{ slug: 'fine-slug', title: 'T', durationMinutes: 30.5 }, 'durationMinutes'],
    [{ slug: 'fine-slug', title: 'T', durationMinutes: 30, meetingUrl: 'http://meet.example.com' }, 'meetingUrl'],
    [{ slug: 'fine-slug', title: 'T', durationMinutes: 30, bufferAfterMinutes: -1 }, 'bufferAfterMinutes'],
    [{ slug: 'fine-slug', title: 'T', durationMinutes: 30, maxBookingsPerDay: 0 }, 'maxBookingsPerDay'],
    [{ slug: 'fine-slug', title: 'T', durationMinutes: 30, bookingWindowDays: 1000 }, 'bookingWindowDays'],
    [{ slug: 'fine-slug', title: 'T', durationMinutes: 30, owner: 'x' }, 'owner'],
  ])('answers 400 for %j', async (body, field) => {
    const host = await registerUser(t.http);
    expectProblem(await api().post('/api/v1/booking-links').set(host.auth).send(body), 400, 'VALIDATION_FAILED', [field]);
  });

  it('lists, updates and deletes; other users get 404', async () => {
    const { host, link } = await newHost();
    const list = await api().get('/api/v1/booking-links').set(host.auth).expect(200);
    expect(list.body).toEqual({ data: [expect.objectContaining({ id: link.id })], meta: { page: 1, limit: 50, total: 1 } });
    const patched = await api().patch(`/api/v1/booking-links/${link.id}`).set(host.auth).send({ title: 'Renamed', slotIntervalMinutes: 15 }).expect(200);
    expect(patched.body).toMatchObject({ title: 'Renamed', slotIntervalMinutes: 15, durationMinutes: 30, slug: link.slug });
    expectProblem(await api().patch(`/api/v1/booking-links/${link.id}`).set(stranger.auth).send({ title: 'Mine' }), 404, 'NOT_FOUND');
    expectProblem(await api().delete(`/api/v1/booking-links/${link.id}`).set(stranger.auth), 404, 'NOT_FOUND');
    expectProblem(await api().patch('/api/v1/booking-links/nope').set(host.auth).send({ title: 'x' }), 400, 'INVALID_ID');
    expectProblem(await api().patch(`/api/v1/booking-links/${link.id}`).set(host.auth).send({ durationMinutes: 1 }), 400, 'VALIDATION_FAILED', ['durationMinutes']);
    expect((await api().get('/api/v1/booking-links').set(stranger.auth)).body.meta.total).toBe(0);
    await api().delete(`/api/v1/booking-links/${link.id}`).set(host.auth).expect(204);
    expectProblem(await api().get(`/api/v1/booking-links/${link.slug}`), 404, 'NOT_FOUND');
  });

  const notNullable = ['slug', 'title', 'durationMinutes', 'isActive', 'bufferBeforeMinutes', 'bufferAfterMinutes', 'minimumNoticeMinutes'];
  it.each(notNullable)('refuses null for %s, which has no null value, naming it (create and update)', async (field) => {
    const { host, link } = await newHost();
    const update = await api().patch(`/api/v1/booking-links/${link.id}`).set(host.auth).send({ [field]: null });
    expectProblem(update, 400, 'VALIDATION_FAILED', [field]);
    const create = await api().post('/api/v1/booking-links').set(host.auth).send({ slug: uniqueSlug(), title: 'T', durationMinutes: 30, [field]: null });
    expectProblem(create, 400, 'VALIDATION_FAILED', [field]);
    expect((await api().get('/api/v1/booking-links').set(host.auth)).body.data).toEqual([expect.objectContaining({ id: link.id, slug: link.slug, title: 'Intro call', durationMinutes: 30, isActive: true })]);
  });

  it('takes null where a field has none: no description, location, meeting link, interval or limit', async () => {
    const nulls = { description: null, location: null, meetingUrl: null, slotIntervalMinutes: null, bookingWindowDays: null, maxBookingsPerDay: null, maxBookingsPerWeek: null };
    const { host, link } = await newHost('America/New_York', { description: 'd', location: 'l', meetingUrl: 'https://meet.example.com/x', maxBookingsPerDay: 3 });
    const cleared = await api().patch(`/api/v1/booking-links/${link.id}`).set(host.auth).send(nulls).expect(200);
    expect(cleared.body).toMatchObject(nulls);
    await api().post('/api/v1/booking-links').set(host.auth).send({ slug: uniqueSlug(), title: 'T', durationMinutes: 30, ...nulls }).expect(201);
  });
});

describe('public booking link and slots', () => {
  it('shows public details without the host email, and hides inactive links', async () => {
    const { host, slug, link } = await newHost('Europe/Berlin');
    const res = await api().get(`/api/v1/booking-links/${slug.toUpperCase()}`).expect(200);
    expect(res.body).toEqual({
      slug,
      title: 'Intro call',
      description: null,
      durationMinutes: 30,
      location: null,
      hostName: 'Host Person',
      hostTimezone: 'Europe/Berlin',
      bookingWindowDays: 60,
    });
    expect(JSON.stringify(res.body)).not.toContain(host.email);
    await api().patch(`/api/v1/booking-links/${link.id}`).set(host.auth).send({ isActive: false }).expect(200);
    expectProblem(await api().get(`/api/v1/booking-links/${slug}`), 404, 'NOT_FOUND');
    expectProblem(await api().get('/api/v1/booking-links/no-such-link-here'), 404, 'NOT_FOUND');
  });

  it("offers the host's hours minus busy time and buffers, shown in the booker's zone", async () => {
    const zone = 'America/New_York';
    const { host, slug } = await newHost(zone, { bufferAfterMinutes: 15, slotIntervalMinutes: 30 });
    const monday = targetMonday(zone);
    await api().post('/api/v1/events').set(host.auth).send({ title: 'Busy', startTime: at(monday, 10), endTime: at(monday, 11) }).expect(201);
    await api().post('/api/v1/events').set(host.auth).send({ title: 'Free', startTime: at(monday, 12), endTime: at(monday, 13), transparency: 'free' }).expect(201);
    const res = await api()
      .get(`/api/v1/booking-links/${slug}/availability`)
      .query({ from: at(monday, 0), to: at(monday.plus({ days: 1 }), 0), timezone: 'Asia/Tokyo' })
      .expect(200);
    const hours = res.body.slots.map((slot: { start: string }) => DateTime.fromISO(slot.start, { zone }).toFormat('HH:mm'));
    // 09:30 would end at 10:00 and its 15-minute after-buffer would reach into the busy hour.
    expect(hours).toEqual(['09:00', '11:00', '11:30', '12:00', '12:30', '13:00', '13:30', '14:00', '14:30', '15:00', '15:30', '16:00', '16:30']);
    expect(res.body.timezone).toBe('Asia/Tokyo');
    const first = res.body.slots[0];
    const tokyo = DateTime.fromISO(first.start, { zone: 'Asia/Tokyo' });
    expect(first).toEqual({ start: at(monday, 9).replace('Z', '.000Z'), end: at(monday, 9, 30).replace('Z', '.000Z'), localDate: tokyo.toISODate(), localTime: tokyo.toFormat('HH:mm') });
  });

  it("takes any IANA zone a visitor's browser reports, those with digits or hyphens in their first part too", async () => {
    const zone = 'America/New_York';
    const { slug } = await newHost(zone);
    const monday = targetMonday(zone);
    // Chromium reports EST5EDT as it is when the machine is set to it; the page sends it back as `timezone`.
    for (const visitor of ['EST5EDT', 'PST8PDT', 'W-SU', 'GMT+0']) {
      const res = await api().get(`/api/v1/booking-links/${slug}/availability`).query({ from: at(monday, 9), to: at(monday, 10), timezone: visitor }).expect(200);
      const first = res.body.slots[0];
      expect([res.body.timezone, first.start, first.localTime]).toEqual([visitor, at(monday, 9).replace('Z', '.000Z'), DateTime.fromISO(first.start, { zone: visitor }).toFormat('HH:mm')]);
    }
    const booked = await api().post('/api/v1/bookings').send({ ...booker(at(monday, 9), { timezone: 'EST5EDT' }), slug }).expect(201);
    expect(booked.body.bookerTimezone).toBe('EST5EDT');
    for (const offset of ['+02:00', 'UTC+2', '5EST']) {
      expectProblem(await api().get(`/api/v1/booking-links/${slug}/availability`).query({ from: at(monday, 9), to: at(monday, 10), timezone: offset }), 400, 'VALIDATION_FAILED', ['timezone']);
    }
  });

  it.each([
    [{ from: 'monday', to: '2026-01-02T00:00:00Z' }, 'VALIDATION_FAILED'],
    [{ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }, 'VALIDATION_FAILED'],
    [{ from: '2026-01-01T00:00:00Z', to: '2026-06-01T00:00:00Z' }, 'WINDOW_TOO_LARGE'],
    [{ from: '9999-01-01T00:00:00Z', to: '9999-01-02T00:00:00Z' }, 'VALIDATION_FAILED'],
    [{ from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z', timezone: 'Nowhere/Land' }, 'VALIDATION_FAILED'],
  ])('answers 400 for %j', async (query, code) => {
    const { slug } = await newHost();
    expectProblem(await api().get(`/api/v1/booking-links/${slug}/availability`).query(query), 400, code);
  });
});

describe('POST /bookings', () => {
  it('books a slot: the booking, the host event with the booker invited, and both confirmation emails', async () => {
    const zone = 'America/New_York';
    const { host, slug, link } = await newHost(zone);
    const start = at(targetMonday(zone), 14);
    const res = await api().post('/api/v1/bookings').send(booker(start, { slug, phone: '+1 555 0100', notes: 'Hi <b>there</b>' })).expect(201);
    expect(res.body).toMatchObject({
      status: 'confirmed',
      startTime: start.replace('Z', '.000Z'),
      title: 'Intro call',
      slug,
      hostName: 'Host Person',
      bookerName: 'Grace Hopper',
      bookerEmail: 'grace@example.com',
      bookerTimezone: 'Europe/London',
    });
    expect(res.body.manageToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.body.manageUrl).toBe(`http://calento.test/book/manage/${res.body.manageToken}`);

    const hostView = await api().get(`/api/v1/bookings/${res.body.id}`).set(host.auth).expect(200);
    expect(hostView.body).toMatchObject({ bookingLinkId: link.id, bookerPhone: '+1 555 0100', notes: 'Hi <b>there</b>' });
    const event = await api().get(`/api/v1/events/${hostView.body.eventId}`).set(host.auth).expect(200);
    expect(event.body).toMatchObject({ title: 'Intro call: Grace Hopper', startTime: start.replace('Z', '.000Z'), attendees: [expect.objectContaining({ email: 'grace@example.com' })] });

    // Both confirmations follow from the committed booking (the change feed's email subscriber queues them).
    const recipients = async () =>
      (await t.db.query<{ recipient: string }>('SELECT recipient FROM email_queue WHERE user_id = $1 ORDER BY recipient', [host.id])).rows.map((row) => row.recipient);
    await eventually(async () => (await recipients()).length >= 2, 10_000, 'both confirmation emails');
    expect(await recipients()).toEqual(expect.arrayContaining(['grace@example.com', host.email]));

    // The slot is gone for the next booker.
    expectProblem(await api().post('/api/v1/bookings').send(booker(start, { slug, email: 'late@example.com' })), 409, 'BOOKING_SLOT_TAKEN');
    const slots = await api().get(`/api/v1/booking-links/${slug}/availability`).query({ from: start, to: at(targetMonday(zone), 15) }).expect(200);
    expect(slots.body.slots.map((s: { start: string }) => s.start)).toEqual([at(targetMonday(zone), 14, 30).replace('Z', '.000Z')]);
  });

  it('refuses starts the link does not offer, naming the field', async () => {
    const zone = 'America/New_York';
    const { slug } = await newHost(zone, { minimumNoticeMinutes: 60 * 24 * 365 });
    const monday = targetMonday(zone);
    expectProblem(await api().post('/api/v1/bookings').send({ ...booker(at(monday, 14)), slug }), 400, 'SLOT_NOT_OFFERED', ['start']);
    const { slug: open } = await newHost(zone);
    for (const start of [at(monday, 8), at(monday, 9, 10), at(monday.plus({ days: 5 }), 10), at(monday.plus({ days: 90 }), 10), '2020-01-06T15:00:00Z']) {
      expectProblem(await api().post('/api/v1/bookings').send({ ...booker(start), slug: open }), 400, 'SLOT_NOT_OFFERED', ['start']);
    }
  });

  it.each([
    ['a missing name', { name: undefined }, 'name'],
    ['a bad email', { email: 'not-an-email' }, 'email'],
    ['an unknown zone', { timezone: 'Mars/Base' }, 'timezone'],
    ['a start in words', { start: 'tomorrow' }, 'start'],
    ['a start without offset', { start: '2026-12-01T10:00:00' }, 'start'],
    ['a start in the year 99', { start: '0099-12-01T10:00:00Z' }, 'start'],
    ['a phone in words', { phone: 'call me' }, 'phone'],
    ['overlong notes', { notes: 'x'.repeat(2001) }, 'notes'],
    ['an unknown field', { hostId: 'x' }, 'hostId'],
  ])('answers 400 for %s', async (_, override, field) => {
    const { slug } = await newHost();
    const body = { ...booker(at(targetMonday('America/New_York'), 14)), slug, ...override };
    expectProblem(await api().post('/api/v1/bookings').send(body), 400, 'VALIDATION_FAILED', [field]);
  });

  it('answers 404 for an unknown or inactive link', async () => {
    expectProblem(await api().post('/api/v1/bookings').send({ ...booker(at(targetMonday('UTC'), 14)), slug: 'no-such-link' }), 404, 'NOT_FOUND');
  });

  it('returns the same booking for a retried Idempotency-Key, and refuses the key for another request', async () => {
    const zone = 'America/New_York';
    const { slug } = await newHost(zone);
    const body = { ...booker(at(targetMonday(zone), 15)), slug };
    const first = await api().post('/api/v1/bookings').set('Idempotency-Key', 'retry-123').send(body).expect(201);
    const again = await api().post('/api/v1/bookings').set('Idempotency-Key', 'retry-123').send(body).expect(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expectProblem(await api().post('/api/v1/bookings').set('Idempotency-Key', 'retry-123').send({ ...body, name: 'Someone Else' }), 422, 'IDEMPOTENCY_KEY_REUSED');
    expectProblem(await api().post('/api/v1/bookings').set('Idempotency-Key', 'x'.repeat(300)).send(body), 400, 'VALIDATION_FAILED', ['Idempotency-Key']);
    const count = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM bookings WHERE idempotency_key = $1', ['retry-123']);
    expect(count.rows[0].n).toBe(1);
  });

  it('holds the per-day limit', async () => {
    const zone = 'America/New_York';
    const { slug } = await newHost(zone, { maxBookingsPerDay: 1 });
    const monday = targetMonday(zone);
    await api().post('/api/v1/bookings').send({ ...booker(at(monday, 10)), slug }).expect(201);
    expectProblem(await api().post('/api/v1/bookings').send({ ...booker(at(monday, 14)), slug }), 409, 'BOOKING_LIMIT_REACHED');
    await api().post('/api/v1/bookings').send({ ...booker(at(monday.plus({ days: 1 }), 10)), slug }).expect(201);
  });

  it("keeps the buffers of existing bookings free, for this link and the host's other links", async () => {
    const zone = 'America/New_York';
    const { host, slug } = await newHost(zone, { bufferAfterMinutes: 15, slotIntervalMinutes: 15 });
    const other = uniqueSlug('other');
    await api().post('/api/v1/booking-links').set(host.auth).send({ slug: other, title: 'Quick', durationMinutes: 30, slotIntervalMinutes: 15 }).expect(201);
    const monday = targetMonday(zone);
    const first = (await api().post('/api/v1/bookings').send({ ...booker(at(monday, 10)), slug }).expect(201)).body;
    const startsAround = async (linkSlug: string) => {
      const res = await api().get(`/api/v1/booking-links/${linkSlug}/availability`).query({ from: at(monday, 9, 30), to: at(monday, 11) }).expect(200);
      return res.body.slots.map((slot: { start: string }) => DateTime.fromISO(slot.start, { zone }).toFormat('HH:mm'));
    };
    // 10:00-10:30 is booked with 15 minutes free after it: nothing may start before 10:45 (09:30 and 09:45
    // of this link end too late for their own buffer).
    expect(await startsAround(slug)).toEqual(['10:45']);
    expect(await startsAround(other)).toEqual(['09:30', '10:45']);
    expectProblem(await api().post('/api/v1/bookings').send({ ...booker(at(monday, 10, 30)), slug }), 409, 'BOOKING_SLOT_TAKEN');
    expectProblem(await api().post('/api/v1/bookings').send({ ...booker(at(monday, 10, 30)), slug: other }), 409, 'BOOKING_SLOT_TAKEN');
    await api().post('/api/v1/bookings').send({ ...booker(at(monday, 10, 45)), slug: other }).expect(201);
    // A booking's own time and buffer do not stand in its way when it moves (09:45-10:15, free until 10:30).
    await api().post(`/api/v1/bookings/manage/${first.manageToken}/reschedule`).send({ start: at(monday, 9, 45) }).expect(200);
  });
});

describe('managing a booking with its token', () => {
  it('shows, reschedules (freeing the old slot) and cancels', async () => {
    const zone = 'America/New_York';
    const { host, slug } = await newHost(zone);
    const monday = targetMonday(zone);
    const created = (await api().post('/api/v1/bookings').send({ ...booker(at(monday, 10)), slug }).expect(201)).body;
    const token = created.manageToken;

    const shown = await api().get(`/api/v1/bookings/manage/${token}`).expect(200);
    expect(shown.body).toMatchObject({ status: 'confirmed', title: 'Intro call', hostName: 'Host Person', bookerEmail: 'grace@example.com' });
    expect(shown.body).not.toHaveProperty('manageToken');

    const moved = await api().post(`/api/v1/bookings/manage/${token}/reschedule`).send({ start: at(monday, 11) }).expect(200);
    expect(moved.body.startTime).toBe(at(monday, 11).replace('Z', '.000Z'));
    // The old slot is free again, and the host event moved.
    await api().post('/api/v1/bookings').send({ ...booker(at(monday, 10), { email: 'next@example.com' }), slug }).expect(201);
    const hostBooking = await api().get(`/api/v1/bookings/${created.id}`).set(host.auth).expect(200);
    const event = await api().get(`/api/v1/events/${hostBooking.body.eventId}`).set(host.auth).expect(200);
    expect(event.body.startTime).toBe(at(monday, 11).replace('Z', '.000Z'));

    expectProblem(await api().post(`/api/v1/bookings/manage/${token}/reschedule`).send({ start: at(monday, 10) }), 409, 'BOOKING_SLOT_TAKEN');
    expectProblem(await api().post(`/api/v1/bookings/manage/${token}/reschedule`).send({ start: 'soon' }), 400, 'VALIDATION_FAILED', ['start']);

    const cancelled = await api().post(`/api/v1/bookings/manage/${token}/cancel`).send({ reason: 'Sorry' }).expect(200);
    expect(cancelled.body.status).toBe('cancelled');
    expectProblem(await api().post(`/api/v1/bookings/manage/${token}/cancel`).send({}), 409, 'BOOKING_CANCELLED');
    expect((await api().get(`/api/v1/events/${hostBooking.body.eventId}`).set(host.auth)).body.status).toBe('cancelled');
    // The freed slot can be booked again.
    await api().post('/api/v1/bookings').send({ ...booker(at(monday, 11), { email: 'third@example.com' }), slug }).expect(201);
  });

  it("keeps one invitation UID for the booking's life, also after the host deletes its event by hand", async () => {
    const zone = 'America/New_York';
    const { host, slug } = await newHost(zone);
    const monday = targetMonday(zone);
    const email = `uid-${Date.now()}@example.com`;
    const created = (await api().post('/api/v1/bookings').send({ ...booker(at(monday, 10), { email }), slug }).expect(201)).body;
    const { eventId } = (await api().get(`/api/v1/bookings/${created.id}`).set(host.auth).expect(200)).body;
    await api().delete(`/api/v1/events/${eventId}`).set(host.auth).expect(204);
    await api().post(`/api/v1/bookings/manage/${created.manageToken}/reschedule`).send({ start: at(monday, 11) }).expect(200);
    await api().post(`/api/v1/bookings/manage/${created.manageToken}/cancel`).send({}).expect(200);
    const invitations = async () =>
      (await t.db.query<{ ics_method: string; ics_content: string }>('SELECT ics_method, ics_content FROM email_queue WHERE recipient = $1 ORDER BY created_at', [email])).rows;
    await eventually(async () => (await invitations()).length >= 3, 10_000, "the booker's three messages");
    const sent = await invitations();
    expect(sent.map((mail) => mail.ics_method)).toEqual(['REQUEST', 'REQUEST', 'CANCEL']);
    const uids = sent.map((mail) => /\r\nUID:(.*)\r\n/.exec(mail.ics_content)?.[1]);
    expect(uids).toEqual([`${eventId}@calento`, `${eventId}@calento`, `${eventId}@calento`]);
    // The booker chose the time: listed as having accepted, not asked to reply.
    const attendee = sent[0].ics_content.replace(/\r\n[ \t]/g, '').split('\r\n').find((line) => line.startsWith('ATTENDEE'));
    expect(attendee).toContain('PARTSTAT=ACCEPTED');
    expect(attendee).not.toContain('RSVP=TRUE');
  });

  it('refuses to move a booking once its link is deactivated, but still cancels it', async () => {
    const zone = 'America/New_York';
    const { host, slug, link } = await newHost(zone);
    const monday = targetMonday(zone);
    const token = (await api().post('/api/v1/bookings').send({ ...booker(at(monday, 10)), slug }).expect(201)).body.manageToken;
    await api().patch(`/api/v1/booking-links/${link.id}`).set(host.auth).send({ isActive: false }).expect(200);
    expectProblem(await api().post(`/api/v1/bookings/manage/${token}/reschedule`).send({ start: at(monday, 11) }), 409, 'BOOKING_LINK_GONE');
    expect((await api().get(`/api/v1/bookings/manage/${token}`).expect(200)).body.slug).toBeNull();
    await api().post(`/api/v1/bookings/manage/${token}/cancel`).send({}).expect(200);
  });

  it('changes nothing and tells nobody when asked to move a booking to the start it has', async () => {
    const zone = 'America/New_York';
    const { host, slug } = await newHost(zone);
    const monday = targetMonday(zone);
    const created = (await api().post('/api/v1/bookings').send({ ...booker(at(monday, 10)), slug }).expect(201)).body;
    await settleChanges(t.app);
    const count = async (table: 'changes' | 'email_queue') =>
      (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE user_id = $1`, [host.id])).rows[0].n;
    const before = { changes: await count('changes'), emails: await count('email_queue') };
    const shown = (await api().get(`/api/v1/bookings/manage/${created.manageToken}`).expect(200)).body;
    const hostView = (await api().get(`/api/v1/bookings/${created.id}`).set(host.auth).expect(200)).body;
    const event = (await api().get(`/api/v1/events/${hostView.eventId}`).set(host.auth).expect(200)).body;

    // The same instant, also written with another offset; by the booker and by the host.
    const sameStart = monday.set({ hour: 10 }).toISO({ suppressMilliseconds: true }) as string;
    expect((await api().post(`/api/v1/bookings/manage/${created.manageToken}/reschedule`).send({ start: at(monday, 10) }).expect(200)).body).toEqual(shown);
    expect((await api().post(`/api/v1/bookings/manage/${created.manageToken}/reschedule`).send({ start: sameStart }).expect(200)).body).toEqual(shown);
    expect((await api().post(`/api/v1/bookings/${created.id}/reschedule`).set(host.auth).send({ start: at(monday, 10) }).expect(200)).body).toEqual(hostView);

    await settleChanges(t.app);
    expect({ changes: await count('changes'), emails: await count('email_queue') }).toEqual(before);
    expect((await api().get(`/api/v1/events/${hostView.eventId}`).set(host.auth).expect(200)).body).toEqual(event);
  });

  it("checks a move with the booking's own duration when the link's duration changed since", async () => {
    const zone = 'America/New_York';
    const { host, slug, link } = await newHost(zone, { durationMinutes: 60 });
    const monday = targetMonday(zone);
    const token = (await api().post('/api/v1/bookings').send({ ...booker(at(monday, 10)), slug }).expect(201)).body.manageToken;
    await api().post('/api/v1/events').set(host.auth).send({ title: 'Dentist', startTime: at(monday, 15), endTime: at(monday, 16) }).expect(201);
    await api().patch(`/api/v1/booking-links/${link.id}`).set(host.auth).send({ durationMinutes: 30 }).expect(200);
    // The booking keeps its hour: 14:30-15:30 would overlap the dentist, 16:30-17:30 would end after the hours.
    expectProblem(await api().post(`/api/v1/bookings/manage/${token}/reschedule`).send({ start: at(monday, 14, 30) }), 409, 'BOOKING_SLOT_TAKEN');
    expectProblem(await api().post(`/api/v1/bookings/manage/${token}/reschedule`).send({ start: at(monday, 16, 30) }), 400, 'SLOT_NOT_OFFERED', ['start']);
    const moved = await api().post(`/api/v1/bookings/manage/${token}/reschedule`).send({ start: at(monday, 13, 30) }).expect(200);
    expect([moved.body.startTime, moved.body.endTime]).toEqual([at(monday, 13, 30), at(monday, 14, 30)].map((iso) => iso.replace('Z', '.000Z')));
  });

  it("lists the times a booking can move to: its own time, buffers and day's count do not hide any", async () => {
    const zone = 'America/New_York';
    const { slug } = await newHost(zone, { durationMinutes: 60, maxBookingsPerDay: 1, bufferAfterMinutes: 30 });
    const monday = targetMonday(zone);
    const token = (await api().post('/api/v1/bookings').send({ ...booker(at(monday, 10)), slug }).expect(201)).body.manageToken;
    const window = { from: at(monday, 0), to: at(monday.plus({ days: 1 }), 0), timezone: 'Asia/Kolkata' };
    const hours = (res: request.Response) => res.body.slots.map((slot: { start: string }) => DateTime.fromISO(slot.start, { zone }).toFormat('HH:mm'));
    // New bookers see a full day; the booker moving theirs sees every other hour of it.
    expect(hours(await api().get(`/api/v1/booking-links/${slug}/availability`).query(window).expect(200))).toEqual([]);
    const res = await api().get(`/api/v1/bookings/manage/${token}/availability`).query(window).expect(200);
    expect(res.body).toMatchObject({ timezone: 'Asia/Kolkata', durationMinutes: 60 });
    expect(hours(res)).toEqual(['09:00', '11:00', '12:00', '13:00', '14:00', '15:00', '16:00']);
    // Each one is accepted.
    await api().post(`/api/v1/bookings/manage/${token}/reschedule`).send({ start: res.body.slots[0].start }).expect(200);
    expectProblem(await api().get(`/api/v1/bookings/manage/${token}/availability`).query({ from: 'soon', to: at(monday, 9) }), 400, 'VALIDATION_FAILED', ['from']);
    expectProblem(await api().get(`/api/v1/bookings/manage/${'x'.repeat(43)}/availability`).query(window), 404, 'NOT_FOUND');
    await api().post(`/api/v1/bookings/manage/${token}/cancel`).send({}).expect(200);
    expectProblem(await api().get(`/api/v1/bookings/manage/${token}/availability`).query(window), 409, 'BOOKING_CANCELLED');
  });

  it('answers 404 for unknown or malformed tokens', async () => {
    expectProblem(await api().get(`/api/v1/bookings/manage/${'a'.repeat(43)}`), 404, 'NOT_FOUND');
    expectProblem(await api().get('/api/v1/bookings/manage/short'), 404, 'NOT_FOUND');
    expectProblem(await api().post(`/api/v1/bookings/manage/${'a'.repeat(43)}/cancel`).send({}), 404, 'NOT_FOUND');
  });
});

describe('host side', () => {
  it('lists with filters, and cancels or moves; other users get 404', async () => {
    const zone = 'America/New_York';
    const { host, slug } = await newHost(zone);
    const monday = targetMonday(zone);
    const a = (await api().post('/api/v1/bookings').send({ ...booker(at(monday, 9)), slug }).expect(201)).body;
    const b = (await api().post('/api/v1/bookings').send({ ...booker(at(monday, 13)), slug }).expect(201)).body;

    const all = await api().get('/api/v1/bookings').set(host.auth).expect(200);
    expect(all.body.data.map((x: { id: string }) => x.id)).toEqual([a.id, b.id]);
    expectProblem(await api().get(`/api/v1/bookings/${a.id}`).set(stranger.auth), 404, 'NOT_FOUND');
    expectProblem(await api().post(`/api/v1/bookings/${a.id}/cancel`).set(stranger.auth).send({}), 404, 'NOT_FOUND');
    expectProblem(await api().post(`/api/v1/bookings/${a.id}/reschedule`).set(stranger.auth).send({ start: at(monday, 15) }), 404, 'NOT_FOUND');
    expectProblem(await api().get('/api/v1/bookings/not-a-uuid').set(host.auth), 400, 'INVALID_ID');

    const moved = await api().post(`/api/v1/bookings/${b.id}/reschedule`).set(host.auth).send({ start: at(monday, 15) }).expect(200);
    expect(moved.body).toMatchObject({ startTime: at(monday, 15).replace('Z', '.000Z'), rescheduledAt: expect.any(String) });
    const cancelled = await api().post(`/api/v1/bookings/${a.id}/cancel`).set(host.auth).send({ reason: 'Ill' }).expect(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelledBy: 'host', cancelReason: 'Ill' });

    const confirmed = await api().get('/api/v1/bookings').query({ status: 'confirmed' }).set(host.auth).expect(200);
    expect(confirmed.body.data.map((x: { id: string }) => x.id)).toEqual([b.id]);
    const windowed = await api().get('/api/v1/bookings').query({ from: at(monday, 14), to: at(monday, 16) }).set(host.auth).expect(200);
    expect(windowed.body.data.map((x: { id: string }) => x.id)).toEqual([b.id]);
    expectProblem(await api().get('/api/v1/bookings').query({ status: 'maybe' }).set(host.auth), 400, 'VALIDATION_FAILED', ['status']);
    expectProblem(await api().get('/api/v1/bookings'), 401, 'UNAUTHENTICATED');
  });
});

describe('public rate limit', () => {
  it('limits public booking endpoints per IP', async () => {
    const limited = await createTestApp({ RATE_LIMIT_PUBLIC_PER_IP: '3' });
    try {
      for (let i = 0; i < 3; i++) await request(limited.http).get('/api/v1/booking-links/nothing-here').expect(404);
      const res = await request(limited.http).get('/api/v1/booking-links/nothing-here');
      expectProblem(res, 429, 'RATE_LIMITED');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});
