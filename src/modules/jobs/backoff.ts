/**
 * Delay before attempt `attempt + 1`, after `attempt` failed: exponential (base, 2×base, 4×base, …) up to
 * max, with "equal jitter" — half the delay fixed, half random — so a burst of jobs that failed together
 * (an SMTP outage) does not retry in lockstep, while every delay stays at least half its nominal value.
 */
export function backoffDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const nominal = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.round(nominal / 2 + random() * (nominal / 2));
}
