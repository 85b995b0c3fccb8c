import { afterAll, beforeAll, describe, expect } from '@jest/globals';
import { DateTime } from 'luxon';
import request from 'supertest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { announcePgOnly, PG_ONLY, pgOnly, usingPostgres } from '../setup/pg-only.js';
import { registerUser } from '../factories/users.js';
import { eventually, sleep } from '../setup/wait.js';

/**
 * No double booking under real concurrency. Under PGlite every statement is serialized through one
 * session, so this proves nothing there: it runs on real PostgreSQL (CI runs the suite on both).
 */
announcePgOnly('The 200-way booking races');

let t: TestApp;

beforeAll(async () => {
  if (!usingPostgres) return;
  t = await createTestApp({ RATE_LIMIT_PUBLIC_PER_IP: '1000000', DATABASE_POOL_SIZE: '20' });
});
afterAll(async () => {
  await t?.close();
});

async function hostWithLink(link: object) {
  const zone = 'America/New_York';
  const host = await registerUser(t.http, { timezone: zone });
  const rules = [1, 2, 3, 4, 5].map((dayOfWeek) => ({ dayOfWeek, startTime: '09:00', endTime: '17:00' }));
  await request(t.http).put('/api/v1/availability/schedule').set(host.auth).send({ timezone: zone, rules }).expect(200);
  const slug = `race-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;
  await request(t.http).post('/api/v1/booking-links').set(host.auth).send({ slug, title: 'Race', durationMinutes: 30, ...link }).expect(201);
  const now = DateTime.now().setZone(zone).startOf('day');
  const monday = now.plus({ days: 14 + ((8 - now.weekday) % 7) });
  return { host, slug, monday };
}

const iso = (d: DateTime) => d.toUTC().toISO({ suppressMilliseconds: true }) as string;

describe('booking races', () => {
  pgOnly(`200 concurrent bookings of one slot: exactly one 201, the rest 409, no 5xx ${PG_ONLY}`, async () => {
    const { host, slug, monday } = await hostWithLink({});
    const start = iso(monday.set({ hour: 10 }));
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        request(t.http)
          .post('/api/v1/bookings')
          .send({ slug, start, name: `Booker ${i}`, email: `booker${i}@example.com`, timezone: 'UTC' }),
      ),
    );
    const statuses = responses.map((res) => res.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(199);
    expect(responses.filter((res) => res.status === 409).every((res) => res.body.code === 'BOOKING_SLOT_TAKEN')).toBe(true);
    const { rows } = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM bookings WHERE host_id = $1 AND status = 'confirmed'", [host.id]);
    expect(rows[0].n).toBe(1);
  }, 120_000);

  pgOnly(`200 concurrent bookings of different slots against a per-day limit of 3 ${PG_ONLY}`, async () => {
    const { host, slug, monday } = await hostWithLink({ maxBookingsPerDay: 3, durationMinutes: 15, slotIntervalMinutes: 15 });
    // 09:00 to 16:45: 32 distinct slots, each asked for about six times.
    const starts = Array.from({ length: 200 }, (_, i) => iso(monday.set({ hour: 9 }).plus({ minutes: 15 * (i % 32) })));
    const responses = await Promise.all(
      starts.map((start, i) =>
        request(t.http).post('/api/v1/bookings').send({ slug, start, name: `B ${i}`, email: `b${i}@example.com`, timezone: 'UTC' }),
      ),
    );
    const statuses = responses.map((res) => res.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s === 201)).toHaveLength(3);
    expect(statuses.filter((s) => s === 409)).toHaveLength(197);
    const { rows } = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM bookings WHERE host_id = $1 AND status = 'confirmed'", [host.id]);
    expect(rows[0].n).toBe(3);
  }, 120_000);

  pgOnly(`30 concurrent requests with one Idempotency-Key and one body: all 201 with the same booking ${PG_ONLY}`, async () => {
    const { host, slug, monday } = await hostWithLink({});
    const body = { slug, start: iso(monday.set({ hour: 10 })), name: 'Grace', email: 'grace@example.com', timezone: 'UTC' };
    const responses = await Promise.all(
      Array.from({ length: 30 }, () => request(t.http).post('/api/v1/bookings').set('Idempotency-Key', 'double-click').send(body)),
    );
    // Before: the requests that queued behind the winner on the host's lock answered 409 BOOKING_SLOT_TAKEN.
    expect(responses.map((res) => `${res.status} ${res.body.code ?? ''}`.trim())).toEqual(Array(30).fill('201'));
    expect(new Set(responses.map((res) => res.body.id)).size).toBe(1);
    expect(responses.filter((res) => res.headers['idempotent-replayed'] === 'true')).toHaveLength(29);
    const { rows } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM bookings WHERE host_id = $1', [host.id]);
    expect(rows[0].n).toBe(1);
  }, 120_000);

  pgOnly(`30 concurrent requests with one Idempotency-Key and different bodies: one 201, the rest 422 ${PG_ONLY}`, async () => {
    const { host, slug, monday } = await hostWithLink({});
    const start = iso(monday.set({ hour: 11 }));
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        request(t.http)
          .post('/api/v1/bookings')
          .set('Idempotency-Key', 'one-key')
          .send({ slug, start, name: `Booker ${i}`, email: `booker${i}@example.com`, timezone: 'UTC' }),
      ),
    );
    const outcomes = responses.map((res) => `${res.status} ${res.body.code ?? ''}`.trim());
    expect(outcomes.filter((o) => o === '201')).toHaveLength(1);
    // Before: 409 BOOKING_SLOT_TAKEN, which tells a client to pick another slot rather than that its key is reused.
    expect(outcomes.filter((o) => o === '422 IDEMPOTENCY_KEY_REUSED')).toHaveLength(29);
    const { rows } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM bookings WHERE host_id = $1', [host.id]);
    expect(rows[0].n).toBe(1);
  }, 120_000);

  pgOnly(`bookings made while the host deletes their account are cancelled with it or refused with 404 ${PG_ONLY}`, async () => {
    const { host, slug, monday } = await hostWithLink({ durationMinutes: 15, slotIntervalMinutes: 15 });
    // 20 bookers keep booking (09:00 to 16:45 on the five weekdays) until the account is gone.
    let deleted = false;
    const outcomes: string[] = [];
    const booked: string[] = [];
    const booker = async (k: number) => {
      for (let i = 0; !deleted; i++) {
        const start = iso(monday.plus({ days: (k + i) % 5 }).set({ hour: 9 + ((k * 7 + i) % 8), minute: 15 * ((k + i * 3) % 4) }));
        const res = await request(t.http).post('/api/v1/bookings').send({ slug, start, name: `B ${k}`, email: `b${k}-${i}@example.com`, timezone: 'UTC' });
        outcomes.push(`${res.status} ${res.body.code ?? ''}`.trim());
        if (res.status === 201) booked.push(res.body.id as string);
      }
    };
    const bookers = Array.from({ length: 20 }, (_, k) => booker(k));
    await eventually(() => booked.length >= 3, 20_000, 'three bookings');
    await request(t.http).delete('/api/v1/users/me').set(host.auth).send({ password: host.password }).expect(204);
    deleted = true;
    await Promise.all(bookers);
    expect(booked.length).toBeGreaterThan(0);
    // Before: bookings that committed while the deletion was cancelling the others went with the account
    // unmailed (no booking.cancelled change), and late bookers got 400 INVALID_INPUT or SLOT_NOT_OFFERED.
    const { rows } = await t.db.query<{ booking_id: string }>(
      "SELECT booking_id FROM changes WHERE kind = 'booking.cancelled' AND booking_id = ANY($1::uuid[])",
      [booked],
    );
    expect(booked.filter((id) => !rows.some((row) => row.booking_id === id))).toEqual([]);
    expect([...new Set(outcomes)].filter((o) => !['201', '409 BOOKING_SLOT_TAKEN', '404 NOT_FOUND'].includes(o))).toEqual([]);
  }, 120_000);

  pgOnly(`bookings made while the host deletes the link succeed or answer 404 ${PG_ONLY}`, async () => {
    const { host, slug, monday } = await hostWithLink({ durationMinutes: 15, slotIntervalMinutes: 15 });
    const links = await request(t.http).get('/api/v1/booking-links').set(host.auth).expect(200);
    const linkId = (links.body.data as Array<{ id: string; slug: string }>).find((link) => link.slug === slug)?.id as string;
    let deleted = false;
    const outcomes: string[] = [];
    const booker = async (k: number) => {
      for (let i = 0; !deleted; i++) {
        const start = iso(monday.plus({ days: (k + i) % 5 }).set({ hour: 9 + ((k * 7 + i) % 8), minute: 15 * ((k + i * 3) % 4) }));
        const res = await request(t.http).post('/api/v1/bookings').send({ slug, start, name: `B ${k}`, email: `b${k}-${i}@example.com`, timezone: 'UTC' });
        outcomes.push(`${res.status} ${res.body.code ?? ''}`.trim());
      }
    };
    const bookers = Array.from({ length: 20 }, (_, k) => booker(k));
    // The link goes while bookings are under way: once a few have been made.
    await eventually(() => outcomes.filter((o) => o === '201').length >= 3, 20_000, 'three bookings');
    await request(t.http).delete(`/api/v1/booking-links/${linkId}`).set(host.auth).expect(204);
    await sleep(100);
    deleted = true;
    await Promise.all(bookers);
    expect(outcomes).toContain('201');
    // Before: bookers whose booking was under way when the link went got 400 INVALID_INPUT (a foreign key).
    expect([...new Set(outcomes)].filter((o) => !['201', '409 BOOKING_SLOT_TAKEN', '404 NOT_FOUND'].includes(o))).toEqual([]);
  }, 120_000);

  pgOnly(`the same reschedule sent 5 times at once moves the booking once ${PG_ONLY}`, async () => {
    const { slug, monday } = await hostWithLink({});
    const booked = await request(t.http)
      .post('/api/v1/bookings')
      .send({ slug, start: iso(monday.set({ hour: 10 })), name: 'Grace', email: 'grace@example.com', timezone: 'UTC' })
      .expect(201);
    const start = iso(monday.set({ hour: 14 }));
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => request(t.http).post(`/api/v1/bookings/manage/${booked.body.manageToken}/reschedule`).send({ start })),
    );
    expect(responses.map((res) => res.status)).toEqual([200, 200, 200, 200, 200]);
    const { rows } = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM changes WHERE booking_id = $1 AND kind = 'booking.rescheduled'", [
      booked.body.id,
    ]);
    // Before: five changes, four of them moves from 14:00 to 14:00, each mailed to both sides as a new time.
    expect(rows[0].n).toBe(1);
  }, 120_000);
});
