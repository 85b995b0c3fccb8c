import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { ChangeDispatcher } from '../../src/modules/changes/change-dispatcher.js';
import { ChangeFeed } from '../../src/modules/changes/change-feed.service.js';
import type { Change, ChangeInput } from '../../src/modules/changes/changes.rows.js';
import { createTestApp, testEnv, type TestApp } from '../setup/test-app.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { bookingChange, eventChange } from '../factories/changes.js';
import { io } from 'socket.io-client';
import { RealtimeTestClient } from '../setup/realtime-client.js';
import { REALTIME_PATH, type RealtimeChange, type RealtimeReady } from '../../src/modules/realtime/realtime.contract.js';
import { eventually, sleep } from '../setup/wait.js';
import { freePort } from '../setup/worker-process.js';
import { RealtimeRedis } from '../../src/modules/realtime/realtime-redis.js';

/**
 * The socket.io endpoint on one API process: the handshake (tokens checked as the HTTP guard checks
 * them), delivery of a user's own changes only, in order, resume with `since`, and sessions that end.
 * Changes are appended to the feed directly (ChangeFeed in db.tx), as the writers do.
 */
let t: TestApp;
let base: string;
let feed: ChangeFeed;
let dispatcher: ChangeDispatcher;
let alice: TestUser;
let bob: TestUser;
const open: RealtimeTestClient[] = [];

