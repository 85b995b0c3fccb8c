import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { expectProblem } from '../setup/problem.js';
import { registerUser, type TestUser } from '../factories/users.js';

/**
 * Conditional writes on events: GET, POST and PATCH send an ETag of the event as read; PATCH and DELETE
 * with If-Match change only that version, so two editors (the SPA in two tabs, a script and a person)
 * cannot overwrite each other without knowing.
 */
let t: TestApp;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  alice = await registerUser(t.http);
  bob = await registerUser(t.http);
});
afterAll(async () => {
  await t?.close();
});

const api = () => request(t.http);
const ETAG = /^"[A-Za-z0-9_-]{27}"$/;

async function newEvent(user: TestUser, title = 'Planning') {
  const res = await api()
    .post('/api/v1/events')
    .set(user.auth)
    .send({ title, startTime: '2026-05-04T09:00:00Z', endTime: '2026-05-04T10:00:00Z' })
    .expect(201);
  return { id: res.body.id as string, etag: res.headers.etag as string };
}

describe('ETag', () => {
  it('is the same from the create, from every GET, and changes with any change of the event', async () => {
    const { id, etag } = await newEvent(alice);
    expect(etag).toMatch(ETAG);
    const read = await api().get(`/api/v1/events/${id}`).set(alice.auth).expect(200);
    expect(read.headers.etag).toBe(etag);
    expect((await api().get(`/api/v1/events/${id}`).set(alice.auth).expect(200)).headers.etag).toBe(etag);

    const patched = await api().patch(`/api/v1/events/${id}`).set(alice.auth).send({ location: 'Room 2' }).expect(200);
    expect(patched.headers.etag).toMatch(ETAG);
    expect(patched.headers.etag).not.toBe(etag);
    expect((await api().get(`/api/v1/events/${id}`).set(alice.auth).expect(200)).headers.etag).toBe(patched.headers.etag);

    // A change held in another table (a tag) is a change of the event as read, so its tag changes too.
    const tag = await api().post('/api/v1/tags').set(alice.auth).send({ name: `Focus ${Date.now()}` }).expect(201);
    await api().post(`/api/v1/events/${id}/tags/${tag.body.id}`).set(alice.auth).expect((res) => expect(res.status).toBeLessThan(300));
    expect((await api().get(`/api/v1/events/${id}`).set(alice.auth).expect(200)).headers.etag).not.toBe(patched.headers.etag);
  });

  it('is readable by a page on another origin (CORS exposes it)', async () => {
    const { id } = await newEvent(alice);
    const res = await api().get(`/api/v1/events/${id}`).set(alice.auth).set('Origin', 'https://spa.example.com').expect(200);
    expect(res.headers['access-control-expose-headers']?.toLowerCase()).toContain('etag');
  });
});

describe('If-Match on PATCH /events/:id', () => {
  it('applies the change when the tag is current, and refuses a stale one with 412, changing nothing', async () => {
    const { id, etag } = await newEvent(alice, 'Original');
    const first = await api().patch(`/api/v1/events/${id}`).set(alice.auth).set('If-Match', etag).send({ title: 'First editor' }).expect(200);
    expect(first.body.title).toBe('First editor');

    const second = await api().patch(`/api/v1/events/${id}`).set(alice.auth).set('If-Match', etag).send({ title: 'Second editor' });
    expectProblem(second, 412, 'PRECONDITION_FAILED');
    const now = await api().get(`/api/v1/events/${id}`).set(alice.auth).expect(200);
    expect(now.body.title).toBe('First editor');
    expect(now.headers.etag).toBe(first.headers.etag);

    // With the tag the first editor's answer carried, the second editor's retry goes through.
    await api().patch(`/api/v1/events/${id}`).set(alice.auth).set('If-Match', `"stale-tag", ${first.headers.etag}`).send({ title: 'Second editor' }).expect(200);
  });

  it('takes * for any current version, and a weak tag never matches (strong comparison)', async () => {
    const { id, etag } = await newEvent(alice);
    await api().patch(`/api/v1/events/${id}`).set(alice.auth).set('If-Match', '*').send({ title: 'Any version' }).expect(200);
    const { id: other, etag: otherTag } = await newEvent(alice);
    expectProblem(await api().patch(`/api/v1/events/${other}`).set(alice.auth).set('If-Match', `W/${otherTag}`).send({ title: 'Weak' }), 412, 'PRECONDITION_FAILED');
    expect(etag).toMatch(ETAG);
  });

  it.each([['unquoted'], ['"unterminated'], [','], ['"a" "b"']])('refuses the malformed If-Match %s with a 400 naming the header', async (header) => {
    const { id } = await newEvent(alice);
    const res = await api().patch(`/api/v1/events/${id}`).set(alice.auth).set('If-Match', header).send({ title: 'Nope' });
    expectProblem(res, 400, 'VALIDATION_FAILED', ['If-Match']);
    expect((await api().get(`/api/v1/events/${id}`).set(alice.auth).expect(200)).body.title).toBe('Planning');
  });

  it("answers 404 for another user's event, whatever the tag", async () => {
    const { id, etag } = await newEvent(alice);
    expectProblem(await api().patch(`/api/v1/events/${id}`).set(bob.auth).set('If-Match', etag).send({ title: 'Bob' }), 404, 'NOT_FOUND');
  });
});

describe('If-Match on DELETE /events/:id', () => {
  it('deletes the version read, and keeps an event changed since', async () => {
    const { id, etag } = await newEvent(alice);
    await api().patch(`/api/v1/events/${id}`).set(alice.auth).send({ description: 'Agenda added meanwhile' }).expect(200);
    expectProblem(await api().delete(`/api/v1/events/${id}`).set(alice.auth).set('If-Match', etag), 412, 'PRECONDITION_FAILED');
    const current = await api().get(`/api/v1/events/${id}`).set(alice.auth).expect(200);
    await api().delete(`/api/v1/events/${id}`).set(alice.auth).set('If-Match', current.headers.etag).expect(204);
    await api().get(`/api/v1/events/${id}`).set(alice.auth).expect(404);
  });

  it('refuses a malformed If-Match with a 400 and deletes nothing', async () => {
    const { id } = await newEvent(alice);
    expectProblem(await api().delete(`/api/v1/events/${id}`).set(alice.auth).set('If-Match', 'latest'), 400, 'VALIDATION_FAILED', ['If-Match']);
    await api().get(`/api/v1/events/${id}`).set(alice.auth).expect(200);
  });
});
