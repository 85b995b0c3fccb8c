import { timingSafeEqual, createHash } from 'node:crypto';
import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { Public } from '../../common/auth/public.decorator.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { Metrics } from '../../common/metrics/metrics.js';
import { NoRateLimit } from '../../common/rate-limit/rate-limit.js';

/**
 * Prometheus scrape endpoint, served outside /api/v1 at /metrics (docs/operations.md). Not part of the
 * public API (left out of the OpenAPI document). Guarded by METRICS_TOKEN, not by user sessions: a
 * scraper is not a user. Unset token: 404, the endpoint does not exist; wrong or missing token: 401.
 */
@ApiExcludeController()
@Public()
@NoRateLimit()
@Controller('metrics')
export class MetricsController {
  private readonly expected: Buffer | null;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(Metrics) private readonly metrics: Metrics,
  ) {
    this.expected = config.metricsToken ? digest(config.metricsToken) : null;
  }

  @Get()
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    if (!this.expected) throw new DomainError('ROUTE_NOT_FOUND', { method: 'GET', path: '/metrics' });
    const presented = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    // Digests of equal length, compared in constant time: no length or prefix leaks.
    if (!presented || !timingSafeEqual(digest(presented), this.expected)) {
      void reply.header('www-authenticate', 'Bearer realm="metrics"');
      throw new DomainError('UNAUTHENTICATED');
    }
    const body = await this.metrics.render();
    void reply.header('content-type', this.metrics.registry.contentType).header('cache-control', 'no-store').send(body);
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
