import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { registerUser } from '../factories/users.js';
import { settleChanges } from '../setup/changes.js';
import { usingPostgres } from '../setup/pg-only.js';
import { eventually } from '../setup/wait.js';
import { SharedDatabase, type RunningApp } from '../setup/worker-process.js';
import { WebhookReceiver } from '../setup/webhook-receiver.js';
import { JobWorker } from '../../src/modules/jobs/job-worker.js';

/**
 * Webhook delivery when things go wrong: a receiver that is down for a (simulated) hour and more, and a
 * worker process killed with SIGKILL in the middle of a delivery.
 */
let shared: SharedDatabase;
let receiver: WebhookReceiver;

const env = {
  WEBHOOKS_ALLOW_PRIVATE: 'true',
  WEBHOOKS_TIMEOUT_MS: '3000',
  JOB_POLL_INTERVAL_MS: '25',
  JOB_LEASE_SECONDS: '2',
};

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  shared = await SharedDatabase.create();
});
afterAll(async () => {
  await receiver?.down();
  await shared?.drop();
});

interface LogEntry {
  id: string;
  messageId: string;
  status: string;
  attempts: number;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  lastError: string | null;
}

describe('a receiver that is down for hours', () => {
  it('gets every message once it is back, each under one webhook-id, on the retry schedule', async () => {
    const app: RunningApp = await shared.startApp(env);
    try {
      const api = () => request(app.http);
      const owner = await registerUser(app.http);
      const hook = await api().post('/api/v1/webhooks').set(owner.auth).send({ url: receiver.url('/outage') }).expect(201);
      const log = async (): Promise<LogEntry[]> =>
        (await api().get(`/api/v1/webhooks/${hook.body.id}/deliveries?limit=200`).set(owner.auth).expect(200)).body.data;
      const allAttempted = (n: number) => eventually(async () => {
        const entries = await log();
        return entries.length === 5 && entries.every((d) => d.attempts === n && d.nextAttemptAt) ? entries : undefined;
      }, 20_000, `every delivery at attempt ${n}`);
      /** Makes the next scheduled attempt of each delivery due now: hours of the schedule in a moment. */
      const timePasses = () => app.db.query(`UPDATE jobs SET run_at = now() WHERE kind = 'webhook.deliver' AND status = 'queued'`);

      await receiver.down(); // connections refused
      for (let i = 0; i < 5; i++) {
        await api().post('/api/v1/events').set(owner.auth)
          .send({ title: `Outage ${i}`, startTime: `2027-02-0${i + 1}T10:00:00Z`, endTime: `2027-02-0${i + 1}T11:00:00Z` })
          .expect(201);
      }
      await settleChanges(app.app);
      const scheduled: number[][] = [];
      const record = (entries: LogEntry[]) =>
        entries.forEach((d, i) => (scheduled[i] ??= []).push(new Date(d.nextAttemptAt!).getTime() - new Date(d.lastAttemptAt!).getTime()));
      let entries = await allAttempted(1);
      expect(entries.map((d) => d.lastError)).toEqual(Array(5).fill('connection refused'));
      record(entries);
      await timePasses();
      record(await allAttempted(2));

      // Up again but answering 503 (a receiver behind a load balancer while it restarts).
      await receiver.up();
      receiver.answer = () => ({ status: 503 });
      await timePasses();
      record(await allAttempted(3));
      await timePasses();
      entries = await allAttempted(4);
      record(entries);
      expect(entries.map((d) => [d.status, d.lastError])).toEqual(Array(5).fill(['pending', 'the receiver answered 503']));
      // The schedule so far: 5 s, 5 min, 30 min, 2 h (each up to 10% later): the receiver was down for over an hour.
      for (const delays of scheduled) {
        const nominal = [5_000, 300_000, 1_800_000, 7_200_000];
        delays.forEach((delay, i) => {
          expect(delay).toBeGreaterThanOrEqual(nominal[i] - 100);
          expect(delay).toBeLessThanOrEqual(nominal[i] * 1.1 + 100);
        });
      }

      receiver.answer = () => ({ status: 200, body: 'thanks' });
      await timePasses();
      const delivered = await eventually(async () => {
        const all = await log();
        return all.every((d) => d.status === 'succeeded') ? all : undefined;
      }, 20_000, 'every delivery to succeed');
      expect(delivered.map((d) => d.attempts)).toEqual([5, 5, 5, 5, 5]);

      const got = receiver.received.filter((r) => r.path === '/outage');
      const byMessage = new Map<string, string[]>();
      for (const r of got) byMessage.set(String(r.headers['webhook-id']), [...(byMessage.get(String(r.headers['webhook-id'])) ?? []), r.json.data.event ? (r.json.data.event as { title: string }).title : '']);
      // 5 messages, each seen at attempts 3, 4 (503) and 5 (200) under its one id, each with one title.
      expect(byMessage.size).toBe(5);
      for (const [id, titles] of byMessage) {
        expect(delivered.map((d) => d.messageId)).toContain(id);
        expect(titles).toHaveLength(3);
        expect(new Set(titles).size).toBe(1);
      }
      expect([...byMessage.values()].map((titles) => titles[0]).sort()).toEqual(['Outage 0', 'Outage 1', 'Outage 2', 'Outage 3', 'Outage 4']);
    } finally {
      receiver.answer = () => ({ status: 204 });
      await receiver.up(); // whatever happened, the next test finds it listening
      await app.close();
    }
  }, 120_000);
});

