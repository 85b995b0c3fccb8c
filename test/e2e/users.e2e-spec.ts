import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { expectProblem } from '../setup/problem.js';
import { registerUser } from '../factories/users.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const api = () => request(t.http);

describe('GET /users/me', () => {
  it('returns the caller without secrets', async () => {
    const user = await registerUser(t.http, { name: 'Grace', timezone: 'America/New_York' });
    const res = await api().get('/api/v1/users/me').set(user.auth).expect(200);
    expect(res.body).toEqual({
      id: user.id,
      email: user.email,
      name: 'Grace',
      timezone: 'America/New_York',
      locale: 'en',
      dailySummary: false,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  it('needs a token', async () => {
    expectProblem(await api().get('/api/v1/users/me'), 401, 'UNAUTHENTICATED');
  });
});

describe('PATCH /users/me', () => {
  it('updates name, zone and locale', async () => {
    const user = await registerUser(t.http);
    const res = await api()
      .patch('/api/v1/users/me')
      .set(user.auth)
      .send({ name: 'Renamed', timezone: 'Asia/Kolkata', locale: 'de' })
      .expect(200);
    expect(res.body).toMatchObject({ name: 'Renamed', timezone: 'Asia/Kolkata', locale: 'de' });
    const again = await api().get('/api/v1/users/me').set(user.auth).expect(200);
    expect(again.body).toMatchObject({ name: 'Renamed', timezone: 'Asia/Kolkata', locale: 'de' });
  });

  it.each([['name'], ['timezone'], ['locale'], ['dailySummary']])('refuses %s: null naming the field, and changes nothing', async (field) => {
    const user = await registerUser(t.http);
    const before = (await api().get('/api/v1/users/me').set(user.auth).expect(200)).body;
    // Before, null passed as "not sent": the client asked to clear a field that cannot be empty and heard 200.
    expectProblem(await api().patch('/api/v1/users/me').set(user.auth).send({ name: 'Not applied', [field]: null }), 400, 'VALIDATION_FAILED', [field]);
    expect((await api().get('/api/v1/users/me').set(user.auth).expect(200)).body).toEqual(before);
  });

  it('keeps fields that are not sent', async () => {
    const user = await registerUser(t.http, { name: 'Keep', timezone: 'Europe/Paris' });
    const res = await api().patch('/api/v1/users/me').set(user.auth).send({ locale: 'fr' }).expect(200);
    expect(res.body).toMatchObject({ name: 'Keep', timezone: 'Europe/Paris', locale: 'fr' });
  });

  it.each([
    ['an unknown zone', { timezone: 'Europe/Atlantis' }, 'timezone'],
    ['a zone of the wrong type', { timezone: 5 }, 'timezone'],
    ['an empty name', { name: '' }, 'name'],
    ['an overlong name', { name: 'x'.repeat(201) }, 'name'],
    ['an unsupported locale', { locale: 'klingon' }, 'locale'],
    ['an unknown field', { email: 'new@example.com' }, 'email'],
    ['a new password without the current one', { newPassword: 'brand-new-pass-7' }, 'currentPassword'],
    ['a weak new password', { currentPassword: 'correct-horse-42', newPassword: 'short' }, 'newPassword'],
    ['a current password without a new one', { currentPassword: 'correct-horse-42' }, 'newPassword'],
  ])('answers 400 naming the field for %s, changing nothing', async (_, body, field) => {
    const user = await registerUser(t.http, { name: 'Before' });
    const res = await api().patch('/api/v1/users/me').set(user.auth).send({ name: 'After', ...body });
    expectProblem(res, 400, 'VALIDATION_FAILED', [field]);
    const me = await api().get('/api/v1/users/me').set(user.auth).expect(200);
    expect(me.body.name).toBe('Before');
  });

  it('changes the password only with the right current password', async () => {
    const user = await registerUser(t.http, { name: 'Before' });
    const wrong = await api()
      .patch('/api/v1/users/me')
      .set(user.auth)
      .send({ name: 'After', currentPassword: 'not-my-password-1', newPassword: 'brand-new-pass-7' });
    expectProblem(wrong, 400, 'WRONG_PASSWORD');
    expect((await api().get('/api/v1/users/me').set(user.auth).expect(200)).body.name).toBe('Before');

    await api()
      .patch('/api/v1/users/me')
      .set(user.auth)
      .send({ currentPassword: user.password, newPassword: 'brand-new-pass-7' })
      .expect(200);
    // Every session ends: the old access and refresh tokens are refused.
    expectProblem(await api().get('/api/v1/users/me').set(user.auth), 401, 'UNAUTHENTICATED');
    expect((await api().post('/api/v1/auth/refresh-token').send({ refreshToken: user.refreshToken })).status).toBe(401);
    expect((await api().post('/api/v1/auth/login').send({ email: user.email, password: user.password })).status).toBe(401);
    await api().post('/api/v1/auth/login').send({ email: user.email, password: 'brand-new-pass-7' }).expect(200);
  });
});

describe('DELETE /users/me', () => {
  it('needs the password and then removes the account and its data', async () => {
    const user = await registerUser(t.http);
    await t.db.query(
      `INSERT INTO booking_links (user_id, slug, title, duration_minutes) VALUES ($1, $2, 'Chat', 30)`,
      [user.id, `chat-${user.id.slice(0, 8)}`],
    );
    expectProblem(await api().delete('/api/v1/users/me').set(user.auth).send({}), 400, 'VALIDATION_FAILED', ['password']);
    expectProblem(
      await api().delete('/api/v1/users/me').set(user.auth).send({ password: 'not-my-password-1' }),
      400,
      'WRONG_PASSWORD',
    );
    await api().get('/api/v1/users/me').set(user.auth).expect(200);

    await api().delete('/api/v1/users/me').set(user.auth).send({ password: user.password }).expect(204);
    expectProblem(await api().get(`/api/v1/users/${user.id}/public-profile`), 404, 'NOT_FOUND');
    expect((await api().post('/api/v1/auth/login').send({ email: user.email, password: user.password })).status).toBe(401);
    const left = await t.db.query('SELECT count(*)::int AS n FROM booking_links WHERE user_id = $1', [user.id]);
    expect(left.rows[0]).toEqual({ n: 0 });
    const tokens = await t.db.query('SELECT count(*)::int AS n FROM refresh_tokens WHERE user_id = $1', [user.id]);
    expect(tokens.rows[0]).toEqual({ n: 0 });
  });
});

describe('GET /users/:id/public-profile', () => {
  it('is public and shows name, zone and active booking links but no email', async () => {
    const user = await registerUser(t.http, { name: 'Host', timezone: 'Europe/Berlin' });
    const slug = `intro-${user.id.slice(0, 8)}`;
    await t.db.query(
      `INSERT INTO booking_links (user_id, slug, title, description, duration_minutes, is_active)
       VALUES ($1, $2, 'Intro', 'Say hi', 30, true), ($1, $3, 'Hidden', NULL, 60, false)`,
      [user.id, slug, `hidden-${user.id.slice(0, 8)}`],
    );
    const res = await api().get(`/api/v1/users/${user.id}/public-profile`).expect(200);
    expect(res.body).toEqual({
      id: user.id,
      name: 'Host',
      timezone: 'Europe/Berlin',
      bookingLinks: [{ slug, title: 'Intro', description: 'Say hi', durationMinutes: 30 }],
    });
    expect(JSON.stringify(res.body)).not.toContain(user.email);
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    expectProblem(await api().get('/api/v1/users/00000000-0000-4000-8000-000000000000/public-profile'), 404, 'NOT_FOUND');
    const bad = await api().get('/api/v1/users/not-a-uuid/public-profile');
    expectProblem(bad, 400, 'INVALID_ID');
    expect(bad.body.detail).toContain('"id"');
  });
});
