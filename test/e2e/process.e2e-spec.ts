import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { get as httpGet } from 'node:http';
import { createServer } from 'node:net';
import { testEnv } from '../setup/test-app.js';
import { cloneTestDatabase, usingPostgres, type TestDatabase } from '../setup/test-db.js';

/**
 * The app as a real process (src/main.ts run from source): the port comes from PORT, SIGTERM lets an
 * in-flight request finish, and on PGlite a second process on the same data folder is refused.
 */
const root = resolve(import.meta.dirname, '..', '..');
let database: TestDatabase;
let scratch: string;

beforeAll(async () => {
  database = await cloneTestDatabase();
  scratch = mkdtempSync(join(tmpdir(), 'calento-process-'));
});
afterAll(async () => {
  await database?.drop();
  rmSync(scratch, { recursive: true, force: true });
});

/**
 * True once the server's end of the loopback connection from `clientPort` to `serverPort` exists and holds
 * no unread bytes (its receive queue in Linux's /proc/net/tcp is empty).
 */
function serverHasRead(serverPort: number, clientPort: number): boolean {
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let table = '';
    try {
      table = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of table.split('\n').slice(1)) {
      const [, local, remote, , queues] = line.trim().split(/\s+/);
      if (local?.endsWith(`:${hex(serverPort)}`) && remote?.endsWith(`:${hex(clientPort)}`)) return queues.split(':')[1] === '00000000';
    }
  }
  return false;
}

/** The pids whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1] === String(pid);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

interface Running {
  child: ChildProcess;
  base: string;
  output: () => string;
  /** The exit code, or the signal that ended the process. */
  exited: Promise<number | string | null>;
}

