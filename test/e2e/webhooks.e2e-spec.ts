import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { Webhook as Verifier } from 'standardwebhooks';
import { DateTime } from 'luxon';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { expectProblem } from '../setup/problem.js';
import { settleChanges } from '../setup/changes.js';
import { SmtpSink } from '../setup/smtp-sink.js';
import { eventually } from '../setup/wait.js';
import { WebhookReceiver, type ReceivedWebhook } from '../setup/webhook-receiver.js';

let t: TestApp;
let smtp: SmtpSink;
let receiver: WebhookReceiver;
let user: TestUser;
let other: TestUser;

beforeAll(async () => {
  smtp = await SmtpSink.start();
  receiver = await WebhookReceiver.start();
  t = await createTestApp({
    WEBHOOKS_ALLOW_PRIVATE: 'true',
    WEBHOOKS_TIMEOUT_MS: '2000',
    JOB_POLL_INTERVAL_MS: '25',
    SMTP_URL: smtp.url,
    RATE_LIMIT_PUBLIC_PER_IP: '100000',
  });
  user = await registerUser(t.http);
  other = await registerUser(t.http);
});
afterAll(async () => {
  await t?.close();
  await receiver?.down();
  await smtp?.stop();
});
beforeEach(() => {
  receiver.answer = () => ({ status: 204 });
});

const api = () => request(t.http);
const event = { title: 'Planning', startTime: '2027-03-01T14:00:00Z', endTime: '2027-03-01T15:00:00Z' };

async function createEndpoint(owner: TestUser, body: Record<string, unknown> = {}) {
  const response = await api()
    .post('/api/v1/webhooks')
    .set(owner.auth)
    .send({ url: receiver.url(`/hooks/${Math.random().toString(36).slice(2)}`), ...body })
    .expect(201);
  return response.body as { id: string; url: string; secret: string };
}

/** Every queued attempt of a webhook delivery becomes due now: a retry schedule of hours in a moment. */
async function retriesDueNow(): Promise<void> {
  await t.db.query(`UPDATE jobs SET run_at = now() WHERE kind = 'webhook.deliver' AND status = 'queued'`);
}

function verify(secret: string, request: ReceivedWebhook): unknown {
  return new Verifier(secret).verify(request.body, {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  });
}

