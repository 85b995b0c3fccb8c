import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ChangeDispatcher } from '../../src/modules/changes/change-dispatcher.js';
import type { Change, ChangeInput } from '../../src/modules/changes/changes.rows.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { appendChanges, bookingChange, eventChange } from '../factories/changes.js';
import { RealtimeTestClient } from '../setup/realtime-client.js';
import { eventually, sleep } from '../setup/wait.js';

/**
 * Delivery on one API process: a user's own changes only, each once, in order, as they commit (appended
 * to the feed directly, as the writers do, and made through the REST API), and resume with `since`.
 */
let t: TestApp;
let base: string;
let dispatcher: ChangeDispatcher;
let alice: TestUser;
let bob: TestUser;
const open: RealtimeTestClient[] = [];

beforeAll(async () => {
  t = await createTestApp();
  await t.app.listen(0, '127.0.0.1');
  base = await t.app.getUrl();
  dispatcher = t.app.get(ChangeDispatcher);
  alice = await registerUser(t.http);
  bob = await registerUser(t.http);
});
afterEach(() => {
  for (const client of open.splice(0)) client.close();
});
afterAll(async () => t?.close());

async function connect(options: Parameters<typeof RealtimeTestClient.connect>[1]): Promise<RealtimeTestClient> {
  const client = await RealtimeTestClient.connect(base, options);
  open.push(client);
  return client;
}

const append = (...changes: Array<ChangeInput<object>>): Promise<Change[]> => appendChanges(t.app, ...changes);

describe('delivery', () => {
  it("sends each user their own changes as they commit, { seq, kind, origin, data }, never another user's", async () => {
    const aliceClient = await connect({ token: alice.accessToken });
    const bobClient = await connect({ token: bob.accessToken });
    const made = await append(
      eventChange(alice.id, 'event.created', 'Standup'),
      bookingChange(alice.id, 'booking.created', 'Zoe'),
    );
    const later = await append(eventChange(alice.id, 'event.deleted', 'Standup', 'ics'));
    const bobs = await append(bookingChange(bob.id, 'booking.cancelled', 'Yann'));
    await aliceClient.waitForChanges(3);
    await bobClient.waitForChanges(1);
    expect(aliceClient.messages.slice(1).map((message) => message.event)).toEqual(['event.created', 'booking.created', 'event.deleted']);
    expect(aliceClient.changes).toEqual(
      [...made, ...later].map((change) => ({ seq: change.seq, kind: change.kind, origin: change.origin, data: change.data })),
    );
    expect(bobClient.changes).toEqual([{ seq: bobs[0].seq, kind: 'booking.cancelled', origin: 'booking', data: bobs[0].data }]);
    // Nothing more arrives for either (no duplicates, nothing crossed over).
    await dispatcher.drain();
    await sleep(300);
    expect(aliceClient.changes).toHaveLength(3);
    expect(bobClient.changes).toHaveLength(1);
  });

  it('sends every socket of a user each change once, in seq order', async () => {
    const tab1 = await connect({ token: alice.accessToken });
    const tab2 = await connect({ token: alice.accessToken });
    const made: Change[] = [];
    for (let i = 0; i < 20; i++) made.push(...(await append(eventChange(alice.id, 'event.updated', `Edit ${i}`))));
    made.push(...(await append(...Array.from({ length: 10 }, (_, i) => eventChange(alice.id, 'event.created', `Batch ${i}`)))));
    await tab1.waitForChanges(30);
    await tab2.waitForChanges(30);
    await dispatcher.drain();
    await sleep(300);
    const expected = made.map((change) => change.seq);
    expect(tab1.seqs).toEqual(expected);
    expect(tab2.seqs).toEqual(expected);
    expect([...expected].sort((a, b) => a - b)).toEqual(expected);
  });

  it('sends only event.* and booking.* changes', async () => {
    const client = await connect({ token: alice.accessToken });
    await append({ kind: 'sync.finished', userId: alice.id, origin: 'google:primary', data: {} });
    const [event] = await append(eventChange(alice.id, 'event.created', 'After sync'));
    await client.waitForChanges(1);
    await sleep(200);
    expect(client.seqs).toEqual([event.seq]);
  });

  it('reaches the client within milliseconds of the commit, without waiting for a poll', async () => {
    const client = await connect({ token: alice.accessToken });
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      await append(eventChange(alice.id, 'event.updated', `Latency ${i}`));
      await client.waitForChanges(i + 1, 5000);
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    console.info(`[realtime] commit-to-socket latency over 20 changes: p50 ${latencies[10].toFixed(1)} ms, max ${latencies[19].toFixed(1)} ms`);
    // The poll interval is 1 s: well under it means the commit woke the dispatcher and the relay.
    expect(latencies[10]).toBeLessThan(500);
  });
});

