// Google sync: the initial import of a 10,000-event calendar from the fake Google (wall time, SQL statements
// per event), then push-to-local-change latency at GOOGLE_PUSH_DEBOUNCE_MS 2000 (the default) and 0.
// Run (after `npm run build`):
//   npm run bench -- google-sync                                                embedded PGlite
//   BENCH_PG=postgres://postgres@127.0.0.1:5432 npm run bench -- google-sync    real PostgreSQL
// Options: --events 10000 --series 200 --rounds 10
import '../scripts/ts-register.mjs';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { register, root, startServer, withBenchDatabase } from './lib.mjs';

const { values: opts } = parseArgs({ options: { events: { type: 'string', default: '10000' }, series: { type: 'string', default: '200' }, rounds: { type: 'string', default: '10' } } });
const total = Number(opts.events);
const seriesCount = Number(opts.series);
const rounds = Number(opts.rounds);
const { startFakeGoogle } = await import('../test/fakes/google/index.js');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

/** 10,000 events: `seriesCount` weekly series (20 weeks; every 4th with one moved and one cancelled instance), the rest single, every 10th all-day. */
function seed(fake, calendarId) {
  const day0 = Date.UTC(2026, 0, 5);
  const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const singles = [];
  for (let i = 0; i < total - seriesCount; i++) {
    const start = day0 + i * 47 * 60_000;
    if (i % 10 === 0) {
      const d = new Date(start).toISOString().slice(0, 10);
      const e = new Date(start + 86_400_000).toISOString().slice(0, 10);
      singles.push({ summary: `All-day ${i}`, start: { date: d }, end: { date: e } });
    } else {
      singles.push({ summary: `Event ${i}`, description: 'Seeded by the bench', start: { dateTime: iso(start) }, end: { dateTime: iso(start + 30 * 60_000) }, attendees: i % 5 === 0 ? [{ email: `guest${i}@example.com` }, { email: 'bench@example.com', self: true }] : undefined });
    }
  }
  const series = [];
  for (let s = 0; s < seriesCount; s++) {
    const start = day0 + (s % 5) * 86_400_000 + (8 + (s % 9)) * 3_600_000;
    series.push({ summary: `Series ${s}`, start: { dateTime: new Date(start).toISOString().slice(0, 19), timeZone: 'Europe/Berlin' }, end: { dateTime: new Date(start + 45 * 60_000).toISOString().slice(0, 19), timeZone: 'Europe/Berlin' }, recurrence: ['RRULE:FREQ=WEEKLY;COUNT=20'] });
  }
  const singleIds = fake.seedEvents(calendarId, singles);
  const seriesIds = fake.seedEvents(calendarId, series);
  let overrides = 0;
  seriesIds.forEach((id, s) => {
    if (s % 4 !== 0) return;
    const master = fake.getEvent(calendarId, id);
    const first = new Date(`${master.start.dateTime}`.length > 19 ? master.start.dateTime : `${master.start.dateTime}Z`);
    // Occurrence starts as Google reports them: take the fake's own instance list is costly; use instanceId math on the UTC start.
    const instances = fake.events(calendarId).filter(() => false);
    void instances;
    const week = 7 * 86_400_000;
    const occ3 = new Date(first.getTime() + 3 * week);
    const occ5 = new Date(first.getTime() + 5 * week);
    try {
      fake.moveInstance(calendarId, id, occ3, { start: { dateTime: iso(occ3.getTime() + 3_600_000) }, end: { dateTime: iso(occ3.getTime() + 3_600_000 + 45 * 60_000) } });
      fake.cancelInstance(calendarId, id, occ5);
      overrides += 2;
    } catch {
      // an instance start that does not match the rule (zone offset): skipped
    }
  });
  return { singleIds, seriesIds, overrides };
}

async function counts(server) {
  return (await fetch(`${server.base}/__bench/sql-counts`)).json();
}

