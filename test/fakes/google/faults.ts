import { GoogleApiError, injectedError } from './errors.js';

export interface FaultSpec {
  /** HTTP method to match (any if omitted). */
  method?: string;
  /**
   * Path to match (without query): a RegExp, or a string where `*` matches anything, e.g.
   * '/calendar/v3/calendars/*\/events' or '/token'.
   */
  path: string | RegExp;
  /** Only requests made with this account's token. */
  account?: string;
  /** How many matching requests it hits (default 1; Infinity for all). */
  times?: number;
  /** Answer with this status and Google's error body for it. */
  status?: number;
  reason?: string;
  message?: string;
  domain?: string;
  /** Extra response headers (e.g. Retry-After, which googleapis ignores). */
  headers?: Record<string, string>;
  /**
   * Drop the TCP connection without an answer: 'before' the request is handled, or 'after' it was
   * handled and committed (an insert that happened although the client saw a network error).
   */
  dropConnection?: 'before' | 'after';
  /** Wait this long (real ms) before handling. */
  delayMs?: number;
  /**
   * Handle the request at once, then wait this long (real ms) before answering: an answer still on its
   * way while later requests change the calendar (a listing that is stale when it arrives).
   */
  delayReplyMs?: number;
}

export interface Fault extends FaultSpec {
  id: number;
  remaining: number;
  hits: number;
}

function toRegExp(path: string | RegExp): RegExp {
  if (path instanceof RegExp) return path;
  const escaped = path.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${escaped}$`);
}

/** Injected failures, matched in the order they were added. */
export class FaultInjector {
  private faults: (Fault & { re: RegExp })[] = [];
  private nextId = 1;

  add(spec: FaultSpec): Fault {
    if (spec.status === undefined && !spec.dropConnection && !spec.delayMs && !spec.delayReplyMs) throw new Error('a fault needs status, dropConnection, delayMs or delayReplyMs');
    const fault = { ...spec, id: this.nextId++, remaining: spec.times ?? 1, hits: 0, re: toRegExp(spec.path) };
    this.faults.push(fault);
    return this.describe(fault);
  }

  /** Takes one use of the first fault matching this request, if any. */
  take(method: string, path: string, account: string | undefined): Fault | undefined {
    const fault = this.faults.find(
      (f) => f.remaining > 0 && (!f.method || f.method.toUpperCase() === method) && f.re.test(path) && (!f.account || f.account.toLowerCase() === account),
    );
    if (!fault) return undefined;
    fault.remaining--;
    fault.hits++;
    return this.describe(fault);
  }

  list(): Fault[] {
    return this.faults.map((f) => this.describe(f));
  }

  remove(id: number): void {
    this.faults = this.faults.filter((f) => f.id !== id);
  }

  clear(): void {
    this.faults = [];
  }

  private describe(f: Fault & { re?: RegExp }): Fault {
    const { re: _re, ...rest } = f;
    return { ...rest, path: f.path instanceof RegExp ? f.path : String(f.path) };
  }
}

export interface RateLimit {
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
  /** 403 (userRateLimitExceeded, Google's usual) or 429 (rateLimitExceeded). */
  status?: 403 | 429;
  reason?: string;
}

/** A per-account sliding-window limiter over Calendar API calls (real time, not the fake clock). */
export class RateLimiter {
  private readonly limits = new Map<string, RateLimit & { hits: number[] }>();

  set(email: string, limit: RateLimit): void {
    this.limits.set(email.toLowerCase(), { ...limit, hits: [] });
  }

  clear(email?: string): void {
    if (email) this.limits.delete(email.toLowerCase());
    else this.limits.clear();
  }

  check(email: string): GoogleApiError | undefined {
    const limit = this.limits.get(email);
    if (!limit) return undefined;
    const now = Date.now();
    limit.hits = limit.hits.filter((t) => t > now - limit.windowMs);
    if (limit.hits.length >= limit.limit) {
      const status = limit.status ?? 403;
      return injectedError(status, limit.reason ?? (status === 403 ? 'userRateLimitExceeded' : 'rateLimitExceeded'));
    }
    limit.hits.push(now);
    return undefined;
  }
}

export interface LoggedRequest {
  seq: number;
  /** Fake-clock time of arrival. */
  at: number;
  method: string;
  path: string;
  /** Query parameters; repeated ones as arrays. */
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  account?: string;
  clientId?: string;
  body?: unknown;
  status?: number;
  /** The connection was dropped (fault) instead of answered. */
  dropped?: boolean;
  faultId?: number;
}

const HEADERS_OF_INTEREST = ['if-match', 'if-none-match', 'content-type', 'user-agent', 'x-goog-api-client', 'accept-encoding'];

export function describeRequest(seq: number, at: number, method: string, url: URL, headers: Record<string, string | string[] | undefined>): LoggedRequest {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? values[0] : values;
  }
  const picked: Record<string, string> = {};
  for (const name of HEADERS_OF_INTEREST) {
    const value = headers[name];
    if (value !== undefined) picked[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const auth = headers.authorization;
  if (typeof auth === 'string') picked.authorization = auth.replace(/^(\w+ ).*$/, '$1…');
  return { seq, at, method, path: url.pathname, query, headers: picked };
}
