// Expansion time of a 10-year daily series (3,652 occurrences) in America/New_York: the pure engine,
// and the same through HTTP (GET /events/:id/occurrences over the 10 years, paged 200 at a time).
// Run (after `npm run build`): node bench/recurrence-expand.bench.mjs
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

const server = await startServer({ EXPANSION_MAX_OCCURRENCES: '5000' });
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
} finally {
  await server.stop();
}
