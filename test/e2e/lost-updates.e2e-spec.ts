import { describe, expect } from '@jest/globals';
import request from 'supertest';
import { registerUser } from '../factories/users.js';
import { PG_ONLY, pgOnly, pgOnlyTestApp } from '../setup/pg-only.js';

/**
 * Partial updates read the row, merge the request into it and write it back: concurrent requests that
 * change different fields must each merge into what the one before wrote. Under PGlite every
 * transaction runs alone, so this proves nothing there: it runs on real PostgreSQL.
 */
const t = pgOnlyTestApp('The concurrent partial updates (booking links, clients, the user profile, events with If-Match)');

describe('concurrent partial updates', () => {
  pgOnly(`PATCHes of different fields of one booking link all stick ${PG_ONLY}`, async () => {
    const host = await registerUser(t().http);
    const created = await request(t().http)
      .post('/api/v1/booking-links')
      .set(host.auth)
      .send({ slug: `lost-${Date.now().toString(36)}`, title: 'Race', durationMinutes: 30 })
      .expect(201);
    const id = created.body.id as string;
    const changes = [{ title: 'Intro call' }, { durationMinutes: 45 }, { location: 'Room 1' }, { description: 'Bring questions' }, { bufferAfterMinutes: 10 }];
    for (let round = 0; round < 3; round++) {
      const responses = await Promise.all(changes.map((change) => request(t().http).patch(`/api/v1/booking-links/${id}`).set(host.auth).send(change)));
      expect(responses.map((res) => res.status)).toEqual(changes.map(() => 200));
      const after = await request(t().http).get('/api/v1/booking-links').set(host.auth).expect(200);
      // Before: each PATCH wrote back every field as it had read them, so others' changes were lost (every run of 10).
      expect((after.body.data as Array<{ id: string }>).find((link) => link.id === id)).toMatchObject(Object.assign({}, ...changes));
      await request(t().http)
        .patch(`/api/v1/booking-links/${id}`)
        .set(host.auth)
        .send({ title: 'Race', durationMinutes: 30, location: null, description: null, bufferAfterMinutes: 0 })
        .expect(200);
    }
  }, 120_000);

  pgOnly(`updates of different fields of one client all stick ${PG_ONLY}`, async () => {
    const user = await registerUser(t().http);
    for (let round = 0; round < 3; round++) {
      const created = await request(t().http).post('/api/v1/clients').set(user.auth).send({ name: `Acme ${round}` }).expect(201);
      const id = created.body.id as string;
      const changes = [{ name: `Acme Corp ${round}` }, { color: '#123456' }, { description: 'Retainer' }];
      const responses = await Promise.all(changes.map((change) => request(t().http).put(`/api/v1/clients/${id}`).set(user.auth).send(change)));
      expect(responses.map((res) => res.status)).toEqual(changes.map(() => 200));
      // Before: 9 rounds in 10 lost at least one of the three.
      const after = await request(t().http).get(`/api/v1/clients/${id}`).set(user.auth).expect(200);
      expect(after.body).toMatchObject(Object.assign({}, ...changes));
    }
  }, 120_000);

  pgOnly(`the last change recorded for a profile holds the zone it ended with ${PG_ONLY}`, async () => {
    const user = await registerUser(t().http);
    const zones = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Europe/Berlin', 'America/New_York'];
    for (let round = 0; round < 5; round++) {
      const responses = await Promise.all(zones.map((timezone) => request(t().http).patch('/api/v1/users/me').set(user.auth).send({ timezone })));
      expect(responses.map((res) => res.status)).toEqual(zones.map(() => 200));
      const me = await request(t().http).get('/api/v1/users/me').set(user.auth).expect(200);
      // Reminders are re-planned from these records: the last one must end where the profile did. Before,
      // an update that read the zone another was replacing recorded a wrong "before", or nothing at all.
      const { rows } = await t().db.query<{ data: { before: { timezone: string }; after: { timezone: string } } }>(
        `SELECT data FROM changes WHERE user_id = $1 AND kind = 'user.updated' ORDER BY seq`,
        [user.id],
      );
      expect(rows.at(-1)?.data.after.timezone).toBe(me.body.timezone);
      for (let i = 1; i < rows.length; i++) expect(rows[i].data.before.timezone).toBe(rows[i - 1].data.after.timezone);
    }
  }, 120_000);

  pgOnly(`of editors holding one event's ETag, exactly one writes, the rest get 412 ${PG_ONLY}`, async () => {
    const user = await registerUser(t().http);
    for (let round = 0; round < 3; round++) {
      const created = await request(t().http)
        .post('/api/v1/events')
        .set(user.auth)
        .send({ title: 'Shared', startTime: '2026-05-04T09:00:00Z', endTime: '2026-05-04T10:00:00Z' })
        .expect(201);
      const etag = created.headers.etag as string;
      const titles = ['One', 'Two', 'Three', 'Four', 'Five', 'Six'];
      const responses = await Promise.all(
        titles.map((title) => request(t().http).patch(`/api/v1/events/${created.body.id}`).set(user.auth).set('If-Match', etag).send({ title })),
      );
      // The check runs after the row is locked, so the ones that waited see the winner's version.
      expect(responses.map((res) => res.status).sort()).toEqual([200, 412, 412, 412, 412, 412]);
      const winner = responses.find((res) => res.status === 200)!;
      const after = await request(t().http).get(`/api/v1/events/${created.body.id}`).set(user.auth).expect(200);
      expect(after.body.title).toBe(winner.body.title);
    }
  }, 120_000);
});
