import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Ctx, Deps, Reply, Route } from './context.js';
import { apiErrors, GoogleApiError, injectedError, OAuthError } from './errors.js';
import { describeRequest, type LoggedRequest } from './faults.js';

const MAX_BODY = 64 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw apiErrors.badRequest('Request too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (!raw) return undefined;
  if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  try {
    return JSON.parse(raw);
  } catch {
    throw apiErrors.parseError();
  }
}

/** node:http plumbing: routing, the request log, injected faults, Bearer checks and Google's error bodies. */
export class FakeHttpServer {
  readonly requestLog: LoggedRequest[] = [];
  private logSeq = 0;
  private readonly routes: Route[] = [];
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly deps: Deps,
    private readonly options: { logLimit: number; logAdmin: boolean },
  ) {
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.keepAliveTimeout = 1000;
  }

  add(...routes: Route[]): void {
    this.routes.push(...routes);
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.removeListener('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  clearLog(): void {
    this.requestLog.length = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    let matched: { route: Route; params: Record<string, string> } | undefined;
    let pathKnown = false;
    for (const candidate of this.routes) {
      const m = candidate.pattern.exec(url.pathname);
      if (!m) continue;
      pathKnown = true;
      if (candidate.method !== method) continue;
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(m.groups ?? {})) params[k] = decodeURIComponent(v);
      matched = { route: candidate, params };
      break;
    }
    const kind = matched?.route.kind ?? (url.pathname.startsWith('/__admin') ? 'admin' : 'api');
    let log: LoggedRequest | undefined;
    if (kind !== 'admin' || this.options.logAdmin) {
      log = describeRequest(++this.logSeq, this.deps.clock.now(), method, url, req.headers);
      this.requestLog.push(log);
      if (this.requestLog.length > this.options.logLimit) this.requestLog.splice(0, this.requestLog.length - this.options.logLimit);
    }
    let dropAfter = false;
    let delayReplyMs = 0;
    let reply: Reply;
    try {
      const raw = await readBody(req);
      if (!matched) throw pathKnown ? apiErrors.methodNotAllowed() : apiErrors.notFound();
      const { route, params } = matched;
      const ctx: Ctx = { req, method, url, query: url.searchParams, params, headers: req.headers, body: undefined, log };
      if (route.kind !== 'admin') {
        const account = route.kind === 'api' ? this.bearerAccount(req) : undefined;
        const fault = this.deps.faults.take(method, url.pathname, account);
        if (fault && log) log.faultId = fault.id;
        if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
        if (fault?.dropConnection === 'before') {
          if (log) log.dropped = true;
          req.socket.destroy();
          return;
        }
        if (fault?.status !== undefined) {
          if (route.kind === 'oauth') throw new OAuthError(fault.status, fault.reason ?? 'server_error', fault.message ?? 'Injected failure');
          const error = injectedError(fault.status, fault.reason, fault.message, fault.domain);
          this.send(res, { status: error.status, json: error.body(), headers: fault.headers }, log);
          return;
        }
        dropAfter = fault?.dropConnection === 'after';
        delayReplyMs = fault?.delayReplyMs ?? 0;
      }
      ctx.body = parseBody(raw, req.headers['content-type']);
      if (log && ctx.body !== undefined) log.body = ctx.body;
      if (route.kind === 'api') this.authenticate(ctx, route);
      reply = await route.handler(ctx);
    } catch (error) {
      reply = this.errorReply(error, matched?.route.kind ?? 'api');
    }
    if (delayReplyMs > 0) await new Promise((r) => setTimeout(r, delayReplyMs));
    if (dropAfter) {
      if (log) {
        log.dropped = true;
        log.status = reply.status;
      }
      req.socket.destroy();
      return;
    }
    this.send(res, reply, log);
    if (reply.after) setImmediate(reply.after);
  }

  private bearerAccount(req: IncomingMessage): string | undefined {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    return m ? this.deps.store.accessTokens.get(m[1])?.email : undefined;
  }

  private authenticate(ctx: Ctx, route: Route): void {
    const header = ctx.headers.authorization;
    if (!header) throw apiErrors.authRequired();
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const token = m ? this.deps.oauth.accessToken(m[1]) : undefined;
    if (!token || !this.deps.store.account(token.email)) throw apiErrors.invalidCredentials();
    ctx.auth = token;
    if (ctx.log) {
      ctx.log.account = token.email;
      ctx.log.clientId = token.clientId;
    }
    if (route.scopes && !token.scopes.some((s) => route.scopes!.includes(s))) throw apiErrors.insufficientScopes();
    const limited = this.deps.limiter.check(token.email);
    if (limited) throw limited;
  }

  private errorReply(error: unknown, kind: string): Reply {
    if (error instanceof GoogleApiError) return { status: error.status, json: error.body() };
    if (error instanceof OAuthError) return { status: error.status, json: error.body() };
    if (kind === 'admin' && error instanceof Error) return { status: 400, json: { error: error.message } };
    console.error('fake Google: unexpected error', error);
    const internal = injectedError(500);
    return { status: 500, json: internal.body() };
  }

  private send(res: ServerResponse, reply: Reply, log: LoggedRequest | undefined): void {
    if (log) log.status = reply.status;
    const headers: Record<string, string> = { vary: 'Origin, X-Origin, Referer', ...reply.headers };
    if (reply.location) headers.location = reply.location;
    let body = '';
    if (reply.status !== 204 && reply.status !== 304) {
      if (reply.json !== undefined) {
        headers['content-type'] = 'application/json; charset=UTF-8';
        headers['cache-control'] = 'no-cache, no-store, max-age=0, must-revalidate';
        body = JSON.stringify(reply.json);
      } else if (reply.html !== undefined) {
        headers['content-type'] = 'text/html; charset=utf-8';
        body = reply.html;
      } else if (reply.text !== undefined) {
        headers['content-type'] = 'text/plain; charset=utf-8';
        body = reply.text;
      }
    }
    headers['content-length'] = String(Buffer.byteLength(body));
    res.writeHead(reply.status, headers);
    res.end(body);
  }
}
