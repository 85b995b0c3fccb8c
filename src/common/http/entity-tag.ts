import { createHash } from 'node:crypto';
import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { map, type Observable } from 'rxjs';
import { DomainError, validationError } from '../errors/domain-error.js';

/**
 * Entity tags for conditional writes (RFC 9110 §8.8.3, §13.1.1). A resource's tag is a digest of the
 * JSON it is read as, so it changes whenever anything in that representation does (attendees and tags
 * included, which live in other tables) and is the same wherever it is computed: a GET, the response of
 * the write that produced it, or the check a later write makes inside its transaction.
 */
export function entityTag(representation: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(representation)).digest('base64url').slice(0, 27)}"`;
}

const ENTITY_TAG = /^(?:W\/)?"[\x21\x23-\x7e\x80-\xff]*"$/;

/**
 * An If-Match header's list: "*" or entity tags. Anything else is a 400 naming the header, not a
 * silent mismatch: a client that sends a bare value means something, and should hear it was not read.
 */
function parseIfMatch(header: string): string[] | '*' {
  const value = header.trim();
  if (value === '*') return '*';
  const tags = value.split(',').map((tag) => tag.trim()).filter(Boolean);
  if (tags.length === 0 || tags.some((tag) => !ENTITY_TAG.test(tag))) {
    throw validationError([{ field: 'If-Match', message: 'must be * or a comma-separated list of entity tags, each in double quotes, as ETag sends them' }]);
  }
  return tags;
}

/**
 * Throws 412 PRECONDITION_FAILED unless `header` (an If-Match the client sent, if any) matches the
 * resource's current tag. Strong comparison: a weak tag (W/"…") never matches.
 */
export async function requireIfMatch(header: string | undefined, current: () => Promise<string>): Promise<void> {
  if (header === undefined) return;
  const tags = parseIfMatch(header);
  if (tags !== '*' && !tags.includes(await current())) throw new DomainError('PRECONDITION_FAILED');
}

/** For Swagger: the ETag a route sends. */
export const ETAG_HEADER = {
  ETag: { description: 'Entity tag of the returned representation; send it back as If-Match to change or delete only what you read.', schema: { type: 'string' } },
};

/** For Swagger: the If-Match a write takes. */
export const IF_MATCH_HEADER = {
  name: 'If-Match',
  required: false,
  description:
    'The ETag you read (or *). The write happens only if the resource is still that version; otherwise 412 PRECONDITION_FAILED and nothing changes.',
};

/** Sets the ETag of the representation a route returns (for routes that return one resource). */
@Injectable()
export class EntityTagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      map((body: unknown) => {
        if (body !== undefined) void reply.header('etag', entityTag(body));
        return body;
      }),
    );
  }
}
