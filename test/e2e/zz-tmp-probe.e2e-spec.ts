import { afterAll, beforeAll, describe, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { registerUser, type TestUser } from '../factories/users.js';
let t: TestApp; let u: TestUser;
beforeAll(async () => { t = await createTestApp({ LOG_LEVEL: 'error' }); u = await registerUser(t.http, { timezone: 'Pacific/Kiritimati' }); });
afterAll(async () => { await t?.close(); });
describe('probe', () => {
  it('extremes', async () => {
    await request(t.http).put('/api/v1/availability/schedule').set(u.auth).send({ rules: [0,1,2,3,4,5,6].map((d) => ({ dayOfWeek: d, startTime: '00:00', endTime: '24:00' })) }).expect(200);
    await request(t.http).post('/api/v1/availability/exceptions').set(u.auth).send({ date: '9999-12-31' }).expect(201);
    const res = await request(t.http).get('/api/v1/availability/slots').query({ from: '9999-12-30T00:00:00Z', to: '9999-12-31T23:59:59Z', duration: 5 }).set(u.auth);
    console.log(res.status);
  });
});
