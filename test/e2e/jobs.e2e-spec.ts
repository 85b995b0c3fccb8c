import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { JobRegistry, PermanentJobError, type JobContext, type JobHandler, type JobOutcome } from '../../src/modules/jobs/job-handler.js';
import { JobWorker } from '../../src/modules/jobs/job-worker.js';
import { JobsRepository } from '../../src/modules/jobs/jobs.repository.js';
import { JobsService } from '../../src/modules/jobs/jobs.service.js';
import type { Database } from '../../src/db/database.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { SharedDatabase } from '../setup/worker-process.js';
import { expectProblem } from '../setup/problem.js';
import { registerUser } from '../factories/users.js';
import { eventually, sleep } from '../setup/wait.js';

/** Fast queue settings: retries in tens of milliseconds instead of minutes. */
const fastJobs = {
  JOB_POLL_INTERVAL_MS: '20',
  JOB_BACKOFF_BASE_MS: '20',
  JOB_BACKOFF_MAX_MS: '80',
  JOB_LEASE_SECONDS: '1',
};

type Behaviour = (payload: { n: number }, context: JobContext) => Promise<void>;

/** A job kind for tests, registered through the same public API a module uses. */
class TestHandler implements JobHandler<{ n: number }> {
  readonly runs: { n: number; attempt: number; at: number }[] = [];
  readonly outcomes: { n: number; outcome: JobOutcome }[] = [];

  constructor(
    readonly kind: string,
    private readonly behaviour: Behaviour = async () => undefined,
    readonly maxAttempts?: number,
    readonly timeoutSeconds?: number,
  ) {}

  async run(payload: { n: number }, context: JobContext): Promise<void> {
    this.runs.push({ n: payload.n, attempt: context.attempt, at: Date.now() });
    await this.behaviour(payload, context);
  }

  async onOutcome(payload: { n: number }, outcome: JobOutcome): Promise<void> {
    this.outcomes.push({ n: payload.n, outcome });
  }

  runsOf(n: number) {
    return this.runs.filter((run) => run.n === n);
  }

  statesOf(n: number) {
    return this.outcomes.filter((entry) => entry.n === n).map((entry) => entry.outcome.state);
  }
}

async function jobRow(db: Database, id: string) {
  const { rows } = await db.query<{ status: string; attempts: number; last_error: string | null; claimed_by: string | null }>(
    'SELECT status, attempts, last_error, claimed_by FROM jobs WHERE id = $1',
    [id],
  );
  return rows[0];
}

let t: TestApp;
let jobs: JobsService;
let counter = 0;
const nextKind = () => `test.kind-${++counter}`;

function register(handler: TestHandler, app: { get: TestApp['app']['get'] } = t.app): TestHandler {
  app.get(JobRegistry).register(handler);
  return handler;
}

beforeAll(async () => {
  t = await createTestApp(fastJobs);
  jobs = t.app.get(JobsService);
});
afterAll(async () => {
  await t?.close();
});

