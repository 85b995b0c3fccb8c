import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import request from 'supertest';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { DateTime } from 'luxon';
import { registerUser } from '../factories/users.js';
import { settleChanges } from '../setup/changes.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { WebhookReceiver } from '../setup/webhook-receiver.js';

/** The JSON schemas in docs/webhooks.md, checked against the messages Calento sends. */
function documentedSchemas(): Map<string, object> {
  const doc = readFileSync(resolve(import.meta.dirname, '../../docs/webhooks.md'), 'utf8');
  const schemas = new Map<string, object>();
  for (const match of doc.matchAll(/<!-- schema:([\w.*]+) -->\s*```json\n([\s\S]*?)```/g)) schemas.set(match[1], JSON.parse(match[2]));
  return schemas;
}

let t: TestApp;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  t = await createTestApp({ WEBHOOKS_ALLOW_PRIVATE: 'true', JOB_POLL_INTERVAL_MS: '25', RATE_LIMIT_PUBLIC_PER_IP: '100000' });
});
afterAll(async () => {
  await t?.close();
  await receiver?.down();
});

describe('webhook message schemas', () => {
  it('every message of every type validates against its schema in docs/webhooks.md', async () => {
    const schemas = documentedSchemas();
    expect([...schemas.keys()].sort()).toEqual(['Event', 'booking.*', 'event.*', 'ping']);
    const ajv = new Ajv({ allErrors: true, strict: false });
    const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    ajv.addSchema(schemas.get('Event')!, 'Event');
    const validators = { event: ajv.compile(schemas.get('event.*')!), booking: ajv.compile(schemas.get('booking.*')!), ping: ajv.compile(schemas.get('ping')!) };

    const api = () => request(t.http);
    const host = await registerUser(t.http, { timezone: 'Europe/Paris' });
    const hook = await api().post('/api/v1/webhooks').set(host.auth).send({ url: receiver.url('/schemas') }).expect(201);
    await api().post(`/api/v1/webhooks/${hook.body.id}/test`).set(host.auth).expect(202);

    const single = await api().post('/api/v1/events').set(host.auth).send({
      title: 'Review', startTime: '2027-03-01T09:00:00Z', endTime: '2027-03-01T10:00:00Z', timezone: 'Europe/Paris',
      attendees: [{ email: 'ann@example.com', name: 'Ann' }], reminders: [{ method: 'email', minutesBefore: 30 }], location: 'Room 1',
    }).expect(201);
    await api().patch(`/api/v1/events/${single.body.id}`).set(host.auth).send({ description: 'Agenda' }).expect(200);
    const series = await api().post('/api/v1/events').set(host.auth).send({
      title: 'Standup', startTime: '2027-03-01T08:00:00Z', endTime: '2027-03-01T08:15:00Z', timezone: 'Europe/Paris', recurrenceRule: 'FREQ=DAILY;COUNT=5',
    }).expect(201);
    await api().post('/api/v1/events').set(host.auth).send({ title: 'Holiday', isAllDay: true, startTime: '2027-03-05', endTime: '2027-03-06' }).expect(201);
    await api().delete(`/api/v1/events/${single.body.id}`).set(host.auth).expect(204);

    const rules = [1, 2, 3, 4, 5, 6, 0].map((dayOfWeek) => ({ dayOfWeek, startTime: '00:00', endTime: '23:59' }));
    await api().put('/api/v1/availability/schedule').set(host.auth).send({ timezone: 'UTC', rules }).expect(200);
    const slug = `schemas-${Date.now().toString(36)}`;
    await api().post('/api/v1/booking-links').set(host.auth).send({ slug, title: 'Call', durationMinutes: 30 }).expect(201);
    const day = DateTime.utc().plus({ days: 4 }).startOf('day');
    const at = (hour: number) => day.set({ hour }).toISO({ suppressMilliseconds: true });
    const booked = await api().post('/api/v1/bookings').send({ slug, start: at(10), name: 'Grace', email: 'grace@example.com', timezone: 'UTC' }).expect(201);
    await api().post(`/api/v1/bookings/${booked.body.id}/reschedule`).set(host.auth).send({ start: at(12) }).expect(200);
    await api().post(`/api/v1/bookings/${booked.body.id}/cancel`).set(host.auth).send({ reason: 'conflict' }).expect(200);
    await settleChanges(t.app);

    const expectedTypes = ['ping', 'event.created', 'event.updated', 'event.deleted', 'booking.created', 'booking.rescheduled', 'booking.cancelled'];
    await receiver.waitFor(1, () => expectedTypes.every((type) => receiver.received.some((r) => r.path === '/schemas' && r.json.type === type)), 20_000);
    await settleChanges(t.app);
    const received = receiver.received.filter((r) => r.path === '/schemas');
    expect(received.some((r) => (r.json.data.event as { id?: string } | undefined)?.id === series.body.id)).toBe(true);
    expect(received.some((r) => (r.json.data.event as { isAllDay?: boolean } | undefined)?.isAllDay)).toBe(true);
    for (const message of received) {
      const validate = message.json.type === 'ping' ? validators.ping : message.json.type.startsWith('event.') ? validators.event : validators.booking;
      const valid = validate(JSON.parse(message.body));
      expect({ type: message.json.type, errors: valid ? null : validate.errors }).toEqual({ type: message.json.type, errors: null });
    }
  // Seven kinds of change through the queue to a receiver: room on a loaded machine (3 s alone, over 30 s seen in CI).
  }, 90_000);
});
