// GET /api/v1/booking-links/:slug/availability for a 30-day window, host holding 1,000 events and 20
// recurring series (goal: p95 under 50 ms on this 2-core machine), and the latency of a 200-way race
// for one slot (exactly one 201, the rest 409).
// Run (after `npm run build`):
//   node bench/booking-availability.bench.mjs                                            embedded PGlite
//   BENCH_PG=postgres://postgres@127.0.0.1:5432 node bench/booking-availability.bench.mjs  real PostgreSQL
import { DateTime } from 'luxon';
import { load, register, startServer, withBenchDatabase } from './lib.mjs';

const zone = 'America/New_York';

await withBenchDatabase(async (databaseEnv) => {
  const server = await startServer({ ...databaseEnv, RATE_LIMIT_PUBLIC_PER_IP: '1000000', DATABASE_POOL_SIZE: '20' });
  try {
    const { accessToken } = await register(server.base);
    const headers = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
    const call = async (method, path, body) => {
      const res = await fetch(`${server.base}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    await call('PATCH', '/api/v1/users/me', { timezone: zone });
    await call('PUT', '/api/v1/availability/schedule', {
      timezone: zone,
      rules: [1, 2, 3, 4, 5].flatMap((dayOfWeek) => [
        { dayOfWeek, startTime: '09:00', endTime: '12:00' },
        { dayOfWeek, startTime: '13:00', endTime: '17:30' },
      ]),
    });
    const slug = `bench-${process.pid}`;
    await call('POST', '/api/v1/booking-links', { slug, title: 'Bench', durationMinutes: 30, bufferBeforeMinutes: 10, bufferAfterMinutes: 10, maxBookingsPerDay: 8, bookingWindowDays: 90 });

    // 1,000 single events spread over the next 60 days, and 20 series (daily and weekly) in local time.
    const first = DateTime.now().setZone(zone).startOf('day').plus({ days: 1 });
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) => {
          const n = batch * 100 + i;
          const start = first.plus({ minutes: n * 83 + 9 * 60 });
          return call('POST', '/api/v1/events', { title: `Event ${n}`, startTime: start.toISO(), endTime: start.plus({ minutes: 25 }).toISO() });
        }),
      );
    }
    for (let s = 0; s < 20; s++) {
      const start = first.plus({ hours: 8 + (s % 9), minutes: (s * 7) % 60 });
      await call('POST', '/api/v1/events', {
        title: `Series ${s}`,
        startTime: start.toISO(),
        endTime: start.plus({ minutes: 20 }).toISO(),
        timezone: zone,
        recurrenceRule: s % 2 ? 'FREQ=DAILY;INTERVAL=3' : `FREQ=WEEKLY;BYDAY=${['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'][first.weekday - 1]}`,
      });
    }

    const from = first.plus({ days: 7 }).toUTC().toISO();
    const to = first.plus({ days: 37 }).toUTC().toISO();
    const path = `/api/v1/booking-links/${slug}/availability?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&timezone=Europe%2FLondon`;
    const check = await (await fetch(`${server.base}${path}`)).json();
    const samples = [];
    for (let i = 0; i < 220; i++) {
      const started = performance.now();
      const res = await fetch(`${server.base}${path}`);
      await res.arrayBuffer();
      if (i >= 20) samples.push(performance.now() - started);
    }
    samples.sort((a, b) => a - b);
    const pct = (p) => +samples[Math.min(samples.length - 1, Math.floor(samples.length * p))].toFixed(1);
    const loaded = await load({ url: `${server.base}${path}`, connections: 10, duration: 10 });
    console.log(
      JSON.stringify({
        bench: 'GET /booking-links/:slug/availability, 30 days, 1,000 events + 20 series',
        database: databaseEnv.DATABASE_URL ? 'postgres' : 'pglite',
        slots: check.slots.length,
        sequential: { p50: pct(0.5), p95: pct(0.95), p99: pct(0.99) },
        tenConnections: loaded,
      }),
    );

    // The race: 200 bookers, one slot.
    const slot = check.slots[Math.floor(check.slots.length / 2)].start;
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const t0 = performance.now();
        const res = await fetch(`${server.base}/api/v1/bookings`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ slug, start: slot, name: `Racer ${i}`, email: `racer${i}@example.com`, timezone: 'UTC' }),
        });
        const body = await res.text();
        if (res.status !== 201 && res.status !== 409 && i === 0) console.error(body.slice(0, 300));
        return { status: res.status, ms: performance.now() - t0 };
      }),
    );
    const total = performance.now() - started;
    const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
    const count = (s) => results.filter((r) => r.status === s).length;
    console.log(
      JSON.stringify({
        bench: '200 concurrent POST /bookings for one slot',
        database: databaseEnv.DATABASE_URL ? 'postgres' : 'pglite',
        created: count(201),
        conflicts: count(409),
        other: results.length - count(201) - count(409),
        otherStatuses: [...new Set(results.map((r) => r.status).filter((s) => s !== 201 && s !== 409))],
        wallMs: Math.round(total),
        p50: +latencies[100].toFixed(1),
        p99: +latencies[197].toFixed(1),
      }),
    );
  } finally {
    await server.stop();
  }
});
