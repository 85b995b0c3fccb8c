/**
 * Email queue throughput: N queued emails delivered by 1 and 2 worker processes to a local SMTP sink.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
 *     node --import ./scripts/ts-register.mjs bench/email-queue.bench.ts [--emails 10000] [--workers 1,2]
 *
 * With DATABASE_URL, each run gets a fresh database `calento_bench_<random>` on that server (dropped at
 * the end). Without it, the run uses embedded PGlite in a temporary folder, one worker only (PGlite is
 * one process's database). Emails are queued through the real EmailService, all due at one instant T0
 * in the future; the workers start, go idle, and the clock runs from T0 to the last message the sink
 * accepted, so process start-up is not counted. Results are also written to bench/results/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../src/config/config.js';
import { Database } from '../src/db/database.js';
import { EmailService } from '../src/modules/email/email.service.js';
import { WorkerModule } from '../src/worker.module.js';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: { emails: { type: 'string', default: '10000' }, workers: { type: 'string', default: '1,2' } },
});
const total = Number(values.emails);
const serverUrl = process.env.DATABASE_URL ?? null;
const workerCounts = (serverUrl ? values.workers.split(',').map(Number) : [1]).filter((n) => n > 0);

/** A sink that accepts every message and notes when it arrived; no parsing. */
async function startSink(): Promise<{ port: number; times: number[]; close(): Promise<void> }> {
  const times: number[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        times.push(Date.now());
        callback(null);
      });
    },
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.server.address() as { port: number }).port;
  return { port, times, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

interface Target {
  env: Record<string, string>;
  label: string;
  drop(): Promise<void>;
}

async function freshTarget(scratch: string): Promise<Target> {
  if (!serverUrl) {
    return { env: { PGLITE_DATA_DIR: join(scratch, 'pglite') }, label: 'PGlite (embedded)', drop: async () => undefined };
  }
  const name = `calento_bench_${randomBytes(4).toString('hex')}`;
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const version = await (async () => {
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    await client.end();
    return rows[0].server_version;
  })();
  return {
    env: { DATABASE_URL: url.toString() },
    label: `PostgreSQL ${version}`,
    drop: () => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

function spawnWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', './scripts/ts-register.mjs', 'src/cli/worker.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((ok, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Worker process ready')) {
        child.stdout?.removeAllListeners('data');
        child.stdout?.resume();
        ok(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => fail(new Error(`worker exited (${code}):\n${output}`)));
  });
}

async function runOnce(workers: number) {
  const scratch = mkdtempSync(join(tmpdir(), 'calento-bench-'));
  const target = await freshTarget(scratch);
  const sink = await startSink();
  const env = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    JWT_SECRET: 'bench-secret-that-is-long-enough-0123456789',
    DATA_DIR: scratch,
    SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
    JOB_POLL_INTERVAL_MS: '100',
    JOB_CONCURRENCY: process.env.JOB_CONCURRENCY ?? '5',
    ...target.env,
  };
  try {
    // Queue N emails through the real service, all due at T0.
    const config = { ...loadConfig(env), workers: false };
    const context = await NestFactory.createApplicationContext(WorkerModule.register(config), { logger: false });
    const emails = context.get(EmailService);
    const db = context.get(Database);
    const t0 = new Date(Date.now() + 3_600_000); // moved to the real start below
    const enqueueStart = performance.now();
    for (let i = 0; i < total; i += 500) {
      await db.tx(async () => {
        for (let j = i; j < Math.min(total, i + 500); j++) {
          await emails.enqueue('welcome', `bench-${j}@example.com`, { name: `Bench ${j}`, appUrl: 'http://calento.test' }, { sendAt: t0 });
        }
      });
    }
    const enqueueSeconds = (performance.now() - enqueueStart) / 1000;
    // Every job due at one instant, far enough ahead for the workers to start and go idle first.
    const dueAt = Date.now() + 10_000;
    await db.query('UPDATE jobs SET run_at = $1', [new Date(dueAt)]);
    await context.close(); // on PGlite the worker process must own the database
    const children = await Promise.all(Array.from({ length: workers }, () => spawnWorker(env)));
    if (Date.now() >= dueAt) throw new Error('The workers took longer than 10 s to start; the figure would include start-up');
    while (sink.times.length < total) await new Promise((ok) => setTimeout(ok, 100));
    const last = Math.max(...sink.times);
    const seconds = (last - dueAt) / 1000;
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => new Promise((ok) => child.once('exit', ok))));
    return { workers, database: target.label, emails: total, enqueuePerSecond: Math.round(total / enqueueSeconds), seconds, perSecond: Math.round(total / seconds), delivered: sink.times.length };
  } finally {
    await sink.close();
    await target.drop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

const results = [];
for (const workers of workerCounts) {
  const result = await runOnce(workers);
  results.push(result);
  console.log(
    `${result.database}: ${result.emails} emails, ${workers} worker(s): ${result.perSecond} messages/s ` +
      `(${result.seconds.toFixed(1)} s; queued at ${result.enqueuePerSecond}/s)`,
  );
}
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
const file = join(root, 'bench', 'results', `email-queue-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify({ cpus: cpus().length, node: process.version, results }, null, 2)}\n`);
console.log(`Wrote ${file}`);