describe('through the API', () => {
  it('pushes the changes of events made through the REST API to their owner only', async () => {
    const ivy = await registerUser(t.http);
    const ivyClient = await connect({ token: ivy.accessToken });
    const bobClient = await connect({ token: bob.accessToken });
    const created = await request(t.http)
      .post('/api/v1/events')
      .set(ivy.auth)
      .send({ title: 'Review', startTime: '2031-05-05T10:00:00Z', endTime: '2031-05-05T11:00:00Z' })
      .expect(201);
    await request(t.http).patch(`/api/v1/events/${created.body.id}`).set(ivy.auth).send({ title: 'Review 2' }).expect(200);
    await request(t.http).delete(`/api/v1/events/${created.body.id}`).set(ivy.auth).expect(204);
    const [made, updated, deleted] = await ivyClient.waitForChanges(3);
    expect(ivyClient.changes.map((change) => `${change.kind} ${change.origin}`)).toEqual(['event.created api', 'event.updated api', 'event.deleted api']);
    expect(made.data).toMatchObject({ before: null, after: { id: created.body.id, title: 'Review', startTime: '2031-05-05T10:00:00.000Z' } });
    expect(updated.data).toMatchObject({ before: { title: 'Review' }, after: { title: 'Review 2' } });
    expect(deleted.data).toMatchObject({ before: { id: created.body.id, title: 'Review 2' }, after: null });
    expect(ivyClient.seqs).toEqual([...ivyClient.seqs].sort((a, b) => a - b));
    await sleep(300);
    expect(bobClient.changes).toEqual([]);
  });

  it("pushes a public booking to the host: the booking and the host's new event", async () => {
    const host = await registerUser(t.http, { timezone: 'Europe/Berlin' });
    const rules = [1, 2, 3, 4, 5].map((dayOfWeek) => ({ dayOfWeek, startTime: '09:00', endTime: '17:00' }));
    await request(t.http).put('/api/v1/availability/schedule').set(host.auth).send({ timezone: 'Europe/Berlin', rules }).expect(200);
    const slug = `rt-${Date.now().toString(36)}`;
    await request(t.http).post('/api/v1/booking-links').set(host.auth).send({ slug, title: 'Intro call', durationMinutes: 30 }).expect(201);
    const today = new Date();
    const monday = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 14 + ((8 - (today.getUTCDay() || 7)) % 7), 12));
    const hostClient = await connect({ token: host.accessToken });
    const booked = await request(t.http)
      .post('/api/v1/bookings')
      .send({ slug, name: 'Grace Hopper', email: 'grace@example.com', timezone: 'Europe/London', start: monday.toISOString() })
      .expect(201);
    const changes = await hostClient.waitForChanges(2);
    expect(changes.map((change) => `${change.kind} ${change.origin}`).sort()).toEqual(['booking.created booking', 'event.created booking']);
    const booking = changes.find((change) => change.kind === 'booking.created');
    expect(booking?.data).toMatchObject({ booking: { id: booked.body.id, bookerName: 'Grace Hopper', status: 'confirmed' } });
  });
});

