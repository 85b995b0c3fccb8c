import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EmailService } from '../../src/modules/email/email.service.js';
import { JobWorker } from '../../src/modules/jobs/job-worker.js';
import type { Database } from '../../src/db/database.js';
import { announcePgOnly, pgOnly, PG_ONLY, usingPostgres } from '../setup/pg-only.js';
import { SmtpSink } from '../setup/smtp-sink.js';
import { SharedDatabase, type RunningApp } from '../setup/worker-process.js';
import { eventually, sleep } from '../setup/wait.js';

/**
 * Fault tests with real worker processes (`src/cli/worker.ts`) and a real SMTP server: a worker killed
 * with SIGKILL in the middle of a delivery, and two workers sharing one queue on PostgreSQL.
 */
announcePgOnly('jobs-workers: "two worker processes deliver 1,000 emails exactly once"');

let shared: SharedDatabase;
let sink: SmtpSink;

beforeAll(async () => {
  shared = await SharedDatabase.create();
  sink = await SmtpSink.start();
});
afterAll(async () => {
  await sink?.stop();
  await shared?.drop();
});

const workerEnv = () => ({
  SMTP_URL: sink.url,
  JOB_LEASE_SECONDS: '2',
  JOB_POLL_INTERVAL_MS: '50',
  JOB_BACKOFF_BASE_MS: '50',
  JOB_BACKOFF_MAX_MS: '200',
});

async function row<T>(db: Database, sql: string, params: unknown[]): Promise<T> {
  return (await db.query<T & Record<string, unknown>>(sql, params)).rows[0];
}

describe('a worker killed in the middle of a job', () => {
  it('leaves the job leased; once the lease expires another worker reclaims and delivers it', async () => {
    const victim = 'killed-mid-send@example.com';
    let api: RunningApp = await shared.startApp({ ...workerEnv(), WORKERS: 'off' });
    const queued = await api.app.get(EmailService).enqueue('welcome', victim, { name: 'Victim', appUrl: 'http://calento.test' });
    const { id: emailId, jobId } = queued as { id: string; jobId: string };
    // PGlite is one process's database: hand it over to the worker process.
    if (!usingPostgres) await api.close();

    sink.onMessage = () => 'stall'; // the server takes the message and never answers: mid-send
    // A lease long enough that the worker cannot outlive it before the kill, even on a loaded machine
    // (with 2 s it could reclaim its own stalled job first: attempts 2 under its own name).
    const worker = await shared.spawnWorker({ ...workerEnv(), JOB_LEASE_SECONDS: '8' });
    await eventually(() => sink.dataCount >= 1, 30_000, 'the worker to start sending');
    await worker.kill9();
    sink.onMessage = () => ({ accept: true });
    expect(sink.to(victim)).toHaveLength(0);

    if (!usingPostgres) api = await shared.startApp({ ...workerEnv(), WORKERS: 'off' });
    const held = await row<{ status: string; attempts: number; claimed_by: string }>(
      api.db,
      'SELECT status, attempts, claimed_by FROM jobs WHERE id = $1',
      [jobId],
    );
    // Nothing released it: the dead worker's claim stands until its lease runs out.
    expect(held).toMatchObject({ status: 'running', attempts: 1, claimed_by: expect.stringContaining(`:${worker.pid}:`) });

    api.app.get(JobWorker).start();
    await sink.waitForCount(1, 20_000);
    const email = await eventually(async () => {
      const found = await row<{ status: string; attempts: number }>(api.db, 'SELECT status, attempts FROM email_queue WHERE id = $1', [emailId]);
      return found.status === 'sent' ? found : undefined;
    });
    expect(email.attempts).toBe(2);
    expect(await row(api.db, 'SELECT status, attempts, claimed_by FROM jobs WHERE id = $1', [jobId])).toEqual({
      status: 'succeeded',
      attempts: 2,
      claimed_by: api.app.get(JobWorker).id,
    });
    expect(sink.to(victim)).toHaveLength(1);
    expect(sink.dataCount).toBe(2); // the interrupted attempt and the delivered one
    await api.close();
  }, 90_000);
});

describe('several worker processes on one PostgreSQL', () => {
  pgOnly(
    `two worker processes deliver 1,000 emails exactly once ${PG_ONLY}`,
    async () => {
      const bulk = await SmtpSink.start({ parse: false });
      const env = { ...workerEnv(), SMTP_URL: bulk.url, JOB_LEASE_SECONDS: '30' };
      const api = await shared.startApp({ ...env, WORKERS: 'off' });
      const emails = api.app.get(EmailService);
      const recipients = Array.from({ length: 1000 }, (_, i) => `bulk-${i}@example.com`);
      for (let batch = 0; batch < recipients.length; batch += 100) {
        await api.db.tx(async () => {
          for (const to of recipients.slice(batch, batch + 100)) {
            await emails.enqueue('welcome', to, { name: 'Bulk', appUrl: 'http://calento.test' });
          }
        });
      }
      const workers = await Promise.all([shared.spawnWorker(env), shared.spawnWorker(env)]);
      try {
        await bulk.waitForCount(1000, 120_000);
        await sleep(1000); // room for a duplicate to show up
        expect(bulk.received).toHaveLength(1000);
        expect(bulk.dataCount).toBe(1000);
        expect(new Set(bulk.received.map((mail) => mail.messageId)).size).toBe(1000);
        expect(new Set(bulk.received.flatMap((mail) => mail.recipients))).toEqual(new Set(recipients));

        const states = await api.db.query<{ status: string; attempts: number; n: number }>(
          `SELECT status, attempts, count(*) AS n FROM email_queue WHERE recipient LIKE 'bulk-%' GROUP BY status, attempts`,
          [],
        );
        expect(states.rows).toEqual([{ status: 'sent', attempts: 1, n: 1000 }]);
        const byWorker = await api.db.query<{ claimed_by: string; n: number }>(
          `SELECT claimed_by, count(*) AS n FROM jobs
           WHERE id IN (SELECT job_id FROM email_queue WHERE recipient LIKE 'bulk-%') GROUP BY claimed_by`,
          [],
        );
        // Both processes took part, and their shares add up to 1,000 without overlap.
        expect(byWorker.rows).toHaveLength(2);
        expect(byWorker.rows.every((entry) => entry.n > 0)).toBe(true);
        expect(byWorker.rows.reduce((sum, entry) => sum + entry.n, 0)).toBe(1000);
        for (const worker of workers) expect(byWorker.rows.map((entry) => entry.claimed_by)).toContainEqual(expect.stringContaining(`:${worker.pid}:`));
      } finally {
        await Promise.all(workers.map((worker) => worker.stop()));
        await api.close();
        await bulk.stop();
      }
    },
    180_000,
  );
});