const results = { bench: 'google-sync', date: new Date().toISOString(), loadStart: loadavg().map((x) => x.toFixed(1)).join(' ') };
await withBenchDatabase(async (databaseEnv) => {
  results.database = databaseEnv.DATABASE_URL ? 'postgres' : 'pglite';
  const fake = await startFakeGoogle({ allowHttpPush: true, consentMode: 'auto' });
  const port = 3900 + Math.floor(Math.random() * 90);
  const base = `http://127.0.0.1:${port}`;
  const oauth = fake.registerOAuthClient({ redirectUris: [`${base}/api/v1/oauth/callback`] });
  const dataDir = mkdtempSync(join(tmpdir(), 'calento-gbench-'));
  // One encryption key for both starts: the OAuth tokens the first start stored must decrypt after the restart
  // (startServer draws a new key per start otherwise, and the restarted app could not call Google).
  const encryptionKeys = `bench:${randomBytes(32).toString('base64')}`;
  const env = (debounce) => ({ ...databaseEnv, ENCRYPTION_KEYS: encryptionKeys, ...fake.env, DATA_DIR: dataDir, APP_BASE_URL: base, GOOGLE_PUSH_DEBOUNCE_MS: String(debounce), WORKERS: 'on', JOB_POLL_INTERVAL_MS: '100', SQL_COUNT_FILE: '1', RATE_LIMIT_PER_USER: '10000000' });
  const nodeArgs = ['--import', join(root, 'bench/google-sync/count-sql.mjs')];
  let server = await startServer(env(2000), { port, nodeArgs, stdout: 'ignore' });
  try {
    const email = 'bench.owner@example.com';
    fake.createAccount(email, { timeZone: 'Europe/Berlin' });
    const seeded = seed(fake, email);
    const { accessToken } = await register(base);
    const auth = { authorization: `Bearer ${accessToken}` };
    const call = async (method, path, body, expected = [200, 201, 202]) => {
      const res = await fetch(`${base}${path}`, { method, headers: body ? { ...auth, 'content-type': 'application/json' } : auth, body: body && JSON.stringify(body) });
      if (!expected.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    const { id: clientId } = await call('POST', '/api/v1/clients', { name: 'Bench client' });
    const { id: credentialId } = await call('POST', '/api/v1/oauth', { clientId, googleClientId: oauth.clientId, clientSecret: oauth.clientSecret });
    const { url } = await call('POST', `/api/v1/oauth/${credentialId}/authorize`);
    fake.setConsent({ mode: 'auto', account: email, decision: 'allow' });
    const google = await fetch(url, { redirect: 'manual' });
    const back = await fetch(google.headers.get('location'), { redirect: 'manual' });
    if (!/oauth=connected/.test(back.headers.get('location') ?? '')) throw new Error(`OAuth: ${back.status} ${back.headers.get('location')}`);
    await call('GET', `/api/v1/clients/${clientId}/calendars`);

    const status = async () => (await call('GET', `/api/v1/calendar/sync/status?clientId=${clientId}`)).data.find((s) => s.calendarId === email);
    const before = await counts(server);
    const started = Date.now();
    await call('POST', '/api/v1/calendar/sync/initial', { clientId, calendarId: email, strategy: 'import' });
    let last;
    for (;;) {
      last = await status();
      if (last?.state === 'idle' && last.lastSyncedAt && Date.parse(last.lastSyncedAt) >= started - 1000) break;
      if (last?.state === 'error' || last?.lastError) throw new Error(`sync: ${JSON.stringify(last)}`);
      if (Date.now() - started > 600_000) throw new Error(`sync did not finish: ${JSON.stringify(last)}`);
      await sleep(100);
    }
    const syncMs = Date.now() - started;
    const after = await counts(server);
    const statements = after.background - before.background;
    const byKind = Object.fromEntries(Object.entries(after.byKind).map(([k, v]) => [k, v - (before.byKind[k] ?? 0)]).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]).slice(0, 12));
    const googleEvents = fake.events(email, { includeCancelled: true }).length;
    Object.assign(results, { seeded: { events: total, series: seriesCount, instanceChanges: seeded.overrides, googleResources: googleEvents }, initialSync: { ms: syncMs, counts: last.counts, statements, statementsPerEvent: +(statements / total).toFixed(2), byKind } });
    console.error(`initial sync: ${syncMs} ms, ${statements} background statements (${(statements / total).toFixed(2)}/event)`, last.counts);

    // Push latency: change a single event at the fake, time until GET /events shows the new title.
    const target = seeded.singleIds[1];
    const t0 = Date.UTC(2026, 0, 5) + 1 * 47 * 60_000;
    const window = `from=${new Date(t0 - 60_000).toISOString()}&to=${new Date(t0 + 3_600_000).toISOString()}&limit=50`;
    for (const debounce of [2000, 0]) {
      try {
      if (debounce !== 2000) {
        await server.stop();
        server = await startServer(env(debounce), { port, nodeArgs, stdout: 'ignore' });
      }
      const latencies = [];
      for (let r = 0; r < rounds; r++) {
        const title = `Changed d${debounce} r${r}`;
        const changedAt = Date.now();
        fake.updateEvent(email, target, { summary: title });
        for (;;) {
          const page = await call('GET', `/api/v1/events?${window}`);
          if (page.data.some((e) => e.title === title)) break;
          if (Date.now() - changedAt > 60_000) throw new Error(`push round ${r}: change not seen in 60 s`);
          await sleep(10);
        }
        latencies.push(Date.now() - changedAt);
        await sleep(debounce + 500);
      }
      results[`pushLatencyDebounce${debounce}`] = { rounds, p50: pct(latencies, 50), p95: pct(latencies, 95), min: Math.min(...latencies), max: Math.max(...latencies), all: latencies };
      console.error(`push latency, debounce ${debounce} ms:`, latencies.join(' '));
      } catch (error) {
        results[`pushLatencyDebounce${debounce}`] = { error: String(error.message) };
        console.error(`push latency, debounce ${debounce} ms: ${error.message}`);
      }
    }
  } finally {
    await server.stop();
    await fake.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
results.loadEnd = loadavg().map((x) => x.toFixed(1)).join(' ');
console.log(JSON.stringify(results));
