import { expect } from '@jest/globals';
import request from 'supertest';
import type { Server } from 'node:http';
import type { FakeGoogle, OAuthClient } from '../fakes/google/index.js';
import type { TestUser } from './users.js';

/** Calento's callback as the test apps see it (APP_BASE_URL http://calento.test). */
export const CALLBACK_URL = 'http://calento.test/api/v1/oauth/callback';

/** The environment that points an app at a running fake Google (GOOGLE_OAUTH_BASE_URL, GOOGLE_API_BASE_URL). */
export const fakeGoogleEnv = (fake: FakeGoogle): Record<string, string> => fake.env;

let counter = 0;

export async function createClient(http: Server, user: TestUser, name?: string): Promise<string> {
  counter += 1;
  const res = await request(http)
    .post('/api/v1/clients')
    .set(user.auth)
    .send({ name: name ?? `Client ${counter}` })
    .expect(201);
  return res.body.id;
}

/** A client with its own OAuth credentials (registered at the fake). */
export async function clientWithCredentials(
  http: Server,
  user: TestUser,
  oauthClient: OAuthClient,
): Promise<{ clientId: string; credentialId: string }> {
  const clientId = await createClient(http, user);
  const res = await request(http)
    .post('/api/v1/oauth')
    .set(user.auth)
    .send({ clientId, googleClientId: oauthClient.clientId, clientSecret: oauthClient.clientSecret })
    .expect(201);
  return { clientId, credentialId: res.body.id };
}

export interface Consent {
  /** Google's redirect back to Calento, as the browser would follow it. */
  callbackPath: string;
  state: string;
  code: string | null;
}

/**
 * POST /oauth/:id/authorize, then the browser's visit to the (fake) consent page as `account`, which
 * answers with a redirect to Calento's callback. `editUrl` may change the consent URL first.
 */
export async function consent(
  http: Server,
  fake: FakeGoogle,
  user: TestUser,
  credentialId: string,
  options: { account?: string; decision?: 'allow' | 'deny'; editUrl?: (url: URL) => void } = {},
): Promise<Consent> {
  const authorize = await request(http).post(`/api/v1/oauth/${credentialId}/authorize`).set(user.auth).expect(201);
  const url = new URL(authorize.body.url);
  options.editUrl?.(url);
  fake.setConsent({ mode: 'auto', account: options.account, decision: options.decision ?? 'allow' });
  const google = await fetch(url, { redirect: 'manual' });
  expect(google.status).toBe(302);
  const back = new URL(google.headers.get('location') as string);
  expect(`${back.origin}${back.pathname}`).toBe(CALLBACK_URL);
  return {
    callbackPath: `${back.pathname}${back.search}`,
    state: back.searchParams.get('state') as string,
    code: back.searchParams.get('code'),
  };
}

/** Calls Calento's callback and returns where it redirects the browser. */
export async function callback(http: Server, path: string): Promise<string> {
  const res = await request(http).get(path).expect(302);
  return res.headers.location as string;
}

/** The whole dance; expects the client to end up connected. */
export async function connect(
  http: Server,
  fake: FakeGoogle,
  user: TestUser,
  credentialId: string,
  clientId: string,
  account: string,
): Promise<void> {
  const { callbackPath } = await consent(http, fake, user, credentialId, { account });
  expect(await callback(http, callbackPath)).toBe(`http://calento.test/app/clients/${clientId}?oauth=connected`);
}
