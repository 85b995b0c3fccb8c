import type { FastifyInstance } from 'fastify';
import { DomainError } from '../errors/domain-error.js';

/**
 * The deepest JSON a request body may nest (objects and arrays, the body itself being level 1). The API's
 * deepest body is 3 levels (an event with attendees: object → array → object); 32 leaves room for any
 * DTO to come, while every layer that walks a body recursively (class-transformer, class-validator, our
 * own scans) stays far from the stack limit, which about 3,000 levels of `[` used to reach with a 500.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * True when the JSON text nests deeper than `limit`. A single pass over the characters, before
 * JSON.parse builds anything: brackets inside strings do not count. Malformed text is left to the parser.
 */
export function jsonNestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c) i++; // backslash: the next character is escaped
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b || char === 0x5b) {
      if (++depth > limit) return true;
    } else if (char === 0x7d || char === 0x5d) {
      depth--;
    }
  }
  return false;
}

/**
 * Replaces Fastify's application/json parser with the same parser (prototype-poisoning keys refused)
 * behind the depth check, so every JSON route, public or not, refuses a too-deep body with a 400; an
 * empty body is taken as none.
 */
export function installJsonParser(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // No bytes is no body: HTTP clients (fetch wrappers, axios' defaults) label a DELETE or a bodiless
    // POST as JSON all the same. The route then sees what it would without the header.
    if ((body as string).length === 0) {
      done(null, undefined);
      return;
    }
    if (jsonNestsDeeperThan(body as string, MAX_JSON_DEPTH)) {
      done(new DomainError('JSON_TOO_DEEP', { limit: MAX_JSON_DEPTH }), undefined);
      return;
    }
    parseJson(request, body as string, done);
  });
}