describe('resume with since', () => {
  it('sends the changes missed since a seq, in order, before ready, then continues live', async () => {
    const first = await connect({ token: alice.accessToken });
    await append(eventChange(alice.id, 'event.created', 'Seen 1'), eventChange(alice.id, 'event.updated', 'Seen 2'));
    const seen = await first.waitForChanges(2);
    first.close();
    await eventually(() => first.disconnectReason !== null, 5000, 'the disconnect');

    const missed = [
      ...(await append(eventChange(alice.id, 'event.updated', 'Missed 1'))),
      ...(await append(bookingChange(bob.id, 'booking.created', 'Not for Alice'))),
      ...(await append(bookingChange(alice.id, 'booking.rescheduled', 'Missed 2'), eventChange(alice.id, 'event.deleted', 'Missed 3'))),
    ].filter((change) => change.userId === alice.id);
    await dispatcher.drain();

    const again = await connect({ token: alice.accessToken, since: seen[1].seq });
    expect(again.messages.map((message) => message.event)).toEqual(['event.updated', 'booking.rescheduled', 'event.deleted', 'ready']);
    expect(again.seqs).toEqual(missed.map((change) => change.seq));
    expect(again.ready).toEqual({ userId: alice.id, resumed: 3, resync: false, seq: missed[2].seq });

    const [live] = await append(eventChange(alice.id, 'event.created', 'Live'));
    await again.waitForChanges(4);
    await sleep(200);
    expect(again.seqs).toEqual([...missed.map((change) => change.seq), live.seq]);
  });

  it('gives a resume point in ready even when nothing was missed, and since as a string works too', async () => {
    const [last] = await append(eventChange(alice.id, 'event.created', 'Before connect'));
    await dispatcher.drain();
    const client = await connect({ token: alice.accessToken });
    expect(client.ready).toEqual({ userId: alice.id, resumed: 0, resync: false, seq: last.seq });
    client.close();
    const resumed = await connect({ token: alice.accessToken, since: String(last.seq) });
    expect(resumed.ready).toEqual({ userId: alice.id, resumed: 0, resync: false, seq: last.seq });
  });

  it("tells the client to resync for a seq it cannot resume from, and never sends another user's changes", async () => {
    const [bobs] = await append(bookingChange(bob.id, 'booking.created', 'Bob only'));
    await dispatcher.drain();
    for (const since of [bobs.seq, 987654321]) {
      const client = await connect({ token: alice.accessToken, since });
      expect(client.messages.map((message) => message.event)).toEqual(['ready']);
      expect(client.ready).toMatchObject({ userId: alice.id, resumed: 0, resync: true });
      client.close();
    }
  });

  it("since 0 sends every change kept for the user, and only the user's", async () => {
    const carol = await registerUser(t.http);
    const made = await append(
      eventChange(carol.id, 'event.created', 'One'),
      bookingChange(bob.id, 'booking.created', 'Not Carol'),
      eventChange(carol.id, 'event.updated', 'Two'),
    );
    await dispatcher.drain();
    const client = await connect({ token: carol.accessToken, since: 0 });
    expect(client.seqs).toEqual([made[0].seq, made[2].seq]);
    expect(client.ready).toEqual({ userId: carol.id, resumed: 2, resync: false, seq: made[2].seq });
  });

  it('joins the missed and the live changes without a gap or a duplicate while changes keep coming', async () => {
    const erin = await registerUser(t.http);
    const [start] = await append(eventChange(erin.id, 'event.created', 'Start'));
    await dispatcher.drain();
    const made: Change[] = [];
    let writing = true;
    const writer = (async () => {
      // One commit per turn of the event loop, as requests would come (on PGlite a commit resolves
      // through microtasks only, so a bare loop would starve the sockets and timers).
      for (let i = 0; i < 500 && (writing || i < 5); i++) {
        made.push(...(await append(eventChange(erin.id, 'event.updated', `Stream ${i}`))));
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await sleep(30);
    const client = await connect({ token: erin.accessToken, since: start.seq });
    await sleep(100);
    writing = false;
    await writer;
    await dispatcher.drain();
    await client.waitForChanges(made.length);
    await sleep(200);
    expect(client.seqs).toEqual(made.map((change) => change.seq));
    // Both paths were exercised: some changes came as missed ones, the rest live after ready.
    const readyAt = client.messages.findIndex((message) => message.event === 'ready');
    expect({ resumed: client.ready.resumed, live: client.messages.length - readyAt - 1 }).toEqual({
      resumed: readyAt,
      live: made.length - readyAt,
    });
    console.info(`[realtime] stream join: ${readyAt} missed + ${made.length - readyAt} live changes`);
  });
});
