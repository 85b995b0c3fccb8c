// The API client: every call goes to the public API under /api/v1, like any SPA's would.
//
// Tokens: the access token lives in memory only (never in storage, so nothing on disk outlives it); the
// refresh token is kept in sessionStorage, so a reload or the round trip through Google's consent page
// keeps the session, while closing the tab ends it. A 401 refreshes once (one refresh shared by parallel
// calls) and replays the call; when the refresh fails the session is over and the app shows sign-in.

const BASE = '/api/v1';
const REFRESH_KEY = 'calento.refreshToken';

let accessToken = null;
let refreshing = null;
let onExpired = () => {};
let currentUser = null;

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `Request failed (${status})`);
    this.status = status;
    this.problem = problem ?? { status, detail: `Request failed (${status})` };
    this.code = problem?.code;
  }
}

export const session = {
  get user() {
    return currentUser;
  },
  set user(user) {
    currentUser = user;
  },
  get signedIn() {
    return Boolean(accessToken || sessionStorage.getItem(REFRESH_KEY));
  },
  /** Called when the session cannot be renewed. */
  onExpired(callback) {
    onExpired = callback;
  },
  start(tokens) {
    accessToken = tokens.accessToken;
    sessionStorage.setItem(REFRESH_KEY, tokens.refreshToken);
    currentUser = tokens.user ?? currentUser;
  },
  clear() {
    accessToken = null;
    currentUser = null;
    sessionStorage.removeItem(REFRESH_KEY);
  },
};

async function refresh() {
  const refreshToken = sessionStorage.getItem(REFRESH_KEY);
  if (!refreshToken) return false;
  refreshing ??= (async () => {
    try {
      const res = await fetch(`${BASE}/auth/refresh-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken }) });
      if (!res.ok) {
        session.clear();
        return false;
      }
      session.start(await res.json());
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/**
 * api('GET', '/events', { query: { from, to } }) → the parsed body (null for 204).
 * Throws ApiError with the problem+json body (its `status` tells a 404 apart).
 */
export async function api(method, path, { body, query, auth = true } = {}) {
  const url = new URL(`${BASE}${path}`, location.origin);
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, String(value));
  const send = () => {
    const headers = { accept: 'application/json, application/problem+json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (auth && accessToken) headers.authorization = `Bearer ${accessToken}`;
    return fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  };
  if (auth && !accessToken && !(await refresh())) {
    // No session to renew: nothing to send.
    session.clear();
    onExpired();
    throw new ApiError(401, { status: 401, code: 'UNAUTHENTICATED', detail: 'Your session has expired. Sign in again.' });
  }
  let res;
  try {
    res = await send();
  } catch {
    throw new ApiError(0, { detail: 'Calento could not be reached. Check your connection and try again.' });
  }
  if (res.status === 401 && auth) {
    if (await refresh()) res = await send();
    if (res.status === 401) {
      session.clear();
      onExpired();
      throw new ApiError(401, await res.json().catch(() => null));
    }
  }
  if (res.status === 204) return null;
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** Every page of a paged list ({ data, meta }). */
export async function listAll(path, query = {}, limit = 100) {
  const items = [];
  for (let page = 1; ; page += 1) {
    const res = await api('GET', path, { query: { ...query, page, limit } });
    items.push(...res.data);
    if (!res.meta || items.length >= res.meta.total || res.data.length < limit) return items;
  }
}

export async function signIn(email, password) {
  const tokens = await api('POST', '/auth/login', { body: { email, password }, auth: false });
  session.start(tokens);
  return tokens.user;
}

export async function signUp(body) {
  const tokens = await api('POST', '/auth/register', { body, auth: false });
  session.start(tokens);
  return tokens.user;
}

export async function signOut() {
  const refreshToken = sessionStorage.getItem(REFRESH_KEY);
  session.clear();
  if (refreshToken) await fetch(`${BASE}/auth/logout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken }) }).catch(() => {});
}

/** The signed-in user (GET /users/me), or null when there is no session. */
export async function loadUser() {
  if (!session.signedIn) return null;
  try {
    currentUser = await api('GET', '/users/me');
    return currentUser;
  } catch (error) {
    if (error.status === 401) return null;
    throw error;
  }
}

/** A Google calendar id in a path: it holds @ and sometimes #. */
export const enc = encodeURIComponent;
