import { randomUUID } from 'node:crypto';
import { Logger as NestLogger, RequestMethod, ServiceUnavailableException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { DestinationStream, Logger } from 'pino';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/config.js';
import { ProblemFilter, sendProblem } from './common/errors/problem.filter.js';
import { createAccessLogger, createLogger, lazyChildLoggerFactory, PinoNestLogger } from './common/logging/logger.js';
import { createValidationPipe } from './common/validation/validation.js';
import {
  answerExpectContinue,
  clientErrorResponder,
  lingerBeforeClose,
  MAX_PARAM_LENGTH,
  routerErrorResponder,
} from './common/http/edge-errors.js';
import { installJsonParser } from './common/http/json-body.js';
import { decodeCalendarBody } from './common/http/calendar-body.js';
import { isCorsPreflight, routedMethods } from './common/http/options-requests.js';
import { Metrics } from './common/metrics/metrics.js';
import { API_PREFIX } from './common/http/api-prefix.js';
import { API_KEY_SCHEME, declareBodyProblems } from './common/http/api-problems.decorator.js';
import { moveRawBodies } from './common/http/api-raw-body.decorator.js';
import { serializeReply } from './common/http/json-text.js';
import { buildSecurityHeaders, type SecurityHeaders } from './common/http/security-headers.js';
import { RealtimeIoAdapter } from './modules/realtime/realtime-io.adapter.js';

/** What a browser app on another origin (CORS_ORIGINS) may send and read. */
export const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
export const CORS_ALLOWED_HEADERS = ['Authorization', 'X-API-Key', 'Content-Type', 'Idempotency-Key', 'If-Match', 'If-None-Match', 'X-Request-Id'];
export const CORS_EXPOSED_HEADERS = [
  'x-request-id',
  'retry-after',
  'location',
  'etag',
  'content-disposition',
  'idempotent-replayed',
  // Both drafts of the IETF rate-limit headers: RateLimit + RateLimit-Policy, and the older triple.
  'ratelimit',
  'ratelimit-policy',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
];

let securityHeaders: SecurityHeaders | undefined;

const requestIdPattern = /^[A-Za-z0-9._-]{8,128}$/;

/** Reuses a caller's X-Request-Id when it looks like one, so a request can be traced across services. */
function requestId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && requestIdPattern.test(incoming) ? incoming : randomUUID();
}

/** Builds the application exactly as production runs it; tests call this too. */
export async function createApp(
  config: AppConfig,
  options: { preview?: boolean; logDestination?: DestinationStream } = {},
): Promise<NestFastifyApplication> {
  const logger = createLogger(config, options.logDestination);
  securityHeaders ??= buildSecurityHeaders();
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyChildLoggerFactory,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    genReqId: requestId,
    // Fastify's own 503 while closing is plain JSON without a request id: setupApp answers it instead.
    return503OnClosing: false,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: routerErrorResponder(securityHeaders, config.trustProxy),
    clientErrorHandler: clientErrorResponder(securityHeaders, logger),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(config), adapter, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
    // Fastify's own JSON parser (with bodyLimit) is the only one: no urlencoded or text bodies.
    bodyParser: false,
    preview: options.preview,
  });
  await setupApp(app, config);
  return app;
}