describe('endpoints API', () => {
  it('registers an endpoint, shows the secret once, lists, reads, updates and deletes it', async () => {
    const created = await api()
      .post('/api/v1/webhooks')
      .set(user.auth)
      .send({ url: receiver.url('/crud'), description: 'CRM', eventTypes: ['booking.created', 'booking.created'] })
      .expect(201);
    expect(created.body).toMatchObject({
      url: receiver.url('/crud'),
      description: 'CRM',
      eventTypes: ['booking.created'],
      enabled: true,
      disabledReason: null,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    const id = created.body.id as string;

    const read = await api().get(`/api/v1/webhooks/${id}`).set(user.auth).expect(200);
    expect(read.body).not.toHaveProperty('secret');
    expect(JSON.stringify(read.body)).not.toContain('whsec_');
    const list = await api().get('/api/v1/webhooks').set(user.auth).expect(200);
    expect(list.body.data.map((w: { id: string }) => w.id)).toContain(id);
    expect(JSON.stringify(list.body)).not.toContain('whsec_');

    const stored = await t.db.query<{ secret: string }>('SELECT secret FROM webhooks WHERE id = $1', [id]);
    expect(stored.rows[0].secret).not.toContain(created.body.secret.slice(6));

    const patched = await api()
      .patch(`/api/v1/webhooks/${id}`)
      .set(user.auth)
      .send({ eventTypes: [], description: null, enabled: false })
      .expect(200);
    expect(patched.body).toMatchObject({ eventTypes: [], description: null, enabled: false, disabledReason: 'user' });
    const enabled = await api().patch(`/api/v1/webhooks/${id}`).set(user.auth).send({ enabled: true }).expect(200);
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null, disabledAt: null, url: receiver.url('/crud') });

    await api().delete(`/api/v1/webhooks/${id}`).set(user.auth).expect(204);
    await api().get(`/api/v1/webhooks/${id}`).set(user.auth).expect(404);
  });

  it('refuses bad input with a 400 naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{}, 'url'],
      [{ url: 'not a url' }, 'url'],
      [{ url: 'ftp://example.com/hook' }, 'url'],
      [{ url: 'https://user:pass@example.com/hook' }, 'url'],
      [{ url: `https://example.com/${'a'.repeat(2100)}` }, 'url'],
      [{ url: 42 }, 'url'],
      [{ url: receiver.url(), eventTypes: ['event.exploded'] }, 'eventTypes'],
      [{ url: receiver.url(), eventTypes: 'event.created' }, 'eventTypes'],
      [{ url: receiver.url(), description: 'x'.repeat(501) }, 'description'],
      [{ url: receiver.url(), secret: 'whsec_mine' }, 'secret'],
    ];
    for (const [body, field] of cases) {
      const response = await api().post('/api/v1/webhooks').set(user.auth).send(body);
      expectProblem(response, 400, 'VALIDATION_FAILED', [field]);
    }
    const endpoint = await createEndpoint(user);
    expectProblem(await api().patch(`/api/v1/webhooks/${endpoint.id}`).set(user.auth).send({ enabled: 'yes' }), 400, 'VALIDATION_FAILED', ['enabled']);
    expectProblem(await api().patch(`/api/v1/webhooks/${endpoint.id}`).set(user.auth).send({ url: 'gopher://x' }), 400, 'VALIDATION_FAILED', ['url']);
    // null is no value for these: eventTypes null used to widen a filtered endpoint to every type.
    const filtered = await createEndpoint(user, { eventTypes: ['booking.created'] });
    for (const field of ['eventTypes', 'enabled']) {
      expectProblem(await api().patch(`/api/v1/webhooks/${filtered.id}`).set(user.auth).send({ [field]: null }), 400, 'VALIDATION_FAILED', [field]);
    }
    expectProblem(await api().post('/api/v1/webhooks').set(user.auth).send({ url: receiver.url(), eventTypes: null }), 400, 'VALIDATION_FAILED', ['eventTypes']);
    const kept = await api().get(`/api/v1/webhooks/${filtered.id}`).set(user.auth).expect(200);
    expect(kept.body).toMatchObject({ eventTypes: ['booking.created'], enabled: true });
    expectProblem(await api().get(`/api/v1/webhooks/${endpoint.id}/deliveries?status=lost`).set(user.auth), 400, 'VALIDATION_FAILED', ['status']);
    expectProblem(await api().get(`/api/v1/webhooks/${endpoint.id}/deliveries?eventType=x`).set(user.auth), 400, 'VALIDATION_FAILED', ['eventType']);
    expectProblem(await api().get('/api/v1/webhooks?limit=1000').set(user.auth), 400, 'VALIDATION_FAILED', ['limit']);
    expectProblem(await api().get('/api/v1/webhooks/not-a-uuid').set(user.auth), 400, 'INVALID_ID', undefined);
    expectProblem(
      await api().post(`/api/v1/webhooks/${endpoint.id}/deliveries/nope/redeliver`).set(user.auth),
      400,
      'INVALID_ID',
      undefined,
    );
    await api().get('/api/v1/webhooks').expect(401);
  });

  it("answers 404 for another user's endpoints and deliveries, on every route", async () => {
    const endpoint = await createEndpoint(user);
    const ping = await api().post(`/api/v1/webhooks/${endpoint.id}/test`).set(user.auth).expect(202);
    const base = `/api/v1/webhooks/${endpoint.id}`;
    const routes = [
      api().get(base),
      api().patch(base).send({ description: 'mine now' }),
      api().delete(base),
      api().post(`${base}/rotate-secret`),
      api().post(`${base}/test`),
      api().get(`${base}/deliveries`),
      api().post(`${base}/deliveries/${ping.body.id}/redeliver`),
    ];
    for (const route of routes) expectProblem(await route.set(other.auth), 404, 'NOT_FOUND');
    const mine = await createEndpoint(other);
    // A delivery id of one endpoint under another endpoint's path is not found either.
    expectProblem(await api().post(`/api/v1/webhooks/${mine.id}/deliveries/${ping.body.id}/redeliver`).set(other.auth), 404, 'NOT_FOUND');
    const list = await api().get('/api/v1/webhooks').set(other.auth).expect(200);
    expect(list.body.data.map((w: { id: string }) => w.id)).toEqual([mine.id]);
    await api().get(base).set(user.auth).expect(200);
  });
});

