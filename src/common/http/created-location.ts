import { UseInterceptors, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { map, type Observable } from 'rxjs';
import { apiPath } from './api-prefix.js';

/** For Swagger: the Location a 201 sends. */
export const LOCATION_HEADER = {
  Location: { description: 'Where the created resource is read (GET).', schema: { type: 'string', example: '/api/v1/events/6f1c0e4a-8d1b-4a4e-9b1e-0a7f0d1c2b3a' } },
};

class CreatedLocationInterceptor implements NestInterceptor {
  constructor(private readonly collection: string[]) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      map((body: unknown) => {
        const id = (body as { id?: unknown } | undefined)?.id;
        if (typeof id === 'string') void reply.header('location', apiPath(...this.collection, id));
        return body;
      }),
    );
  }
}

/**
 * A create route's 201 carries `Location: /api/v1/<collection>/<id>` (RFC 9110 §10.2.2), the id being the
 * created resource's, read from the returned body: a client need not know how to build the URL.
 */
export function CreatedAt(...collection: string[]): MethodDecorator {
  return UseInterceptors(new CreatedLocationInterceptor(collection));
}
