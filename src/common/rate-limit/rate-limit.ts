import { Inject, Injectable, Logger, SetMetadata, type CanActivate, type ExecutionContext, type OnApplicationShutdown } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import type { AuthUser } from '../auth/current-user.decorator.js';
import { IS_PUBLIC } from '../auth/public.decorator.js';
import { DomainError } from '../errors/domain-error.js';
import { routeMetadata } from '../http/route-metadata.js';

/**
 * Rate limits from rate-limiter-flexible: in memory when the process is alone, in Redis (shared by every
 * replica) when REDIS_URL is set. Anonymous routes count per client IP, authenticated ones per user (or
 * per API key, each with its own budget); the auth routes and the public booking routes have stricter
 * budgets, the auth ones also per target account. If Redis fails, limits fail open: the request is
 * served and a warning is logged (at most once a minute), because refusing all traffic when a cache is
 * down is worse than a minute without limits.
 *
 * Every limited response carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`
 * (seconds); a 429 adds `Retry-After`.
 */
export interface RateLimitPolicy {
  perIp: number;
  /** Counted per normalized `email` of the request body, when present. */
  perAccount?: number;
  windowSeconds: number;
}

/**
 * auth: sign-in, register, password reset (each costs a bcrypt hash or an email). public: booking pages,
 * public booking, feeds, OAuth callbacks. anonymous: every other route without a caller.
 * user: every authenticated route, per user or API key (perIp is then the per-caller budget).
 */
export type RateLimitName = 'auth' | 'public' | 'anonymous' | 'user';

const RATE_LIMIT = 'calento:rateLimit';

/** Applies the named policy to a public route (authenticated routes always use `user`). */
export const RateLimit = (name: Exclude<RateLimitName, 'user'>) => SetMetadata(RATE_LIMIT, name);
/** Exempts a route: health probes, which orchestrators call on a schedule of their own. */
export const NoRateLimit = () => SetMetadata(RATE_LIMIT, 'none');

export interface RateLimitOutcome {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

@Injectable()
export class RateLimiter implements OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly redis: Redis | null;
  private readonly limiters = new Map<string, RateLimiterAbstract>();
  private lastWarning = 0;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.redis = config.redisUrl
      ? new Redis(config.redisUrl, {
          connectionName: 'calento-rate-limit',
          connectTimeout: 2000,
          // A Redis that accepts connections but does not answer must not hold requests: past this, the
          // limit fails open like an unreachable one.
          commandTimeout: 250,
          // Fail fast while Redis is away: no queue of commands, no retry per command.
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          retryStrategy: (attempt) => Math.min(attempt * 250, 5000),
        })
      : null;
    this.redis?.on('error', (error: Error) => this.warn(error));
  }

  get store(): 'memory' | 'redis' {
    return this.redis ? 'redis' : 'memory';
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis?.disconnect();
  }

  /** Takes one point of `key` under `name`'s budget of `points` per window. Never throws. */
  async consume(name: string, key: string, points: number, windowSeconds: number): Promise<RateLimitOutcome> {
    const limiter = this.limiter(name, points, windowSeconds);
    try {
      const res = await limiter.consume(key);
      return outcome(true, points, res);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return outcome(false, points, rejection);
      this.warn(rejection);
      return { allowed: true, limit: points, remaining: points, resetSeconds: windowSeconds };
    }
  }

  private limiter(name: string, points: number, duration: number): RateLimiterAbstract {
    const id = `${name}:${points}:${duration}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      const keyPrefix = `${this.config.redisPrefix}:rl:${name}`;
      limiter = this.redis
        ? new RateLimiterRedis({ storeClient: this.redis, points, duration, keyPrefix, rejectIfRedisNotReady: true })
        : new RateLimiterMemory({ points, duration, keyPrefix });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }

  private warn(error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarning < 60_000) return;
    this.lastWarning = now;
    this.logger.warn(
      { err: error instanceof Error ? error.message : String(error) },
      'Rate limit store (Redis) unavailable: limits fail open until it is back',
    );
  }
}

function outcome(allowed: boolean, limit: number, res: RateLimiterRes): RateLimitOutcome {
  return {
    allowed,
    limit,
    remaining: Math.max(0, res.remainingPoints),
    resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
  };
}

/**
 * Global guard, registered after the authentication guard (so it knows the caller). A limit of 0 turns
 * a policy off.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(RateLimiter) private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const named = routeMetadata<RateLimitName | 'none'>(this.reflector, RATE_LIMIT, context);
    if (named === 'none') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { user?: AuthUser }>();
    const reply = http.getResponse<FastifyReply>();
    const isPublic = routeMetadata<boolean>(this.reflector, IS_PUBLIC, context);
    const user = request.user;
    const name: RateLimitName = !isPublic && user ? 'user' : (named ?? 'anonymous');
    const policy = this.config.rateLimits[name];
    const checks: Array<[string, string, number]> = [];
    if (name === 'user' && user) {
      checks.push(['user', user.apiKey ? `key:${user.apiKey.id}` : `user:${user.id}`, policy.perIp]);
    } else {
      const route = `${request.method} ${request.routeOptions.url ?? ''}`;
      checks.push([`${name}:ip`, `${request.ip}|${route}`, policy.perIp]);
      const email = (request.body as { email?: unknown } | undefined)?.email;
      if (policy.perAccount && typeof email === 'string') {
        checks.push([`${name}:account`, `${email.trim().toLowerCase()}|${route}`, policy.perAccount]);
      }
    }
    let shown: RateLimitOutcome | null = null;
    for (const [bucket, key, points] of checks) {
      if (points === 0) continue;
      const result = await this.limiter.consume(bucket, key, points, policy.windowSeconds);
      if (!shown || result.remaining < shown.remaining || !result.allowed) shown = result;
      if (!result.allowed) break;
    }
    if (!shown) return true;
    void reply.headers({
      'ratelimit-limit': String(shown.limit),
      'ratelimit-remaining': String(shown.remaining),
      'ratelimit-reset': String(shown.resetSeconds),
    });
    if (!shown.allowed) {
      void reply.header('retry-after', String(shown.resetSeconds));
      throw new DomainError('RATE_LIMITED');
    }
    return true;
  }
}
