// GET /api/v1/events?from&to for a user with 10,000 events: 50 connections, 15 s after a 5 s warm-up.
// Run (after `npm run build`):
//   node bench/events-list.bench.mjs                      embedded PGlite
//   BENCH_PG=postgres://postgres@127.0.0.1:5432 node bench/events-list.bench.mjs   real PostgreSQL
import { load, register, rssMiB, startServer, withBenchDatabase } from './lib.mjs';

await withBenchDatabase(async (databaseEnv) => {
  const server = await startServer(databaseEnv);
  try {
    const { accessToken } = await register(server.base);
    const auth = { authorization: `Bearer ${accessToken}` };
    const started = Date.now();
    // 10,000 events, one every 53 minutes from 1 January 2026, created through the API.
    for (let batch = 0; batch < 100; batch++) {
      await Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          const start = new Date(Date.UTC(2026, 0, 1) + (batch * 100 + i) * 53 * 60_000);
          const res = await fetch(`${server.base}/api/v1/events`, {
            method: 'POST',
            headers: { ...auth, 'content-type': 'application/json' },
            body: JSON.stringify({
              title: `Event ${batch * 100 + i}`,
              startTime: start.toISOString(),
              endTime: new Date(start.getTime() + 45 * 60_000).toISOString(),
            }),
          });
          if (res.status !== 201) throw new Error(`seed: ${res.status} ${await res.text()}`);
        }),
      );
    }
    const seeded = Date.now() - started;
    const path = '/api/v1/events?from=2026-03-01T00:00:00Z&to=2026-03-08T00:00:00Z&limit=50';
    const check = await (await fetch(`${server.base}${path}`, { headers: auth })).json();
    await load({ url: `${server.base}${path}`, headers: auth, duration: 5 });
    const result = await load({ url: `${server.base}${path}`, headers: auth });
    console.log(
      JSON.stringify({
        bench: 'GET /events?from&to, 10k events, 50 connections',
        database: databaseEnv.DATABASE_URL ? 'postgres' : 'pglite',
        windowTotal: check.meta.total,
        pageSize: check.data.length,
        seedMs: seeded,
        seedPerSecond: Math.round(10_000 / (seeded / 1000)),
        ...result,
        rssMiB: rssMiB(server.pid),
      }),
    );
  } finally {
    await server.stop();
  }
});
