// Shared helpers for the benchmarks: start the built app in its own process, wait for readiness,
// register a user, and run autocannon against it.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';

export const root = resolve(import.meta.dirname, '..');

/**
 * The V8 settings the Dockerfile gives the app: in NODE_OPTIONS, 16 MB semi-spaces for the young
 * generation and a 256 MB old-generation cap, which also makes V8 grow the heap in smaller steps. The live
 * heap is about 50 MB; without the cap, on a machine with lots of memory, V8 lets garbage pile up to
 * 250–500 MiB RSS. With 8 MB semi-spaces the 50 requests in flight of the events bench promoted enough
 * to double the time spent collecting (bench/README.md, "Memory"). On the command line (V8 refuses it in
 * NODE_OPTIONS), no allocation-site pretenuring: after a burst of writes it sent every request's garbage
 * to the old generation (bench/README.md, "Pretenuring"). Also on the command line, young-generation
 * collections allowed during a full collection's marking: 30-36 MiB less RSS under the floor bench's loads
 * (bench/README.md, "Re-measured 2026-12-02").
 */
export const productionNodeFlags = ['--max-semi-space-size=16', '--max-old-space-size=256', '--no-allocation-site-pretenuring', '--no-separate-gc-phases'];

/**
 * The environment the Dockerfile gives the process besides NODE_OPTIONS: one glibc malloc arena, so memory
 * freed by V8's background threads is reused rather than kept resident (bench/README.md, "Memory").
 */
export const productionEnv = { MALLOC_ARENA_MAX: '1' };

/** Starts `node dist/main.js` on a free port with a fresh database (PGlite, or DATABASE_URL if set). */
/**
 * `stdout: 'ignore'` sends the app's log lines to /dev/null: benches that run at the production log level
 * (LOG_LEVEL=info, a line per request) pay for writing them without filling the terminal.
 */
export async function startServer(env = {}, { nodeArgs = [], port = 3900 + Math.floor(Math.random() * 90), stdout = 'inherit', heapFlags = productionNodeFlags } = {}) {
  const scratch = mkdtempSync(join(tmpdir(), 'calento-bench-'));
  // BENCH_APP_NODE_ARGS adds flags to the app's node (e.g. `--prof` to see where its CPU goes).
  const extra = process.env.BENCH_APP_NODE_ARGS ? process.env.BENCH_APP_NODE_ARGS.split(' ').filter(Boolean) : [];
  const child = spawn(process.execPath, [...heapFlags, ...extra, ...nodeArgs, join(root, 'dist', 'main.js')], {
    cwd: root,
    env: {
      ...process.env,
      ...productionEnv,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: scratch,
      JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
      ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
      RATE_LIMIT_LOGIN_PER_IP: '1000000',
      RATE_LIMIT_LOGIN_PER_ACCOUNT: '1000000',
      // The per-user limit stays on (its cost is part of every request) but far above any bench's rate.
      RATE_LIMIT_PER_USER: '10000000',
      BCRYPT_ROUNDS: '4',
      WORKERS: 'off',
      ...env,
    },
    stdio: ['ignore', stdout, 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${base}/health/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    pid: child.pid,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

export async function register(base, email = `bench-${Date.now()}@example.com`) {
  const res = await fetch(`${base}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'bench-password-1', name: 'Bench', timezone: 'UTC' }),
  });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * Load with wrk when the machine has it (C, one thread: it leaves the second core to the app and the
 * database), else with autocannon from node_modules (which costs a core of its own: lower figures).
 */
export async function load({ url, headers = {}, duration = 15, connections = 50 }) {
  const wrk = spawnSync('wrk', ['--version']).error === undefined;
  if (wrk) {
    const args = ['-t1', `-c${connections}`, `-d${duration}s`, '--latency'];
    for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
    const out = spawnSync('wrk', [...args, url], { encoding: 'utf8' }).stdout;
    if (!/Requests\/sec/.test(out) || !/^\s+99%/m.test(out)) throw new Error(`wrk ${url}: no result\n${out}`);
    const ms = (text) => {
      const [, value, unit] = /([\d.]+)(us|ms|s|m)$/.exec(text) ?? [];
      if (!unit) throw new Error(`wrk ${url}: cannot read the latency "${text}"\n${out}`);
      return Number(value) * (unit === 'us' ? 0.001 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 1);
    };
    return {
      tool: 'wrk',
      requestsPerSecond: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1])),
      p50: ms(/^\s+50%\s+(\S+)/m.exec(out)[1]),
      p99: ms(/^\s+99%\s+(\S+)/m.exec(out)[1]),
      non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    };
  }
  const result = await autocannon({ url, headers, connections, duration });
  return {
    tool: 'autocannon',
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
  };
}

/** Resident memory of a process in MiB: in all, anonymous (heaps, stacks) and file-backed (the binary, libraries). */
export function residentMiB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => Math.round(Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)[1]) / 1024);
    return { rss: field('VmRSS'), anon: field('RssAnon'), file: field('RssFile') };
  } catch {
    return null;
  }
}

export function rssMiB(pid) {
  return residentMiB(pid)?.rss ?? null;
}

/**
 * With BENCH_PG (a server URL such as postgres://postgres@127.0.0.1:5432) the run gets a fresh database
 * there, dropped afterwards; without it the server uses a fresh embedded PGlite folder.
 */
export async function withBenchDatabase(fn) {
  if (!process.env.BENCH_PG) return fn({});
  const { default: pg } = await import('pg');
  const name = `calento_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: `${process.env.BENCH_PG}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    return await fn({ DATABASE_URL: `${process.env.BENCH_PG}/${name}` });
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