describe('a worker killed in the middle of a delivery', () => {
  it('leaves the job leased; after the lease another worker delivers the same message', async () => {
    let api: RunningApp = await shared.startApp({ ...env, WORKERS: 'off' });
    const owner = await registerUser(api.http);
    const hook = await request(api.http).post('/api/v1/webhooks').set(owner.auth).send({ url: receiver.url('/killed') }).expect(201);
    const ping = await request(api.http).post(`/api/v1/webhooks/${hook.body.id}/test`).set(owner.auth).expect(202);
    if (!usingPostgres) await api.close(); // PGlite is one process's database: hand it to the worker process

    receiver.answer = (r) => (r.path === '/killed' ? 'hang' : { status: 204 }); // mid-delivery: no answer
    const worker = await shared.spawnWorker(env);
    await receiver.waitFor(1, (r) => r.path === '/killed', 30_000);
    await worker.kill9();
    receiver.answer = () => ({ status: 204 });

    if (!usingPostgres) api = await shared.startApp({ ...env, WORKERS: 'off' });
    const held = (await api.db.query<{ status: string; claimed_by: string }>(
      `SELECT status, claimed_by FROM jobs WHERE kind = 'webhook.deliver' AND payload->>'deliveryId' = $1`,
      [ping.body.id],
    )).rows[0];
    expect(held).toMatchObject({ status: 'running', claimed_by: expect.stringContaining(`:${worker.pid}:`) });

    api.app.get(JobWorker).start();
    const delivered = await eventually(async () => {
      const log = await request(api.http).get(`/api/v1/webhooks/${hook.body.id}/deliveries`).set(owner.auth).expect(200);
      return log.body.data[0].status === 'succeeded' ? log.body.data[0] : undefined;
    }, 20_000, 'the delivery after the lease');
    // The killed attempt never recorded an outcome: the log counts the attempt that finished.
    expect(delivered).toMatchObject({ attempts: 1, responseStatus: 204, messageId: ping.body.messageId });
    const got = receiver.received.filter((r) => r.path === '/killed');
    expect(got).toHaveLength(2);
    expect(got.map((r) => r.headers['webhook-id'])).toEqual([ping.body.messageId, ping.body.messageId]);
    expect(got[1].body).toBe(got[0].body);
    await api.close();
  }, 90_000);
});
