import { ArgumentsHost, Catch, ExceptionFilter, Inject, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { classify, PROBLEM_CONTENT_TYPE, toProblem } from './problem.js';

/** The one exception filter: every error leaves as application/problem+json. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(error, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), this.config, this.logger);
  }
}

/**
 * Seconds a client should wait before retrying a 503: a database that dropped comes back, a saturated
 * pool frees up and a replica that is shutting down is replaced within a few seconds.
 */
export const RETRY_AFTER_UNAVAILABLE_SECONDS = 2;

export function sendProblem(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  config: AppConfig,
  logger: Pick<Logger, 'error'>,
): void {
  const path = request.url.split('?')[0];
  const classified = classify(error, { method: request.method, path, bodyLimit: config.bodyLimitBytes });
  if (classified.unexpected) {
    logger.error({ err: error, requestId: request.id, route: request.routeOptions?.url }, 'Unhandled error');
  }
  const problem = toProblem(classified, path, request.id);
  if (problem.status === 503) void reply.header('retry-after', String(RETRY_AFTER_UNAVAILABLE_SECONDS));
  void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(problem);
}
