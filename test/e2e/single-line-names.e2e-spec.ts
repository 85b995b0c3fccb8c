import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { expectProblem } from '../setup/problem.js';
import { settleChanges } from '../setup/changes.js';
import { registerUser, uniqueEmail, type TestUser } from '../factories/users.js';

/**
 * A person's name ends up in email headers ("Ada <ada@example.com>") and invitations. A line break in one
 * once made registration answer 500, locked its owner out of password resets, and (from a public booking
 * form) stopped the change feed for everyone. Names are now one line on input, and a name that is
 * already stored with a break is mailed on one line.
 */
let t: TestApp;
let user: TestUser;
const api = () => request(t.http);
const breaks = ['Ann\nLee', 'Ann\r\nLee', 'Ann\rLee', 'Ann\u2028Lee', 'Ann\u0007Lee', 'Ann\u0085Lee'];

beforeAll(async () => {
  t = await createTestApp();
  user = await registerUser(t.http);
});
afterAll(async () => t?.close());

describe('a name with a line break or control character', () => {
  it.each(breaks)('is a 400 naming the field on register, profile, booking and attendee (%j)', async (name) => {
    const email = uniqueEmail('one-line');
    expectProblem(await api().post('/api/v1/auth/register').send({ email, password: 'correct-horse-42', name }), 400, 'VALIDATION_FAILED', ['name']);
    expectProblem(await api().patch('/api/v1/users/me').set(user.auth).send({ name }), 400, 'VALIDATION_FAILED', ['name']);
    expectProblem(
      await api().post('/api/v1/bookings').send({ slug: 'any-link', start: '2030-01-07T10:00:00Z', name, email: 'grace@example.com', timezone: 'UTC' }),
      400,
      'VALIDATION_FAILED',
      ['name'],
    );
    expectProblem(
      await api()
        .post('/api/v1/events')
        .set(user.auth)
        .send({ title: 'Sync', startTime: '2030-01-07T10:00:00Z', endTime: '2030-01-07T11:00:00Z', attendees: [{ email: 'guest@example.com', name }] }),
      400,
      'VALIDATION_FAILED',
      ['attendees[0].name'],
    );
    // Nothing was written: no account, the profile's name unchanged.
    expect((await t.db.query('SELECT 1 FROM users WHERE email = $1', [email])).rows).toHaveLength(0);
    expect((await api().get('/api/v1/users/me').set(user.auth).expect(200)).body.name).toBe('Test User');
  });

  it('accepts names in any script, and refuses a tab like any other control character', async () => {
    for (const name of ["Zoë O'Brien-Núñez", '王小明', 'محمد', 'Ada  Lovelace']) {
      await api().patch('/api/v1/users/me').set(user.auth).send({ name }).expect(200);
    }
    expectProblem(await api().patch('/api/v1/users/me').set(user.auth).send({ name: 'Ada\tLovelace' }), 400, 'VALIDATION_FAILED', ['name']);
  });

  it('already stored with a break, is mailed on one line: password reset and address verification answer 202', async () => {
    const stored = await registerUser(t.http);
    await t.db.query(`UPDATE users SET name = $2 WHERE id = $1`, [stored.id, 'Eve\r\nBcc: victim@example.com']);
    await api().post('/api/v1/auth/forgot-password').send({ email: stored.email }).expect(202);
    await api().post('/api/v1/integrations/email/verify').set(stored.auth).send({}).expect(202);
    await settleChanges(t.app);
    // Every mail queued after the name changed (the welcome mail went out under the old one).
    const { rows } = await t.db.query<{ recipient_name: string; template_key: string }>(
      `SELECT recipient_name, template_key FROM email_queue WHERE recipient = $1 AND template_key <> 'welcome' ORDER BY template_key`,
      [stored.email],
    );
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) expect(row.recipient_name).toBe('Eve Bcc: victim@example.com');
  });
});

describe('an event title', () => {
  it('with a line break or control character is a 400 naming title on create and update', async () => {
    const times = { startTime: '2030-01-07T10:00:00Z', endTime: '2030-01-07T11:00:00Z' };
    expectProblem(await api().post('/api/v1/events').set(user.auth).send({ title: 'Sync\nBcc', ...times }), 400, 'VALIDATION_FAILED', ['title']);
    const event = (await api().post('/api/v1/events').set(user.auth).send({ title: 'Sync', ...times }).expect(201)).body;
    expectProblem(await api().patch(`/api/v1/events/${event.id}`).set(user.auth).send({ title: 'Sync\u0007' }), 400, 'VALIDATION_FAILED', ['title']);
    expect((await api().get(`/api/v1/events/${event.id}`).set(user.auth).expect(200)).body.title).toBe('Sync');
  });

  it('imported from a file with a line break is taken, on one line', async () => {
    const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Test//EN', 'BEGIN:VEVENT', 'UID:two-lines@test', 'DTSTAMP:20300101T000000Z',
      'DTSTART:20300108T100000Z', 'DTEND:20300108T110000Z', 'SUMMARY:Board\\nmeeting', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
    const imported = await api().post('/api/v1/calendar/import').set(user.auth).send({ ics }).expect(200);
    expect(imported.body).toMatchObject({ created: 1 });
    const listed = await api().get('/api/v1/events').query({ from: '2030-01-08T00:00:00Z', to: '2030-01-09T00:00:00Z' }).set(user.auth).expect(200);
    expect(listed.body.data.map((event: { title: string }) => event.title)).toEqual(['Board meeting']);
  });
});
