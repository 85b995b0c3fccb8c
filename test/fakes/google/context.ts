import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { EventOps } from './calendar/event-ops.js';
import type { FakeClock } from './clock.js';
import type { FaultInjector, LoggedRequest, RateLimiter } from './faults.js';
import type { OAuthService } from './oauth/oauth-service.js';
import type { PushHub } from './push/push-hub.js';
import type { Store } from './state/store.js';
import type { AccessToken } from './state/types.js';

/** Everything a route handler may reach. */
export interface Deps {
  store: Store;
  clock: FakeClock;
  ops: EventOps;
  push: PushHub;
  oauth: OAuthService;
  faults: FaultInjector;
  limiter: RateLimiter;
  /** http://127.0.0.1:PORT */
  baseUrl: () => string;
}

export interface Ctx {
  req: IncomingMessage;
  method: string;
  url: URL;
  query: URLSearchParams;
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON or form body (form bodies as a string map). */
  body: unknown;
  /** Set on Calendar API routes after the Bearer token was checked. */
  auth?: AccessToken;
  log?: LoggedRequest;
}

export interface Reply {
  status: number;
  json?: unknown;
  html?: string;
  text?: string;
  location?: string;
  headers?: Record<string, string>;
  /** Runs once the response was written (e.g. the first push `sync` after a watch). */
  after?: () => void;
}

export type RouteKind = 'api' | 'oauth' | 'admin';

export interface Route {
  method: string;
  pattern: RegExp;
  kind: RouteKind;
  /** API routes: the token needs one of these scopes. */
  scopes?: readonly string[];
  handler: (ctx: Ctx) => Promise<Reply> | Reply;
}

/** `/calendar/v3/calendars/:calendarId/events` → a RegExp with named groups. */
export function route(method: string, path: string, kind: RouteKind, handler: Route['handler'], scopes?: readonly string[]): Route {
  const pattern = new RegExp(`^${path.replace(/[.]/g, '\\.').replace(/:(\w+)/g, '(?<$1>[^/]+)')}/?$`);
  return { method, pattern, kind, handler, scopes };
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({ status, json: body, headers });
export const noContent = (): Reply => ({ status: 204 });
export const form = (ctx: Ctx): Record<string, string> =>
  ctx.body && typeof ctx.body === 'object' && !Array.isArray(ctx.body) ? (ctx.body as Record<string, string>) : {};
export const jsonBody = (ctx: Ctx): Record<string, unknown> =>
  (ctx.body && typeof ctx.body === 'object' && !Array.isArray(ctx.body) ? ctx.body : {}) as Record<string, unknown>;
