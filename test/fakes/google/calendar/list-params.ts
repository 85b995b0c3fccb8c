import { apiErrors } from '../errors.js';
import { parseRfc3339 } from './time.js';

/** Reading Google's query parameters with its 400s. */

export function bool(query: URLSearchParams, name: string, fallback = false): boolean {
  const value = query.get(name);
  if (value === null || value === '') return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw apiErrors.invalid(`Invalid boolean value: '${value}'.`, name);
}

export function int(query: URLSearchParams, name: string, fallback: number, min: number, cap: number): number {
  const value = query.get(name);
  if (value === null || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) throw apiErrors.invalid(`Invalid value '${value}'. Values must be within the range: [${min}, ${cap}]`, name);
  if (n < min) throw apiErrors.invalid(`Invalid value '${value}'. Values must be within the range: [${min}, ${cap}]`, name);
  // Google documents a ceiling rather than refusing larger pages.
  return Math.min(n, cap);
}

export function instant(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  const ms = parseRfc3339(value);
  if (ms === undefined) throw apiErrors.badRequest(`Invalid value for: ${name}`);
  return ms;
}

/** Parameters that may not accompany a syncToken on events.list (Google's documented list). */
export const SYNC_DISALLOWED = [
  'iCalUID', 'orderBy', 'privateExtendedProperty', 'q', 'sharedExtendedProperty', 'timeMin', 'timeMax', 'updatedMin',
];

export function checkSyncCompatible(query: URLSearchParams, disallowed: string[]): void {
  for (const name of disallowed) {
    if (query.has(name)) {
      throw apiErrors.invalid(`The parameter '${name}' cannot be combined with a syncToken.`, name);
    }
  }
}
