// Webhook fan-out: N changes (events created through the API) delivered to 3 endpoints on a local receiver.
// Prints deliveries/s and commit-to-receive latency (p50/p99) for a burst of N changes and for a paced
// trickle, on a fresh database (BENCH_PG=postgres://... for real PostgreSQL, else embedded PGlite).
//
//   npm run build && node bench/webhooks-fanout.bench.mjs --changes 10000
//   npm run build && BENCH_PG=postgres://postgres@127.0.0.1:5432 node bench/webhooks-fanout.bench.mjs --changes 10000
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { register, rssMiB, startServer, withBenchDatabase } from './lib.mjs';

const { values } = parseArgs({
  options: {
    changes: { type: 'string', default: '10000' },
    endpoints: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '16' },
    trickle: { type: 'string', default: '100' },
  },
});
const changes = Number(values.changes);
const endpointCount = Number(values.endpoints);

/** The receiver: answers 204 at once and records when each message arrived. */
const arrivals = [];
const seen = new Set();
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    const at = Date.now();
    const id = `${req.url} ${req.headers['webhook-id']}`;
    if (!seen.has(id)) {
      seen.add(id);
      arrivals.push({ at, changedAt: Date.parse(JSON.parse(body).timestamp) });
    }
    res.writeHead(204).end();
  });
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverPort = receiver.address().port;

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function waitForArrivals(count, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (arrivals.length < count) {
    if (Date.now() > deadline) throw new Error(`only ${arrivals.length} of ${count} deliveries arrived`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function latencies(from) {
  const slice = arrivals.slice(from).map((a) => a.at - a.changedAt).sort((a, b) => a - b);
  return { p50: quantile(slice, 0.5), p99: quantile(slice, 0.99), max: slice.at(-1) };
}

await withBenchDatabase(async (dbEnv) => {
  // Development mode: the receiver is on loopback, which only WEBHOOKS_ALLOW_PRIVATE admits (never in production).
  const server = await startServer({ ...dbEnv, NODE_ENV: 'development', WORKERS: 'on', WEBHOOKS_ALLOW_PRIVATE: 'true', JOB_CONCURRENCY: '20',
    // A burst on PGlite outlasts a 15-minute access token, and one user's burst is not what limits are for.
    JWT_ACCESS_TTL_SECONDS: '86400', RATE_LIMIT_PER_USER: '0' });
  try {
    const { accessToken } = await register(server.base);
    const headers = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
    for (let i = 0; i < endpointCount; i++) {
      const res = await fetch(`${server.base}/api/v1/webhooks`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ url: `http://127.0.0.1:${receiverPort}/endpoint-${i}` }),
      });
      if (res.status !== 201) throw new Error(`webhook: ${res.status} ${await res.text()}`);
    }
    const createEvent = async (i) => {
      const start = new Date(Date.UTC(2027, 0, 1) + i * 3_600_000);
      const res = await fetch(`${server.base}/api/v1/events`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ title: `Bench ${i}`, startTime: start.toISOString(), endTime: new Date(start.getTime() + 1_800_000).toISOString() }),
      });
      if (res.status !== 201) throw new Error(`event: ${res.status} ${await res.text()}`);
    };

    // Burst: every change as fast as the API takes them; the queue fills and drains.
    const started = Date.now();
    let next = 0;
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMiB(server.pid) ?? 0)), 500);
    await Promise.all(
      Array.from({ length: Number(values.concurrency) }, async () => {
        while (next < changes) await createEvent(next++);
      }),
    );
    const committed = Date.now();
    const expected = changes * endpointCount;
    await waitForArrivals(expected, 30 * 60_000);
    clearInterval(sampler);
    const done = arrivals[expected - 1].at;
    const burst = latencies(0);

    // Trickle: one change every 100 ms, the queue idle between them: latency without queueing.
    const trickle = Number(values.trickle);
    const before = arrivals.length;
    for (let i = 0; i < trickle; i++) {
      await createEvent(changes + i);
      await new Promise((r) => setTimeout(r, 100));
    }
    await waitForArrivals(before + trickle * endpointCount, 60_000);
    const idle = latencies(before);

    console.log(JSON.stringify({
      database: dbEnv.DATABASE_URL ? 'postgresql' : 'pglite',
      changes,
      endpoints: endpointCount,
      deliveries: expected,
      changesCommittedInS: (committed - started) / 1000,
      lastDeliveryAfterS: (done - started) / 1000,
      deliveriesPerSecond: Math.round(expected / ((done - started) / 1000)),
      burstLatencyMs: burst,
      trickleLatencyMs: idle,
      peakRssMiB: peakRss,
      duplicates: 'none (counted once per endpoint and webhook-id)',
    }, null, 2));
  } finally {
    await server.stop();
    receiver.close();
  }
});