describe('deliveries', () => {
  it('delivers each change signed per Standard Webhooks, with the documented body', async () => {
    const owner = await registerUser(t.http);
    const endpoint = await createEndpoint(owner);
    const created = await api().post('/api/v1/events').set(owner.auth).send(event).expect(201);
    await api().patch(`/api/v1/events/${created.body.id}`).set(owner.auth).send({ title: 'Planning (moved)' }).expect(200);
    await api().delete(`/api/v1/events/${created.body.id}`).set(owner.auth).expect(204);
    await settleChanges(t.app);
    const path = new URL(endpoint.url).pathname;
    const got = await receiver.waitFor(3, (r) => r.path === path);
    expect(got.map((r) => r.json.type).sort()).toEqual(['event.created', 'event.deleted', 'event.updated']);
    for (const request of got) {
      expect(verify(endpoint.secret, request)).toEqual(request.json);
      expect(request.headers['webhook-id']).toMatch(/^msg_[a-z2-7]{26}$/);
      expect(request.headers['content-type']).toBe('application/json');
      expect(Math.abs(Number(request.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    }
    const updated = got.find((r) => r.json.type === 'event.updated')!;
    expect(updated.json.data).toMatchObject({
      event: { id: created.body.id, title: 'Planning (moved)' },
      previous: { title: 'Planning' },
      changedFields: ['title'],
      origin: 'api',
      seriesId: null,
    });
    // A forged signature, or the right one with another secret, does not verify.
    const forged = { ...updated, headers: { ...updated.headers, 'webhook-signature': 'v1,AAAA' } };
    expect(() => verify(endpoint.secret, forged)).toThrow();
    const otherEndpoint = await createEndpoint(owner);
    expect(() => verify(otherEndpoint.secret, updated)).toThrow();

    const log = await api().get(`/api/v1/webhooks/${endpoint.id}/deliveries?eventType=event.updated`).set(owner.auth).expect(200);
    expect(log.body.data).toHaveLength(1);
    expect(log.body.data[0]).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      responseStatus: 204,
      messageId: updated.headers['webhook-id'],
      lastError: null,
    });
    // The log shows the first KiB of what was sent.
    expect(log.body.data[0].requestExcerpt).toBe(updated.body.slice(0, 1024));
    expect(updated.body.length).toBeGreaterThan(1024);
  });

  it('sends an endpoint only the types it subscribed to, and booking changes with the booking', async () => {
    const host = await registerUser(t.http, { timezone: 'UTC' });
    const bookingsOnly = await createEndpoint(host, { eventTypes: ['booking.created', 'booking.cancelled'] });
    const rules = [1, 2, 3, 4, 5, 6, 0].map((dayOfWeek) => ({ dayOfWeek, startTime: '00:00', endTime: '23:59' }));
    await api().put('/api/v1/availability/schedule').set(host.auth).send({ timezone: 'UTC', rules }).expect(200);
    const slug = `hooks-${Date.now().toString(36)}`;
    await api().post('/api/v1/booking-links').set(host.auth).send({ slug, title: 'Call', durationMinutes: 30 }).expect(201);
    const start = DateTime.utc().plus({ days: 3 }).startOf('day').set({ hour: 10 }).toISO({ suppressMilliseconds: true });
    const booked = await api()
      .post('/api/v1/bookings')
      .send({ slug, start, name: 'Grace', email: 'grace@example.com', timezone: 'UTC' })
      .expect(201);
    await api().post(`/api/v1/bookings/${booked.body.id}/cancel`).set(host.auth).send({}).expect(200);
    await settleChanges(t.app);
    const path = new URL(bookingsOnly.url).pathname;
    const got = await receiver.waitFor(2, (r) => r.path === path);
    await settleChanges(t.app);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const types = receiver.received.filter((r) => r.path === path).map((r) => r.json.type);
    expect(types.sort()).toEqual(['booking.cancelled', 'booking.created']);
    const createdMessage = got.find((r) => r.json.type === 'booking.created')!;
    expect(createdMessage.json.data).toMatchObject({
      booking: { id: booked.body.id, bookerEmail: 'grace@example.com', status: 'confirmed' },
      previous: null,
    });
  });

  it('pings, retries a failure on the schedule with the same webhook-id, and redelivers', async () => {
    const owner = await registerUser(t.http);
    const endpoint = await createEndpoint(owner);
    const path = new URL(endpoint.url).pathname;
    let failures = 2;
    receiver.answer = (r) => (r.path === path && failures-- > 0 ? { status: 503, body: 'down for maintenance' } : { status: 200, body: 'ok' });
    const ping = await api().post(`/api/v1/webhooks/${endpoint.id}/test`).set(owner.auth).expect(202);
    expect(ping.body).toMatchObject({ eventType: 'ping', status: 'pending', attempts: 0, changeSeq: null });

    const afterFirst = await eventually(async () => {
      const log = await api().get(`/api/v1/webhooks/${endpoint.id}/deliveries`).set(owner.auth).expect(200);
      const entry = log.body.data[0];
      return entry.attempts === 1 && entry.nextAttemptAt ? entry : undefined;
    });
    expect(afterFirst).toMatchObject({ status: 'pending', responseStatus: 503, responseExcerpt: 'down for maintenance', lastError: 'the receiver answered 503' });
    // The second attempt is due 5 s (plus up to 10% jitter) after the first.
    const delay = new Date(afterFirst.nextAttemptAt).getTime() - new Date(afterFirst.lastAttemptAt).getTime();
    expect(delay).toBeGreaterThanOrEqual(4_900);
    expect(delay).toBeLessThan(5_700);
    // Waiting for its retry, it cannot be redelivered.
    expectProblem(await api().post(`/api/v1/webhooks/${endpoint.id}/deliveries/${ping.body.id}/redeliver`).set(owner.auth), 409, 'DELIVERY_PENDING');

    await retriesDueNow();
    // The delivery as it stands after its second attempt (read once: the schedule is what it says then).
    const second = await eventually(async () => {
      const log = await api().get(`/api/v1/webhooks/${endpoint.id}/deliveries`).set(owner.auth).expect(200);
      const entry = log.body.data[0];
      return entry.attempts === 2 && entry.nextAttemptAt ? entry : undefined;
    });
    const thirdDelay = new Date(second.nextAttemptAt).getTime() - new Date(second.lastAttemptAt).getTime();
    expect(thirdDelay).toBeGreaterThanOrEqual(295_000); // then 5 minutes
    expect(thirdDelay).toBeLessThan(335_000);
    await retriesDueNow();
    const delivered = await eventually(async () => {
      const log = await api().get(`/api/v1/webhooks/${endpoint.id}/deliveries?status=succeeded`).set(owner.auth).expect(200);
      return log.body.data[0];
    });
    expect(delivered).toMatchObject({ attempts: 3, responseStatus: 200, nextAttemptAt: null, lastError: null });
    const attempts = receiver.received.filter((r) => r.path === path);
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((r) => r.headers['webhook-id']))).toEqual(new Set([ping.body.messageId]));
    expect(attempts[0].json).toMatchObject({ type: 'ping', data: { webhookId: endpoint.id } });

    const redelivered = await api().post(`/api/v1/webhooks/${endpoint.id}/deliveries/${ping.body.id}/redeliver`).set(owner.auth).expect(202);
    expect(redelivered.body.status).toBe('pending');
    const again = await receiver.waitFor(4, (r) => r.path === path);
    expect(again[3].headers['webhook-id']).toBe(ping.body.messageId);
    expect(again[3].body).toBe(attempts[0].body);

    await api().patch(`/api/v1/webhooks/${endpoint.id}`).set(owner.auth).send({ enabled: false }).expect(200);
    expectProblem(await api().post(`/api/v1/webhooks/${endpoint.id}/test`).set(owner.auth), 409, 'WEBHOOK_DISABLED');
    expectProblem(await api().post(`/api/v1/webhooks/${endpoint.id}/deliveries/${ping.body.id}/redeliver`).set(owner.auth), 409, 'WEBHOOK_DISABLED');
  });

  it('keeps failing on the whole schedule — 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h — then fails the delivery after the 8th attempt', async () => {
    const owner = await registerUser(t.http);
    const endpoint = await createEndpoint(owner);
    const path = new URL(endpoint.url).pathname;
    receiver.answer = (r) => (r.path === path ? { status: 500, body: 'still broken' } : { status: 204 });
    const ping = await api().post(`/api/v1/webhooks/${endpoint.id}/test`).set(owner.auth).expect(202);
    const readDelivery = async () => {
      const log = await api().get(`/api/v1/webhooks/${endpoint.id}/deliveries`).set(owner.auth).expect(200);
      return log.body.data.find((entry: { id: string }) => entry.id === ping.body.id);
    };
    const nominal = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
    for (let attempt = 1; attempt <= nominal.length; attempt++) {
      const entry = await eventually(async () => {
        const found = await readDelivery();
        return found.attempts === attempt && found.nextAttemptAt ? found : undefined;
      });
      expect(entry).toMatchObject({ status: 'pending', responseStatus: 500 });
      const delay = new Date(entry.nextAttemptAt).getTime() - new Date(entry.lastAttemptAt).getTime();
      // Each delay is the schedule's, plus up to 10% jitter (and the few ms between the attempt and its record).
      expect(delay).toBeGreaterThanOrEqual(nominal[attempt - 1] * 0.98);
      expect(delay).toBeLessThan(nominal[attempt - 1] * 1.1 + 1_000);
      await retriesDueNow();
    }
    const failed = await eventually(async () => {
      const found = await readDelivery();
      return found.status === 'failed' ? found : undefined;
    });
    expect(failed).toMatchObject({ attempts: 8, responseStatus: 500, nextAttemptAt: null, lastError: 'the receiver answered 500' });
    await retriesDueNow();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const attempts = receiver.received.filter((r) => r.path === path);
    expect(attempts).toHaveLength(8);
    expect(new Set(attempts.map((r) => r.headers['webhook-id']))).toEqual(new Set([ping.body.messageId]));
    // One failed delivery does not disable the endpoint: only 5 days of failures (or a 410) do.
    const after = await api().get(`/api/v1/webhooks/${endpoint.id}`).set(owner.auth).expect(200);
    expect(after.body).toMatchObject({ enabled: true, disabledReason: null });
  });

  it('signs with both secrets for 24 hours after a rotation', async () => {
    const owner = await registerUser(t.http);
    const endpoint = await createEndpoint(owner);
    const rotated = await api().post(`/api/v1/webhooks/${endpoint.id}/rotate-secret`).set(owner.auth).expect(201);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    const expires = new Date(rotated.body.previousSecretExpiresAt).getTime();
    expect(Math.abs(expires - Date.now() - 24 * 3_600_000)).toBeLessThan(60_000);

    await api().post(`/api/v1/webhooks/${endpoint.id}/test`).set(owner.auth).expect(202);
    const path = new URL(endpoint.url).pathname;
    const [during] = await receiver.waitFor(1, (r) => r.path === path);
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(rotated.body.secret, during)).toEqual(during.json);
    expect(verify(endpoint.secret, during)).toEqual(during.json);

    // Once the 24 hours are over, only the new secret signs.
    await t.db.query(`UPDATE webhooks SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1`, [endpoint.id]);
    await api().post(`/api/v1/webhooks/${endpoint.id}/test`).set(owner.auth).expect(202);
    const [, after] = await receiver.waitFor(2, (r) => r.path === path);
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verify(rotated.body.secret, after)).toEqual(after.json);
    expect(() => verify(endpoint.secret, after)).toThrow();
  });

  it('disables an endpoint that answers 410 and emails its owner', async () => {
    const owner = await registerUser(t.http);
    const endpoint = await createEndpoint(owner);
    const path = new URL(endpoint.url).pathname;
    receiver.answer = (r) => (r.path === path ? { status: 410 } : { status: 204 });
    await api().post('/api/v1/events').set(owner.auth).send(event).expect(201);
    await settleChanges(t.app);
    const state = await eventually(async () => {
      const read = await api().get(`/api/v1/webhooks/${endpoint.id}`).set(owner.auth).expect(200);
      return read.body.enabled === false ? read.body : undefined;
    });
    expect(state).toMatchObject({ disabledReason: 'gone' });
    const mail = await eventually(() => smtp.to(owner.email).find((m) => /stopped sending/.test(m.parsed.subject ?? '')), 10_000, 'the disabled email');
    expect(mail.parsed.subject).toBe(`Calento stopped sending webhooks to ${endpoint.url}`);
    expect(mail.parsed.text).toContain('410 Gone');
    const [delivery] = (await api().get(`/api/v1/webhooks/${endpoint.id}/deliveries`).set(owner.auth)).body.data;
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, responseStatus: 410, nextAttemptAt: null });

    // A disabled endpoint gets no new deliveries.
    await api().post('/api/v1/events').set(owner.auth).send({ ...event, title: 'Second' }).expect(201);
    await settleChanges(t.app);
    const log = await api().get(`/api/v1/webhooks/${endpoint.id}/deliveries`).set(owner.auth).expect(200);
    expect(log.body.meta.total).toBe(1);
    expect(receiver.received.filter((r) => r.path === path)).toHaveLength(1);
  });

  it('disables an endpoint that has failed for 5 days and emails its owner once', async () => {
    const owner = await registerUser(t.http);
    const endpoint = await createEndpoint(owner);
    const path = new URL(endpoint.url).pathname;
    receiver.answer = (r) => (r.path === path ? { status: 500 } : { status: 204 });
    await api().post(`/api/v1/webhooks/${endpoint.id}/test`).set(owner.auth).expect(202);
    await eventually(async () => {
      const read = await api().get(`/api/v1/webhooks/${endpoint.id}`).set(owner.auth).expect(200);
      return read.body.failingSince ? read.body : undefined;
    });
    expect((await api().get(`/api/v1/webhooks/${endpoint.id}`).set(owner.auth)).body.enabled).toBe(true);
    // Five days of failures later...
    await t.db.query(`UPDATE webhooks SET failing_since = now() - interval '5 days 1 minute' WHERE id = $1`, [endpoint.id]);
    await retriesDueNow();
    const state = await eventually(async () => {
      const read = await api().get(`/api/v1/webhooks/${endpoint.id}`).set(owner.auth).expect(200);
      return read.body.enabled === false ? read.body : undefined;
    });
    expect(state.disabledReason).toBe('failing');
    const mail = await eventually(() => smtp.to(owner.email).find((m) => /stopped sending/.test(m.parsed.subject ?? '')), 10_000, 'the disabled email');
    expect(mail.parsed.text).toContain('every delivery has failed since');
    const [delivery] = (await api().get(`/api/v1/webhooks/${endpoint.id}/deliveries`).set(owner.auth)).body.data;
    expect(delivery).toMatchObject({ status: 'failed', attempts: 2, responseStatus: 500 });

    // Enabling it again clears the streak; a success keeps it clear.
    receiver.answer = () => ({ status: 204 });
    const enabled = await api().patch(`/api/v1/webhooks/${endpoint.id}`).set(owner.auth).send({ enabled: true }).expect(200);
    expect(enabled.body).toMatchObject({ enabled: true, failingSince: null, disabledReason: null });
    await api().post(`/api/v1/webhooks/${endpoint.id}/deliveries/${delivery.id}/redeliver`).set(owner.auth).expect(202);
    await eventually(async () => {
      const read = await api().get(`/api/v1/webhooks/${endpoint.id}`).set(owner.auth).expect(200);
      return read.body.lastSuccessAt ? read.body : undefined;
    });
    expect(smtp.to(owner.email).filter((m) => /stopped sending/.test(m.parsed.subject ?? ''))).toHaveLength(1);
  });

  it('never sends a user another user’s changes', async () => {
    const alice = await registerUser(t.http);
    const bob = await registerUser(t.http);
    const aliceHook = await createEndpoint(alice);
    const bobHook = await createEndpoint(bob);
    await api().post('/api/v1/events').set(alice.auth).send({ ...event, title: 'Alice only' }).expect(201);
    await settleChanges(t.app);
    await receiver.waitFor(1, (r) => r.path === new URL(aliceHook.url).pathname);
    await api().post(`/api/v1/webhooks/${bobHook.id}/test`).set(bob.auth).expect(202);
    await receiver.waitFor(1, (r) => r.path === new URL(bobHook.url).pathname);
    expect(receiver.received.filter((r) => r.path === new URL(bobHook.url).pathname).map((r) => r.json.type)).toEqual(['ping']);
  });
});

