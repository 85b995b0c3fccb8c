// The cost of the time field of a log line: pino's isoTime (a Date formatted per line) against Calento's
// isoTimestamp (src/common/logging/logger.ts: each second formatted once, the milliseconds appended), on
// their own and in a whole request line written through pino to /dev/null, as the server writes its
// access line. Rounds alternate; the medians are printed.
//
// Run (after `npm run build`): npm run bench -- log-line [--rounds 8] [--lines 600000]
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';

const { values: options } = parseArgs({
  options: { rounds: { type: 'string', default: '8' }, lines: { type: 'string', default: '600000' } },
});
const rounds = Number(options.rounds);
const lines = Number(options.lines);
const { isoTimestamp } = await import(resolve(import.meta.dirname, '..', 'dist', 'common', 'logging', 'logger.js'));

const stamps = { isoTime: pino.stdTimeFunctions.isoTime, isoTimestamp };
const loggers = Object.fromEntries(
  Object.entries(stamps).map(([name, timestamp]) => [
    name,
    pino({ level: 'info', base: { service: 'calento' }, timestamp }, pino.destination({ dest: '/dev/null', sync: false, minLength: 8192 })),
  ]),
);
const line = { reqId: 'e3b0c442-98fc-1c14-9afb-4c8996fb9242', method: 'GET', route: '/health/live', status: 200, ms: 0.4 };

function nsPer(count, work) {
  const started = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - started) / count;
}
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

const results = { stamp: { isoTime: [], isoTimestamp: [] }, line: { isoTime: [], isoTimestamp: [] } };
let sink = 0;
for (let round = 0; round < rounds; round++) {
  const order = round % 2 ? ['isoTimestamp', 'isoTime'] : ['isoTime', 'isoTimestamp'];
  for (const name of order) {
    results.stamp[name].push(nsPer(lines, () => { for (let i = 0; i < lines; i++) sink += stamps[name]().length; }));
    results.line[name].push(nsPer(lines, () => { for (let i = 0; i < lines; i++) loggers[name].info(line, 'request'); }));
  }
}
console.log(`log-line bench, Node ${process.version}, ${rounds} alternating rounds of ${lines.toLocaleString('en')} (${sink} characters stamped)`);
for (const what of ['stamp', 'line']) {
  const cells = Object.entries(results[what]).map(([name, list]) => `${name} ${median(list).toFixed(0)} ns (${list.map((n) => n.toFixed(0)).join(', ')})`);
  console.log(`${what === 'stamp' ? 'time field alone' : 'whole request line'}: ${cells.join(' | ')}`);
}
