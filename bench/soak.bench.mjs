// Soak: mixed traffic against the built app on real PostgreSQL for a while (10 minutes by default),
// sampling the server's RSS and each minute's p50/p99 and counting 5xx. Passes when no response was a
// 5xx (or a network error) and RSS did not grow after the first minutes.
//
// Run (after `npm run build`):
//   npm run bench -- soak [--minutes 10] [--concurrency 16]
//   BENCH_PG=postgres://postgres@127.0.0.1:5432 node bench/soak.bench.mjs
//
// Traffic (closed loop, `concurrency` callers, each picking its next request by weight):
//   45% GET /events?from&to&limit=50 over a random week of the 10,000-event user
//   10% GET /events/:id            10% POST /events (then kept for edits and deletes)
//    5% PATCH /events/:id           5% DELETE /events/:id
//   15% GET the booking page's slots (30-day window)   10% POST /bookings for one of those slots, and
//   half of the created bookings cancelled again by their manage token (keeps slots and limits available)
// The app runs as deployed: LOG_LEVEL=info (a line per request, to /dev/null), job workers in the
// process (booking emails, change feed), rate limits raised so the bench is not throttled.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { root, rssMiB, startServer, withBenchDatabase } from './lib.mjs';
import { seedBookingHost, seedEventsUser } from './floor/seed.mjs';

const { values: options } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '16' },
  },
});
const minutes = Number(options.minutes);
const concurrency = Number(options.concurrency);
process.env.BENCH_PG ??= 'postgres://postgres@127.0.0.1:5432';

const percentile = (sorted, p) => (sorted.length ? +sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))].toFixed(1) : null);

