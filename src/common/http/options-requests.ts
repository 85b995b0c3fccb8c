import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';

/**
 * OPTIONS means two things. With both `Origin` and `Access-Control-Request-Method` it is a browser's
 * CORS preflight, which @fastify/cors answers. Without them it is HTTP's own OPTIONS (curl, a proxy or
 * monitor probing the API, or the actual request after a browser's preflight for `fetch(url, { method:
 * 'OPTIONS' })`), which asks what the resource supports: RFC 9110 answers that with `Allow`, not with an
 * error, and not with a preflight's answer that a client outside a browser has no use for.
 */
export function isCorsPreflight(headers: IncomingHttpHeaders): boolean {
  return headers.origin !== undefined && headers['access-control-request-method'] !== undefined;
}

/**
 * The methods among `candidates` that have a route for this URL. Asked of Fastify's router rather than
 * kept in a list, so it cannot drift from the routes Nest registered (HEAD included, which Fastify adds
 * for every GET).
 */
export function routedMethods(fastify: FastifyInstance, url: string, candidates: readonly string[]): string[] {
  return candidates.filter((method) => fastify.findRoute({ method: method as 'GET', url }) !== null);
}
