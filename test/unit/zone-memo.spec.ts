import { describe, expect, it } from '@jest/globals';
import { DateTime, IANAZone } from 'luxon';
import { luxonZone } from '../../src/common/time/wall-clock.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/**
 * Zones with the awkward kinds of transition: ordinary DST at 02:00 local, a 30-minute DST (Lord Howe),
 * a +12:45 zone (Chatham), DST starting at midnight (Santiago, Havana: the local midnight does not
 * exist), a southern-hemisphere zone, a zone that dropped DST (Sao Paulo), and one with a historical
 * odd-seconds offset (Monrovia, -0:44:30 until 1972).
 */
const zones = ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/Santiago', 'America/Havana', 'Australia/Sydney', 'America/Sao_Paulo', 'Africa/Monrovia', 'Asia/Kathmandu'];

describe('the memoized luxon zone', () => {
  it.each(zones)('%s: the same offset as IANAZone at a point every three days (the hour moving) and around each transition, 1968–2030', (name) => {
    const memo = luxonZone(name);
    const iana = IANAZone.create(name);
    const start = Date.UTC(1968, 0, 1);
    const end = Date.UTC(2030, 0, 1);
    let transitions = 0;
    // Mismatches are collected and compared once at the end (one expect per sample made the file take 27 s).
    const mismatches: string[] = [];
    const check = (at: number) => {
      const want = iana.offset(at);
      const got = memo.offset(at);
      if (got !== want) mismatches.push(`${new Date(at).toISOString()}: ${got} instead of ${want}`);
    };
    // About three days, the hour moving each time; a transition between two samples is found by bisection.
    const step = 73 * HOUR + 15 * MINUTE;
    let offset = iana.offset(start);
    for (let ts = start; ts < end; ts += step) {
      const got = memo.offset(ts);
      if (got !== offset) mismatches.push(`${new Date(ts).toISOString()}: ${got} instead of ${offset}`);
      const next = ts + step;
      const nextOffset = iana.offset(next);
      if (nextOffset !== offset) {
        transitions += 1;
        // Find the transition to the second and check both sides of it, in whatever order.
        let lo = ts;
        let hi = next;
        while (hi - lo > 1000) {
          const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
          if (iana.offset(mid) === offset) lo = mid;
          else hi = mid;
        }
        for (const at of [hi + 1000, hi, hi - 1, hi - 1000, lo - HOUR]) check(at);
      }
      offset = nextOffset;
    }
    expect(mismatches).toEqual([]);
    expect(transitions).toBeGreaterThan(0);
  });

  it('gives DateTime arithmetic exactly what IANAZone gives: gaps, repeated hours and missing midnights', () => {
    const cases: [string, Record<string, number>][] = [
      ['America/New_York', { year: 2026, month: 3, day: 8, hour: 2, minute: 30 }], // gap
      ['America/New_York', { year: 2026, month: 11, day: 1, hour: 1, minute: 30 }], // twice
      ['Australia/Lord_Howe', { year: 2026, month: 10, day: 4, hour: 2, minute: 15 }],
      ['America/Santiago', { year: 2026, month: 9, day: 6, hour: 0, minute: 0 }], // no midnight
      ['America/Havana', { year: 2026, month: 3, day: 8, hour: 0, minute: 30 }],
      ['Pacific/Chatham', { year: 2026, month: 4, day: 5, hour: 2, minute: 45 }],
    ];
    for (const [name, fields] of cases) {
      const memo = DateTime.fromObject(fields, { zone: luxonZone(name) });
      const plain = DateTime.fromObject(fields, { zone: name });
      expect(memo.toMillis()).toBe(plain.toMillis());
      expect(memo.startOf('day').toMillis()).toBe(plain.startOf('day').toMillis());
      expect(memo.plus({ days: 1 }).toMillis()).toBe(plain.plus({ days: 1 }).toMillis());
      expect(memo.startOf('day').plus({ days: 1 }).toMillis()).toBe(plain.startOf('day').plus({ days: 1 }).toMillis());
      expect(memo.toISO()).toBe(plain.toISO());
      expect([memo.weekNumber, memo.toISODate()]).toEqual([plain.weekNumber, plain.toISODate()]);
    }
  });

  it('hands an unknown zone to luxon as an invalid zone', () => {
    const dt = DateTime.fromMillis(0, { zone: luxonZone('Mars/Olympus_Mons') });
    expect(dt.isValid).toBe(false);
    expect(luxonZone('Europe/Berlin')).toBe(luxonZone('Europe/Berlin'));
  });
});
