import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Clock } from '../../src/common/time/clock.js';
import request from 'supertest';
import { io } from 'socket.io-client';
import type { Change, ChangeInput } from '../../src/modules/changes/changes.rows.js';
import { RealtimeRedis } from '../../src/modules/realtime/realtime-redis.js';
import { REALTIME_PATH, type RealtimeChange, type RealtimeReady } from '../../src/modules/realtime/realtime.contract.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { appendChanges, bookingChange, eventChange } from '../factories/changes.js';
import { inSeconds, RealtimeTestClient, signAccessToken as sign } from '../setup/realtime-client.js';
import { eventually, sleep } from '../setup/wait.js';
import { freePort } from '../setup/ports.js';

/**
 * The socket.io endpoint on one API process: the handshake (tokens checked as the HTTP guard checks
 * them, origins as CORS_ORIGINS says), sessions that end and the documented client that renews them,
 * long-polling, and Redis being unreachable. Delivery and resume: realtime-delivery.e2e-spec.ts.
 */
let t: TestApp;
let base: string;
let alice: TestUser;
let bob: TestUser;
const open: RealtimeTestClient[] = [];

beforeAll(async () => {
  t = await createTestApp();
  await t.app.listen(0, '127.0.0.1');
  base = await t.app.getUrl();
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

  it("times the expiry by the app's injected clock", async () => {
    // The token is valid for an hour by the wall clock, but the app's clock says 59 min 58 s have passed:
    // the socket must end in about 2 s, not in an hour.
    const clock = jest.spyOn(t.app.get(Clock), 'now').mockImplementation(() => new Date(Date.now() + 3_598_000));
    try {
      const client = await connect({ token: sign({ sub: alice.id, ver: 0, exp: inSeconds(3_600) }) });
      expect(client.socket.connected).toBe(true);
      await eventually(() => client.disconnectReason !== null, 8000, 'the expiry by the injected clock');
      expect(client.ended).toEqual({ reason: 'token_expired' });
    } finally {
      clock.mockRestore();
    }
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
      // And once more through a password change from another device. The user knows the new password
      // before the change commits: the revocation can reach the socket before this request's response
      // does, and signing in with the old one would spend the per-account login limit.
      password = 'another-horse-46';
      await request(t.http)
        .patch('/api/v1/users/me')
        .set({ Authorization: `Bearer ${token}` })
        .send({ currentPassword: henry.password, newPassword: password })
        .expect(200);
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
    const [made] = await appendChanges(strict.app, eventChange(user.id, 'event.created', 'Polled'));
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
    const [made] = await appendChanges(lonely.app, eventChange(user.id, 'event.created', 'Alone'));
    await client.waitForChanges(1);
    expect(client.seqs).toEqual([made.seq]);
    client.close();
  });
});
