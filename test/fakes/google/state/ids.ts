import { createHash, randomBytes } from 'node:crypto';

const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';

let pool = randomBytes(0);
let offset = 0;

/** An event id as Google generates them: lowercase base32hex, 26 characters. */
export function newEventId(): string {
  if (offset + 26 > pool.length) {
    pool = randomBytes(26 * 512);
    offset = 0;
  }
  let id = '';
  for (let i = 0; i < 26; i++) id += BASE32HEX[pool[offset + i] & 31];
  offset += 26;
  return id;
}

/** Ids a client may choose: base32hex (a–v, 0–9), 5 to 1024 characters. */
export const isValidClientEventId = (id: string): boolean => /^[a-v0-9]{5,1024}$/.test(id);

export const randomToken = (prefix: string, bytes = 24): string => `${prefix}${randomBytes(bytes).toString('base64url')}`;

/** Stable opaque id for a watched resource (the same for every channel on it, as Google's is). */
export const resourceIdFor = (key: string): string =>
  createHash('sha256').update(key).digest('base64url').slice(0, 27);

/** Deterministic PRNG (mulberry32) for drop rates and message-number gaps, so a seed replays a run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