beforeAll(async () => {
  t = await createTestApp();
  await t.app.listen(0, '127.0.0.1');
  base = await t.app.getUrl();
  feed = t.app.get(ChangeFeed);
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

function append(...changes: Array<ChangeInput<object>>): Promise<Change[]> {
  return t.db.tx(async () => {
    const made: Change[] = [];
    for (const change of changes) made.push((await feed.append(change)) as Change);
    return made;
  });
}

const inSeconds = (seconds: number) => Math.floor(Date.now() / 1000) + seconds;
const sign = (claims: { sub: string; ver: number; exp?: number }, secret = testEnv.JWT_SECRET) =>
  jwt.sign({ exp: inSeconds(900), ...claims }, secret, { algorithm: 'HS256' });

describe('the handshake', () => {
  it('refuses a connection without a token, saying so', async () => {
    expect(await RealtimeTestClient.refused(base, {})).toEqual({
      message: 'An access token is required',
      data: { code: 'UNAUTHENTICATED', reason: 'missing' },
    });
  });

  it('refuses forged, alg-none, malformed and expired tokens', async () => {
    const forged = sign({ sub: alice.id, ver: 0 }, 'another-secret-that-is-long-enough-0123456789');
    const [header, payload] = alice.accessToken.split('.');
    const algNone = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const swapped = `${header}.${Buffer.from(JSON.stringify({ sub: bob.id, ver: 0, exp: 4102444800 })).toString('base64url')}.${alice.accessToken.split('.')[2]}`;
    for (const token of [forged, algNone, swapped, 'not-a-jwt']) {
      expect(await RealtimeTestClient.refused(base, { token })).toEqual({
        message: 'The access token is invalid',
        data: { code: 'UNAUTHENTICATED', reason: 'invalid' },
      });
    }
    const expired = sign({ sub: alice.id, ver: 0, exp: inSeconds(-5) });
    expect(await RealtimeTestClient.refused(base, { token: expired })).toEqual({
      message: 'The access token has expired',
      data: { code: 'UNAUTHENTICATED', reason: 'expired' },
    });
  });

  it("refuses a deleted user's token and a token of an older session version", async () => {
    const carol = await registerUser(t.http);
    await request(t.http).delete('/api/v1/users/me').set(carol.auth).send({ password: carol.password }).expect(204);
    expect(await RealtimeTestClient.refused(base, { token: carol.accessToken })).toEqual({
      message: 'The session of this access token has ended; sign in again',
      data: { code: 'UNAUTHENTICATED', reason: 'revoked' },
    });

    const dave = await registerUser(t.http);
    await request(t.http)
      .patch('/api/v1/users/me')
      .set(dave.auth)
      .send({ currentPassword: dave.password, newPassword: 'another-horse-43' })
      .expect(200);
    expect((await RealtimeTestClient.refused(base, { token: dave.accessToken })).data).toEqual({ code: 'UNAUTHENTICATED', reason: 'revoked' });
    // The HTTP guard agrees: both come from the same verifier.
    await request(t.http).get('/api/v1/users/me').set(dave.auth).expect(401);
  });

  it('accepts the token in auth or as an Authorization: Bearer header', async () => {
    const byAuth = await connect({ token: alice.accessToken });
    expect(byAuth.ready).toMatchObject({ userId: alice.id, resumed: 0, resync: false });
    const byHeader = await connect({ headers: { Authorization: `Bearer ${bob.accessToken}` } });
    expect(byHeader.ready).toMatchObject({ userId: bob.id });
  });

  it('refuses a since that is not a non-negative integer, naming it', async () => {
    for (const since of [-1, 1.5, 'abc', { seq: 1 }, '12345678901234567']) {
      expect(await RealtimeTestClient.refused(base, { token: alice.accessToken, since })).toEqual({
        message: 'since must be a non-negative integer: the seq of the last change received',
        data: { code: 'VALIDATION_FAILED', field: 'since' },
      });
    }
  });

  it('leaves the HTTP API as it was on the same server', async () => {
    await request(t.http).get('/health/live').expect(200);
    const missing = await request(t.http).get('/api/v1/no-such-route').expect(404);
    expect(missing.body.code).toBe('ROUTE_NOT_FOUND');
    // The realtime path is socket.io's, answered before Fastify routes.
    const probe = await request(t.http).get('/api/v1/realtime/?EIO=4&transport=polling').expect(200);
    expect(probe.text).toMatch(/"sid"/);
  });
});

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

describe('sessions', () => {
  it("ends a user's sockets at once when the password changes, and nobody else's", async () => {
    const frank = await registerUser(t.http);
    const frankClient = await connect({ token: frank.accessToken });
    const aliceClient = await connect({ token: alice.accessToken });
    const started = Date.now();
    await request(t.http)
      .patch('/api/v1/users/me')
      .set(frank.auth)
      .send({ currentPassword: frank.password, newPassword: 'another-horse-44' })
      .expect(200);
    await eventually(() => frankClient.disconnectReason !== null, 5000, 'the disconnect');
    // Woken by the change's commit, not the 60 s periodic check.
    expect(Date.now() - started).toBeLessThan(2000);
    expect(frankClient.ended).toEqual({ reason: 'session_revoked' });
    expect(frankClient.disconnectReason).toBe('io server disconnect');
    expect(aliceClient.socket.connected).toBe(true);
  });

  it("ends a deleted user's sockets", async () => {
    const gina = await registerUser(t.http);
    const client = await connect({ token: gina.accessToken });
    await request(t.http).delete('/api/v1/users/me').set(gina.auth).send({ password: gina.password }).expect(204);
    await eventually(() => client.disconnectReason !== null, 5000, 'the disconnect');
    expect(client.ended).toEqual({ reason: 'session_revoked' });
  });

  it('ends a socket when its access token expires', async () => {
    const client = await connect({ token: sign({ sub: alice.id, ver: 0, exp: inSeconds(2) }) });
    expect(client.socket.connected).toBe(true);
    await eventually(() => client.disconnectReason !== null, 5000, 'the expiry');
    expect(client.ended).toEqual({ reason: 'token_expired' });
  });
});

describe('the client of docs/realtime.md', () => {
  it('renews its token when the session ends and misses nothing, twice over', async () => {
    const henry = await registerUser(t.http);
    // The first token expires in 2 s; later ones come from the refresh endpoint, as in the app.
    let token = sign({ sub: henry.id, ver: 0, exp: inSeconds(2) });
    let refreshToken = henry.refreshToken;
    let password = henry.password;
    // The app's renewal: the refresh token, or — once a password change revoked it — signing in again.
    const refreshAccessToken = async () => {
      for (let attempt = 0; attempt < 50; attempt++) {
        const refreshed = await request(t.http).post('/api/v1/auth/refresh-token').send({ refreshToken });
        const renewed = refreshed.ok ? refreshed : await request(t.http).post('/api/v1/auth/login').send({ email: henry.email, password });
        if (renewed.ok) {
          ({ accessToken: token, refreshToken } = renewed.body);
          return;
        }
        await sleep(100);
      }
    };
    const applied: number[] = [];
    let resyncs = 0;
    let lastSeq: number | undefined;
    const socket = io(base, {
      path: REALTIME_PATH,
      transports: ['websocket'],
      auth: (send) => send({ token, since: lastSeq }),
    });
    socket.on('ready', ({ seq, resync }: RealtimeReady) => {
      lastSeq = seq;
      if (resync) resyncs += 1;
    });
    socket.onAny((kind: string, change: RealtimeChange) => {
      if (/^(event|booking)\./.test(kind)) {
        lastSeq = change.seq;
        applied.push(change.seq);
      }
    });
    const ended: string[] = [];
    socket.on('session.ended', ({ reason }: { reason: string }) => ended.push(reason));
    socket.on('disconnect', (why) => why === 'io server disconnect' && void refreshAccessToken().then(() => socket.connect()));
    try {
      await eventually(() => lastSeq !== undefined, 5000, 'ready');
      const made: Change[] = [];
      made.push(...(await append(eventChange(henry.id, 'event.created', 'Before expiry'))));
      await eventually(() => applied.length === 1, 5000, 'the first change');
      // While the token runs out and the client renews it, changes keep coming.
      for (let i = 0; i < 6; i++) {
        made.push(...(await append(eventChange(henry.id, 'event.updated', `Around expiry ${i}`))));
        await sleep(500);
      }
      await eventually(() => applied.length === made.length, 10_000, 'every change');
      // And once more through a password change from another device.
      await request(t.http)
        .patch('/api/v1/users/me')
        .set({ Authorization: `Bearer ${token}` })
        .send({ currentPassword: henry.password, newPassword: 'another-horse-46' })
        .expect(200);
      password = 'another-horse-46';
      made.push(...(await append(bookingChange(henry.id, 'booking.created', 'After the password change'))));
      await eventually(() => applied.length === made.length, 10_000, 'the last change');
      await sleep(200);
      expect(applied).toEqual(made.map((change) => change.seq));
      expect(resyncs).toBe(0);
      expect(ended).toEqual(['token_expired', 'session_revoked']);
    } finally {
      socket.close();
    }
  }, 30_000);
});

describe('origins', () => {
  let strict: TestApp;
  let strictBase: string;
  beforeAll(async () => {
    strict = await createTestApp({ CORS_ORIGINS: 'https://app.example.com' });
    await strict.app.listen(0, '127.0.0.1');
    strictBase = await strict.app.getUrl();
  });
  afterAll(async () => strict?.close());

  it('admits browsers from CORS_ORIGINS only; clients without an Origin are not browsers', async () => {
    const user = await registerUser(strict.http);
    expect(
      await RealtimeTestClient.refused(strictBase, { token: user.accessToken, headers: { Origin: 'https://evil.example.com' } }),
    ).toEqual({ message: 'Origin https://evil.example.com is not allowed (CORS_ORIGINS)', data: { code: 'FORBIDDEN', reason: 'origin' } });
    const allowed = await RealtimeTestClient.connect(strictBase, { token: user.accessToken, headers: { Origin: 'https://app.example.com' } });
    const bare = await RealtimeTestClient.connect(strictBase, { token: user.accessToken });
    expect([allowed.ready.userId, bare.ready.userId]).toEqual([user.id, user.id]);
    allowed.close();
    bare.close();
  });

  it('answers long-polling with the CORS headers of the API', async () => {
    const allowed = await request(strict.http)
      .get('/api/v1/realtime/?EIO=4&transport=polling')
      .set('Origin', 'https://app.example.com')
      .expect(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const other = await request(strict.http).get('/api/v1/realtime/?EIO=4&transport=polling').set('Origin', 'https://evil.example.com');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('works over long-polling too', async () => {
    const user = await registerUser(strict.http);
    const client = await RealtimeTestClient.connect(strictBase, { token: user.accessToken, transports: ['polling'], headers: { Origin: 'https://app.example.com' } });
    const [made] = await strict.db.tx(async () => [await strict.app.get(ChangeFeed).append(eventChange(user.id, 'event.created', 'Polled'))]);
    await client.waitForChanges(1);
    expect(client.seqs).toEqual([made.seq]);
    client.close();
    // Closing over long-polling is one more request: let it finish before the server goes.
    await sleep(300);
  });
});

describe('with REDIS_URL set and Redis unreachable', () => {
  let lonely: TestApp;
  let lonelyBase: string;
  beforeAll(async () => {
    lonely = await createTestApp({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    await lonely.app.listen(0, '127.0.0.1');
    lonelyBase = await lonely.app.getUrl();
  });
  afterAll(async () => lonely?.close());

  it('serves HTTP and realtime on its own, knowing Redis is down', async () => {
    await eventually(() => lonely.app.get(RealtimeRedis).state === 'down', 10_000, 'the Redis state');
    await request(lonely.http).get('/health/ready').expect(200);
    const user = await registerUser(lonely.http);
    const client = await RealtimeTestClient.connect(lonelyBase, { token: user.accessToken });
    const made = await lonely.db.tx(async () => lonely.app.get(ChangeFeed).append(eventChange(user.id, 'event.created', 'Alone')));
    await client.waitForChanges(1);
    expect(client.seqs).toEqual([made.seq]);
    client.close();
  });
});
