import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ClientEvents, type ClientEvent } from '../../src/modules/clients/client-events.js';
import { startFakeGoogle, type FakeGoogle, type OAuthClient } from '../fakes/google/index.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { expectProblem } from '../setup/problem.js';
import { announcePgOnly, PG_ONLY, pgOnly } from '../setup/pg-only.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { CALLBACK_URL, clientWithCredentials, connect, fakeGoogleEnv } from '../factories/clients.js';

/**
 * A client's Google calendars: read from the fake's calendarList, stored with Calento's busy and
 * destination settings; calendars added, removed, hidden or downgraded at Google (reference §6
 * scenario 25, as far as the calendar list goes); one destination per user, enforced by PostgreSQL.
 */
announcePgOnly('The concurrent destination race');

const HOLIDAYS = 'en.usa#holiday@group.v.calendar.google.com';
const LONG_ID = `c_${'0123456789abcdef'.repeat(4)}@group.calendar.google.com`;

let fake: FakeGoogle;
let t: TestApp;
let acme: OAuthClient;
let ada: TestUser;
let bob: TestUser;
let n = 0;
const events: ClientEvent[] = [];

beforeAll(async () => {
  fake = await startFakeGoogle();
  acme = fake.registerOAuthClient({ redirectUris: [CALLBACK_URL] });
  t = await createTestApp(fakeGoogleEnv(fake));
  [ada, bob] = await Promise.all([registerUser(t.http), registerUser(t.http)]);
  t.app.get(ClientEvents).on('calendars_removed', (event) => void events.push(event));
}, 120_000);
afterAll(async () => {
  await t?.close();
  await fake?.close();
});
beforeEach(() => {
  fake.clearFaults();
  events.length = 0;
});

const api = () => request(t.http);
const calendarPath = (clientId: string, calendarId: string) => `/api/v1/clients/${clientId}/calendars/${encodeURIComponent(calendarId)}`;

interface Calendar {
  id: string;
  summary: string;
  primary: boolean;
  accessRole: string;
  busy: boolean;
  destination: boolean;
  hidden: boolean;
  timeZone: string | null;
  backgroundColor: string | null;
}

/** A fresh Google account with a few calendars, connected to a new client of `user`. */
async function connectedAccount(user: TestUser = ada): Promise<{ clientId: string; email: string; team: string; shared: string }> {
  n += 1;
  const email = `owner${n}@acme.example`;
  fake.createAccount(email, { timeZone: 'Europe/Berlin' });
  const team = fake.createCalendar(email, { summary: 'Team', timeZone: 'Europe/Berlin', backgroundColor: '#9fe1e7' }).id;
  fake.createCalendar(email, { id: HOLIDAYS.replace('en.usa', `en.usa${n}`), summary: 'Holidays', accessRole: 'reader' });
  const shared = fake.createCalendar(email, { id: LONG_ID.replace('c_', `c_${n}`), summary: 'Shared with me', accessRole: 'writer' }).id;
  const { clientId, credentialId } = await clientWithCredentials(t.http, user, acme);
  await connect(t.http, fake, user, credentialId, clientId, email);
  return { clientId, email, team, shared };
}

async function list(clientId: string, user: TestUser = ada): Promise<{ data: Calendar[]; meta: { live: boolean; clientStatus: string } }> {
  return (await api().get(`/api/v1/clients/${clientId}/calendars`).set(user.auth).expect(200)).body;
}

const byId = (calendars: Calendar[], id: string) => calendars.find((c) => c.id === id);

