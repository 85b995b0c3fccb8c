import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';

import {
  addDays,
  instantToRruleDate,
  instantToWallClock,
  parseWallClock,
  rruleDateToInstant,
  rruleDateToWallClock,
  wallClockToInstant,
  wallClockToRruleDate,
} from '../../src/common/time/wall-clock.js';

const iso = (d: Date) => d.toISOString();

describe('wallClockToInstant', () => {
  it('reads ordinary wall clocks with the offset in force', () => {
    expect(iso(wallClockToInstant('2026-01-15T09:00:00', 'America/New_York'))).toBe('2026-01-15T14:00:00.000Z');
    expect(iso(wallClockToInstant('2026-07-15T09:00:00', 'America/New_York'))).toBe('2026-07-15T13:00:00.000Z');
    expect(iso(wallClockToInstant('2026-03-02T04:00:00', 'Asia/Kolkata'))).toBe('2026-03-01T22:30:00.000Z');
    expect(iso(wallClockToInstant('2026-03-02T04:00:00', 'Asia/Kathmandu'))).toBe('2026-03-01T22:15:00.000Z');
    expect(iso(wallClockToInstant('2026-03-02', 'Europe/Berlin'))).toBe('2026-03-01T23:00:00.000Z');
  });

  it('moves a wall clock inside a DST gap forward by the gap (offset from before the gap)', () => {
    // 03:30 EDT and 03:15 CEST
    expect(iso(wallClockToInstant('2026-03-08T02:30:00', 'America/New_York'))).toBe('2026-03-08T07:30:00.000Z');
    expect(iso(wallClockToInstant('2026-03-29T02:15:00', 'Europe/Berlin'))).toBe('2026-03-29T01:15:00.000Z');
    // Lord Howe Island springs forward by 30 minutes, 02:00 → 02:30 (+10:30 → +11).
    expect(iso(wallClockToInstant('2026-10-04T02:10:00', 'Australia/Lord_Howe'))).toBe('2026-10-03T15:40:00.000Z');
  });

  it('takes the first of two instants when a wall clock happens twice', () => {
    expect(iso(wallClockToInstant('2026-11-01T01:30:00', 'America/New_York'))).toBe('2026-11-01T05:30:00.000Z'); // EDT
    expect(iso(wallClockToInstant('2026-10-25T02:30:00', 'Europe/Berlin'))).toBe('2026-10-25T00:30:00.000Z'); // CEST
  });

  it('is exact at the transition instants themselves', () => {
    expect(iso(wallClockToInstant('2026-03-08T01:59:59', 'America/New_York'))).toBe('2026-03-08T06:59:59.000Z');
    expect(iso(wallClockToInstant('2026-03-08T03:00:00', 'America/New_York'))).toBe('2026-03-08T07:00:00.000Z');
    expect(iso(wallClockToInstant('2026-11-01T02:00:00', 'America/New_York'))).toBe('2026-11-01T07:00:00.000Z');
  });
});

describe('instantToWallClock', () => {
  it('agrees with luxon to the second in many zones, all through their transition days', () => {
    const zones = [
      'America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'America/Santiago', 'Pacific/Chatham',
      'Asia/Tehran', 'Africa/Casablanca',
    ];
    const day = 86_400_000;
    const base = Date.UTC(2024, 0, 1);
    const luxon = (ts: number, zone: string) => DateTime.fromMillis(ts, { zone }).toFormat("yyyy-MM-dd'T'HH:mm:ss");
    for (const zone of zones) {
      const samples: number[] = [];
      for (let d = 0; d < 3 * 365; d++) {
        const t = base + d * day;
        samples.push(t + (d % 24) * 3_600_000 + 1234); // a spread over three years
        if (DateTime.fromMillis(t, { zone }).offset !== DateTime.fromMillis(t + day, { zone }).offset) {
          // A transition day: every half hour, and the second before each.
          for (let k = 0; k <= 48; k++) samples.push(t + k * 1_800_000, t + k * 1_800_000 - 1000);
        }
      }
      const ours = samples.map((ts) => instantToWallClock(new Date(ts), zone));
      expect(ours).toEqual(samples.map((ts) => luxon(ts, zone)));
    }
  });

  it('one second either side of a transition', () => {
    expect(instantToWallClock(new Date('2026-03-08T06:59:59Z'), 'America/New_York')).toBe('2026-03-08T01:59:59');
    expect(instantToWallClock(new Date('2026-03-08T07:00:00Z'), 'America/New_York')).toBe('2026-03-08T03:00:00');
    expect(instantToWallClock(new Date('2026-11-01T05:59:59Z'), 'America/New_York')).toBe('2026-11-01T01:59:59');
    expect(instantToWallClock(new Date('2026-11-01T06:00:00Z'), 'America/New_York')).toBe('2026-11-01T01:00:00');
  });
});

describe('rrule frame', () => {
  it('dresses a wall clock as UTC and back', () => {
    expect(iso(wallClockToRruleDate('1997-09-02T09:00:00'))).toBe('1997-09-02T09:00:00.000Z');
    expect(rruleDateToWallClock(new Date('1997-09-02T09:00:00Z'))).toBe('1997-09-02T09:00:00');
    expect(rruleDateToWallClock(new Date('1997-09-02T09:00:00Z'), true)).toBe('1997-09-02');
  });

  it('converts rrule results to instants in the zone, and instants to the frame', () => {
    const NY = 'America/New_York';
    expect(iso(rruleDateToInstant(new Date('2026-03-09T09:00:00Z'), NY))).toBe('2026-03-09T13:00:00.000Z');
    expect(iso(instantToRruleDate(new Date('2026-03-09T13:00:00Z'), NY))).toBe('2026-03-09T09:00:00.000Z');
    expect(iso(instantToRruleDate(new Date('2026-03-01T22:30:00Z'), 'Asia/Kolkata'))).toBe('2026-03-02T04:00:00.000Z');
  });

  it('refuses unknown zones and malformed wall clocks', () => {
    expect(() => wallClockToInstant('2026-03-09T09:00:00', 'Nowhere/Land')).toThrow(RangeError);
    expect(() => wallClockToRruleDate('2026-02-30T09:00:00')).toThrow(RangeError);
  });
});

describe('helpers', () => {
  it('parseWallClock accepts real dates only', () => {
    expect(parseWallClock('2028-02-29T23:59:59')).toEqual({
      year: 2028, month: 2, day: 29, hour: 23, minute: 59, second: 59,
    });
    expect(parseWallClock('2026-02-29')).toBeNull();
    expect(parseWallClock('2026-01-01T24:00:00')).toBeNull();
    expect(parseWallClock('2026-1-1')).toBeNull();
  });

  it('addDays crosses months and leap days', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });
});
