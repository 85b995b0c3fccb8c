import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { Change, ChangeInput } from '../../src/modules/changes/changes.rows.js';
import { RealtimeRedis } from '../../src/modules/realtime/realtime-redis.js';
import { RealtimeGateway } from '../../src/modules/realtime/realtime.gateway.js';
import { userRoom } from '../../src/modules/realtime/realtime.contract.js';
import { appendChanges, bookingChange, eventChange } from '../factories/changes.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { announcePgOnly, describePgOnly, PG_ONLY } from '../setup/pg-only.js';
import { RealtimeTestClient } from '../setup/realtime-client.js';
import { TcpProxy } from '../setup/tcp-proxy.js';
import { eventually, sleep } from '../setup/wait.js';
import { freePort } from '../setup/ports.js';
import { SharedDatabase, type ApiProcess, type RunningApp, type WorkerProcess } from '../setup/worker-process.js';

/**
 * Scale-out as deployed: two API processes (A in this process, B a child process running src/main.ts)
 * with WORKERS=off, one `npm run worker` process that dispatches the change feed, one real PostgreSQL
 * and the machine's Redis (B reaches it through a TCP relay, so that Redis can go away and come back for
 * B alone). Each run uses its own Redis channel prefix.
 */
announcePgOnly('realtime-scale: "a change made through process A reaches a client connected to process B"');

const REDIS_PORT = 6379;

