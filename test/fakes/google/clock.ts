/**
 * The fake's notion of "now": real time plus an offset that tests move forward. Token expiry, channel
 * expiry, event `updated` stamps and `updatedMin` all read it, so a test can age a token by an hour
 * without waiting. Retry backoff of push deliveries stays on real timers.
 */
export class FakeClock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new Error('the fake clock only moves forward');
    this.offsetMs += ms;
    return this.now();
  }

  /** Jumps to an instant (forward or back); later calls keep ticking from there. */
  set(instantMs: number): number {
    this.offsetMs = instantMs - Date.now();
    return this.now();
  }

  reset(): void {
    this.offsetMs = 0;
  }
}

export const rfc3339 = (ms: number): string => new Date(ms).toISOString();
