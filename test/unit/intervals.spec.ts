import { describe, expect, it } from '@jest/globals';

import { mergeIntervals, overlaps, subtractIntervals, type TimeInterval } from '../../src/engines/slots/intervals.js';

const iv = (start: string, end: string): TimeInterval => ({ start: new Date(start), end: new Date(end) });
const show = (list: TimeInterval[]) => list.map((x) => `${x.start.toISOString()}/${x.end.toISOString()}`);

const T = (hh: string) => `2026-03-09T${hh}:00.000Z`;

describe('mergeIntervals', () => {
  it('returns [] for no input', () => {
    expect(mergeIntervals([])).toEqual([]);
  });

  it('sorts and joins overlapping, touching and contained intervals, keeping gaps', () => {
    const merged = mergeIntervals([
      iv(T('15:00'), T('16:00')),
      iv(T('09:00'), T('10:00')),
      iv(T('10:00'), T('11:00')), // touches the previous one
      iv(T('09:30'), T('09:45')), // contained
      iv(T('10:30'), T('12:00')), // overlaps
      iv(T('12:01'), T('13:00')), // one-minute gap stays
    ]);
    expect(show(merged)).toEqual([
      `${T('09:00')}/${T('12:00')}`,
      `${T('12:01')}/${T('13:00')}`,
      `${T('15:00')}/${T('16:00')}`,
    ]);
  });

  it('drops empty and inverted intervals and does not mutate or alias its input', () => {
    const input = [iv(T('10:00'), T('10:00')), iv(T('12:00'), T('11:00')), iv(T('08:00'), T('09:00'))];
    const copy = show(input);
    const merged = mergeIntervals(input);
    expect(show(merged)).toEqual([`${T('08:00')}/${T('09:00')}`]);
    expect(show(input)).toEqual(copy);
    expect(merged[0].start).not.toBe(input[2].start);
  });
});

describe('subtractIntervals', () => {
  const day = iv(T('09:00'), T('17:00'));

  it('with nothing to subtract returns the merged input', () => {
    expect(show(subtractIntervals([day, iv(T('16:00'), T('18:00'))], []))).toEqual([`${T('09:00')}/${T('18:00')}`]);
  });

  it('from nothing returns nothing', () => {
    expect(subtractIntervals([], [day])).toEqual([]);
  });

  it('cuts holes, trims both ends and leaves touching neighbours intact', () => {
    const left = subtractIntervals(
      [day],
      [iv(T('08:00'), T('09:30')), iv(T('12:00'), T('13:00')), iv(T('12:30'), T('13:15')), iv(T('16:45'), T('20:00'))],
    );
    expect(show(left)).toEqual([`${T('09:30')}/${T('12:00')}`, `${T('13:15')}/${T('16:45')}`]);
  });

  it('touching subtrahends remove nothing', () => {
    const left = subtractIntervals([day], [iv(T('08:00'), T('09:00')), iv(T('17:00'), T('18:00'))]);
    expect(show(left)).toEqual([`${T('09:00')}/${T('17:00')}`]);
  });

  it('a covering subtrahend removes everything, also across several intervals', () => {
    expect(subtractIntervals([day], [iv(T('09:00'), T('17:00'))])).toEqual([]);
    const left = subtractIntervals(
      [iv(T('09:00'), T('10:00')), iv(T('11:00'), T('12:00')), iv(T('13:00'), T('14:00'))],
      [iv(T('09:30'), T('13:30'))],
    );
    expect(show(left)).toEqual([`${T('09:00')}/${T('09:30')}`, `${T('13:30')}/${T('14:00')}`]);
  });

  it('one subtrahend can cut two intervals', () => {
    const left = subtractIntervals([iv(T('09:00'), T('10:00')), iv(T('10:30'), T('12:00'))], [iv(T('09:45'), T('11:00'))]);
    expect(show(left)).toEqual([`${T('09:00')}/${T('09:45')}`, `${T('11:00')}/${T('12:00')}`]);
  });
});

describe('overlaps', () => {
  it('is true for shared instants, false for touching, disjoint or empty intervals', () => {
    expect(overlaps(iv(T('09:00'), T('10:00')), iv(T('09:59'), T('11:00')))).toBe(true);
    expect(overlaps(iv(T('09:00'), T('12:00')), iv(T('10:00'), T('11:00')))).toBe(true);
    expect(overlaps(iv(T('09:00'), T('10:00')), iv(T('10:00'), T('11:00')))).toBe(false);
    expect(overlaps(iv(T('10:00'), T('11:00')), iv(T('09:00'), T('10:00')))).toBe(false);
    expect(overlaps(iv(T('09:00'), T('10:00')), iv(T('12:00'), T('13:00')))).toBe(false);
    expect(overlaps(iv(T('09:00'), T('12:00')), iv(T('10:00'), T('10:00')))).toBe(false);
  });
});
