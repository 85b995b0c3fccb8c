import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { isIsoInstant, parseInstant } from '../../src/common/time/instants.js';

describe('ISO instants read once and remembered', () => {
  const texts: [string, boolean][] = [
    ['2026-03-01T00:00:00Z', true],
    ['2026-03-08T09:30:00+01:00', true],
    ['2026-03-08T09:30-0500', true],
    ['2026-03-08T09:30:00.123456789Z', true],
    ['2026-02-30T00:00:00Z', false], // no such day
    ['2026-03-01T25:00:00Z', false],
    ['2026-03-01T00:00:00', false], // no offset
    ['2026-03-01', false],
    ['2026-03-01T00:00:00+23:59', true], // the largest offset RFC 3339 writes
    ['2026-03-01T00:00:00+25:00', false], // no such offset, though luxon reads one
    ['2026-03-01T00:00:00-05:60', false],
  ];

  it.each(texts)('%s: the same answers the first time and from memory (instant: %s)', (text, instant) => {
    const luxon = DateTime.fromISO(text, { setZone: true });
    for (let i = 0; i < 2; i++) {
      expect(isIsoInstant(text)).toBe(instant);
      expect(parseInstant(text).getTime()).toEqual(luxon.isValid ? luxon.toMillis() : NaN);
    }
  });

  it('keeps answering correctly past the size of its memory', () => {
    const start = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 2500; i++) {
      const instant = new Date(start + i * 60_000);
      const text = instant.toISOString();
      expect(isIsoInstant(text)).toBe(true);
      expect(parseInstant(text).getTime()).toBe(instant.getTime());
    }
    expect(parseInstant('2026-01-01T00:00:00.000Z').getTime()).toBe(start);
  });

  it('a returned Date is the caller\'s own: changing it does not change the next answer', () => {
    const first = parseInstant('2026-05-05T05:05:05Z');
    first.setTime(0);
    expect(parseInstant('2026-05-05T05:05:05Z').toISOString()).toBe('2026-05-05T05:05:05.000Z');
  });
});