describe('GET /clients/:id/calendars', () => {
  it("lists the account's calendars, primary first, busy by default only for the primary and owned ones", async () => {
    const { clientId, email, team, shared } = await connectedAccount();
    const { data, meta } = await list(clientId);
    expect(meta).toEqual({ live: true, clientStatus: 'connected' });
    expect(data[0]).toMatchObject({ id: email, primary: true, accessRole: 'owner', busy: true, destination: false, timeZone: 'Europe/Berlin' });
    expect(byId(data, team)).toMatchObject({ summary: 'Team', primary: false, accessRole: 'owner', busy: true, backgroundColor: '#9fe1e7' });
    expect(byId(data, shared)).toMatchObject({ accessRole: 'writer', busy: false });
    expect(data.find((c) => c.summary === 'Holidays')).toMatchObject({ accessRole: 'reader', busy: false });
    expect(data).toHaveLength(4);
    // Stored: the same list comes back when Google cannot be asked.
    fake.injectFault({ path: '/calendar/v3/users/me/calendarList', status: 503, times: 10 });
    const offline = await list(clientId);
    expect(offline.meta).toEqual({ live: false, clientStatus: 'connected' });
    expect(offline.data).toEqual(data);
  });

  it("answers 404 for another user's client", async () => {
    const { clientId } = await connectedAccount();
    expectProblem(await api().get(`/api/v1/clients/${clientId}/calendars`).set(bob.auth), 404, 'NOT_FOUND');
  });

  it('follows Google: calendars added, renamed, hidden, removed, and access dropping to reader', async () => {
    const { clientId, email, team, shared } = await connectedAccount();
    await list(clientId);
    await api().patch(calendarPath(clientId, shared)).set(ada.auth).send({ destination: true, busy: true }).expect(200);
    const added = fake.createCalendar(email, { summary: 'Projects' }).id;
    fake.updateCalendarListEntry(email, team, { hidden: true, summaryOverride: 'Team (mine)' });
    fake.setAccessRole(email, shared, 'reader');
    const { data } = await list(clientId);
    expect(byId(data, added)).toMatchObject({ summary: 'Projects', busy: true, destination: false });
    expect(byId(data, team)).toMatchObject({ summary: 'Team (mine)', hidden: true, busy: true });
    // A calendar it can no longer write to stops receiving bookings; its busy setting is kept.
    expect(byId(data, shared)).toMatchObject({ accessRole: 'reader', destination: false, busy: true });

    fake.unshareCalendar(email, added);
    const addedRow = byId(data, added) as unknown as { origin: string };
    const after = await list(clientId);
    expect(byId(after.data, added)).toBeUndefined();
    expect(events).toEqual([{ type: 'calendars_removed', clientId, userId: ada.id, calendarIds: [added], calendarRowIds: [addedRow.origin.replace('google:', '')] }]);
  });

  it('keeps Calento settings across refreshes', async () => {
    const { clientId, email } = await connectedAccount();
    await list(clientId);
    await api().patch(calendarPath(clientId, email)).set(ada.auth).send({ busy: false }).expect(200);
    expect(byId((await list(clientId)).data, email)?.busy).toBe(false);
  });
});

