import type { KeyObject } from 'node:crypto';
import type { AuthUser } from '../../../common/auth/current-user.decorator.js';
import type { AccessClaims } from '../access-token.verifier.js';

/**
 * What the passport strategies need from the app that received the request, handed to them on the
 * request itself by that app's guard.
 *
 * Why not in the strategies: @nestjs/passport registers strategies in passport's process-wide registry
 * by name, so when two apps are built in one process (tests, or a worker beside the API), the second
 * app's strategy object replaces the first's. A strategy holding its app's verifier would then check
 * the first app's tokens against the second app's database. Strategies that read everything from
 * the request are interchangeable: whichever instance is registered, each request is checked by the
 * app that received it.
 */
export interface RequestAuthenticators {
  jwtSecret: KeyObject;
  userFromClaims(claims: AccessClaims): Promise<AuthUser | null>;
  userFromApiKey(key: string): Promise<AuthUser | null>;
}

const REQUEST_AUTH = Symbol.for('calento.requestAuthenticators');

type WithAuthenticators = { [REQUEST_AUTH]?: RequestAuthenticators };

export function attachAuthenticators(request: object, authenticators: RequestAuthenticators): void {
  (request as WithAuthenticators)[REQUEST_AUTH] = authenticators;
}

export function authenticatorsOf(request: object): RequestAuthenticators {
  const found = (request as WithAuthenticators)[REQUEST_AUTH];
  if (!found) throw new Error('No authenticators on this request: the passport strategies run only under ApiAuthGuard');
  return found;
}

/** API keys start with this; a bearer token that does is an API key, not a JWT. */
export const API_KEY_PREFIX = 'cal_';

interface HeaderBag {
  headers: Record<string, string | string[] | undefined>;
}

/** The bearer credential of the Authorization header, whatever it is. */
export function bearerOf(request: HeaderBag): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

/** An API key from `X-API-Key` or from `Authorization: Bearer cal_…`. */
export function apiKeyOf(request: HeaderBag): string | null {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header.trim();
  const bearer = bearerOf(request);
  return bearer?.startsWith(API_KEY_PREFIX) ? bearer : null;
}
