import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { registerUser, type TestUser } from '../factories/users.js';

/**
 * A 201 says where the created resource is read (Location, RFC 9110 §10.2.2): a client follows it
 * instead of building the URL, and reads there what it just created.
 */
let t: TestApp;
let user: TestUser;
let other: TestUser;

beforeAll(async () => {
  t = await createTestApp({ WEBHOOKS_ALLOW_PRIVATE: 'true' });
  user = await registerUser(t.http);
  other = await registerUser(t.http);
});
afterAll(async () => {
  await t?.close();
});

const api = () => request(t.http);

describe('Location on 201', () => {
  const creations: Array<[string, string, () => object]> = [
    ['/api/v1/events', '/api/v1/events/', () => ({ title: 'Located', startTime: '2026-06-01T09:00:00Z', endTime: '2026-06-01T10:00:00Z' })],
    ['/api/v1/tags', '/api/v1/tags/', () => ({ name: `Tag ${Math.random().toString(36).slice(2, 8)}` })],
    ['/api/v1/clients', '/api/v1/clients/', () => ({ name: 'Acme' })],
    ['/api/v1/api-keys', '/api/v1/api-keys/', () => ({ name: 'ci', scopes: ['events:read'] })],
    ['/api/v1/webhooks', '/api/v1/webhooks/', () => ({ url: 'http://127.0.0.1:9/hooks' })],
    ['/api/v1/availability', '/api/v1/availability/', () => ({ dayOfWeek: 2, startTime: '09:00', endTime: '12:00' })],
    ['/api/v1/availability/exceptions', '/api/v1/availability/exceptions/', () => ({ date: '2026-07-03', reason: 'Day off' })],
  ];

  it.each(creations)('POST %s answers with the URL of what it created, which reads it back (and 404s for another user)', async (path, prefix, body) => {
    const created = await api().post(path).set(user.auth).send(body()).expect(201);
    expect(created.headers.location).toBe(`${prefix}${created.body.id}`);
    const read = await api().get(created.headers.location).set(user.auth).expect(200);
    expect(read.body.id).toBe(created.body.id);
    await api().get(created.headers.location).set(other.auth).expect(404);
  });

  it('a duplicated event is located at the copy, not at the duplicate route', async () => {
    const source = await api().post('/api/v1/events').set(user.auth).send({ title: 'Original', startTime: '2026-06-02T09:00:00Z', endTime: '2026-06-02T10:00:00Z' }).expect(201);
    const copy = await api().post(`/api/v1/events/${source.body.id}/duplicate`).set(user.auth).send({}).expect(201);
    expect(copy.body.id).not.toBe(source.body.id);
    expect(copy.headers.location).toBe(`/api/v1/events/${copy.body.id}`);
  });

  it('is readable by a page on another origin (CORS exposes it)', async () => {
    const created = await api().post('/api/v1/tags').set(user.auth).set('Origin', 'https://spa.example.com').send({ name: 'Cross origin' }).expect(201);
    expect(created.headers['access-control-expose-headers']?.toLowerCase()).toContain('location');
  });
});
