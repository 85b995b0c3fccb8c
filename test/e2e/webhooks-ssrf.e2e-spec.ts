import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { registerUser, type TestUser } from '../factories/users.js';
import { settleChanges } from '../setup/changes.js';
import { expectProblem } from '../setup/problem.js';
import { eventually } from '../setup/wait.js';
import { SharedDatabase, type RunningApp } from '../setup/worker-process.js';
import { WebhookReceiver } from '../setup/webhook-receiver.js';

/**
 * The address guard, as an attacker would probe it: internal addresses by literal, by name and by
 * redirect, at registration (a 400 naming `url`) and at delivery (a failed delivery saying why). The
 * deployment here is the default: WEBHOOKS_ALLOW_PRIVATE unset.
 */
let shared: SharedDatabase;
let app: RunningApp | null = null;
let receiver: WebhookReceiver;
let user: TestUser;

const settings = { JOB_POLL_INTERVAL_MS: '25', WEBHOOKS_TIMEOUT_MS: '2000' };

/** The deployment under test (private addresses refused), restarted after a development one used the database. */
async function strictApp(): Promise<RunningApp> {
  app ??= await shared.startApp(settings);
  return app;
}

/** A development deployment (WEBHOOKS_ALLOW_PRIVATE=true) on the same database; PGlite holds one app at a time. */
async function withDevApp<T>(fn: (dev: RunningApp) => Promise<T>, overrides: Record<string, string> = {}): Promise<T> {
  await app?.close();
  app = null;
  const dev = await shared.startApp({ ...settings, WEBHOOKS_ALLOW_PRIVATE: 'true', ...overrides });
  try {
    return await fn(dev);
  } finally {
    await dev.close();
  }
}

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  shared = await SharedDatabase.create();
  user = await registerUser((await strictApp()).http);
});
afterAll(async () => {
  await app?.close();
  await shared?.drop();
  await receiver?.down();
});

const api = () => request(app!.http);

describe('registration', () => {
  it.each([
    ['loopback', 'http://127.0.0.1:8080/hook'],
    ['loopback by name', 'http://localhost/hook'],
    ['IPv6 loopback', 'http://[::1]/hook'],
    ['IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]/hook'],
    ['IPv4-compatible IPv6 loopback', 'http://[::127.0.0.1]:3203/hook'],
    ['IPv4-compatible IPv6 cloud metadata', 'http://[::a9fe:a9fe]/latest/meta-data/'],
    ['decimal loopback', 'http://2130706433/hook'],
    ['private 10/8', 'https://10.0.0.1/hook'],
    ['private 172.16/12', 'https://172.16.5.4/hook'],
    ['private 192.168/16', 'https://192.168.1.1/hook'],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
    ['CGNAT', 'https://100.64.0.1/hook'],
    ['multicast', 'https://224.0.0.1/hook'],
    ['unspecified', 'http://0.0.0.0/hook'],
    ['IPv6 unique local', 'https://[fd00::1]/hook'],
    ['IPv6 link-local', 'https://[fe80::1]/hook'],
    ['AWS IPv6 metadata', 'http://[fd00:ec2::254]/hook'],
    ['a name that does not resolve', 'http://metadata.google.internal/computeMetadata/v1/'],
  ])('refuses %s with a 400 naming url', async (_, url) => {
    await strictApp();
    const response = await api().post('/api/v1/webhooks').set(user.auth).send({ url });
    expectProblem(response, 400, 'VALIDATION_FAILED', ['url']);
    expect(response.body.errors[0].message).toMatch(/internal address|could not be resolved/);
  });

  it('refuses the same addresses when an endpoint is changed', async () => {
    // Registered while private addresses were allowed (a development deployment), then the rule applies.
    const created = await withDevApp((dev) => request(dev.http).post('/api/v1/webhooks').set(user.auth).send({ url: receiver.url('/dev') }).expect(201));
    await strictApp();
    const response = await api().patch(`/api/v1/webhooks/${created.body.id}`).set(user.auth).send({ url: 'http://[::1]:9/x' });
    expectProblem(response, 400, 'VALIDATION_FAILED', ['url']);
  });
});

describe('delivery', () => {
  it('re-checks the address at every delivery and records the refusal without connecting', async () => {
    const { owner, created } = await withDevApp(async (dev) => {
      const owner = await registerUser(dev.http);
      const created = await request(dev.http).post('/api/v1/webhooks').set(owner.auth).send({ url: receiver.url('/rebound') }).expect(201);
      return { owner, created };
    }, { WORKERS: 'off' });
    await strictApp();
    // The same endpoint, now on a deployment that refuses private addresses (as if its name re-resolved).
    await api().post(`/api/v1/webhooks/${created.body.id}/test`).set(owner.auth).expect(202);
    await api().post('/api/v1/events').set(owner.auth).send({ title: 'x', startTime: '2027-01-01T10:00:00Z', endTime: '2027-01-01T11:00:00Z' }).expect(201);
    await settleChanges(app!.app);
    const failed = await eventually(async () => {
      const log = await api().get(`/api/v1/webhooks/${created.body.id}/deliveries?status=failed`).set(owner.auth).expect(200);
      return log.body.data.length === 2 ? log.body.data : undefined;
    });
    for (const delivery of failed) {
      expect(delivery).toMatchObject({ attempts: 1, responseStatus: null, nextAttemptAt: null });
      expect(delivery.lastError).toMatch(/^the URL was refused: it resolves to 127\.0\.0\.1, a loopback, private/);
    }
    expect(receiver.received.filter((r) => r.path === '/rebound')).toHaveLength(0);
  });

  it('does not follow a redirect to an internal address', async () => {
    await withDevApp(async (dev) => {
      const owner = await registerUser(dev.http);
      receiver.answer = (r) =>
        r.path === '/redirect' ? { status: 307, headers: { location: 'http://169.254.169.254/latest/meta-data/' } } : { status: 204 };
      const created = await request(dev.http).post('/api/v1/webhooks').set(owner.auth).send({ url: receiver.url('/redirect') }).expect(201);
      await request(dev.http).post(`/api/v1/webhooks/${created.body.id}/test`).set(owner.auth).expect(202);
      const delivery = await eventually(async () => {
        const log = await request(dev.http).get(`/api/v1/webhooks/${created.body.id}/deliveries`).set(owner.auth).expect(200);
        return log.body.data[0]?.attempts === 1 ? log.body.data[0] : undefined;
      });
      expect(delivery).toMatchObject({ status: 'pending', responseStatus: 307 });
      expect(delivery.lastError).toBe('the receiver answered 307, a redirect (redirects are not followed)');
      expect(receiver.received.filter((r) => r.path === '/redirect')).toHaveLength(1);
    });
  });
});
