import { describe, expect, it } from '@jest/globals';
import pg from 'pg';

import { fastTimestamptz, timestamptzParser } from '../../src/db/timestamptz.js';

// pg's own timestamptz parser (this file does not load database.factory.ts, which replaces it).
const pgParser = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ) as (text: string) => unknown;
const parse = timestamptzParser(pgParser);

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** An instant as PostgreSQL prints a timestamptz in a session whose offset is `offsetMinutes`. */
function pgText(ms: number, micros: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000);
  const fraction = micros === 0 ? '' : `.${pad(micros, 6)}`.replace(/0+$/, '');
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const offset = `${sign}${pad(Math.floor(abs / 60))}${abs % 60 ? `:${pad(abs % 60)}` : ''}`;
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${fraction}${offset}`
  );
}

describe('timestamptz text to Date', () => {
  it('agrees with pg to the millisecond on 20,000 instants, fractions and session offsets', () => {
    const offsets = [0, 60, -240, -300, 330, -570, 345, 840, -720, 525];
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 20_000; i++) {
      const ms = Math.floor(Date.UTC(150, 0, 1) + random() * (Date.UTC(9990, 0, 1) - Date.UTC(150, 0, 1)));
      const digits = Math.floor(random() * 7);
      const micros = digits === 0 ? 0 : Math.floor(random() * 10 ** digits) * 10 ** (6 - digits);
      const text = pgText(Math.floor(ms / 1000) * 1000 + Math.floor(micros / 1000), micros, offsets[i % offsets.length]);
      const mine = parse(text) as Date;
      const theirs = pgParser(text) as Date;
      if (mine.getTime() !== theirs.getTime()) throw new Error(`${text}: ${mine.toISOString()} vs ${theirs.toISOString()}`);
      expect(fastTimestamptz(text)).toBe(theirs.getTime()); // the fast path, not the fallback, answered
    }
  });

  it('reads the shapes a UTC session sends', () => {
    expect((parse('2026-03-09 13:00:00+00') as Date).toISOString()).toBe('2026-03-09T13:00:00.000Z');
    expect((parse('2026-03-09 13:00:00.5+00') as Date).toISOString()).toBe('2026-03-09T13:00:00.500Z');
    expect((parse('2026-03-09 13:00:00.123999+00') as Date).toISOString()).toBe('2026-03-09T13:00:00.123Z');
    expect((parse('2026-03-09 08:30:00-04:30') as Date).toISOString()).toBe('2026-03-09T13:00:00.000Z');
  });

  it.each([
    'infinity',
    '-infinity',
    '0044-03-15 12:00:00+00', // years 0-99: Date.UTC would read 1944
    '0044-03-15 12:00:00+00 BC',
    '12026-03-09 13:00:00+00',
    '1883-11-18 12:00:00-04:56:02', // local mean time: an offset with seconds
    '2026-03-09 13:00:00.+00',
    '2026-03-09T13:00:00Z',
  ])('leaves %s to pg, and answers what pg answers', (text) => {
    expect(fastTimestamptz(text)).toBeNaN();
    expect(parse(text)).toEqual(pgParser(text));
  });
});
