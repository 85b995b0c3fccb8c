import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { expectProblem } from '../setup/problem.js';
import { registerUser } from '../factories/users.js';

// The page's behaviour is tested in a real browser (test/browser); these are its HTTP contracts.
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PUBLIC_PER_IP: '100000' });
});
afterAll(async () => {
  await t?.close();
});

const api = () => request(t.http);

async function link(fields: object): Promise<{ slug: string; id: string; auth: { Authorization: string } }> {
  const host = await registerUser(t.http, { name: 'Ada <b>Lovelace</b>' });
  const slug = `page-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;
  const res = await api().post('/api/v1/booking-links').set(host.auth).send({ slug, title: 'Intro', durationMinutes: 45, ...fields }).expect(201);
  return { slug, id: res.body.id, auth: host.auth };
}

describe('GET /book/:slug', () => {
  it('serves the page outside /api/v1 with the link escaped, its assets and the CSP', async () => {
    const { slug } = await link({ title: '<script>alert(1)</script> & "more"', description: "It's <img src=x onerror=alert(2)>", location: 'Room <7>' });
    const res = await api().get(`/book/${slug.toUpperCase()}`).expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.text).toContain('<h1>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;more&quot;</h1>');
    expect(res.text).toContain('It&#39;s &lt;img src=x onerror=alert(2)&gt;');
    expect(res.text).toContain('Ada &lt;b&gt;Lovelace&lt;/b&gt;');
    expect(res.text).toContain('<li>45 min</li><li>Room &lt;7&gt;</li>');
    expect(res.text).toContain(`data-slug="${slug}"`);
    expect(res.text).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    // An icon of its own (empty, allowed by img-src data:), or browsers ask /favicon.ico, a 404 in the console.
    expect(res.text).toContain('<link rel="icon" href="data:,">');
    expect(res.headers['content-security-policy']).toMatch(/img-src[^;]*data:/);
    // Scripts only from files: nothing inline.
    expect(res.text).not.toMatch(/<script>|<script(?![^>]*\ssrc=)[^>]*>/);
    expect(res.text).not.toMatch(/<[^>]*\son[a-z]+=/);
    const script = /<script type="module" src="(\/book\/assets\/booking\.js\?v=[0-9a-f]{16})">/.exec(res.text)?.[1];
    const style = /<link rel="stylesheet" href="(\/book\/assets\/booking\.css\?v=[0-9a-f]{16})">/.exec(res.text)?.[1];
    expect(script && style).toBeTruthy();
    const js = await api().get(script as string).expect(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const css = await api().get(style as string).expect(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.text).toContain('.slot');
  });

  it('answers an HTML 404 page for unknown and inactive links', async () => {
    const { slug, id, auth } = await link({});
    await api().patch(`/api/v1/booking-links/${id}`).set(auth).send({ isActive: false }).expect(200);
    for (const path of [`/book/${slug}`, '/book/no-such-link']) {
      const res = await api().get(path).expect(404);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.text).toContain('Booking page not found');
    }
  });

  it('is not under the API prefix and not in the OpenAPI document', async () => {
    expectProblem(await api().get('/api/v1/book/anything'), 404, 'ROUTE_NOT_FOUND');
    const doc = (await api().get('/docs-json').expect(200)).body;
    expect(Object.keys(doc.paths).filter((path) => path.includes('/book/'))).toEqual([]);
  });
});

describe('GET /book/manage/:token', () => {
  it('serves the same shell for any token, never echoing it, uncached and not indexed', async () => {
    const token = 'AbC_123-xyzXYZ0987654321abcdefghijklmnopq';
    const res = await api().get(`/book/manage/${token}`).expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.text).toContain('<meta name="robots" content="noindex">');
    expect(res.text).toContain('data-page="manage"');
    expect(res.text).not.toContain(token);
  });
});

describe('GET /book/assets/*', () => {
  it('caches an unversioned URL briefly and answers a matching If-None-Match with 304', async () => {
    const js = await api().get('/book/assets/booking.js').expect(200);
    expect(js.headers['cache-control']).toBe('public, max-age=300');
    const etag = js.headers.etag as string;
    expect(etag).toMatch(/^"[0-9a-f]{16}"$/);
    const again = await api().get('/book/assets/booking.js').set('If-None-Match', `W/${etag}`).expect(304);
    expect(again.text ?? '').toBe('');
    await api().get('/book/assets/booking.css').set('If-None-Match', '"other"').expect(200);
    expectProblem(await api().get('/book/assets/other.js'), 404, 'ROUTE_NOT_FOUND');
  });
});

describe('rate limit', () => {
  it('limits the pages per IP like the other public routes', async () => {
    const limited = await createTestApp({ RATE_LIMIT_PUBLIC_PER_IP: '2' });
    try {
      for (let i = 0; i < 2; i++) await request(limited.http).get('/book/no-such-link').expect(404);
      expectProblem(await request(limited.http).get('/book/no-such-link'), 429, 'RATE_LIMITED');
    } finally {
      await limited.close();
    }
  });
});
