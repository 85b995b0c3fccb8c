import { describe, expect } from '@jest/globals';
import request from 'supertest';
import { registerUser } from '../factories/users.js';
import { PG_ONLY, pgOnly, pgOnlyTestApp } from '../setup/pg-only.js';

/**
 * Tagging an event while another request deletes the event or the tag. Under PGlite every transaction
 * runs alone, so this proves nothing there: it runs on real PostgreSQL.
 */
const t = pgOnlyTestApp('The tag-versus-delete races');

const outcome = (res: request.Response) => `${res.status} ${res.body.code ?? ''}`.trim();

describe('tagging against a concurrent delete', () => {
  pgOnly(`answers 200 or 404, never 400 INVALID_INPUT, whichever of the event or the tag goes ${PG_ONLY}`, async () => {
    const user = await registerUser(t().http);
    const outcomes = new Set<string>();
    for (let round = 0; round < 30; round++) {
      const event = await request(t().http)
        .post('/api/v1/events')
        .set(user.auth)
        .send({ title: `E ${round}`, startTime: '2027-01-04T09:00:00Z', endTime: '2027-01-04T10:00:00Z' })
        .expect(201);
      const tag = await request(t().http).post('/api/v1/tags').set(user.auth).send({ name: `t${round}` }).expect(201);
      const attach = () => request(t().http).post(`/api/v1/events/${event.body.id}/tags/${tag.body.id}`).set(user.auth);
      const remove = round % 2 ? request(t().http).delete(`/api/v1/events/${event.body.id}`).set(user.auth) : request(t().http).delete(`/api/v1/tags/${tag.body.id}`).set(user.auth);
      const [, ...attached] = await Promise.all([remove, attach(), attach(), attach()]);
      for (const res of attached) outcomes.add(outcome(res));
    }
    // Before: a foreign key failed when the delete won, answered 400 INVALID_INPUT with no field.
    expect([...outcomes].filter((o) => o !== '200' && o !== '404 NOT_FOUND')).toEqual([]);
  }, 120_000);
});
