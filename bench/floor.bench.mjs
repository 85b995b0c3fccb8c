// Calento against the floor (bench/floor/server.mjs: bare Fastify + pg doing the same work) on one
// PostgreSQL database with the same data: GET /events?from&to&limit=50 for a user with 10,000 events
// (50 connections), the booking page's slot request (10 connections), and /health/live against a bare
// hello route (50 connections). Before loading, it checks that both servers send PostgreSQL the same
// statements with the same values and answer byte-identical bodies, and stops if not.
//
// Run (after `npm run build`; needs wrk, and PostgreSQL at BENCH_PG):
//   npm run bench -- floor [--rounds 3] [--duration 15] [--routes events,events-naive,slots,health] [--profile dir] [--floor bare|nest|nest-full]
//   BENCH_PG=postgres://postgres@127.0.0.1:5432 node bench/floor.bench.mjs
//
// Rounds are interleaved (Calento first in odd rounds, the floor first in even ones) so that the other
// work on a shared machine weighs on both sides alike; the ratios are per round, then their median.
// Each load also reports both servers' garbage collection (bench/floor/gc-stats.mjs): KB promoted to the
// old generation per request, full collections per 1,000 requests, and collection time per request.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { load, productionEnv, productionNodeFlags, residentMiB, root, startServer, withBenchDatabase } from './lib.mjs';
import { EVENTS_PATH, seedBookingHost, seedEventsUser } from './floor/seed.mjs';

const { values: options } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '15' },
    routes: { type: 'string', default: 'events,slots,health' },
    keep: { type: 'boolean', default: false },
    // CPU profiles of both servers during round 1's measured loads, written to this folder.
    profile: { type: 'string' },
    // The floor runs with Calento's V8 heap flags and malloc setting (lib.mjs productionNodeFlags and
    // productionEnv), so that the ratio compares the servers' code, not two runtime settings; this runs
    // the floor with the defaults instead.
    'floor-default-heap': { type: 'boolean', default: false },
    // What serves the floor's routes: bare Fastify, or a minimal NestJS app without (nest) or with
    // (nest-full) the packages Calento loads at start (bench/floor/nest-floor.mjs). The checks and the
    // handlers are the same; the NestJS floors show what the card's framework costs by itself.
    floor: { type: 'string', default: 'bare' },
  },
});
const rounds = Number(options.rounds);
const duration = Number(options.duration);
const routes = options.routes.split(',');
if (!['bare', 'nest', 'nest-full'].includes(options.floor)) {
  console.error(`floor bench: --floor is bare, nest or nest-full, not "${options.floor}"`);
  process.exit(1);
}
process.env.BENCH_PG ??= 'postgres://postgres@127.0.0.1:5432';
if (spawnSync('wrk', ['--version']).error) {
  console.error('floor bench: wrk is required (apt-get install -y wrk); autocannon would share the cores unevenly');
  process.exit(1);
}

const capture = join(root, 'bench', 'floor', 'capture-sql.mjs');
const profiler = join(root, 'bench', 'floor', 'profile.mjs');
const gcStats = join(root, 'bench', 'floor', 'gc-stats.mjs');
const profileDir = options.profile ? resolve(options.profile) : null;
if (profileDir) mkdirSync(profileDir, { recursive: true });
const preloads = ['--import', capture, '--import', gcStats, ...(profileDir ? ['--import', profiler] : [])];
const scratch = join(tmpdir(), `calento-floor-${process.pid}`);
mkdirSync(scratch, { recursive: true });
const captureFile = join(scratch, 'statements.jsonl');
const statementsFile = join(scratch, 'floor-statements.json');
const gcStatsFile = (name) => join(scratch, `gc-${name}.json`);

/** The collection totals a server's gc-stats preload last wrote, after letting it write once more. */
async function collections(name) {
  await new Promise((r) => setTimeout(r, 300));
  return JSON.parse(readFileSync(gcStatsFile(name), 'utf8'));
}
const jwtSecret = 'bench-secret-bench-secret-bench-secret-0123';