describe('a receiver that never answers', () => {
  it('is a failed attempt after WEBHOOKS_TIMEOUT_MS, with the reason, and is retried on the schedule', async () => {
    const owner = await registerUser(t.http);
    const endpoint = await createEndpoint(owner);
    const path = new URL(endpoint.url).pathname;
    receiver.answer = (r) => (r.path === path ? 'hang' : { status: 204 });
    const ping = await api().post(`/api/v1/webhooks/${endpoint.id}/test`).set(owner.auth).expect(202);
    const started = Date.now();
    await receiver.waitFor(1, (r) => r.path === path);

    const failed = await eventually(async () => {
      const log = await api().get(`/api/v1/webhooks/${endpoint.id}/deliveries`).set(owner.auth).expect(200);
      const entry = log.body.data[0];
      return entry.attempts === 1 && entry.nextAttemptAt ? entry : undefined;
    }, 15_000, 'the timed-out attempt');
    // The test app's WEBHOOKS_TIMEOUT_MS is 2000: the attempt waited that long, then gave up.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(failed).toMatchObject({ status: 'pending', responseStatus: null, responseExcerpt: null, lastError: 'no answer within 2000 ms' });
    const delay = new Date(failed.nextAttemptAt).getTime() - new Date(failed.lastAttemptAt).getTime();
    expect(delay).toBeGreaterThanOrEqual(4_900); // the schedule's second step: 5 s, plus jitter
    expect(delay).toBeLessThan(5_700);
    const { rows } = await t.db.query<{ status: string }>(`SELECT status FROM jobs WHERE kind = 'webhook.deliver' AND payload->>'deliveryId' = $1`, [ping.body.id]);
    expect(rows).toEqual([{ status: 'queued' }]);

    // The receiver answers again: the retry, under the same webhook-id, succeeds.
    receiver.answer = () => ({ status: 204 });
    await retriesDueNow();
    const delivered = await eventually(async () => {
      const log = await api().get(`/api/v1/webhooks/${endpoint.id}/deliveries?status=succeeded`).set(owner.auth).expect(200);
      return log.body.data[0];
    }, 15_000, 'the retry');
    expect(delivered).toMatchObject({ attempts: 2, responseStatus: 204, lastError: null, nextAttemptAt: null });
    const attempts = receiver.received.filter((r) => r.path === path);
    expect(attempts.map((r) => r.headers['webhook-id'])).toEqual([ping.body.messageId, ping.body.messageId]);
  });
});

