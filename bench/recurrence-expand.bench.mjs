// Expansion time of a 10-year daily series (3,652 occurrences) in America/New_York: the pure engine,
// and the same through HTTP (GET /events/:id/occurrences over the 10 years, paged 200 at a time).
// Then busy time of a dense series (FREQ=MINUTELY for five years) over 62 days: seriesBusySpans against
// merging expandSeries, and GET /availability/free-busy and the booking page's slots through HTTP.
// Run (after `npm run build`): node bench/recurrence-expand.bench.mjs
import { seriesBusySpans } from '../dist/engines/recurrence/busy-spans.js';
import { expandSeries } from '../dist/engines/recurrence/recurrence.engine.js';
import { register, startServer } from './lib.mjs';

const def = {
  rule: 'FREQ=DAILY;UNTIL=20351231T235959Z',
  timezone: 'America/New_York',
  isAllDay: false,
  localStart: '2026-01-01T09:00:00',
  durationMinutes: 30,
};
const window = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2036-01-01T00:00:00Z') };
const month = { from: new Date('2031-06-01T00:00:00Z'), to: new Date('2031-07-01T00:00:00Z') };

function timeIt(fn, runs) {
  for (let i = 0; i < 3; i++) fn();
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    fn();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { median: +samples[Math.floor(runs / 2)].toFixed(2), p95: +samples[Math.floor(runs * 0.95)].toFixed(2) };
}

const count = expandSeries(def, window, { maxOccurrences: 5000 }).length;
const whole = timeIt(() => expandSeries(def, window, { maxOccurrences: 5000 }), 30);
const oneMonth = timeIt(() => expandSeries(def, month), 200);
console.log(JSON.stringify({ bench: 'engine: 10-year daily series', occurrences: count, wholeSeriesMs: whole, oneMonthWindowMs: oneMonth }));

const dense = {
  rule: 'FREQ=MINUTELY;UNTIL=20301231T235900Z',
  timezone: 'America/New_York',
  isAllDay: false,
  localStart: '2026-01-01T00:00:00',
  durationMinutes: 1,
};
// 62 days across New York's spring change, with 20 cancelled minutes spread over the window.
const denseWindow = { from: new Date('2028-02-15T00:00:00Z'), to: new Date('2028-04-17T00:00:00Z') };
const exdates = Array.from({ length: 20 }, (_, i) => new Date(Date.UTC(2028, 1, 16 + 3 * i, 15, i)).toISOString().replace('.000Z', 'Z'));
const denseWithExdates = { ...dense, exdates };
const firstStarted = performance.now();
const spans = seriesBusySpans(denseWithExdates, denseWindow).length; // the process's first call: nothing warm
const firstMs = +(performance.now() - firstStarted).toFixed(2);
const busyWarm = timeIt(() => seriesBusySpans(denseWithExdates, denseWindow), 200);
const coldStarted = performance.now();
seriesBusySpans({ ...denseWithExdates, timezone: 'America/Chicago' }, denseWindow); // a zone not seen yet
const coldMs = +(performance.now() - coldStarted).toFixed(2);
const denseOccurrences = expandSeries(denseWithExdates, denseWindow, { maxOccurrences: 1e9 }).length;
const expandAll = timeIt(() => expandSeries(denseWithExdates, denseWindow, { maxOccurrences: 1e9 }), 5);
console.log(
  JSON.stringify({
    bench: 'engine: busy spans of FREQ=MINUTELY for 5 years, 62-day window',
    occurrences: denseOccurrences,
    spans,
    seriesBusySpansMs: busyWarm,
    firstCallMs: firstMs,
    firstCallInNewZoneMs: coldMs,
    expandSeriesMs: expandAll,
  }),
);

const server = await startServer({ EXPANSION_MAX_OCCURRENCES: '5000', RATE_LIMIT_PUBLIC_PER_IP: '100000' });
try {
  const { accessToken } = await register(server.base);
  const auth = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
  const created = await fetch(`${server.base}/api/v1/events`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({
      title: 'Daily',
      startTime: '2026-01-01T09:00:00-05:00',
      endTime: '2026-01-01T09:30:00-05:00',
      timezone: 'America/New_York',
      recurrenceRule: def.rule,
    }),
  });
  const { id } = await created.json();
  const url = `${server.base}/api/v1/events/${id}/occurrences?from=${window.from.toISOString()}&to=${window.to.toISOString()}&limit=200`;
  const samples = [];
  for (let i = 0; i < 12; i++) {
    const started = performance.now();
    const body = await (await fetch(url, { headers: auth })).json();
    if (body.meta.total !== count) throw new Error(`expected ${count}, got ${body.meta.total}`);
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  console.log(JSON.stringify({ bench: 'HTTP: first page of the 10-year expansion', database: 'pglite', medianMs: +samples[6].toFixed(1), maxMs: +samples[11].toFixed(1) }));

  // The dense series on a host with weekday hours and a booking link; free/busy and slots over 62 days.
  const schedule = { timezone: 'America/New_York', rules: [1, 2, 3, 4, 5].map((dayOfWeek) => ({ dayOfWeek, startTime: '09:00', endTime: '17:00' })) };
  await fetch(`${server.base}/api/v1/availability/schedule`, { method: 'PUT', headers: auth, body: JSON.stringify(schedule) });
  const denseCreated = await fetch(`${server.base}/api/v1/events`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({
      title: 'Dense',
      startTime: '2026-01-02T00:00:00-05:00', // a Friday
      endTime: '2026-01-02T00:01:00-05:00',
      timezone: 'America/New_York',
      recurrenceRule: 'FREQ=MINUTELY;BYDAY=MO,WE,FR;UNTIL=20301231T235900Z',
    }),
  });
  if (denseCreated.status !== 201) throw new Error(`dense series: ${denseCreated.status} ${await denseCreated.text()}`);
  const slug = `bench-${Date.now().toString(36)}`;
  await fetch(`${server.base}/api/v1/booking-links`, { method: 'POST', headers: auth, body: JSON.stringify({ slug, title: 'Bench', durationMinutes: 30, bookingWindowDays: 730 }) });
  const from = new Date(Date.now() + 86_400_000).toISOString();
  const to = new Date(Date.now() + 63 * 86_400_000).toISOString();
  const routes = {
    freeBusy: `${server.base}/api/v1/availability/free-busy?from=${from}&to=${to}`,
    hostSlots: `${server.base}/api/v1/availability/slots?from=${from}&to=${to}&duration=30`,
    bookingPage: `${server.base}/api/v1/booking-links/${slug}/availability?from=${from}&to=${to}`,
  };
  const figures = {};
  for (const [name, url] of Object.entries(routes)) {
    const times = [];
    for (let i = 0; i < 25; i++) {
      const started = performance.now();
      const res = await fetch(url, { headers: auth });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${name}: ${res.status}`);
      if (i >= 5) times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    figures[name] = { medianMs: +times[10].toFixed(1), maxMs: +times[19].toFixed(1) };
  }
  console.log(JSON.stringify({ bench: 'HTTP: 62 days of busy time with FREQ=MINUTELY;BYDAY=MO,WE,FR for 5 years', database: 'pglite', ...figures }));
} finally {
  await server.stop();
}
