import { randomUUID } from 'node:crypto';
import { maxHeaderSize, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '../errors/error-catalogue.js';
import { PROBLEM_CONTENT_TYPE, toProblem } from '../errors/problem.js';
import type { SecurityHeaders } from './security-headers.js';

/**
 * Answers for what goes wrong before a request reaches Nest: Fastify's router (bad percent-encoding, an
 * overlong path segment) and Node's HTTP parser (oversized headers, garbage, timeouts). They get the same
 * problem+json, request id and security headers as every other response, and an oversized body gets its
 * 413 read by the client instead of a connection reset.
 */

/** Fastify's default, kept explicit: ids are 36 characters, opaque tokens 43; nothing real comes near. */
export const MAX_PARAM_LENGTH = 100;

/**
 * How long a connection that is being closed keeps reading (and dropping) what the client still sends,
 * as nginx's lingering close does: closing a socket with unread data makes the kernel answer with a
 * reset, and the client loses the response it had not read yet.
 */
const LINGER_MS = 10_000;

/** HTTPS as the client sees it: TLS here, or (TRUST_PROXY) the proxy's last X-Forwarded-Proto. */
export function isHttps(req: IncomingMessage, trustProxy: boolean): boolean {
  if ((req.socket as Socket & { encrypted?: boolean }).encrypted) return true;
  const forwarded = req.headers['x-forwarded-proto'];
  if (!trustProxy || typeof forwarded !== 'string') return false;
  return forwarded.split(',').at(-1)?.trim() === 'https';
}

function problem(code: ErrorCode, limit: number, requestId: string, instance?: string): { status: number; body: string } {
  const details = toProblem({ code, params: { limit }, unexpected: false }, instance, requestId);
  return { status: details.status, body: JSON.stringify(details) };
}

const routerErrorCodes: Record<string, ErrorCode> = {
  FST_ERR_BAD_URL: 'MALFORMED_URL',
  FST_ERR_MAX_PARAM_LENGTH: 'URI_TOO_LONG',
};

/** Fastify's `frameworkErrors`: the router refused the URL before any hook ran. */
export function routerErrorResponder(headers: SecurityHeaders, trustProxy: boolean) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    // The other framework error (an async route constraint failing) is ours, not the client's.
    const code = routerErrorCodes[error.code] ?? 'INTERNAL_ERROR';
    if (code === 'INTERNAL_ERROR') request.log.error({ err: error, requestId: request.id }, 'Unhandled error');
    const path = request.raw.url?.split('?')[0] ?? '/';
    const { status, body } = problem(code, MAX_PARAM_LENGTH, request.id, path);
    reply.raw.writeHead(status, {
      ...(isHttps(request.raw, trustProxy) ? headers.https : headers.http),
      'x-request-id': request.id,
      'content-type': PROBLEM_CONTENT_TYPE,
      'content-length': Buffer.byteLength(body),
    });
    reply.raw.end(body);
    request.log.info({ method: request.raw.method, route: '(no route)', status }, 'request');
  };
}

/**
 * Fastify's `clientErrorHandler`: Node's parser gave up on the bytes (headers over `maxHeaderSize`,
 * not HTTP, too slow). No request exists, so the answer is written to the socket as it is, then the
 * connection closes.
 */
export function clientErrorResponder(headers: SecurityHeaders, logger: FastifyBaseLogger) {
  const answered = new WeakSet<Socket>();
  return (error: Error & { code?: string }, socket: Socket): void => {
    // The parser reports the same error again for every later chunk: answer once.
    if (answered.has(socket)) return;
    answered.add(socket);
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const code: ErrorCode =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? 'HEADERS_TOO_LARGE'
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 'REQUEST_TIMEOUT'
          : 'MALFORMED_REQUEST';
    const requestId = randomUUID();
    const { status, body } = problem(code, maxHeaderSize, requestId);
    const lines = [
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
      `content-type: ${PROBLEM_CONTENT_TYPE}`,
      `content-length: ${Buffer.byteLength(body)}`,
      `x-request-id: ${requestId}`,
      'connection: close',
      ...Object.entries((socket as Socket & { encrypted?: boolean }).encrypted ? headers.https : headers.http).map(
        ([name, value]) => `${name}: ${value}`,
      ),
    ];
    socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
    closeAfterLinger(socket);
    logger.info({ code, status, requestId, parserError: error.code }, 'client error');
  };
}

const lingering = new WeakSet<Socket>();

/**
 * Called for a response sent before the request body was read (a 413, or an error from a parser): when
 * Node then closes the connection, it first finishes the response and keeps draining the body.
 */
export function lingerBeforeClose(socket: Socket | null): void {
  if (!socket || lingering.has(socket)) return;
  lingering.add(socket);
  // Node's HTTP server calls destroySoon() once a `Connection: close` response is written; the HTTP
  // parser keeps reading and dropping the rest of the body while the socket lingers.
  (socket as Socket & { destroySoon(): void }).destroySoon = function lingeringDestroySoon(this: Socket) {
    this.end();
    closeAfterLinger(this);
  };
}

/** The client closes once it has sent everything and read the answer; a client that never does is cut off. */
function closeAfterLinger(socket: Socket): void {
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/**
 * `Expect: 100-continue`: Node would say "continue" to every request; a declared body over the limit is
 * answered with its 413 instead, so the client never sends it.
 */
export function answerExpectContinue(server: Server, bodyLimit: number): void {
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (!(Number(req.headers['content-length']) > bodyLimit)) res.writeContinue();
    server.emit('request', req, res);
  });
}