/** Which of Calento's statements is which, for the floor (by what each reads). */
const roles = [
  ['listJson', /string_agg\(\(SELECT row_to_json/],
  ['list', /count\(\*\) OVER \(\)/],
  ['user', /FROM users WHERE id = \$1$/],
  ['link', /FROM booking_links WHERE slug = \$1/],
  ['rules', /FROM availability WHERE user_id/],
  ['exceptions', /FROM availability_exceptions/],
  ['hostBookings', /FROM bookings b LEFT JOIN booking_links l/],
  ['busyEvents', /\) v WHERE true/],
  ['overrides', /WHERE series_id = ANY/],
  ['linkBookings', /WHERE booking_link_id = \$1/],
  ['busyCalendars', /FROM client_calendars WHERE user_id = \$1 AND busy/],
];

function fail(message) {
  console.error(`\nfloor bench: ${message}\n`);
  throw new Error(message);
}

/** The statements (text and values) the server ran for one request labelled `label`. */
async function capturedRun(base, path, headers, label) {
  const res = await fetch(`${base}${path}`, { headers: { ...headers, 'x-capture-sql': label } });
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) fail(`${label}: ${res.status} ${body.toString().slice(0, 300)}`);
  const lines = readFileSync(captureFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  return { body, statements: lines.filter((line) => line.label === label).map(({ text, values }) => ({ text, values })) };
}

function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/**
 * CPU time (ms) of a process's threads by kind: the JavaScript thread, V8's workers (concurrent and
 * parallel garbage collection, background compilation), libuv's pool (file writes, DNS) and the rest.
 * Node 22 and newer name their threads; on Node 20 every thread is `node` and only `main` is told apart.
 */
function threadCpuMs(pid) {
  const kinds = { main: 0, v8: 0, libuv: 0, other: 0 };
  let tids = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return kinds;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
      const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
      const kind = tid === String(pid) ? 'main' : name.startsWith('V8') ? 'v8' : name === 'libuv-worker' ? 'libuv' : 'other';
      kinds[kind] += ms;
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return kinds;
}

function startFloor(env) {
  const port = 3990 + Math.floor(Math.random() * 9);
  const heapFlags = options['floor-default-heap'] ? [] : productionNodeFlags;
  const runtimeEnv = options['floor-default-heap'] ? {} : productionEnv;
  const child = spawn(process.execPath, [...heapFlags, ...preloads, join(root, 'bench', 'floor', 'server.mjs')], {
    cwd: root,
    env: { ...process.env, ...runtimeEnv, ...env, PORT: String(port), JWT_SECRET: jwtSecret, FLOOR_STATEMENTS: statementsFile, CAPTURE_SQL_FILE: captureFile, GC_STATS_FILE: gcStatsFile('floor'), PROFILE_DIR: profileDir ?? '', ...(options.floor === 'bare' ? {} : { FLOOR_FRAMEWORK: options.floor }) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return {
    base: `http://127.0.0.1:${port}`,
    pid: child.pid,
    async ready() {
      for (let i = 0; i < 100; i++) {
        try {
          if ((await fetch(`http://127.0.0.1:${port}/hello`)).ok) return;
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      fail('the floor server did not start');
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** V8's heap spaces (resident MiB) in four groups: young, old (with trusted and shared), code, large objects. */
function heapGroups(spaces) {
  const groups = { new: 0, old: 0, code: 0, large: 0 };
  for (const [name, mib] of Object.entries(spaces)) {
    const group = name.startsWith('new_') ? 'new' : name.startsWith('code_') ? 'code' : name.includes('large_object') ? 'large' : 'old';
    groups[group] += mib;
  }
  return Object.fromEntries(Object.entries(groups).map(([group, mib]) => [group, Math.round(mib)]));
}

const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

await withBenchDatabase(async (databaseEnv) => {
  const calento = await startServer(
    // Calento as it runs by default: a log line per request (to /dev/null here).
    { ...databaseEnv, JWT_SECRET: jwtSecret, CAPTURE_SQL_FILE: captureFile, GC_STATS_FILE: gcStatsFile('calento'), RATE_LIMIT_PUBLIC_PER_IP: '1000000', LOG_LEVEL: 'info', PROFILE_DIR: profileDir ?? '' },
    { nodeArgs: preloads, stdout: 'ignore' },
  );
  let floor;
  try {
    const seedStarted = Date.now();
    const [token, slotsPath] = await Promise.all([seedEventsUser(calento.base), seedBookingHost(calento.base)]);
    console.error(`seeded in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s`);
    const auth = { authorization: `Bearer ${token}` };
    const targets = {
      events: { path: EVENTS_PATH, floorPath: EVENTS_PATH, headers: auth, connections: 50 },
      // Calento against the floor running the list statement as rows (bench/floor/naive-list.sql).
      'events-naive': { path: EVENTS_PATH, floorPath: `/naive${EVENTS_PATH}`, headers: auth, connections: 50 },
      slots: { path: slotsPath, floorPath: slotsPath, headers: {}, connections: 10 },
      health: { path: '/health/live', floorPath: '/hello', headers: {}, connections: 50 },
    };

    // What Calento runs for each route, and the floor's statements taken from it.
    const calentoRuns = {};
    for (const route of ['events', 'slots']) {
      await fetch(`${calento.base}${targets[route].path}`, { headers: targets[route].headers }); // warm caches
      calentoRuns[route] = await capturedRun(calento.base, targets[route].path, targets[route].headers, `calento-${route}`);
    }
    const statements = {};
    for (const { text } of [...calentoRuns.events.statements, ...calentoRuns.slots.statements]) {
      const role = roles.find(([, pattern]) => pattern.test(text))?.[0];
      if (!role) fail(`Calento ran a statement the floor does not know; update bench/floor/server.mjs:\n${text}`);
      if (statements[role] && statements[role] !== text) fail(`two different statements look like "${role}"`);
      statements[role] = text;
    }
    writeFileSync(statementsFile, JSON.stringify(statements, null, 2));

    floor = startFloor(databaseEnv);
    await floor.ready();
    const checks = {};
    for (const route of ['events', 'slots']) {
      const mine = calentoRuns[route];
      await fetch(`${floor.base}${targets[route].floorPath}`, { headers: targets[route].headers }); // warm its session cache too
      const bare = await capturedRun(floor.base, targets[route].floorPath, targets[route].headers, `floor-${route}`);
      const again = await capturedRun(calento.base, targets[route].path, targets[route].headers, `calento-${route}-2`);
      const key = (list) => list.map((s) => JSON.stringify(s)).sort().join('\n');
      if (key(mine.statements) !== key(bare.statements)) {
        fail(`${route}: the servers sent different statements or values\nCalento:\n${key(mine.statements)}\nfloor:\n${key(bare.statements)}`);
      }
      if (!again.body.equals(bare.body)) {
        const at = [...again.body].findIndex((byte, i) => byte !== bare.body[i]);
        fail(`${route}: bodies differ at byte ${at}\nCalento: …${again.body.subarray(Math.max(0, at - 120), at + 120)}\nfloor:   …${bare.body.subarray(Math.max(0, at - 120), at + 120)}`);
      }
      checks[route] = { statements: mine.statements.length, bodyBytes: bare.body.length };
      console.error(`${route}: ${mine.statements.length} statements with equal values, ${bare.body.length} identical bytes`);
    }
    if (routes.includes('events-naive')) {
      // The naive floor runs other SQL on purpose; its body must still be Calento's, byte for byte.
      const mine = await capturedRun(calento.base, targets.events.path, targets.events.headers, 'calento-naive');
      const bare = await capturedRun(floor.base, targets['events-naive'].floorPath, targets.events.headers, 'floor-naive');
      if (!mine.body.equals(bare.body)) fail('events-naive: the naive floor\'s body differs from Calento\'s');
      checks['events-naive'] = { bodyBytes: bare.body.length };
    }
    rmSync(captureFile, { force: true });

    const servers = { calento, floor };
    const profiles = {};
    const results = []; // { round, route, server, requestsPerSecond, p50, p99, cpuMsPerRequest, rssMiB }
    const machine = { cores: cpus().length, model: cpus()[0].model, loadBefore: loadavg().map((n) => +n.toFixed(2)) };
    for (let round = 1; round <= rounds; round++) {
      const order = round % 2 ? ['calento', 'floor'] : ['floor', 'calento'];
      for (const route of routes) {
        const target = targets[route];
        for (const name of order) {
          const server = servers[name];
          const url = `${server.base}${name === 'floor' ? target.floorPath : target.path}`;
          const seconds = route === 'health' ? Math.min(duration, 5) : duration;
          await load({ url, headers: target.headers, connections: target.connections, duration: round === 1 ? 5 : 2 });
          const profiling = profileDir && round === 1;
          const gcBefore = await collections(name);
          if (profiling) process.kill(server.pid, 'SIGWINCH');
          const cpuBefore = cpuMs(server.pid);
          const threadsBefore = threadCpuMs(server.pid);
          const result = await load({ url, headers: target.headers, connections: target.connections, duration: seconds });
          const cpu = cpuMs(server.pid) - cpuBefore;
          const threadsAfter = threadCpuMs(server.pid);
          const gcAfter = await collections(name);
          const served = result.requestsPerSecond * seconds;
          const resident = residentMiB(server.pid);
          if (profiling) {
            profiles[server.pid] = (profiles[server.pid] ?? 0) + 1;
            process.kill(server.pid, 'SIGWINCH');
            const written = join(profileDir, `${server.pid}-${profiles[server.pid]}.cpuprofile`);
            for (let i = 0; i < 50; i++) {
              await new Promise((r) => setTimeout(r, 200));
              try {
                renameSync(written, join(profileDir, `${name}-${route}.cpuprofile`));
                break;
              } catch {
                // not written yet
              }
            }
          }
          if (result.non2xx) fail(`${name} ${route}: ${result.non2xx} responses were not 2xx`);
          const row = {
            round,
            route,
            server: name,
            requestsPerSecond: result.requestsPerSecond,
            p50: result.p50,
            p99: result.p99,
            cpuMsPerRequest: +(cpu / served).toFixed(3),
            // The same by thread kind (threads that ended during the load are missing from these).
            threadCpuMsPerRequest: Object.fromEntries(Object.keys(threadsAfter).map((kind) => [kind, +((threadsAfter[kind] - threadsBefore[kind]) / served).toFixed(3)])),
            // Garbage collection during the load: KB promoted to the old generation per request, full
            // collections per 1,000 requests, and the main thread's time in collections per request.
            promotedKBPerRequest: +((gcAfter.promotedBytes - gcBefore.promotedBytes) / 1024 / served).toFixed(1),
            fullCollectionsPer1000: +(((gcAfter.full - gcBefore.full) * 1000) / served).toFixed(2),
            gcMsPerRequest: +((gcAfter.pauseMs - gcBefore.pauseMs) / served).toFixed(3),
            rssMiB: resident?.rss ?? null,
            // Where that RSS is: anonymous and file-backed pages, V8's heap by space group, and its use.
            memory: { anon: resident?.anon, file: resident?.file, heap: heapGroups(gcAfter.heapResidentMiB), heapUsed: gcAfter.heapUsedMiB, external: gcAfter.externalMiB },
            load1: +loadavg()[0].toFixed(2),
          };
          results.push(row);
          console.error(JSON.stringify(row));
        }
      }
    }

    const summary = routes.map((route) => {
      const of = (name) => results.filter((r) => r.route === route && r.server === name);
      const ratios = [];
      const p99Ratios = [];
      for (let round = 1; round <= rounds; round++) {
        const c = of('calento').find((r) => r.round === round);
        const f = of('floor').find((r) => r.round === round);
        ratios.push(c.requestsPerSecond / f.requestsPerSecond);
        p99Ratios.push(c.p99 / f.p99);
      }
      const side = (name) => ({
        requestsPerSecond: of(name).map((r) => r.requestsPerSecond),
        p50: of(name).map((r) => r.p50),
        p99: of(name).map((r) => r.p99),
        cpuMsPerRequest: median(of(name).map((r) => r.cpuMsPerRequest)),
        threadCpuMsPerRequest: Object.fromEntries(['main', 'v8', 'libuv', 'other'].map((kind) => [kind, median(of(name).map((r) => r.threadCpuMsPerRequest[kind]))])),
        promotedKBPerRequest: median(of(name).map((r) => r.promotedKBPerRequest)),
        fullCollectionsPer1000: median(of(name).map((r) => r.fullCollectionsPer1000)),
        gcMsPerRequest: median(of(name).map((r) => r.gcMsPerRequest)),
        rssMiB: Math.max(...of(name).map((r) => r.rssMiB)),
      });
      return {
        route,
        connections: targets[route].connections,
        calento: side('calento'),
        floor: side('floor'),
        ratio: { median: +median(ratios).toFixed(2), min: +Math.min(...ratios).toFixed(2), max: +Math.max(...ratios).toFixed(2) },
        p99Ratio: { median: +median(p99Ratios).toFixed(2), min: +Math.min(...p99Ratios).toFixed(2), max: +Math.max(...p99Ratios).toFixed(2) },
      };
    });
    machine.loadAfter = loadavg().map((n) => +n.toFixed(2));
    const production = `${productionNodeFlags.join(' ')} ${Object.entries(productionEnv).map(([k, v]) => `${k}=${v}`).join(' ')}`;
    const floorHeap = options['floor-default-heap'] ? 'V8 and glibc defaults' : production;
    const report = { bench: 'floor', floor: options.floor, date: new Date().toISOString(), node: process.version, heap: { calento: production, floor: floorHeap }, machine, duration, rounds, checks, summary, results };
    mkdirSync(join(root, 'bench', 'results'), { recursive: true });
    const out = join(root, 'bench', 'results', `floor-${report.date.replace(/[:.]/g, '-')}.json`);
    writeFileSync(out, JSON.stringify(report, null, 2));

    console.log(`\nfloor bench ${report.date}, Node ${process.version}, ${machine.cores} × ${machine.model}, load ${machine.loadBefore.join(' ')} → ${machine.loadAfter.join(' ')}`);
    console.log(`floor: ${options.floor === 'bare' ? 'bare Fastify + pg' : `the same handlers in NestJS (${options.floor})`}; heap flags: Calento ${report.heap.calento}; floor ${report.heap.floor}`);
    console.log('route    conns | Calento req/s (rounds)   p50 / p99 ms (median)  CPU/req  RSS | floor req/s (rounds)     p50 / p99 ms  CPU/req  RSS | ratio (min–max)   p99 ratio');
    for (const s of summary) {
      const cell = (side) =>
        `${side.requestsPerSecond.join(', ').padEnd(22)} ${`${median(side.p50).toFixed(1)} / ${median(side.p99).toFixed(1)}`.padEnd(14)} ${side.cpuMsPerRequest.toFixed(3)} ms ${side.rssMiB} MiB`;
      console.log(
        `${s.route.padEnd(8)} ${String(s.connections).padStart(5)} | ${cell(s.calento)} | ${cell(s.floor)} | ${s.ratio.median}× (${s.ratio.min}–${s.ratio.max})  ${s.p99Ratio.median}× (${s.p99Ratio.min}–${s.p99Ratio.max})`,
      );
    }
    console.log('\ncollections (median of rounds): KB promoted per request, full collections per 1,000 requests, main-thread ms in collections per request');
    for (const s of summary) {
      const gc = (side) => `${side.promotedKBPerRequest.toFixed(1).padStart(6)} KB  ${side.fullCollectionsPer1000.toFixed(2).padStart(6)}  ${side.gcMsPerRequest.toFixed(3)} ms`;
      console.log(`${s.route.padEnd(8)} ${String(s.connections).padStart(5)} | Calento ${gc(s.calento)} | floor ${gc(s.floor)}`);
    }
    console.log('\nCPU per request by thread (median of rounds, ms): JavaScript thread, V8 workers (collection, compilation), libuv pool, other');
    for (const s of summary) {
      const threads = ({ threadCpuMsPerRequest: t }) => `${t.main.toFixed(3)} + ${t.v8.toFixed(3)} + ${t.libuv.toFixed(3)} + ${t.other.toFixed(3)}`;
      console.log(`${s.route.padEnd(8)} ${String(s.connections).padStart(5)} | Calento ${threads(s.calento)} | floor ${threads(s.floor)}`);
    }
    console.log(`\nmemory after the last round's load (MiB): RSS = anonymous + file pages; V8 heap resident by space (young, old, code, large objects) and in use; external (buffers)`);
    for (const route of routes) {
      const last = (name) => results.filter((r) => r.route === route && r.server === name).at(-1);
      const cell = ({ rssMiB: rss, memory: { anon, file, heap, heapUsed, external } }) =>
        `${rss} = ${anon} + ${file}; heap ${heap.new} + ${heap.old} + ${heap.code} + ${heap.large}, ${Math.round(heapUsed)} in use; external ${Math.round(external)}`;
      console.log(`${route.padEnd(8)} ${String(targets[route].connections).padStart(5)} | Calento ${cell(last('calento'))} | floor ${cell(last('floor'))}`);
    }
    console.log(`raw results: ${out}`);
  } finally {
    await floor?.stop();
    await calento.stop();
    if (!options.keep) rmSync(scratch, { recursive: true, force: true });
  }
});
