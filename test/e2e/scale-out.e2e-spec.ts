import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { readMigrations } from '../../src/db/migrator.js';
import { announcePgOnly, describePgOnly, PG_ONLY } from '../setup/pg-only.js';
import { SmtpSink } from '../setup/smtp-sink.js';
import { testEnv } from '../setup/test-app.js';
import { eventually, sleep } from '../setup/wait.js';
import { freePort } from '../setup/ports.js';
import { ApiProcess, WorkerProcess } from '../setup/worker-process.js';

/**
 * Scale-out as deployed: two API processes (src/main.ts) and one worker process (src/cli/worker.ts),
 * all started at once on an EMPTY PostgreSQL database, sharing the machine's Redis for rate limits.
 * Both APIs also run job workers (WORKERS=on), so three processes compete for every job.
 */
announcePgOnly('scale-out: "two API processes and one worker: migrations once, one rate limit, every job once"');

describePgOnly(`scale-out: two API processes and a worker on one PostgreSQL and Redis ${PG_ONLY}`, () => {
  const suffix = randomBytes(4).toString('hex');
  const serverUrl = new URL(process.env.DATABASE_URL ?? 'postgres://127.0.0.1/skipped_on_pglite_test') // describe.skip still collects this body;
  const baseName = serverUrl.pathname.replace(/^\//, '');
  const dbName = `${baseName}_scale_${suffix}`;
  const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${dbName}` }).toString();
  // Made in beforeAll: under PGlite jest still runs this body (to collect the skipped tests), never the hooks.
  let scratch: string | undefined;
  const publicLimit = 6;
  let sink: SmtpSink;
  let a: ApiProcess;
  let b: ApiProcess;
  let worker: WorkerProcess;

  async function admin<T>(fn: (client: pg.Client) => Promise<T>, database = 'postgres'): Promise<T> {
    const client = new pg.Client({ connectionString: Object.assign(new URL(serverUrl), { pathname: `/${database}` }).toString() });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    if (!/test/i.test(baseName)) throw new Error(`refusing to create databases next to "${baseName}"`);
    await admin((client) => client.query(`CREATE DATABASE "${dbName}"`));
    scratch = mkdtempSync(join(tmpdir(), 'calento-scale-'));
    sink = await SmtpSink.start();
    const env = {
      ...testEnv,
      LOG_LEVEL: 'info',
      DATA_DIR: scratch,
      MAILBOX_DIR: join(scratch, 'mailbox'),
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: '4',
      ENCRYPTION_KEYS: `scale:${randomBytes(32).toString('base64')}`,
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_PREFIX: `calento-test-scale-${suffix}`,
      SMTP_URL: sink.url,
      RATE_LIMIT_PUBLIC_PER_IP: String(publicLimit),
      WORKERS: 'on',
      JOB_POLL_INTERVAL_MS: '200',
      HOST: '127.0.0.1',
    };
    const [portA, portB] = await Promise.all([freePort(), freePort()]);
    // All three at once against the empty database: they race for the migrations.
    a = new ApiProcess(portA, { ...env, PORT: String(portA) });
    b = new ApiProcess(portB, { ...env, PORT: String(portB) });
    worker = new WorkerProcess(env);
    await Promise.all([a.ready(150_000), b.ready(150_000), worker.ready(150_000)]);
  }, 200_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), worker?.stop()]);
    await sink?.stop();
    await admin((client) => client.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`)).catch(() => undefined);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 60_000);

  it('applies every migration once, though three processes started together on an empty database', async () => {
    const files = readMigrations();
    const rows = await admin((client) => client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version'), dbName);
    expect(rows.rows.map((row) => row.version)).toEqual(files.map((file) => file.version));
    // One process applied them all (under the advisory lock); the other two found nothing to do.
    const logs = [a.log, b.log, worker.log];
    const appliers = logs.filter((log) => log.includes('Applied migrations'));
    expect(appliers).toHaveLength(1);
    const applied = appliers[0].split('\n').filter((line) => line.includes('Applied migrations')).flatMap((line) => JSON.parse(line).applied);
    expect(applied).toHaveLength(files.length);
  });

  it('holds one rate limit across both API processes (Redis)', async () => {
    const hit = (base: string) => fetch(`${base}/api/v1/booking-links/no-such-link`);
    const statuses: number[] = [];
    for (let i = 0; i < publicLimit; i += 1) statuses.push((await hit(i % 2 === 0 ? a.base : b.base)).status);
    expect(statuses).toEqual(Array(publicLimit).fill(404));
    for (const base of [a.base, b.base]) {
      const limited = await hit(base);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited.headers.get('ratelimit-limit')).toBe(String(publicLimit));
    }
  });

  it('runs every job once while three processes compete for them', async () => {
    const count = 16;
    const emails: string[] = [];
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const email = `scale-${suffix}-${i}@example.com`;
        emails.push(email);
        const res = await fetch(`${i % 2 === 0 ? a.base : b.base}/api/v1/auth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password: 'correct-horse-42', name: `Scale ${i}` }),
        });
        expect(res.status).toBe(201);
      }),
    );
    await sink.waitForCount(count, 60_000);
    const jobs = await eventually(
      async () => {
        const { rows } = await admin(
          (client) => client.query<{ status: string; attempts: number; claimed_by: string }>("SELECT status, attempts, claimed_by FROM jobs WHERE kind = 'email.send'"),
          dbName,
        );
        return rows.length === count && rows.every((row) => row.status === 'succeeded') ? rows : undefined;
      },
      30_000,
      'every welcome email job to succeed',
    );
    // Late duplicates would arrive now, if any process ran a job twice.
    await sleep(2000);
    expect(sink.received).toHaveLength(count);
    for (const email of emails) expect(sink.to(email)).toHaveLength(1);
    expect(jobs.every((job) => job.attempts === 1)).toBe(true);
    const perWorker = new Map<string, number>();
    for (const job of jobs) perWorker.set(job.claimed_by, (perWorker.get(job.claimed_by) ?? 0) + 1);
    console.info(`[scale-out] welcome email jobs per worker: ${JSON.stringify([...perWorker])}`);
  }, 120_000);
});