describe('PATCH /clients/:id/calendars/:calendarId', () => {
  it('changes busy and destination of calendars whose ids hold @ and #, and long ones', async () => {
    const { clientId, email } = await connectedAccount();
    const { data } = await list(clientId);
    const holidays = data.find((c) => c.summary === 'Holidays') as Calendar;
    expect(holidays.id).toContain('#');
    const busy = await api().patch(calendarPath(clientId, holidays.id)).set(ada.auth).send({ busy: true }).expect(200);
    expect(busy.body).toMatchObject({ id: holidays.id, busy: true, destination: false });
    const shared = data.find((c) => c.summary === 'Shared with me') as Calendar;
    expect(shared.id.length).toBeGreaterThan(80);
    await api().patch(calendarPath(clientId, shared.id)).set(ada.auth).send({ busy: true }).expect(200);
    const primary = await api().patch(calendarPath(clientId, email)).set(ada.auth).send({ destination: true }).expect(200);
    expect(primary.body).toMatchObject({ id: email, destination: true, busy: true });
    // An unencoded # ends the path: the client must encode it.
    expectProblem(await api().patch(`/api/v1/clients/${clientId}/calendars/${holidays.id.split('#')[0]}`).set(ada.auth).send({ busy: true }), 404, 'NOT_FOUND');
  });

  it('refuses a destination Calento may not write to', async () => {
    const { clientId } = await connectedAccount();
    const holidays = (await list(clientId)).data.find((c) => c.summary === 'Holidays') as Calendar;
    expectProblem(await api().patch(calendarPath(clientId, holidays.id)).set(ada.auth).send({ destination: true }), 409, 'CALENDAR_NOT_WRITABLE');
  });

  it('keeps one destination per user across clients: setting one moves it', async () => {
    const user = await registerUser(t.http);
    const one = await connectedAccount(user);
    const two = await connectedAccount(user);
    await list(one.clientId, user);
    await list(two.clientId, user);
    await api().patch(calendarPath(one.clientId, one.team)).set(user.auth).send({ destination: true }).expect(200);
    await api().patch(calendarPath(two.clientId, two.shared)).set(user.auth).send({ destination: true }).expect(200);
    expect(byId((await list(one.clientId, user)).data, one.team)?.destination).toBe(false);
    expect(byId((await list(two.clientId, user)).data, two.shared)?.destination).toBe(true);
    const { rows } = await t.db.query('SELECT calendar_id FROM client_calendars WHERE user_id = $1 AND destination', [user.id]);
    expect(rows).toEqual([{ calendar_id: two.shared }]);
    // false clears it.
    await api().patch(calendarPath(two.clientId, two.shared)).set(user.auth).send({ destination: false }).expect(200);
    const none = await t.db.query('SELECT 1 FROM client_calendars WHERE user_id = $1 AND destination', [user.id]);
    expect(none.rows).toHaveLength(0);
  });

  it('is enforced by the database itself: a second destination row is refused', async () => {
    const user = await registerUser(t.http);
    const { clientId, email, team } = await connectedAccount(user);
    await list(clientId, user);
    await t.db.query('UPDATE client_calendars SET destination = true WHERE client_id = $1 AND calendar_id = $2', [clientId, email]);
    await expect(
      t.db.query('UPDATE client_calendars SET destination = true WHERE client_id = $1 AND calendar_id = $2', [clientId, team]),
    ).rejects.toMatchObject({ constraint: 'client_calendars_one_destination_key' });
  });

  pgOnly(`lets exactly one of two concurrent moves win ${PG_ONLY}`, async () => {
    const user = await registerUser(t.http);
    const one = await connectedAccount(user);
    const two = await connectedAccount(user);
    await list(one.clientId, user);
    await list(two.clientId, user);
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all([
        api().patch(calendarPath(one.clientId, one.team)).set(user.auth).send({ destination: true }),
        api().patch(calendarPath(two.clientId, two.team)).set(user.auth).send({ destination: true }),
      ]);
      for (const res of results) expect([200, 409]).toContain(res.status);
      for (const res of results.filter((r) => r.status === 409)) expectProblem(res, 409, 'DESTINATION_TAKEN');
      const { rows } = await t.db.query('SELECT calendar_id FROM client_calendars WHERE user_id = $1 AND destination', [user.id]);
      expect(rows).toHaveLength(1);
    }
  });

  it("refuses bad bodies naming the field, unknown calendars, and another user's", async () => {
    const { clientId, email } = await connectedAccount();
    await list(clientId);
    expectProblem(await api().patch(calendarPath(clientId, email)).set(ada.auth).send({ busy: 'no' }), 400, 'VALIDATION_FAILED', ['busy']);
    expectProblem(await api().patch(calendarPath(clientId, email)).set(ada.auth).send({ destination: 1 }), 400, 'VALIDATION_FAILED', ['destination']);
    expectProblem(await api().patch(calendarPath(clientId, email)).set(ada.auth).send({ summary: 'x' }), 400, 'VALIDATION_FAILED', ['summary']);
    expectProblem(await api().patch(calendarPath(clientId, 'nobody@example.com')).set(ada.auth).send({ busy: true }), 404, 'NOT_FOUND');
    expectProblem(await api().patch(calendarPath(clientId, email)).set(bob.auth).send({ busy: true }), 404, 'NOT_FOUND');
    expectProblem(await api().patch(`/api/v1/clients/nope/calendars/${encodeURIComponent(email)}`).set(ada.auth).send({ busy: true }), 400, 'INVALID_ID');
  });
});