await withBenchDatabase(async (databaseEnv) => {
  const server = await startServer(
    {
      ...databaseEnv,
      LOG_LEVEL: 'info',
      WORKERS: 'on',
      RATE_LIMIT_PUBLIC_PER_IP: '1000000',
      RATE_LIMIT_LOGIN_PER_IP: '1000000',
      RATE_LIMIT_LOGIN_PER_ACCOUNT: '1000000',
    },
    { stdout: 'ignore' },
  );
  try {
    const [token, slotsPath] = await Promise.all([seedEventsUser(server.base), seedBookingHost(server.base)]);
    const auth = { authorization: `Bearer ${token}` };
    const json = { ...auth, 'content-type': 'application/json' };
    const slug = /booking-links\/([^/]+)\//.exec(slotsPath)[1];
    const createdEvents = [];
    const openBookings = [];
    let slotStarts = [];

    // One minute's figures; `all` keeps the whole run's.
    const fresh = () => ({ latencies: [], kindLatencies: {}, requests: 0, status5xx: 0, networkErrors: 0, status429: 0, otherNon2xx: {}, byKind: {} });
    let minute = fresh();
    const all = { requests: 0, status5xx: 0, networkErrors: 0, status429: 0, otherNon2xx: {}, byKind: {} };

    async function call(kind, method, path, { headers = {}, body, expect = [200] } = {}) {
      const started = performance.now();
      let status = 0;
      let data = null;
      try {
        const res = await fetch(`${server.base}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
        status = res.status;
        const text = await res.text();
        data = text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null;
      } catch {
        status = -1;
      }
      const ms = performance.now() - started;
      for (const bucket of [minute, all]) {
        bucket.requests++;
        bucket.byKind[kind] = (bucket.byKind[kind] ?? 0) + 1;
        if (status === -1) bucket.networkErrors++;
        else if (status >= 500) bucket.status5xx++;
        else if (status === 429) bucket.status429++;
        else if (!expect.includes(status)) bucket.otherNon2xx[`${kind} ${status}`] = (bucket.otherNon2xx[`${kind} ${status}`] ?? 0) + 1;
      }
      minute.latencies.push(ms);
      (minute.kindLatencies[kind] ??= []).push(ms);
      return { status, data };
    }

    const weekStart = () => new Date(Date.UTC(2026, 0, 1) + Math.floor(Math.random() * 330) * 86_400_000);
    const actions = [
      [45, async () => {
        const from = weekStart();
        const to = new Date(from.getTime() + 7 * 86_400_000);
        await call('list', 'GET', `/api/v1/events?from=${from.toISOString()}&to=${to.toISOString()}&limit=50`, { headers: auth });
      }],
      [10, async () => {
        const id = createdEvents[Math.floor(Math.random() * createdEvents.length)];
        if (id) await call('get', 'GET', `/api/v1/events/${id}`, { headers: auth });
      }],
      [10, async () => {
        const start = new Date(Date.UTC(2027, 1, 1) + Math.floor(Math.random() * 60 * 24 * 60) * 60_000);
        const { status, data } = await call('create', 'POST', '/api/v1/events', {
          headers: json,
          expect: [201],
          body: { title: `Soak ${Math.random().toString(36).slice(2, 8)}`, startTime: start.toISOString(), endTime: new Date(start.getTime() + 30 * 60_000).toISOString(), reminders: [{ method: 'popup', minutesBefore: 10 }] },
        });
        if (status === 201) createdEvents.push(data.id);
      }],
      [5, async () => {
        const id = createdEvents[Math.floor(Math.random() * createdEvents.length)];
        if (id) await call('update', 'PATCH', `/api/v1/events/${id}`, { headers: json, body: { title: `Edited ${Date.now()}` }, expect: [200, 404] });
      }],
      [5, async () => {
        const id = createdEvents.splice(Math.floor(Math.random() * createdEvents.length), 1)[0];
        if (id) await call('delete', 'DELETE', `/api/v1/events/${id}`, { headers: auth, expect: [204, 404] });
      }],
      [15, async () => {
        const { status, data } = await call('slots', 'GET', slotsPath);
        if (status === 200) slotStarts = data.slots.map((slot) => slot.start);
      }],
      [10, async () => {
        if (Math.random() < 0.5 && openBookings.length) {
          const tokenOf = openBookings.splice(Math.floor(Math.random() * openBookings.length), 1)[0];
          await call('cancel', 'POST', `/api/v1/bookings/manage/${tokenOf}/cancel`, { headers: { 'content-type': 'application/json' }, body: {}, expect: [200, 409] });
          return;
        }
        const start = slotStarts[Math.floor(Math.random() * slotStarts.length)];
        if (!start) return;
        const n = Math.random().toString(36).slice(2, 8);
        // 409: someone took the slot or the day is full; 422-free by construction.
        const { status, data } = await call('book', 'POST', '/api/v1/bookings', {
          headers: { 'content-type': 'application/json' },
          body: { slug, start, name: `Booker ${n}`, email: `booker-${n}@example.com`, timezone: 'Europe/London' },
          expect: [201, 409],
        });
        if (status === 201) openBookings.push(data.manageToken);
      }],
    ];
    const totalWeight = actions.reduce((sum, [weight]) => sum + weight, 0);
    const pick = () => {
      let r = Math.random() * totalWeight;
      for (const [weight, action] of actions) if ((r -= weight) < 0) return action;
      return actions[0][1];
    };

    await call('slots', 'GET', slotsPath).then(({ data }) => (slotStarts = data.slots.map((slot) => slot.start)));
    const samples = [];
    const started = Date.now();
    const endAt = started + minutes * 60_000;
    let stop = false;
    const callers = Array.from({ length: concurrency }, async () => {
      while (!stop) await pick()();
    });
    console.error(`soak: ${minutes} min, ${concurrency} callers, load ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
    for (let m = 1; m <= minutes; m++) {
      await new Promise((r) => setTimeout(r, Math.max(0, started + m * 60_000 - Date.now())));
      const done = minute;
      minute = fresh();
      done.latencies.sort((a, b) => a - b);
      const sample = {
        minute: m,
        requests: done.requests,
        perSecond: Math.round(done.requests / 60),
        p50: percentile(done.latencies, 0.5),
        p99: percentile(done.latencies, 0.99),
        status5xx: done.status5xx,
        networkErrors: done.networkErrors,
        status429: done.status429,
        otherNon2xx: done.otherNon2xx,
        // Which requests slow down, if the minutes do.
        p50ByKind: Object.fromEntries(
          Object.entries(done.kindLatencies)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([kind, list]) => [kind, percentile(list.sort((a, b) => a - b), 0.5)]),
        ),
        rssMiB: rssMiB(server.pid),
        load1: +loadavg()[0].toFixed(2),
      };
      samples.push(sample);
      console.error(JSON.stringify(sample));
    }
    stop = true;
    await Promise.all(callers);

    // Growth: the last three minutes against minutes 2–4 (the first minute warms up JIT and pools).
    const rssAt = (from, to) => Math.max(...samples.filter((s) => s.minute >= from && s.minute <= to).map((s) => s.rssMiB));
    const early = rssAt(2, Math.min(4, minutes));
    const late = rssAt(Math.max(1, minutes - 2), minutes);
    const grew = minutes >= 5 && late > early * 1.1 + 10;
    const failed = all.status5xx > 0 || all.networkErrors > 0;
    const report = {
      bench: 'soak',
      date: new Date(started).toISOString(),
      node: process.version,
      machine: { cores: cpus().length, model: cpus()[0].model },
      minutes,
      concurrency,
      totals: all,
      rss: { early, late, grew },
      samples,
      passed: !failed && !grew,
    };
    mkdirSync(join(root, 'bench', 'results'), { recursive: true });
    const out = join(root, 'bench', 'results', `soak-${report.date.replace(/[:.]/g, '-')}.json`);
    writeFileSync(out, JSON.stringify(report, null, 2));

    console.log(`\nsoak ${report.date}: ${minutes} min, ${concurrency} callers, ${all.requests} requests (${JSON.stringify(all.byKind)})`);
    console.log('minute  req/s  p50 ms  p99 ms  5xx  net-err  429  RSS MiB  load');
    for (const s of samples) {
      console.log(`${String(s.minute).padStart(6)} ${String(s.perSecond).padStart(6)} ${String(s.p50).padStart(7)} ${String(s.p99).padStart(7)} ${String(s.status5xx).padStart(4)} ${String(s.networkErrors).padStart(8)} ${String(s.status429).padStart(4)} ${String(s.rssMiB).padStart(8)}  ${s.load1}`);
    }
    const kinds = Object.keys(samples[0]?.p50ByKind ?? {});
    console.log(`p50 ms by request\nminute ${kinds.map((kind) => kind.padStart(7)).join(' ')}`);
    for (const s of samples) console.log(`${String(s.minute).padStart(6)} ${kinds.map((kind) => String(s.p50ByKind[kind] ?? '-').padStart(7)).join(' ')}`);
    console.log(`unexpected non-2xx (not 5xx): ${JSON.stringify(all.otherNon2xx)}`);
    console.log(`RSS minutes 2–4 max ${early} MiB, last three max ${late} MiB: ${grew ? 'GREW' : 'no growth'}; 5xx ${all.status5xx}, network errors ${all.networkErrors}`);
    console.log(`${report.passed ? 'PASSED' : 'FAILED'} — raw results: ${out}`);
    if (!report.passed) process.exitCode = 1;
  } finally {
    await server.stop();
  }
});
