// GET /api/v1/booking-links/:slug/availability for a 30-day window, host holding 1,000 events and 20
// recurring series (goal: p95 under 50 ms on this 2-core machine), and the latency of a 200-way race
// for one slot (exactly one 201, the rest 409).
// Run (after `npm run build`):
//   node bench/booking-availability.bench.mjs                                            embedded PGlite
//   BENCH_PG=postgres://postgres@127.0.0.1:5432 node bench/booking-availability.bench.mjs  real PostgreSQL
import { seedBookingHost } from './floor/seed.mjs';
import { load, startServer, withBenchDatabase } from './lib.mjs';

await withBenchDatabase(async (databaseEnv) => {
  const server = await startServer({ ...databaseEnv, RATE_LIMIT_PUBLIC_PER_IP: '1000000', DATABASE_POOL_SIZE: '20' });
  try {
    // The host the floor bench uses too (bench/floor/seed.mjs): weekday hours, a 30-minute link with buffers
    // and a daily limit, 1,000 events and 20 series over the next 60 days.
    const path = await seedBookingHost(server.base);
    const slug = new URL(path, server.base).pathname.split('/')[4];
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