/** Pipes, filter, prefix, security headers, CORS and Swagger: everything main.ts and the tests share. */
export async function setupApp(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  const headers = (securityHeaders ??= buildSecurityHeaders());
  installJsonParser(fastify);
  fastify.setReplySerializer(serializeReply);
  answerExpectContinue(fastify.server, config.bodyLimitBytes);
  // JSON is the only body the API reads; anything else is a 415, not a string handed to validation.
  fastify.removeContentTypeParser('text/plain');
  // The one exception: an .ics file may be posted as it is to the import route, where it arrives as the
  // same { ics } body the JSON form has. Elsewhere text/calendar stays a 415. Read as bytes: the file
  // may declare a charset other than UTF-8.
  const unsupported = () => Object.assign(new Error('Unsupported media type'), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' });
  fastify.addContentTypeParser('text/calendar', { parseAs: 'buffer', bodyLimit: config.bodyLimitBytes }, (request, body, done) => {
    if (request.routeOptions.url !== `/${API_PREFIX}/calendar/import`) return done(unsupported());
    try {
      done(null, { ics: decodeCalendarBody(body as Buffer, request.headers['content-type']) });
    } catch (error) {
      done(error as Error);
    }
  });
  // And one more: Slack posts its slash commands form-encoded and signs the raw bytes, so that route gets
  // the body as the exact string it arrived as (src/modules/slack/slack-commands.ts checks the signature).
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: config.bodyLimitBytes }, (request, body, done) => {
    if (request.routeOptions.url === `/${API_PREFIX}/integrations/slack/commands`) done(null, body);
    else done(unsupported());
  });
  const routableMethods = CORS_METHODS.filter((method) => method !== 'OPTIONS');
  const stamp = (request: FastifyRequest, reply: FastifyReply) =>
    void reply.headers(request.protocol === 'https' ? headers.https : headers.http).header('x-request-id', request.id);
  // Once closing has begun (SIGTERM), a request that still arrives on an open connection (pipelined, or
  // on a busy keep-alive one) is not started: a problem+json 503 with Retry-After, and the connection
  // closes so the client retries elsewhere. Requests already in flight finish.
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  const problemLog = new NestLogger('Errors');
  fastify.addHook('onRequest', (request, reply, done) => {
    stamp(request, reply);
    if (closing) {
      void reply.header('connection', 'close');
      sendProblem(new ServiceUnavailableException(), request, reply, config, problemLog);
      return;
    }
    // A plain OPTIONS (see options-requests.ts) on a routed path: its methods. On a path with no route
    // it goes on to the catch-all OPTIONS route, which answers 404 ROUTE_NOT_FOUND like any method would.
    if (request.method === 'OPTIONS' && !isCorsPreflight(request.headers)) {
      const allowed = routedMethods(fastify, request.url, routableMethods);
      if (allowed.length > 0) {
        void reply.code(204).header('allow', [...allowed, 'OPTIONS'].join(', ')).send();
        return;
      }
    }
    done();
  });
  // A response sent before its request body was read (413, a parser error) closes the connection:
  // drain the body first, or the client gets a reset instead of the answer.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (!request.raw.complete) lingerBeforeClose(request.raw.socket);
    // A reply sent before the onRequest hook above ran (a CORS preflight, which @fastify/cors answers in
    // its own earlier hook) gets the request id and security headers here.
    if (!reply.hasHeader('x-request-id')) stamp(request, reply);
    done(null, payload);
  });
  // One line and one histogram observation per request, with the route pattern rather than the URL:
  // paths and query strings can carry tokens (feeds, booking management), patterns cannot, and a
  // pattern keeps the metric's label set bounded. A callback hook: no promise per request, and no log
  // object built when the level is off.
  const metrics = app.get(Metrics);
  const accessLog = createAccessLogger(fastify.log as Logger);
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? '(no route)';
    metrics.observeHttp(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    if (accessLog.isLevelEnabled('info')) {
      accessLog.info({ reqId: request.id, method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
    }
    done();
  });
  // Joined once here: @fastify/cors joins arrays again on every response.
  const cors = {
    origin: config.corsOrigins,
    methods: CORS_METHODS.join(', '),
    allowedHeaders: CORS_ALLOWED_HEADERS.join(', '),
    exposedHeaders: CORS_EXPOSED_HEADERS.join(', '),
    maxAge: 600,
  };
  // An OPTIONS that is not a preflight gets the CORS headers any request gets and goes on to the hook
  // above; left to the plugin it would be refused with a text/plain 400 before that hook runs.
  const notPreflight = { ...cors, preflight: false };
  app.enableCors({
    delegator: (request, callback) => callback(null, request.method === 'OPTIONS' && !isCorsPreflight(request.headers) ? notPreflight : cors),
  });
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
      // Prometheus' conventional path, guarded by METRICS_TOKEN.
      { path: 'metrics', method: RequestMethod.GET },
      // The public booking pages (web pages, not API) and their two static files.
      { path: 'book/assets/booking.js', method: RequestMethod.GET },
      { path: 'book/assets/booking.css', method: RequestMethod.GET },
      { path: 'book/manage/:token', method: RequestMethod.GET },
      { path: 'book/:slug', method: RequestMethod.GET },
      // The browser pages under /app (FRONTEND_URL's default): the reset and verification pages, the
      // Calendar Stacker app on every other path, and their files (docs/web-app.md).
      { path: 'app', method: RequestMethod.GET },
      { path: 'app/*path', method: RequestMethod.GET },
    ],
  });
  // socket.io shares this HTTP server at /api/v1/realtime (docs/realtime.md).
  app.useWebSocketAdapter(new RealtimeIoAdapter(app, config));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemFilter(config));
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'Calento API',
    swaggerOptions: { persistAuthorization: true },
  });
}

export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const document = new DocumentBuilder()
    .setTitle('Calento API')
    .setDescription(
      'Smart calendar and scheduling API. Errors are application/problem+json with a stable `code`; ' +
        'ids of other users answer 404. Authenticate with the access token from /auth/login, or with a ' +
        'personal API key (POST /api-keys) in `X-API-Key` or `Authorization: Bearer cal_…`.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'A personal API key (cal_live_…); its scopes limit the routes it reaches.' },
      API_KEY_SCHEME,
    )
    .build();
  return declareBodyProblems(
    moveRawBodies(
      SwaggerModule.createDocument(app, document, { operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}` }),
    ),
  );
}
