import { describe, expect, it } from '@jest/globals';
import { backoffDelayMs } from '../../src/modules/jobs/backoff.js';

describe('backoffDelayMs', () => {
  it('doubles per attempt, between half and all of the nominal delay', () => {
    const base = 1000;
    for (let attempt = 1; attempt <= 6; attempt++) {
      const nominal = base * 2 ** (attempt - 1);
      expect(backoffDelayMs(attempt, base, 1_000_000, () => 0)).toBe(nominal / 2);
      expect(backoffDelayMs(attempt, base, 1_000_000, () => 1)).toBe(nominal);
    }
  });

  it('is capped at the maximum', () => {
    expect(backoffDelayMs(40, 1000, 60_000, () => 1)).toBe(60_000);
    expect(backoffDelayMs(40, 1000, 60_000, () => 0)).toBe(30_000);
  });

  it('spreads retries of jobs that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelayMs(5, 1000, 3_600_000)));
    expect(delays.size).toBeGreaterThan(10);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(8000);
  });
});
