// The floor: a bare Fastify + pg server doing the same work as Calento's two hot read routes, and nothing
// else (no framework, no validation library, no logging, no security headers, no rate limit).
//
//   GET /api/v1/events?from&to&limit&page       the same HS256 JWT check (KeyObject), the same statements
//                                               with the same values, the same bytes
//   GET /api/v1/booking-links/:slug/availability the booking page's slot request: the same statements, the
//                                               same pure slot engine (Calento's own, from dist/), the same bytes
//   GET /hello                                  {"status":"ok"}, against Calento's /health/live
//
// The SQL texts are not written here: bench/floor.bench.mjs captures what Calento ran for one request of
// each route (bench/floor/capture-sql.mjs) and passes them in FLOOR_STATEMENTS (a JSON file of role →
// text). It then checks that both servers send the same statements with the same values and answer the
// same bytes, so when Calento's SQL changes the floor follows it, and when the change needs different
// parameters the check fails loudly instead of comparing unlike work.
//
// With FLOOR_FRAMEWORK=nest or nest-full the same handlers run inside a minimal NestJS app instead of bare
// Fastify (bench/floor/nest-floor.mjs, `--floor` of the bench): the same checks, so only the framework differs.
//
// Env: DATABASE_URL, JWT_SECRET, PORT, FLOOR_STATEMENTS, DATABASE_POOL_SIZE (default 10, as Calento),
// FLOOR_FRAMEWORK.
import { createHash, createSecretKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Fastify from 'fastify';
import jwt from 'jsonwebtoken';
import { DateTime } from 'luxon';
import pg from 'pg';

const dist = resolve(import.meta.dirname, '..', '..', 'dist');
const { computeSlots } = await import(`${dist}/engines/slots/slots.engine.js`);
const { blocksTime, busyBlocks } = await import(`${dist}/modules/events/event-busy.js`);
const { toBusyEvent } = await import(`${dist}/modules/events/events.rows.js`);
const { toRule, toWeeklyRule, toException, toDateException } = await import(`${dist}/modules/availability/availability.rows.js`);
const { toBookingLink } = await import(`${dist}/modules/bookings/bookings.rows.js`);

// The value shapes Calento's pg adapter sets (src/db/database.factory.ts).
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

const statements = JSON.parse(readFileSync(process.env.FLOOR_STATEMENTS, 'utf8'));
statements.naiveList = readFileSync(resolve(import.meta.dirname, 'naive-list.sql'), 'utf8').replace(/^--.*\n/gm, '').trim();
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
const key = createSecretKey(Buffer.from(process.env.JWT_SECRET, 'utf8'));

/** A named (prepared once per connection) statement, as Calento runs them. */
function run(role, values) {
  const text = statements[role];
  if (!text) throw new Error(`no captured statement for "${role}"`);
  return pool.query({ name: `floor_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`, text, values });
}

const uuid = /^[0-9a-f-]{36}$/i;
// The routes, registered below on bare Fastify, or inside a NestJS app with FLOOR_FRAMEWORK (bench/floor/nest-floor.mjs).
const routes = [];
const get = (path, handler) => routes.push([path, handler]);

function problem(reply, status, title) {
  return reply.code(status).type('application/problem+json').send({ title, status });
}

async function authenticate(request) {
  const header = request.headers.authorization;
  if (!header?.startsWith('Bearer ')) return null;
  let claims;
  try {
    claims = jwt.verify(header.slice(7), key, { algorithms: ['HS256'] });
  } catch {
    return null;
  }
  if (typeof claims.sub !== 'string' || !uuid.test(claims.sub)) return null;
  // Calento keeps who a token's subject is in memory for up to 30 s (src/modules/auth/session-cache.ts):
  // so does the floor, with the same re-read when the entry is older or the token newer.
  const now = Date.now();
  let entry = sessions.get(claims.sub);
  if (!entry || now - entry.readAt >= SESSION_MAX_AGE_MS || entry.user.session_version < claims.ver) {
    const { rows } = await run('user', [claims.sub]);
    if (!rows[0]) return null;
    entry = { user: rows[0], readAt: now };
    sessions.set(claims.sub, entry);
  }
  return entry.user.session_version === claims.ver ? entry.user : null;
}

const SESSION_MAX_AGE_MS = 30_000;
const sessions = new Map();

function instant(text) {
  const date = typeof text === 'string' ? new Date(text) : null;
  return date && !Number.isNaN(date.getTime()) ? date : null;
}

get('/api/v1/events', async (request, reply) => {
  const user = await authenticate(request);
  if (!user) return problem(reply, 401, 'Unauthorized');
  const from = instant(request.query.from);
  const to = instant(request.query.to);
  const limit = Number(request.query.limit ?? 50);
  const page = Number(request.query.page ?? 1);
  if (!from || !to || !(to > from) || !(limit >= 1 && limit <= 200) || !(page >= 1)) return problem(reply, 400, 'Bad Request');
  if (statements.listJson) {
    // Calento has PostgreSQL write the page's JSON: so does the floor.
    const { rows } = await run('listJson', [user.id, user.email, from, to, limit, (page - 1) * limit]);
    const meta = JSON.stringify({ page, limit, total: rows[0].total ?? 0 });
    return reply.type('application/json; charset=utf-8').send(`{"data":${rows[0].data},"meta":${meta}}`);
  }
  return naiveList(user, from, to, limit, page);
});

// The list as rows that Node parses, maps and stringifies: the statement Calento ran before it had
// PostgreSQL write the JSON (bench/floor/naive-list.sql), kept to compare against the naive floor.
get('/naive/api/v1/events', async (request, reply) => {
  const user = await authenticate(request);
  if (!user) return problem(reply, 401, 'Unauthorized');
  const from = instant(request.query.from);
  const to = instant(request.query.to);
  const limit = Number(request.query.limit ?? 50);
  const page = Number(request.query.page ?? 1);
  if (!from || !to || !(to > from) || !(limit >= 1 && limit <= 200) || !(page >= 1)) return problem(reply, 400, 'Bad Request');
  return naiveList(user, from, to, limit, page);
});

async function naiveList(user, from, to, limit, page) {
  const { rows } = await run(statements.listJson ? 'naiveList' : 'list', [user.id, user.email, from, to, limit, (page - 1) * limit]);
  const data = rows.map((row) => ({
    id: row.id,
    title: row.title,
    description: row.description,
    location: row.location,
    startTime: row.start_time,
    endTime: row.end_time,
    timezone: row.timezone,
    isAllDay: row.is_all_day,
    startDate: row.start_date,
    endDate: row.end_date,
    status: row.status,
    transparency: row.transparency,
    color: row.color,
    visibility: row.visibility,
    reminders: row.reminders,
    attachments: row.attachments,
    recurrence: row.recurrence_rule ? { rule: row.recurrence_rule, exdates: row.recurrence_exdates } : null,
    seriesId: row.series_id,
    occurrenceId: row.original_start,
    isOverride: row.series_id !== null,
    tags: row.tags,
    attendees: row.attendees.map((a) => ({ ...a, respondedAt: a.respondedAt ? new Date(a.respondedAt) : null })),
    role: row.role,
    readOnly: row.role !== 'owner',
    myResponse: row.my_response,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }));
  return { data, meta: { page, limit, total: rows[0]?.total ?? 0 } };
}

get('/api/v1/booking-links/:slug/availability', async (request, reply) => {
  const from = instant(request.query.from);
  const to = instant(request.query.to);
  const zone = request.query.timezone;
  if (!from || !to || !(to > from) || to - from > 62 * 86_400_000) return problem(reply, 400, 'Bad Request');
  const linkRows = (await run('link', [request.params.slug])).rows;
  if (!linkRows[0]) return problem(reply, 404, 'Not Found');
  const link = toBookingLink(linkRows[0]);
  const host = (await run('user', [link.userId])).rows[0];
  const rules = (await run('rules', [host.id])).rows.map(toRule);
  const exceptions = (await run('exceptions', [host.id, null, null])).rows.map(toException);
  const pad = (link.bufferBeforeMinutes + link.bufferAfterMinutes + link.durationMinutes) * 60_000;
  const busyWindow = { from: new Date(from.getTime() - pad), to: new Date(to.getTime() + pad) };
  const [events, bookings] = await Promise.all([
    (async () => {
      const owner = (await run('user', [host.id])).rows[0];
      const visible = (await run('busyEvents', [owner.id, owner.email, busyWindow.from, busyWindow.to])).rows.map((row) => ({
        event: toBusyEvent(row),
        role: row.role,
        myResponse: row.my_response,
      }));
      const seriesIds = visible
        .filter((entry) => entry.event.recurrenceRule && blocksTime(entry))
        .map((entry) => entry.event.id);
      const replaced = seriesIds.length
        ? (await run('overrides', [seriesIds])).rows.map((row) => ({ seriesId: row.series_id, originalStart: row.original_start }))
        : [];
      return busyBlocks(visible, replaced, busyWindow).map((b) => ({ start: b.start, end: b.end, source: 'event', id: b.id, title: b.title }));
    })(),
    run('hostBookings', [host.id, busyWindow.from, busyWindow.to]).then(({ rows }) =>
      rows.map((row) => ({ start: row.start_time, end: row.end_time, source: 'booking', id: row.id })),
    ),
    // Calento asks which client calendars count as busy (the Google busy source); the bench's host has
    // none, and the floor does not model their events, so it refuses to go on if there are any.
    run('busyCalendars', [host.id]).then(({ rows }) => {
      if (rows.length > 0) throw new Error('the floor does not model busy client calendars');
    }),
  ]);
  const lo = busyWindow.from.getTime();
  const hi = busyWindow.to.getTime();
  const busy = [...events, ...bookings]
    .filter((b) => b.end.getTime() > b.start.getTime() && b.start.getTime() < hi && b.end.getTime() > lo)
    .sort((a, b) => a.start - b.start || a.end - b.end || a.source.localeCompare(b.source) || (a.id ?? '').localeCompare(b.id ?? ''));
  const limited = link.maxBookingsPerDay !== null || link.maxBookingsPerWeek !== null;
  const weeks = {
    from: DateTime.fromJSDate(from, { zone: host.timezone }).startOf('week').toJSDate(),
    to: DateTime.fromJSDate(to, { zone: host.timezone }).endOf('week').toJSDate(),
  };
  const existing = limited
    ? (await run('linkBookings', [link.id, weeks.from, weeks.to, null])).rows.map((row) => ({ start: row.start_time, end: row.end_time }))
    : [];
  const slots = computeSlots({
    window: { start: from, end: to },
    now: new Date(),
    durationMinutes: link.durationMinutes,
    slotIntervalMinutes: link.slotIntervalMinutes ?? undefined,
    bufferBeforeMinutes: link.bufferBeforeMinutes,
    bufferAfterMinutes: link.bufferAfterMinutes,
    minimumNoticeMinutes: link.minimumNoticeMinutes,
    bookingWindowDays: link.bookingWindowDays,
    hostTimezone: host.timezone,
    maxPerDay: link.maxBookingsPerDay,
    maxPerWeek: link.maxBookingsPerWeek,
    existingBookings: existing,
    busy,
    rules: rules.map(toWeeklyRule),
    exceptions: exceptions.map(toDateException),
  });
  const shown = zone ?? host.timezone;
  return {
    timezone: shown,
    durationMinutes: link.durationMinutes,
    slots: slots.map((slot) => {
      const local = DateTime.fromJSDate(slot.start, { zone: shown });
      return { start: slot.start, end: slot.end, localDate: local.toISODate(), localTime: local.toFormat('HH:mm') };
    }),
  };
});

get('/hello', async () => ({ status: 'ok' }));

if (process.env.FLOOR_FRAMEWORK) {
  const { listenInNest } = await import('./nest-floor.mjs');
  await listenInNest(routes, { port: Number(process.env.PORT), full: process.env.FLOOR_FRAMEWORK === 'nest-full' });
} else {
  const app = Fastify({ logger: false });
  for (const [path, handler] of routes) app.get(path, handler);
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
}