describe('enqueue', () => {
  it('writes the job in the caller transaction: a rollback leaves no job', async () => {
    const handler = register(new TestHandler(nextKind()));
    await expect(
      t.db.tx(async () => {
        await jobs.enqueue(handler.kind, { n: 1 });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const committed = await t.db.tx(() => jobs.enqueue(handler.kind, { n: 2 }));
    await eventually(async () => (await jobRow(t.db, committed as string)).status === 'succeeded', 5000, 'the job');
    await sleep(100);
    expect(handler.runs.map((run) => run.n)).toEqual([2]);
    const { rows } = await t.db.query('SELECT 1 FROM jobs WHERE kind = $1', [handler.kind]);
    expect(rows).toHaveLength(1);
  });

  it('ignores a second job with the same dedupe key, until the first is cancelled', async () => {
    const handler = register(new TestHandler(nextKind()));
    const later = new Date(Date.now() + 3_600_000);
    const first = await jobs.enqueue(handler.kind, { n: 1 }, { dedupeKey: `${handler.kind}:x`, runAt: later });
    expect(first).toEqual(expect.any(String));
    expect(await jobs.enqueue(handler.kind, { n: 2 }, { dedupeKey: `${handler.kind}:x`, runAt: later })).toBeNull();
    expect(await jobs.cancel(`${handler.kind}:x`)).toBe(1);
    expect(handler.statesOf(1)).toEqual(['cancelled']);
    expect((await jobRow(t.db, first as string)).status).toBe('cancelled');
    expect(await jobs.enqueue(handler.kind, { n: 3 }, { dedupeKey: `${handler.kind}:x`, runAt: later })).toEqual(expect.any(String));
  });

  it('refuses a kind no handler is registered for', async () => {
    await expect(jobs.enqueue('test.nobody-handles-this', {})).rejects.toThrow(/No job handler/);
  });

  it('does not run a job before its time', async () => {
    const handler = register(new TestHandler(nextKind()));
    const id = await jobs.enqueue(handler.kind, { n: 1 }, { runAt: new Date(Date.now() + 600) });
    await sleep(200);
    expect(handler.runs).toHaveLength(0);
    await eventually(async () => (await jobRow(t.db, id as string)).status === 'succeeded', 5000, 'the job');
    expect(handler.runs[0].at).toBeGreaterThanOrEqual(Date.now() - 5000);
  });
});

describe('retries', () => {
  it('retries a failing job with growing delays, then records success', async () => {
    const handler = register(
      new TestHandler(nextKind(), async (_, context) => {
        if (context.attempt < 4) throw new Error(`temporary failure ${context.attempt}`);
      }),
    );
    const id = (await jobs.enqueue(handler.kind, { n: 1 })) as string;
    await eventually(async () => (await jobRow(t.db, id)).status === 'succeeded', 10_000, 'success');
    expect(await jobRow(t.db, id)).toMatchObject({ status: 'succeeded', attempts: 4, last_error: null });
    expect(handler.statesOf(1)).toEqual(['retrying', 'retrying', 'retrying', 'succeeded']);
    const retrying = handler.outcomes.filter((entry) => entry.outcome.state === 'retrying');
    expect(retrying.map((entry) => (entry.outcome as { error: string }).error)).toEqual([
      'temporary failure 1',
      'temporary failure 2',
      'temporary failure 3',
    ]);
    // Each retry waited at least half its nominal backoff (20, 40, 80 ms capped at 80).
    const gaps = handler.runs.slice(1).map((run, i) => run.at - handler.runs[i].at);
    expect(gaps[0]).toBeGreaterThanOrEqual(10);
    expect(gaps[1]).toBeGreaterThanOrEqual(20);
    expect(gaps[2]).toBeGreaterThanOrEqual(40);
  });

  it('marks the job failed with the last error once attempts run out', async () => {
    const handler = register(
      new TestHandler(
        nextKind(),
        async (_, context) => {
          throw new Error(`still broken (${context.attempt})`);
        },
        3,
      ),
    );
    const id = (await jobs.enqueue(handler.kind, { n: 1 })) as string;
    await eventually(async () => (await jobRow(t.db, id)).status === 'failed', 10_000, 'failure');
    expect(await jobRow(t.db, id)).toMatchObject({ status: 'failed', attempts: 3, last_error: 'still broken (3)' });
    expect(handler.statesOf(1)).toEqual(['retrying', 'retrying', 'failed']);
  });

  it('stops at once on a permanent error', async () => {
    const handler = register(
      new TestHandler(nextKind(), async () => {
        throw new PermanentJobError('the receiver said: gone for good');
      }),
    );
    const id = (await jobs.enqueue(handler.kind, { n: 1 })) as string;
    await eventually(async () => (await jobRow(t.db, id)).status === 'failed', 5000, 'failure');
    expect(await jobRow(t.db, id)).toMatchObject({ attempts: 1, last_error: 'the receiver said: gone for good' });
    expect(handler.runs).toHaveLength(1);
  });

  it('aborts a run that exceeds its timeout and retries it', async () => {
    const signals: AbortSignal[] = [];
    const handler = register(
      new TestHandler(
        nextKind(),
        async (_, context) => {
          signals.push(context.signal);
          if (context.attempt === 1) await new Promise(() => undefined); // hangs
        },
        undefined,
        1,
      ),
    );
    const id = (await jobs.enqueue(handler.kind, { n: 1 })) as string;
    await eventually(async () => (await jobRow(t.db, id)).status === 'succeeded', 10_000, 'success after a timeout');
    expect(handler.statesOf(1)).toEqual(['retrying', 'succeeded']);
    expect(signals[0].aborted).toBe(true);
    expect((handler.outcomes[0].outcome as { error: string }).error).toMatch(/Timed out after 1 s/);
  });

  it('gives a failed job a fresh set of attempts on retry()', async () => {
    let broken = true;
    const handler = register(
      new TestHandler(
        nextKind(),
        async () => {
          if (broken) throw new PermanentJobError('broken');
        },
      ),
    );
    const id = (await jobs.enqueue(handler.kind, { n: 1 })) as string;
    await eventually(async () => (await jobRow(t.db, id)).status === 'failed', 5000, 'failure');
    broken = false;
    expect(await jobs.retry(id)).toBe(true);
    expect(await jobs.retry(id)).toBe(false); // not failed any more
    await eventually(async () => (await jobRow(t.db, id)).status === 'succeeded', 5000, 'success');
    expect(handler.statesOf(1)).toEqual(['failed', 'requeued', 'succeeded']);
  });
});

describe('leases', () => {
  it('reclaims a job whose worker died once its lease expires', async () => {
    const kind = nextKind();
    const repository = t.app.get(JobsRepository);
    // A worker that claims the job and then vanishes (no heartbeat, no outcome).
    const id = (await repository.insert({ kind, payload: { n: 1 }, userId: null, runAt: null, dedupeKey: null, maxAttempts: 5 })) as string;
    const [dead] = await repository.claim([kind], 1, 'dead-worker', 1);
    expect(dead).toMatchObject({ id, attempt: 1 });
    const handler = register(new TestHandler(kind));
    await sleep(300);
    expect(handler.runs).toHaveLength(0); // still leased
    await eventually(async () => (await jobRow(t.db, id)).status === 'succeeded', 5000, 'the reclaimed job');
    expect(handler.runs).toEqual([expect.objectContaining({ n: 1, attempt: 2 })]);
    expect((await jobRow(t.db, id)).claimed_by).toBe(t.app.get(JobWorker).id);
  });

  it('fences outcomes by lease token: a worker that lost its lease changes nothing', async () => {
    const kind = nextKind(); // no handler: only this test's claims touch the job
    const repository = t.app.get(JobsRepository);
    const id = (await repository.insert({ kind, payload: {}, userId: null, runAt: null, dedupeKey: null, maxAttempts: 5 })) as string;
    const [first] = await repository.claim([kind], 1, 'worker-a', 60);
    expect(await repository.claim([kind], 1, 'worker-b', 60)).toEqual([]); // leased: nobody else gets it
    await t.db.query(`UPDATE jobs SET locked_until = now() - interval '1 second' WHERE id = $1`, [id]);
    const [second] = await repository.claim([kind], 1, 'worker-b', 60);
    expect(second).toMatchObject({ id, attempt: 2 });
    expect(second.leaseToken).not.toBe(first.leaseToken);
    expect(await repository.markSucceeded(id, first.leaseToken)).toBe(false);
    expect(await repository.extendLease(id, first.leaseToken, 60)).toBe(false);
    expect(await repository.markRetry(id, first.leaseToken, 'late', 10)).toBeNull();
    expect(await repository.markSucceeded(id, second.leaseToken)).toBe(true);
    expect(await jobRow(t.db, id)).toMatchObject({ status: 'succeeded', attempts: 2, claimed_by: 'worker-b' });
  });

  it('keeps a long job leased by heartbeat', async () => {
    const handler = register(new TestHandler(nextKind(), () => sleep(2500)));
    const id = (await jobs.enqueue(handler.kind, { n: 1 })) as string;
    await eventually(async () => (await jobRow(t.db, id)).status === 'succeeded', 10_000, 'the long job');
    // A 1 s lease, a 2.5 s run: without heartbeats it would have been claimed again.
    expect(handler.runs).toHaveLength(1);
  });

  it('fails a job whose worker died on its last attempt', async () => {
    const kind = nextKind();
    const repository = t.app.get(JobsRepository);
    const id = (await repository.insert({ kind, payload: { n: 1 }, userId: null, runAt: null, dedupeKey: null, maxAttempts: 1 })) as string;
    await repository.claim([kind], 1, 'dead-worker', 1);
    const handler = register(new TestHandler(kind));
    await eventually(async () => (await jobRow(t.db, id)).status === 'failed', 5000, 'the failure');
    expect(handler.runs).toHaveLength(0);
    expect((await jobRow(t.db, id)).last_error).toMatch(/stopped before finishing/);
    expect(handler.statesOf(1)).toEqual(['failed']);
  });
});

describe('GET /jobs/metrics', () => {
  it('counts queue depth and failures per kind', async () => {
    const user = await registerUser(t.http);
    // An operational route: admins only (test/e2e/metrics.e2e-spec.ts covers who is one).
    await t.db.query("UPDATE users SET role = 'admin' WHERE id = $1", [user.id]);
    await t.db.wake('calento_sessions');
    const failing = register(
      new TestHandler(nextKind(), async () => {
        throw new PermanentJobError('nope');
      }),
    );
    const waiting = register(new TestHandler(nextKind()));
    const failed = (await jobs.enqueue(failing.kind, { n: 1 })) as string;
    await jobs.enqueue(waiting.kind, { n: 1 }, { runAt: new Date(Date.now() + 3_600_000) });
    await eventually(async () => (await jobRow(t.db, failed)).status === 'failed', 5000, 'failure');
    const res = await request(t.http).get('/api/v1/jobs/metrics').set(user.auth).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const byKind = Object.fromEntries(res.body.kinds.map((k: { kind: string }) => [k.kind, k]));
    expect(byKind[failing.kind]).toMatchObject({ failed: 1, failedLastHour: 1, queued: 0, running: 0 });
    expect(byKind[waiting.kind]).toMatchObject({ queued: 1, due: 0, failed: 0 });
    expect(res.body.totals.failed).toBeGreaterThanOrEqual(1);
    expect(res.body.totals.queued).toBeGreaterThanOrEqual(1);
    expect(res.body.thisProcess).toMatchObject({ workerRunning: true, kinds: expect.arrayContaining(['email.send']) });
  });

  it('needs a token', async () => {
    expectProblem(await request(t.http).get('/api/v1/jobs/metrics'), 401, 'UNAUTHENTICATED');
  });
});

describe('worker processes and shutdown', () => {
  let shared: SharedDatabase;
  beforeAll(async () => {
    shared = await SharedDatabase.create();
  });
  afterAll(async () => {
    await shared?.drop();
  });

  it('WORKERS=off queues jobs without running them; a worker runs them later', async () => {
    const kind = nextKind();
    const api = await shared.startApp({ ...fastJobs, WORKERS: 'off' });
    const apiHandler = register(new TestHandler(kind), api.app);
    const id = (await api.app.get(JobsService).enqueue(kind, { n: 1 })) as string;
    await sleep(300);
    expect(apiHandler.runs).toHaveLength(0);
    expect((await jobRow(api.db, id)).status).toBe('queued');
    expect((await api.app.get(JobsService).metrics()).thisProcess.workerRunning).toBe(false);
    api.app.get(JobWorker).start(); // what `npm run worker` does
    await eventually(async () => (await jobRow(api.db, id)).status === 'succeeded', 5000, 'the job');
    expect(apiHandler.runs).toHaveLength(1);
    await api.close();
  });

  it('lets an in-flight job finish on shutdown', async () => {
    const kind = nextKind();
    const app = await shared.startApp({ ...fastJobs, JOB_SHUTDOWN_GRACE_MS: '5000' });
    const handler = register(new TestHandler(kind, () => sleep(700)), app.app);
    const id = (await app.app.get(JobsService).enqueue(kind, { n: 1 })) as string;
    await eventually(() => handler.runs.length === 1, 5000, 'the job to start');
    await app.close();
    expect(handler.statesOf(1)).toEqual(['succeeded']);
    const inspector = await shared.startApp({ WORKERS: 'off' });
    expect(await jobRow(inspector.db, id)).toMatchObject({ status: 'succeeded', attempts: 1 });
    await inspector.close();
  });

  it('releases a job still running when the grace period ends, without spending an attempt', async () => {
    const kind = nextKind();
    const app = await shared.startApp({ ...fastJobs, JOB_SHUTDOWN_GRACE_MS: '200', JOB_LEASE_SECONDS: '60' });
    let aborted = false;
    const handler = register(
      new TestHandler(kind, (_, context) => {
        context.signal.addEventListener('abort', () => (aborted = true));
        return new Promise(() => undefined); // never finishes on its own
      }),
      app.app,
    );
    const id = (await app.app.get(JobsService).enqueue(kind, { n: 1 })) as string;
    await eventually(() => handler.runs.length === 1, 5000, 'the job to start');
    await app.close();
    expect(aborted).toBe(true);
    const next = await shared.startApp({ ...fastJobs, WORKERS: 'off' });
    // Released: queued again, due now, attempt not counted — not stuck behind a 60 s lease.
    expect(await jobRow(next.db, id)).toMatchObject({ status: 'queued', attempts: 0 });
    const successor = register(new TestHandler(kind), next.app);
    next.app.get(JobWorker).start();
    await eventually(async () => (await jobRow(next.db, id)).status === 'succeeded', 5000, 'the released job');
    expect(successor.runs).toEqual([expect.objectContaining({ attempt: 1 })]);
    await next.close();
  });
});
