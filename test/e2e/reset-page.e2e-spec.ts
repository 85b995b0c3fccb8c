import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { expectProblem } from '../setup/problem.js';
import { mailboxMessage, resetLinkOf } from '../setup/mailbox.js';
import { registerUser } from '../factories/users.js';

// The password reset page at /app/reset-password and the link to it in the reset email.
// (The page at work in Chromium: test/browser/reset-password.browser-spec.ts.)

let t: TestApp;
let elsewhere: TestApp; // the browser app lives on its own host (FRONTEND_URL)

beforeAll(async () => {
  [t, elsewhere] = await Promise.all([createTestApp(), createTestApp({ FRONTEND_URL: 'https://web.example.com/calendar/' })]);
});
afterAll(async () => {
  await Promise.all([t?.close(), elsewhere?.close()]);
});

const api = () => request(t.http);
const SUBJECT = 'Reset your Calento password';

describe('the reset email', () => {
  it('links to the reset page under FRONTEND_URL (APP_BASE_URL/app by default), which the API serves', async () => {
    const user = await registerUser(t.http);
    await api().post('/api/v1/auth/forgot-password').send({ email: user.email }).expect(202);
    const link = resetLinkOf(await mailboxMessage(t.mailboxDir, user.email, SUBJECT));
    expect(`${link.origin}${link.pathname}`).toBe('http://calento.test/app/reset-password');
    expect(link.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The path of the link is a page here, not the 404 it used to be.
    await api().get(`${link.pathname}${link.search}`).expect(200).expect('content-type', /^text\/html/);
  });

  it('points at FRONTEND_URL when the browser app lives elsewhere', async () => {
    const user = await registerUser(elsewhere.http);
    await request(elsewhere.http).post('/api/v1/auth/forgot-password').send({ email: user.email }).expect(202);
    const link = resetLinkOf(await mailboxMessage(elsewhere.mailboxDir, user.email, SUBJECT));
    expect(`${link.origin}${link.pathname}`).toBe('https://web.example.com/calendar/reset-password');
  });
});

describe('GET /app/reset-password', () => {
  it('serves a page that runs under the strict CSP: no inline script, no inline handlers', async () => {
    const res = await api().get('/app/reset-password?token=abc').expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    // The URL carries the token: no cache may keep the page, and no Referer carries it away.
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    const html = res.text;
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/src="\/app\/assets\/reset-password\.js\?v=[0-9a-f]{16}"/);
      expect(body.trim()).toBe('');
    }
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).toMatch(/<link rel="stylesheet" href="\/app\/assets\/reset-password\.css\?v=[0-9a-f]{16}">/);
    for (const id of ['new-password', 'confirm-password', 'email']) expect(html).toContain(`<label for="${id}">`);
  });

  it.each([
    ['reset-password.js', 'text/javascript; charset=utf-8', 'reset-password'],
    ['reset-password.css', 'text/css; charset=utf-8', '.field-error'],
  ])('serves %s, versioned and cached, with a 304 for a matching ETag', async (file, contentType, marker) => {
    const page = (await api().get('/app/reset-password').expect(200)).text;
    const versioned = new RegExp(`/app/assets/${file.replace('.', '\\.')}\\?v=[0-9a-f]{16}`).exec(page)?.[0] as string;
    const res = await api().get(versioned).expect(200);
    expect(res.headers['content-type']).toBe(contentType);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.text ?? res.body.toString()).toContain(marker);
    const unversioned = await api().get(`/app/assets/${file}`).expect(200);
    expect(unversioned.headers['cache-control']).toBe('public, max-age=300');
    await api().get(versioned).set('If-None-Match', res.headers.etag).expect(304);
  });

  it('lives outside the API prefix; an unknown asset under /app is a 404', async () => {
    expectProblem(await api().get('/api/v1/app/reset-password'), 404, 'ROUTE_NOT_FOUND');
    expectProblem(await api().get('/app/assets/other.js'), 404, 'NOT_FOUND');
    expectProblem(await api().post('/app/reset-password').send({}), 404, 'ROUTE_NOT_FOUND');
  });
});
