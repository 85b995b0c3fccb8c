import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { expectProblem } from '../setup/problem.js';
import { registerUser, type TestUser } from '../factories/users.js';

/** Clients: CRUD through HTTP, their validation, ownership, and the statuses a new client starts in. */
let t: TestApp;
let ada: TestUser;
let bob: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  [ada, bob] = await Promise.all([registerUser(t.http), registerUser(t.http)]);
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const api = () => request(t.http);
const unknownId = '00000000-0000-4000-8000-000000000000';

async function createClient(user: TestUser, body: Record<string, unknown>) {
  return api().post('/api/v1/clients').set(user.auth).send(body);
}

describe('POST /clients', () => {
  it('creates a pending client with defaults, trimmed name, and no account yet', async () => {
    const res = await createClient(ada, { name: '  Acme Corp  ' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      name: 'Acme Corp',
      color: '#4f46e5',
      description: null,
      status: 'pending',
      accountEmail: null,
      connectedAt: null,
      credentialId: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(res.body).not.toHaveProperty('userId');
  });

  it('keeps colour and description', async () => {
    const res = await createClient(ada, { name: 'Globex', color: '#0EA5E9', description: 'Retainer' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Globex', color: '#0EA5E9', description: 'Retainer' });
  });

  it('refuses a second client of the same name, case-insensitively (another user may use it)', async () => {
    await createClient(ada, { name: 'Initech' }).then((r) => expect(r.status).toBe(201));
    expectProblem(await createClient(ada, { name: 'INITECH' }), 409, 'CLIENT_NAME_TAKEN');
    expect((await createClient(bob, { name: 'Initech' })).status).toBe(201);
  });

  it.each([
    ['no name', {}, ['name']],
    ['an empty name', { name: '' }, ['name']],
    ['a blank name', { name: '   ' }, ['name']],
    ['a 201-character name', { name: 'x'.repeat(201) }, ['name']],
    ['a numeric name', { name: 42 }, ['name']],
    ['a colour name', { name: 'Ok', color: 'blue' }, ['color']],
    ['a short hex colour', { name: 'Ok', color: '#12345' }, ['color']],
    ['a 2001-character description', { name: 'Ok', description: 'x'.repeat(2001) }, ['description']],
    ['a numeric description', { name: 'Ok', description: 7 }, ['description']],
    ['a status', { name: 'Ok', status: 'connected' }, ['status']],
    ['a userId', { name: 'Ok', userId: '00000000-0000-4000-8000-000000000001' }, ['userId']],
  ])('refuses %s', async (_label, body, fields) => {
    expectProblem(await createClient(ada, body), 400, 'VALIDATION_FAILED', fields);
  });

  it('needs a token', async () => {
    expectProblem(await api().post('/api/v1/clients').send({ name: 'Nope' }), 401, 'UNAUTHENTICATED');
  });
});

describe('GET /clients and GET /clients/:id', () => {
  it('lists only your clients, by name, paged, filtered by status', async () => {
    const user = await registerUser(t.http);
    for (const name of ['zeta', 'Alpha', 'mid']) await createClient(user, { name }).then((r) => expect(r.status).toBe(201));
    const page = await api().get('/api/v1/clients?limit=2').set(user.auth).expect(200);
    expect(page.body.meta).toEqual({ page: 1, limit: 2, total: 3 });
    expect(page.body.data.map((c: { name: string }) => c.name)).toEqual(['Alpha', 'mid']);
    const second = await api().get('/api/v1/clients?limit=2&page=2').set(user.auth).expect(200);
    expect(second.body.data.map((c: { name: string }) => c.name)).toEqual(['zeta']);
    const pending = await api().get('/api/v1/clients?status=pending').set(user.auth).expect(200);
    expect(pending.body.meta.total).toBe(3);
    const connected = await api().get('/api/v1/clients?status=connected').set(user.auth).expect(200);
    expect(connected.body).toEqual({ data: [], meta: { page: 1, limit: 50, total: 0 } });
  });

  it('refuses bad list parameters naming them', async () => {
    expectProblem(await api().get('/api/v1/clients?status=happy').set(ada.auth), 400, 'VALIDATION_FAILED', ['status']);
    expectProblem(await api().get('/api/v1/clients?limit=1000').set(ada.auth), 400, 'VALIDATION_FAILED', ['limit']);
    expectProblem(await api().get('/api/v1/clients?page=0').set(ada.auth), 400, 'VALIDATION_FAILED', ['page']);
  });

  it("answers 404 for another user's client and for an unknown id, 400 for a malformed one", async () => {
    const mine = (await createClient(ada, { name: 'Private' })).body;
    expect((await api().get(`/api/v1/clients/${mine.id}`).set(ada.auth).expect(200)).body).toEqual(mine);
    expectProblem(await api().get(`/api/v1/clients/${mine.id}`).set(bob.auth), 404, 'NOT_FOUND');
    expectProblem(await api().get(`/api/v1/clients/${unknownId}`).set(ada.auth), 404, 'NOT_FOUND');
    expectProblem(await api().get('/api/v1/clients/not-a-uuid').set(ada.auth), 400, 'INVALID_ID');
  });
});

describe('PUT /clients/:id', () => {
  it('changes the fields given and keeps the others', async () => {
    const created = (await createClient(ada, { name: 'Hooli', color: '#111111', description: 'old' })).body;
    const renamed = await api().put(`/api/v1/clients/${created.id}`).set(ada.auth).send({ name: 'Hooli XYZ' }).expect(200);
    expect(renamed.body).toMatchObject({ name: 'Hooli XYZ', color: '#111111', description: 'old', status: 'pending' });
    const cleared = await api().put(`/api/v1/clients/${created.id}`).set(ada.auth).send({ color: '#222222', description: null }).expect(200);
    expect(cleared.body).toMatchObject({ name: 'Hooli XYZ', color: '#222222', description: null });
    expect(new Date(cleared.body.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(created.updatedAt).getTime());
  });

  it('refuses bad fields, a taken name, and foreign or unknown ids', async () => {
    const one = (await createClient(ada, { name: 'Umbrella' })).body;
    await createClient(ada, { name: 'Wayne' });
    expectProblem(await api().put(`/api/v1/clients/${one.id}`).set(ada.auth).send({ name: 'wayne' }), 409, 'CLIENT_NAME_TAKEN');
    expectProblem(await api().put(`/api/v1/clients/${one.id}`).set(ada.auth).send({ color: 'red' }), 400, 'VALIDATION_FAILED', ['color']);
    expectProblem(await api().put(`/api/v1/clients/${one.id}`).set(ada.auth).send({ name: '' }), 400, 'VALIDATION_FAILED', ['name']);
    expectProblem(await api().put(`/api/v1/clients/${one.id}`).set(ada.auth).send({ status: 'connected' }), 400, 'VALIDATION_FAILED', ['status']);
    expectProblem(await api().put(`/api/v1/clients/${one.id}`).set(bob.auth).send({ name: 'Mine now' }), 404, 'NOT_FOUND');
    expectProblem(await api().put(`/api/v1/clients/${unknownId}`).set(ada.auth).send({ name: 'Ghost' }), 404, 'NOT_FOUND');
    expect((await api().get(`/api/v1/clients/${one.id}`).set(ada.auth)).body.name).toBe('Umbrella');
  });

  it.each(['name', 'color'])('refuses null for %s, which has no null value, naming it and changing nothing', async (field) => {
    const one = (await createClient(ada, { name: `Null ${field}`, color: '#333333' })).body;
    expectProblem(await api().put(`/api/v1/clients/${one.id}`).set(ada.auth).send({ [field]: null }), 400, 'VALIDATION_FAILED', [field]);
    expect((await api().get(`/api/v1/clients/${one.id}`).set(ada.auth)).body).toMatchObject({ name: `Null ${field}`, color: '#333333' });
    expectProblem(await createClient(ada, { name: `New ${field}`, [field]: null }), 400, 'VALIDATION_FAILED', [field]);
  });
});

describe('DELETE /clients/:id', () => {
  it('deletes your client once; 404 after, and for another user', async () => {
    const one = (await createClient(ada, { name: 'Cyberdyne' })).body;
    expectProblem(await api().delete(`/api/v1/clients/${one.id}`).set(bob.auth), 404, 'NOT_FOUND');
    await api().delete(`/api/v1/clients/${one.id}`).set(ada.auth).expect(204);
    expectProblem(await api().delete(`/api/v1/clients/${one.id}`).set(ada.auth), 404, 'NOT_FOUND');
    expectProblem(await api().get(`/api/v1/clients/${one.id}`).set(ada.auth), 404, 'NOT_FOUND');
    expectProblem(await api().delete('/api/v1/clients/nope').set(ada.auth), 400, 'INVALID_ID');
  });

  it('removes its credentials with it (the credentials answer 404 afterwards)', async () => {
    const one = (await createClient(ada, { name: 'Soylent' })).body;
    const credential = await api()
      .post('/api/v1/oauth')
      .set(ada.auth)
      .send({ clientId: one.id, googleClientId: 'soylent.apps.googleusercontent.com', clientSecret: 'GOCSPX-soylent-secret-1234' })
      .expect(201);
    await api().delete(`/api/v1/clients/${one.id}`).set(ada.auth).expect(204);
    expectProblem(await api().get(`/api/v1/oauth/${credential.body.id}`).set(ada.auth), 404, 'NOT_FOUND');
    const { rows } = await t.db.query('SELECT 1 FROM oauth_credentials WHERE client_id = $1', [one.id]);
    expect(rows).toHaveLength(0);
  });
});

describe('GET /clients/:id/calendars of a client that was never connected', () => {
  it('is an empty stored list, not live, with the client status', async () => {
    const one = (await createClient(ada, { name: 'Stark' })).body;
    const res = await api().get(`/api/v1/clients/${one.id}/calendars`).set(ada.auth).expect(200);
    expect(res.body).toEqual({ data: [], meta: { live: false, clientStatus: 'pending' } });
    expectProblem(await api().get(`/api/v1/clients/${one.id}/calendars`).set(bob.auth), 404, 'NOT_FOUND');
    expectProblem(await api().get('/api/v1/clients/x/calendars').set(ada.auth), 400, 'INVALID_ID');
  });

  it('answers 404 for a calendar it does not have, with an encoded id', async () => {
    const one = (await createClient(ada, { name: 'Tyrell' })).body;
    const id = encodeURIComponent('en.usa#holiday@group.v.calendar.google.com');
    expectProblem(await api().patch(`/api/v1/clients/${one.id}/calendars/${id}`).set(ada.auth).send({ busy: true }), 404, 'NOT_FOUND');
    // Group calendar ids run past Fastify's default limit of 100 characters for a path parameter.
    const long = encodeURIComponent(`c_${'a'.repeat(180)}@group.calendar.google.com`);
    expectProblem(await api().patch(`/api/v1/clients/${one.id}/calendars/${long}`).set(ada.auth).send({ busy: true }), 404, 'NOT_FOUND');
    expectProblem(
      await api().patch(`/api/v1/clients/${one.id}/calendars/${id}`).set(ada.auth).send({ busy: 'yes' }),
      400,
      'VALIDATION_FAILED',
      ['busy'],
    );
  });
});
