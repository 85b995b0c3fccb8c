import { Inject, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { DomainError } from '../errors/domain-error.js';

/**
 * Fixed-window rate limits, counted per client IP and, where a route names one, per target account.
 *
 * Written here rather than taken from @nestjs/throttler: that package is CommonJS and require()s the
 * ESM-only @nestjs/common 12, which jest's module runtime cannot load on Node 20 — and a limiter the
 * tests cannot exercise is not one we can vouch for.
 */
export interface RateLimitPolicy {
  perIp: number;
  /** Counted per normalized `email` of the request body, when present. */
  perAccount?: number;
  windowSeconds: number;
}

export type RateLimitName = 'login' | 'public';

const RATE_LIMIT = 'calento:rateLimit';

/** Applies the named policy from configuration to a route. */
export const RateLimit = (name: RateLimitName) => SetMetadata(RATE_LIMIT, name);

/** Counter storage; in memory per process by default. */
export interface RateLimitStore {
  /** Adds one hit to key and returns the hits in the current window and when it resets (ms epoch). */
  hit(key: string, windowMs: number): { count: number; resetAt: number };
}

export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private lastSweep = Date.now();

  hit(key: string, windowMs: number): { count: number; resetAt: number } {
    const now = Date.now();
    if (now - this.lastSweep > windowMs) this.sweep(now);
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    return { count: window.count, resetAt: window.resetAt };
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }
}

export const RATE_LIMIT_STORE = Symbol('RATE_LIMIT_STORE');

@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const name = this.reflector.get<RateLimitName | undefined>(RATE_LIMIT, context.getHandler());
    if (!name) return true;
    const policy = this.config.rateLimits[name];
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const windowMs = policy.windowSeconds * 1000;
    const route = `${request.method} ${request.routeOptions.url}`;
    const checks: Array<[string, number]> = [[`ip:${request.ip}:${route}`, policy.perIp]];
    const email = (request.body as { email?: unknown } | undefined)?.email;
    if (policy.perAccount !== undefined && typeof email === 'string') {
      checks.push([`account:${email.trim().toLowerCase()}:${route}`, policy.perAccount]);
    }
    for (const [key, limit] of checks) {
      const { count, resetAt } = this.store.hit(key, windowMs);
      if (count > limit) {
        const retryAfter = Math.max(1, Math.ceil((resetAt - Date.now()) / 1000));
        void http.getResponse<FastifyReply>().header('retry-after', String(retryAfter));
        throw new DomainError('RATE_LIMITED');
      }
    }
    return true;
  }
}