/** `npm start` (src/main.ts) on `port`, or another entry such as the worker's (src/cli/worker.ts). */
function start(port: number, env: Record<string, string> = {}, entry = 'src/main.ts'): Running {
  let output = '';
  const child = spawn(process.execPath, ['--import', './scripts/ts-register.mjs', entry], {
    cwd: root,
    env: {
      ...process.env,
      ...testEnv,
      LOG_LEVEL: 'info',
      DATA_DIR: scratch,
      WORKERS: 'off',
      HOST: '127.0.0.1',
      PORT: String(port),
      ...database.env,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | string | null>((done) => child.once('exit', (code, signal) => done(code ?? signal)));
  return { child, base: `http://127.0.0.1:${port}`, output: () => output, exited };
}

/** Waits for `promise`, or fails naming the step and showing what the process printed so far. */
async function within<T>(app: Running, step: string, timeoutMs: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`${step}: nothing after ${timeoutMs} ms; the process printed:\n${app.output()}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function ready(app: Running, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      // Each probe has its own timeout: a process that accepts but never answers must not hang the loop.
      if ((await fetch(`${app.base}/health/ready`, { signal: AbortSignal.timeout(5_000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not ready in ${timeoutMs} ms:\n${app.output()}`);
}

describe('the process', () => {
  it('listens on PORT, finishes an in-flight request on SIGTERM, and exits cleanly', async () => {
    const port = await freePort();
    const app = start(port);
    try {
      await ready(app);
      const registered = await within(app, 'registering', 15_000, fetch(`${app.base}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'proc@example.com', password: 'correct-horse-42', name: 'Proc' }),
      }));
      const { accessToken } = (await registered.json()) as { accessToken: string };
      const auth = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
      const created = await within(app, 'creating the series', 15_000, fetch(`${app.base}/api/v1/events`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ title: 'Every hour', startTime: '2026-01-01T00:00:00Z', endTime: '2026-01-01T00:30:00Z', recurrenceRule: 'FREQ=HOURLY;COUNT=4000' }),
      }));
      expect(created.status).toBe(201);
      // A request that takes a while (4,000 occurrences expanded and serialized), on a connection of its own
      // (a reused keep-alive connection counts as idle until its request arrives, and closing servers drop
      // idle connections), then SIGTERM once the request has been sent whole.
      const slow = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpGet(
          `${app.base}/api/v1/events?from=2026-01-01T00:00:00Z&to=2026-07-01T00:00:00Z&expand=true&limit=200`,
          { headers: { authorization: auth.authorization }, agent: false },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        // SIGTERM once the server has read the request from its socket: from then on it is in flight (the
        // parser, routing and Fastify's closing check run in that same tick). A fixed delay was not enough
        // on a loaded machine: the request could still be unread, and then rightly got a 503 after close.
        req.on('finish', () => {
          const clientPort = req.socket?.localPort;
          void (async () => {
            for (let i = 0; i < 2_500 && !(clientPort && serverHasRead(port, clientPort)); i++) await new Promise((r) => setTimeout(r, 2));
            app.child.kill('SIGTERM');
          })();
        });
      });
      const response = await within(app, 'the in-flight request after SIGTERM', 20_000, slow);
      expect(response.status).toBe(200);
      expect((JSON.parse(response.body) as { meta: { total: number } }).meta.total).toBe(4000);
      // Nest closes the app, then re-raises the signal so the process ends the way it was asked to.
      expect(await within(app, 'exiting after SIGTERM', 20_000, app.exited)).toBe('SIGTERM');
      expect(app.output()).not.toMatch(/Cannot use a pool after calling end|Unhandled error/);
    } finally {
      app.child.kill('SIGKILL');
    }
  }, 90_000);

  // Log lines are batched for up to a quarter second (src/common/logging/logger.ts). A SIGTERM right after
  // a request must still leave that request's line and the shutdown's own lines on stdout.
  it('writes out every log line, to the end of shutdown, when SIGTERM comes right after a request', async () => {
    const port = await freePort();
    const app = start(port, { WORKERS: 'on' });
    try {
      await ready(app);
      await within(app, 'the job worker to start', 15_000, (async () => {
        while (!app.output().includes('"msg":"Job worker started"')) await new Promise((r) => setTimeout(r, 50));
      })());
      const response = await fetch(`${app.base}/health/live`);
      const requestId = response.headers.get('x-request-id');
      app.child.kill('SIGTERM');
      expect(response.status).toBe(200);
      expect(await within(app, 'exiting after SIGTERM', 20_000, app.exited)).toBe('SIGTERM');
      const lines = app.output().split('\n');
      expect(lines.filter((line) => line.includes(`"reqId":"${requestId}"`))).toEqual([expect.stringContaining('"route":"/health/live"')]);
      expect(lines.filter((line) => line.includes('"msg":"Job worker stopped"'))).toHaveLength(1);
    } finally {
      app.child.kill('SIGKILL');
    }
  }, 90_000);

  it('writes out the worker process\'s last log lines on SIGTERM', async () => {
    const worker = start(await freePort(), {}, 'src/cli/worker.ts');
    try {
      await within(worker, 'the worker to start', 60_000, (async () => {
        while (!worker.output().includes('"msg":"Worker process ready"')) await new Promise((r) => setTimeout(r, 50));
      })());
      worker.child.kill('SIGTERM');
      expect(await within(worker, 'exiting after SIGTERM', 20_000, worker.exited)).toBe('SIGTERM');
      expect(worker.output()).toContain('"msg":"Job worker stopped"');
    } finally {
      worker.child.kill('SIGKILL');
    }
  }, 90_000);

  // Only the embedded database has a data folder to lock; on PostgreSQL there is nothing to refuse, so the
  // test is not defined there (rather than skipped).
  const pgliteOnly = usingPostgres ? () => undefined : it;
  pgliteOnly('creates a new embedded folder with its migrations applied once, before the server opens it', async () => {
    const env = { PGLITE_DATA_DIR: join(scratch, 'fresh-pglite') };
    const applied = (app: Running) => app.output().split('\n').filter((line) => line.includes('"msg":"Applied migrations"'));
    const first = start(await freePort(), env);
    try {
      await ready(first, 120_000);
      expect(applied(first)).toHaveLength(1);
      // No setup process is left running once the server is ready.
      expect(childrenOf(first.child.pid as number)).toEqual([]);
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }
    const again = start(await freePort(), env);
    try {
      await ready(again);
      expect(applied(again)).toEqual([]);
      const registered = await fetch(`${again.base}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'fresh@example.com', password: 'correct-horse-42', name: 'Fresh' }),
      });
      expect(registered.status).toBe(201);
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  }, 240_000);

  pgliteOnly('refuses a second process on the same embedded database folder', async () => {
    const first = start(await freePort());
    try {
      await ready(first);
      const second = start(await freePort());
      expect(await second.exited).toBe(1);
      expect(second.output()).toContain('is in use by another Calento process');
      // The first one is unharmed.
      expect((await fetch(`${first.base}/health/ready`)).status).toBe(200);
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }
  }, 90_000);
});
