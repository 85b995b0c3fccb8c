import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { registerUser, type TestUser } from '../factories/users.js';

/**
 * Paged lists answer `{ data, meta: { page, limit, total } }`: `total` counts everything the filters
 * match, on every page, a page past the end included (a client that pages until page * limit >= total,
 * or shows "n results", must not read 0 there).
 */
let t: TestApp;
let ada: TestUser;

beforeAll(async () => {
  t = await createTestApp({ WEBHOOKS_ALLOW_PRIVATE: 'true', RATE_LIMIT_PUBLIC_PER_IP: '100000' });
  ada = await registerUser(t.http, { timezone: 'UTC' });
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const api = () => request(t.http);

async function pages(path: string): Promise<{ first: { data: unknown[]; meta: object }; past: { data: unknown[]; meta: object } }> {
  const sep = path.includes('?') ? '&' : '?';
  const first = await api().get(`${path}${sep}page=1&limit=1`).set(ada.auth).expect(200);
  const past = await api().get(`${path}${sep}page=50&limit=1`).set(ada.auth).expect(200);
  return { first: first.body, past: past.body };
}

describe('a page past the end still reports the total', () => {
  beforeAll(async () => {
    const post = (path: string, body: object) => api().post(`/api/v1${path}`).set(ada.auth).send(body).expect((r) => expect(r.status).toBeLessThan(300));
    await post('/events', { title: 'Standup alpha', startTime: '2030-01-07T09:00:00Z', endTime: '2030-01-07T09:15:00Z' });
    await post('/events', { title: 'Standup beta', startTime: '2030-01-08T09:00:00Z', endTime: '2030-01-08T09:15:00Z' });
    await post('/clients', { name: 'Acme' });
    await post('/clients', { name: 'Globex' });
    const hook = await post('/webhooks', { url: 'http://127.0.0.1:9/hooks/a' });
    await post('/webhooks', { url: 'http://127.0.0.1:9/hooks/b' });
    await post(`/webhooks/${hook.body.id}/test`, {});
    await post(`/webhooks/${hook.body.id}/test`, {});
    await api()
      .put('/api/v1/availability/schedule')
      .set(ada.auth)
      .send({ timezone: 'UTC', rules: [0, 1, 2, 3, 4, 5, 6].map((dayOfWeek) => ({ dayOfWeek, startTime: '09:00', endTime: '17:00' })) })
      .expect(200);
    await post('/booking-links', { slug: 'ada-intro', title: 'Intro', durationMinutes: 30 });
    await post('/booking-links', { slug: 'ada-deep', title: 'Deep dive', durationMinutes: 60 });
    const from = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const to = new Date(Date.now() + 5 * 86_400_000).toISOString();
    const slots = await api().get('/api/v1/booking-links/ada-intro/availability').query({ from, to, timezone: 'UTC' }).expect(200);
    const starts: string[] = slots.body.slots.map((slot: { start: string }) => slot.start);
    for (const start of [starts[0], starts[4]]) {
      await api().post('/api/v1/bookings').send({ slug: 'ada-intro', start, name: 'Grace', email: 'grace@example.com', timezone: 'UTC' }).expect(201);
    }
  });

  it.each([
    ['events search', '/api/v1/events/search?q=standup'],
    ['clients', '/api/v1/clients'],
    ['webhooks', '/api/v1/webhooks'],
    ['booking links', '/api/v1/booking-links'],
    ['bookings', '/api/v1/bookings'],
    ['events', '/api/v1/events?q=standup'],
  ])('%s', async (_label, path) => {
    const { first, past } = await pages(path);
    expect(first.data).toHaveLength(1);
    expect(first.meta).toEqual({ page: 1, limit: 1, total: 2 });
    expect(past).toEqual({ data: [], meta: { page: 50, limit: 1, total: 2 } });
  });

  it('webhook deliveries', async () => {
    const hooks = await api().get('/api/v1/webhooks').set(ada.auth).expect(200);
    const pinged = hooks.body.data.find((hook: { url: string }) => hook.url.endsWith('/a'));
    const { first, past } = await pages(`/api/v1/webhooks/${pinged.id}/deliveries`);
    // Two pings, and the bookings' deliveries: the endpoint takes every event type.
    const total = (first.meta as { total: number }).total;
    expect(total).toBeGreaterThanOrEqual(2);
    expect(past).toEqual({ data: [], meta: { page: 50, limit: 1, total } });
  });
});
