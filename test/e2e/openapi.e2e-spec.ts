import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
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

/** The routes anyone may call without a token: the public surface of the API. */
const publicRoutes = new Set([
  'GET /health/live',
  'GET /health/ready',
  'GET /api/v1/users/{id}/public-profile',
  'GET /api/v1/calendar/feed/{token}.ics',
  'GET /api/v1/booking-links/{slug}',
  'GET /api/v1/booking-links/{slug}/availability',
  'POST /api/v1/bookings',
  'GET /api/v1/bookings/manage/{token}',
  'GET /api/v1/bookings/manage/{token}/availability',
  'POST /api/v1/bookings/manage/{token}/cancel',
  'POST /api/v1/bookings/manage/{token}/reschedule',
  'GET /api/v1/oauth/callback',
  'POST /api/v1/webhooks/google',
  'GET /api/v1/integrations/slack/callback',
  'POST /api/v1/integrations/slack/commands',
  'POST /api/v1/integrations/email/confirm',
]);

interface Operation {
  summary?: string;
  security?: unknown[];
  responses: Record<string, unknown>;
}

interface Parameter {
  in: string;
  name: string;
  required?: boolean;
  example?: unknown;
  examples?: unknown;
  schema?: { example?: unknown; examples?: unknown };
}

describe('OpenAPI and Swagger UI', () => {
  it('serves Swagger UI at /docs', async () => {
    const res = await request(t.http).get('/docs').redirects(1).expect(200);
    expect(res.text).toContain('swagger-ui');
  });

  it('documents every route with a summary, error responses and auth where needed', async () => {
    const doc = (await request(t.http).get('/docs-json').expect(200)).body;
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes['api-key']).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
    const operations = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(10);
    for (const { route, op } of operations) {
      expect({ route, summary: typeof op.summary }).toEqual({ route, summary: 'string' });
      const codes = Object.keys(op.responses);
      // A success, or for a browser redirect (the OAuth callback) a 3xx.
      expect({ route, hasSuccess: codes.some((c) => c.startsWith('2') || c.startsWith('3')) }).toEqual({ route, hasSuccess: true });
      // Every route but the health probes (@NoRateLimit()) passes the rate limiter, and every route but
      // liveness reaches the database (an API key is looked up there), so each can answer 429 and 503.
      expect({ route, has429: codes.includes('429') }).toEqual({ route, has429: !route.startsWith('GET /health/') });
      expect({ route, has503: codes.includes('503') }).toEqual({ route, has503: route !== 'GET /health/live' });
      const open = publicRoutes.has(route) || route.startsWith('POST /api/v1/auth/');
      if (open) {
        expect({ route, security: op.security }).toEqual({ route, security: undefined });
      } else {
        // Either scheme, except routes an API key can never reach (key management, admin): session only.
        const sessionOnly = route.includes(' /api/v1/api-keys') || route === 'GET /api/v1/jobs/metrics';
        const expected = sessionOnly ? [{ bearer: [] }] : [{ bearer: [] }, { 'api-key': [] }];
        expect({ route, security: op.security }).toEqual({ route, security: expected });
        expect({ route, has401: codes.includes('401') }).toEqual({ route, has401: true });
      }
    }
    // Every public route the API promises exists.
    const documented = new Set(operations.map((o) => o.route));
    for (const route of publicRoutes) expect({ route, documented: documented.has(route) }).toEqual({ route, documented: true });
    // DTO schemas come from the Swagger CLI plugin: their properties must be present.
    expect(Object.keys(doc.components.schemas.RegisterDto.properties)).toEqual(
      expect.arrayContaining(['email', 'password', 'name', 'timezone', 'locale']),
    );
  });

  it('declares the .ics file body of POST /calendar/import beside the JSON one, and its 415', async () => {
    const operation = (await request(t.http).get('/docs-json').expect(200)).body.paths['/api/v1/calendar/import'].post;
    expect(operation.requestBody.content).toEqual({
      'application/json': { schema: { $ref: '#/components/schemas/ImportIcsDto' } },
      'text/calendar': { schema: expect.objectContaining({ type: 'string' }) },
    });
    expect(operation.responses['415'].description).toMatch(/UNSUPPORTED_MEDIA_TYPE, UNSUPPORTED_CHARSET/);
    expect(Object.keys(operation).filter((key) => key.startsWith('x-'))).toEqual([]);
  });

  // Swagger UI's "Try it out" fills each query parameter in with its example and sends it: examples on
  // filters (q=standup) or windows (March 2026) made the first try of a list come back empty.
  it('gives no query parameter an example for Swagger UI to send', async () => {
    const doc = (await request(t.http).get('/docs-json').expect(200)).body;
    const parameters = Object.entries(doc.paths as Record<string, Record<string, { parameters?: Parameter[] }>>).flatMap(([path, methods]) =>
      Object.entries(methods).flatMap(([method, op]) =>
        (op.parameters ?? []).filter((parameter) => parameter.in === 'query').map((parameter) => ({ route: `${method.toUpperCase()} ${path}`, parameter })),
      ),
    );
    expect(parameters.filter(({ parameter }) => parameter.required !== true).length).toBeGreaterThan(20);
    const withExample = parameters
      .filter(({ parameter }) => parameter.example !== undefined || parameter.examples !== undefined || parameter.schema?.example !== undefined || parameter.schema?.examples !== undefined)
      .map(({ route, parameter }) => `${route} ?${parameter.name}`);
    expect(withExample).toEqual([]);
  });

  // Client generators make one argument per parameter name: a path and a query parameter both named
  // calendarId gave GET /clients/{id}/calendars/{calendarId}/events two arguments of one name.
  it('gives no operation two parameters of one name, and declares every path template parameter', async () => {
    const doc = (await request(t.http).get('/docs-json').expect(200)).body;
    const problems: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, { parameters?: Parameter[] }>>)) {
      for (const [method, op] of Object.entries(methods)) {
        const names = (op.parameters ?? []).map((parameter) => parameter.name.toLowerCase());
        for (const name of new Set(names.filter((name, i) => names.indexOf(name) !== i))) problems.push(`${method.toUpperCase()} ${path}: ${name} twice`);
        for (const [, name] of path.matchAll(/\{(\w+)\}/g)) {
          if (!(op.parameters ?? []).some((parameter) => parameter.in === 'path' && parameter.name === name)) problems.push(`${method.toUpperCase()} ${path}: {${name}} undeclared`);
        }
      }
    }
    expect(problems).toEqual([]);
    // The calendar's events take their client and calendar from the path only.
    const user = await registerUser(t.http);
    const clientEvents = '/api/v1/clients/00000000-0000-4000-8000-000000000000/calendars/ops%40acme.example/events';
    for (const field of ['calendarId', 'clientId']) {
      expectProblem(await request(t.http).get(clientEvents).query({ [field]: 'x' }).set(user.auth), 400, 'VALIDATION_FAILED', [field]);
    }
  });

  // Every route that reads a body answers 400 MALFORMED_JSON, 413 PAYLOAD_TOO_LARGE and 415
  // UNSUPPORTED_MEDIA_TYPE before its handler runs; errors.md promises the document lists what each
  // operation can answer.
  it('declares the body problems on every operation that takes a body, and they happen', async () => {
    const doc = (await request(t.http).get('/docs-json').expect(200)).body;
    const missing: string[] = [];
    let withBody = 0;
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, { requestBody?: unknown; responses: Record<string, { description: string; content?: object }> }>>)) {
      for (const [method, op] of Object.entries(methods)) {
        if (!op.requestBody) continue;
        withBody += 1;
        for (const [status, code] of [['400', 'MALFORMED_JSON'], ['400', 'JSON_TOO_DEEP'], ['413', 'PAYLOAD_TOO_LARGE'], ['415', 'UNSUPPORTED_MEDIA_TYPE']]) {
          const response = op.responses[status];
          if (!response?.description.includes(code) || !response.content || !('application/problem+json' in response.content)) missing.push(`${method.toUpperCase()} ${path} ${status} ${code}`);
        }
      }
    }
    expect(withBody).toBeGreaterThan(40);
    expect(missing).toEqual([]);
    const user = await registerUser(t.http);
    expectProblem(await request(t.http).post('/api/v1/tags').set(user.auth).set('content-type', 'text/plain').send('Work'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectProblem(await request(t.http).post('/api/v1/tags').set(user.auth).set('content-type', 'application/json').send('{"name":'), 400, 'MALFORMED_JSON');
  });

  // Swagger UI's "Try it out" and generated samples send the examples: one its own pattern refuses is a
  // 400 on the first try.
  it('gives no property an example that its own pattern or length refuses', async () => {
    const doc = (await request(t.http).get('/docs-json').expect(200)).body;
    const refused: string[] = [];
    for (const [name, schema] of Object.entries(doc.components.schemas as Record<string, { properties?: Record<string, { example?: unknown; pattern?: string; minLength?: number; maxLength?: number }> }>)) {
      for (const [property, { example, pattern, minLength, maxLength }] of Object.entries(schema.properties ?? {})) {
        if (typeof example !== 'string') continue;
        if ((pattern && !new RegExp(pattern).test(example)) || example.length < (minLength ?? 0) || example.length > (maxLength ?? Infinity)) refused.push(`${name}.${property}: ${example}`);
      }
    }
    expect(refused).toEqual([]);
  });

  // A generated client reads `number` as a float: counts, minutes, pages and status codes must say integer.
  it('declares every number an integer, but the few that carry fractions', async () => {
    const doc = (await request(t.http).get('/docs-json').expect(200)).body;
    const fractional = new Set(['/components/schemas/JobCountsDto/properties/oldestDueSeconds', '/components/schemas/JobKindMetricsDto/properties/oldestDueSeconds']);
    const numbers: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${path}/${i}`));
      else if (node && typeof node === 'object') {
        if ((node as { type?: unknown }).type === 'number' && !fractional.has(path)) numbers.push(path);
        for (const [key, value] of Object.entries(node)) walk(value, `${path}/${key}`);
      }
    };
    walk(doc, '');
    expect(numbers).toEqual([]);
    // And the validated whole numbers of a query (limit) and a body (a reminder's minutes) among them.
    expect(doc.paths['/api/v1/events/upcoming'].get.parameters.find((p: { name: string }) => p.name === 'limit').schema.type).toBe('integer');
    expect(doc.components.schemas.ReminderDto.properties.minutesBefore.type).toBe('integer');
  });

  it('declares format uuid on every path id that is one, and only the other kinds of key without it', async () => {
    const doc = (await request(t.http).get('/docs-json').expect(200)).body;
    const untyped = new Set<string>();
    let uuids = 0;
    for (const [path, operations] of Object.entries(doc.paths as Record<string, Record<string, { parameters?: Array<{ in: string; name: string; schema: { format?: string } }> }>>)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const parameter of operation.parameters ?? []) {
          if (parameter.in !== 'path') continue;
          if (parameter.schema.format === 'uuid') uuids++;
          else untyped.add(parameter.name);
          if (/^(id|\w+Id)$/.test(parameter.name) && !['calendarId', 'occurrenceId'].includes(parameter.name)) {
            expect(`${method} ${path} ${parameter.name}: ${parameter.schema.format}`).toBe(`${method} ${path} ${parameter.name}: uuid`);
          }
        }
      }
    }
    // Google's calendar ids, occurrence ids (instants or dates), opaque tokens and booking-link slugs.
    expect([...untyped].sort()).toEqual(['calendarId', 'occurrenceId', 'slug', 'token']);
    expect(uuids).toBeGreaterThan(50);
  });

  it('declares Location on the 201 of every route that creates something read at /<collection>/{id}', async () => {
    const doc = (await request(t.http).get('/docs-json').expect(200)).body;
    const located: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths as Record<string, Record<string, { responses: Record<string, { headers?: Record<string, unknown> }> }>>)) {
      const created = operations.post?.responses['201'];
      if (created?.headers?.Location) located.push(path);
    }
    expect(located.sort()).toEqual(
      [
        '/api/v1/api-keys',
        '/api/v1/availability',
        '/api/v1/availability/exceptions',
        '/api/v1/clients',
        '/api/v1/clients/{id}/calendars/{calendarId}/events',
        '/api/v1/events',
        '/api/v1/events/{id}/duplicate',
        '/api/v1/oauth',
        '/api/v1/tags',
        '/api/v1/webhooks',
      ].sort(),
    );
  });

  it('matches the committed docs/openapi.json (run `npm run openapi` after API changes)', async () => {
    const served = (await request(t.http).get('/docs-json').expect(200)).body;
    const committed = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../docs/openapi.json'), 'utf8'));
    expect(served).toEqual(committed);
  });
});
