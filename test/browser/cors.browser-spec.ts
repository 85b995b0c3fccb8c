import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { launchChromium } from '../setup/browser.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { registerUser, type TestUser } from '../factories/users.js';

// A browser app on one origin using the API on another, as a SPA does: pages served from
// http://127.0.0.1:<port> call the API at http://localhost:<port>. Chromium enforces CORS itself, so
// what passes here passes for a real SPA; a page on an origin outside CORS_ORIGINS gets nothing through.

/** A stand-in for the SPA's own web server: one empty page. */
async function pageServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>SPA</title><link rel="icon" href="data:,">');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

let spa: { server: Server; origin: string };
let stranger: { server: Server; origin: string };
let t: TestApp;
let apiOrigin: string;
let browser: Browser;
let user: TestUser;

beforeAll(async () => {
  [spa, stranger, browser] = await Promise.all([pageServer(), pageServer(), launchChromium()]);
  t = await createTestApp({ CORS_ORIGINS: spa.origin });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  apiOrigin = `http://localhost:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  user = await registerUser(t.http);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
  spa?.server.close();
  stranger?.server.close();
});

async function openAt(origin: string): Promise<{ page: Page; consoleErrors: string[]; close(): Promise<void> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.goto(`${origin}/`);
  return { page, consoleErrors, close: () => context.close() };
}

async function newEvent(title: string): Promise<string> {
  const res = await request(t.http)
    .post('/api/v1/events')
    .set(user.auth)
    .send({ title, startTime: '2030-05-06T09:00:00Z', endTime: '2030-05-06T10:00:00Z' })
    .expect(201);
  return res.body.id;
}

describe('CORS from a real page in Chromium', () => {
  it('lets a page on an allowed origin log in, edit an event with PATCH and DELETE it', async () => {
    const { page, consoleErrors, close } = await openAt(spa.origin);
    const id = await newEvent('Planning');
    const outcome = await page.evaluate(
      async ({ api, email, password, id }) => {
        const json = { 'content-type': 'application/json' };
        const login = await fetch(`${api}/api/v1/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ email, password }) });
        const { accessToken } = (await login.json()) as { accessToken: string };
        const auth = { authorization: `Bearer ${accessToken}` };
        // The headers a SPA sends beyond the CORS-safelisted ones, each of which forces a preflight.
        const patch = await fetch(`${api}/api/v1/events/${id}`, {
          method: 'PATCH',
          headers: { ...auth, ...json, 'x-request-id': 'spa-edit-0001', 'idempotency-key': 'spa-edit-0001' },
          body: JSON.stringify({ title: 'Planning (moved by the SPA)' }),
        });
        const patched = (await patch.json()) as { title: string };
        const remove = await fetch(`${api}/api/v1/events/${id}`, { method: 'DELETE', headers: auth });
        const after = await fetch(`${api}/api/v1/events/${id}`, { headers: auth });
        return {
          login: login.status,
          patch: patch.status,
          title: patched.title,
          // Readable only because the API exposes it.
          requestId: patch.headers.get('x-request-id'),
          remove: remove.status,
          after: after.status,
          afterType: after.headers.get('content-type'),
        };
      },
      { api: apiOrigin, email: user.email, password: user.password, id },
    );
    await close();
    expect(outcome).toEqual({
      login: 200,
      patch: 200,
      title: 'Planning (moved by the SPA)',
      requestId: 'spa-edit-0001',
      remove: 204,
      after: 404,
      afterType: expect.stringMatching(/^application\/problem\+json/),
    });
    // The one console error is the browser reporting the expected 404 of the last read.
    expect(consoleErrors).toEqual([expect.stringMatching(/status of 404/)]);
    await request(t.http).get(`/api/v1/events/${id}`).set(user.auth).expect(404);
  });

  it('refuses a page on an origin outside CORS_ORIGINS: nothing is changed or deleted', async () => {
    const { page, consoleErrors, close } = await openAt(stranger.origin);
    const id = await newEvent('Untouchable');
    const outcome = await page.evaluate(
      async ({ api, token, id }) => {
        const attempt = (init: RequestInit) =>
          fetch(`${api}/api/v1/events/${id}`, init).then(
            (res) => `answered ${res.status}`,
            (error: Error) => `refused: ${error.name}`,
          );
        const auth = { authorization: `Bearer ${token}` };
        return {
          patch: await attempt({ method: 'PATCH', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ title: 'Hijacked' }) }),
          remove: await attempt({ method: 'DELETE', headers: auth }),
          read: await attempt({ headers: auth }),
        };
      },
      { api: apiOrigin, token: user.accessToken, id },
    );
    await close();
    expect(outcome).toEqual({ patch: 'refused: TypeError', remove: 'refused: TypeError', read: 'refused: TypeError' });
    expect(consoleErrors.filter((text) => /blocked by CORS policy/.test(text))).toHaveLength(3);
    // The preflights failed, so the PATCH and the DELETE were never sent.
    const event = await request(t.http).get(`/api/v1/events/${id}`).set(user.auth).expect(200);
    expect(event.body.title).toBe('Untouchable');
  });
});
