import { describe, expect, it } from '@jest/globals';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from '../../src/common/http/json-body.js';

describe('jsonNestsDeeperThan', () => {
  it.each([
    ['{}', 1, false],
    ['{}', 0, true],
    ['{"a":[1,{"b":[]}]}', 4, false],
    ['{"a":[1,{"b":[]}]}', 3, true],
    ['[[],[],[],[]]', 2, false],
    ['"[[[[[["', 1, false],
    ['{"a":"\\"[[[["}', 1, false],
    ['{"a":"\\\\","b":[[]]}', 2, true],
    ['{"a":"\\\\","b":[[]]}', 3, false],
    ['not json at all {{{', 2, true],
  ])('%s with limit %d → %s', (text, limit, expected) => {
    expect(jsonNestsDeeperThan(text, limit)).toBe(expected);
  });

  it('agrees with the depth JSON.parse builds', () => {
    const depthOf = (value: unknown): number =>
      value !== null && typeof value === 'object' ? 1 + Math.max(0, ...Object.values(value).map(depthOf)) : 0;
    const samples = [{ a: [1, { b: 'x[{' }] }, [[[['"']]]], { a: { b: { c: { d: [] } } } }, { e: '\\', f: [{}] }];
    for (const sample of samples) {
      const text = JSON.stringify(sample);
      const depth = depthOf(sample);
      expect([jsonNestsDeeperThan(text, depth), jsonNestsDeeperThan(text, depth - 1)]).toEqual([false, true]);
    }
  });

  it('scans a 1 MB body and a million levels without recursing', () => {
    // A single loop, no recursion: neither a large body nor an absurd depth can exhaust the stack.
    const body = JSON.stringify({ items: Array.from({ length: 30_000 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ['a', 'b'] })) });
    expect(body.length).toBeGreaterThan(1_000_000);
    expect(jsonNestsDeeperThan(body, MAX_JSON_DEPTH)).toBe(false);
    expect(jsonNestsDeeperThan(body, 2)).toBe(true);
    const deep = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
    expect(jsonNestsDeeperThan(deep, 999_999)).toBe(true);
    expect(jsonNestsDeeperThan(deep, 1_000_000)).toBe(false);
  });
});