describePgOnly(`realtime across API processes ${PG_ONLY}`, () => {
  const prefix = `calento-test-${randomBytes(6).toString('hex')}`;
  let shared: SharedDatabase;
  let a: RunningApp;
  let aBase: string;
  let b: ApiProcess;
  let worker: WorkerProcess;
  let bRedis: TcpProxy;
  let alice: TestUser;
  let bob: TestUser;
  const sockets: RealtimeTestClient[] = [];

  beforeAll(async () => {
    shared = await SharedDatabase.create();
    bRedis = await TcpProxy.open(REDIS_PORT);
    const env = { WORKERS: 'off', REDIS_PREFIX: prefix };
    a = await shared.startApp({ ...env, REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}` });
    await a.app.listen(0, '127.0.0.1');
    aBase = await a.app.getUrl();
    [b, worker] = await Promise.all([shared.spawnApi({ ...env, REDIS_URL: bRedis.url }), shared.spawnWorker()]);
    alice = await registerUser(a.http);
    bob = await registerUser(a.http);
    await eventually(() => a.app.get(RealtimeRedis).state === 'up' && b.log.includes('Redis adapter connected'), 20_000, 'Redis');
  }, 180_000);

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await Promise.all([b?.stop(), worker?.stop()]);
    await a?.close();
    await bRedis?.stop();
    await shared?.drop();
  }, 60_000);

  async function connect(base: string, user: TestUser, since?: number): Promise<RealtimeTestClient> {
    const client = await RealtimeTestClient.connect(base, { token: user.accessToken, since });
    sockets.push(client);
    return client;
  }

  /** A change committed through process A's own feed writer (as the events and bookings writers do). */
  async function throughA(change: ChangeInput<object>): Promise<Change> {
    return (await appendChanges(a.app, change))[0];
  }

  it('delivers a change made through process A to a client connected to process B, once, in order; user B never gets user A\'s', async () => {
    const aliceOnB = await connect(b.base, alice);
    const aliceOnA = await connect(aBase, alice);
    const bobOnB = await connect(b.base, bob);
    const bobOnA = await connect(aBase, bob);

    const made: Change[] = [];
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      made.push(await throughA(i % 4 === 3 ? bookingChange(alice.id, 'booking.created', `Booker ${i}`) : eventChange(alice.id, 'event.updated', `Edit ${i}`)));
      await aliceOnB.waitForChanges(i + 1, 10_000);
      latencies.push(performance.now() - started);
    }
    const bobs = await throughA(eventChange(bob.id, 'event.created', "Bob's"));
    await Promise.all([aliceOnA.waitForChanges(20), bobOnB.waitForChanges(1), bobOnA.waitForChanges(1)]);
    await sleep(500);

    const expected = made.map((change) => change.seq);
    expect(aliceOnB.seqs).toEqual(expected);
    expect(aliceOnA.seqs).toEqual(expected);
    expect(bobOnB.changes).toEqual([{ seq: bobs.seq, kind: 'event.created', origin: 'api', data: bobs.data }]);
    expect(bobOnA.seqs).toEqual([bobs.seq]);
    expect(aliceOnB.changes[3]).toEqual({ seq: made[3].seq, kind: 'booking.created', origin: 'booking', data: made[3].data });

    latencies.sort((x, y) => x - y);
    console.info(
      `[realtime-scale] commit on A -> worker dispatch -> socket on B, 20 changes: p50 ${latencies[10].toFixed(1)} ms, max ${latencies[19].toFixed(1)} ms`,
    );
  }, 60_000);

  it("pushes an event made through process A's REST API to its owner's socket on process B only", async () => {
    const ivy = await registerUser(a.http);
    const ivyOnB = await connect(b.base, ivy);
    const bobOnB = await connect(b.base, bob);
    const created = await request(a.http)
      .post('/api/v1/events')
      .set(ivy.auth)
      .send({ title: 'Made on A', startTime: '2031-05-05T10:00:00Z', endTime: '2031-05-05T11:00:00Z' })
      .expect(201);
    const [change] = await ivyOnB.waitForChanges(1);
    expect(change).toMatchObject({ kind: 'event.created', origin: 'api', data: { before: null, after: { id: created.body.id, title: 'Made on A' } } });
    await sleep(300);
    expect(bobOnB.changes).toEqual([]);
  });

  it("joins the processes' rooms through the Redis adapter", async () => {
    const carol = await registerUser(a.http);
    await connect(b.base, carol);
    await connect(aBase, carol);
    const server = a.app.get(RealtimeGateway).server;
    // One socket here, one in process B: only Redis can tell A about the second.
    const found = await server.in(userRoom(carol.id)).fetchSockets();
    expect(found).toHaveLength(2);
    expect(found.map((socket) => socket.rooms.has(userRoom(carol.id)))).toEqual([true, true]);
  });

  it('ends the sockets on process B at once when the password changes through process A', async () => {
    const dave = await registerUser(a.http);
    const daveOnB = await connect(b.base, dave);
    const started = Date.now();
    await request(a.http)
      .patch('/api/v1/users/me')
      .set(dave.auth)
      .send({ currentPassword: dave.password, newPassword: 'another-horse-45' })
      .expect(200);
    await eventually(() => daveOnB.disconnectReason !== null, 5000, 'the disconnect on B');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(daveOnB.ended).toEqual({ reason: 'session_revoked' });
  });

  it('resumes on process B what was committed through A while the client was away', async () => {
    const erin = await registerUser(a.http);
    const erinOnA = await connect(aBase, erin);
    const first = await connect(b.base, erin);
    const seen = await throughA(eventChange(erin.id, 'event.created', 'Seen'));
    await first.waitForChanges(1);
    first.close();
    const missed = [
      await throughA(eventChange(erin.id, 'event.updated', 'Missed 1')),
      await throughA(bookingChange(erin.id, 'booking.cancelled', 'Missed 2')),
    ];
    await erinOnA.waitForChanges(3); // dispatched by the worker
    const again = await connect(b.base, erin, seen.seq);
    expect(again.seqs).toEqual(missed.map((change) => change.seq));
    expect(again.ready).toEqual({ userId: erin.id, resumed: 2, resync: false, seq: missed[1].seq });
  });

  it('keeps serving HTTP and delivering when Redis goes away from process B, warns, and recovers', async () => {
    const frank = await registerUser(a.http);
    const frankOnB = await connect(b.base, frank);
    await bRedis.stop();
    await eventually(() => b.log.includes('Redis is unreachable'), 20_000, "B's warning");
    expect((await fetch(`${b.base}/health/ready`)).status).toBe(200);
    const during = await throughA(eventChange(frank.id, 'event.created', 'While Redis is down'));
    await frankOnB.waitForChanges(1);
    expect(frankOnB.seqs).toEqual([during.seq]);
    // A new client of B is admitted and resumes as usual.
    const late = await connect(b.base, frank, 0);
    expect(late.seqs).toEqual([during.seq]);

    await bRedis.start();
    await eventually(() => b.log.includes('Redis is reachable again'), 30_000, "B's recovery");
    const server = a.app.get(RealtimeGateway).server;
    await eventually(async () => (await server.in(userRoom(frank.id)).fetchSockets()).length === 2, 10_000, 'the rooms joined again');
    expect(b.log).not.toMatch(/Unhandled|uncaught/i);
  }, 90_000);

  it('starts without Redis, warning once, and serves HTTP and realtime on its own', async () => {
    const deadPort = await freePort();
    const c = await shared.spawnApi({ WORKERS: 'off', REDIS_PREFIX: prefix, REDIS_URL: `redis://127.0.0.1:${deadPort}` });
    try {
      // Log lines reach stdout in batches (at least every 250 ms), so the warning may follow readiness.
      await eventually(() => c.log.includes('Redis is unreachable'), 5000, 'the Redis warning');
      const gina = await registerUser(a.http);
      const ginaOnC = await RealtimeTestClient.connect(c.base, { token: gina.accessToken });
      sockets.push(ginaOnC);
      const made = await throughA(eventChange(gina.id, 'event.created', 'No Redis here'));
      await ginaOnC.waitForChanges(1);
      expect(ginaOnC.seqs).toEqual([made.seq]);
      expect(c.log.match(/Redis is unreachable/g)).toHaveLength(1);
    } finally {
      await c.stop();
    }
  }, 90_000);
});