describe('the disabled email with EMAIL_REQUIRE_VERIFIED=true', () => {
  // Its own app: the "endpoint disabled" email is a notification, so it goes only to verified addresses.
  let strict: TestApp;
  beforeAll(async () => {
    strict = await createTestApp({
      WEBHOOKS_ALLOW_PRIVATE: 'true',
      WEBHOOKS_TIMEOUT_MS: '2000',
      JOB_POLL_INTERVAL_MS: '25',
      SMTP_URL: smtp.url,
      EMAIL_REQUIRE_VERIFIED: 'true',
      FRONTEND_URL: 'https://web.example.com',
    });
  }, 120_000);
  afterAll(async () => {
    await strict?.close();
  });

  /** Registers an endpoint answering 410, sends it a ping and waits until it is disabled. */
  async function disabledEndpoint(owner: TestUser): Promise<void> {
    const path = `/gone/${Math.random().toString(36).slice(2)}`;
    receiver.answer = (r) => (r.path === path ? { status: 410 } : { status: 204 });
    const hook = await request(strict.http).post('/api/v1/webhooks').set(owner.auth).send({ url: receiver.url(path) }).expect(201);
    await request(strict.http).post(`/api/v1/webhooks/${hook.body.id}/test`).set(owner.auth).expect(202);
    await eventually(async () => {
      const read = await request(strict.http).get(`/api/v1/webhooks/${hook.body.id}`).set(owner.auth).expect(200);
      return read.body.enabled === false ? read.body : undefined;
    });
  }
  const queuedFor = async (owner: TestUser) =>
    (await strict.db.query<{ recipient: string }>(
      `SELECT recipient FROM email_queue WHERE template_key = 'webhook_disabled' AND user_id = $1 ORDER BY recipient`,
      [owner.id],
    )).rows.map((row) => row.recipient.toLowerCase());

  it('goes to no unverified address, and to the account address once it is verified', async () => {
    const owner = await registerUser(strict.http);
    await disabledEndpoint(owner);
    // The disable and its email commit together: the endpoint is disabled, so nothing was queued.
    expect(await queuedFor(owner)).toEqual([]);

    await request(strict.http).post('/api/v1/integrations/email/verify').set(owner.auth).send({}).expect(202);
    const link = await eventually(() => {
      const mail = smtp.to(owner.email).find((m) => /verify-email\?token=/.test(m.parsed.text ?? ''));
      return mail ? /verify-email\?token=([A-Za-z0-9_%-]+)/.exec(mail.parsed.text ?? '')![1] : undefined;
    }, 10_000, 'the verification link');
    await request(strict.http).post('/api/v1/integrations/email/confirm').send({ token: decodeURIComponent(link) }).expect(200);

    await disabledEndpoint(owner);
    expect(await queuedFor(owner)).toEqual([owner.email.toLowerCase()]);
    const mail = await eventually(() => smtp.to(owner.email).find((m) => /stopped sending/.test(m.parsed.subject ?? '')), 10_000, 'the disabled email');
    expect(mail.parsed.text).toContain('410 Gone');
    // Only the second endpoint's email was ever sent.
    expect(smtp.to(owner.email).filter((m) => /stopped sending/.test(m.parsed.subject ?? ''))).toHaveLength(1);
  });
});
