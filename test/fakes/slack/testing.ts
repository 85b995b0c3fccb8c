import { createHmac } from 'node:crypto';
import { expect } from '@jest/globals';
import request from 'supertest';
import type { Server } from 'node:http';
import type { TestUser } from '../../factories/users.js';
import type { FakeSlack } from './fake-slack.js';

export const SIGNING_SECRET = 'fake-signing-secret-0123456789abcdef';

/** The environment that points a test app at the fake Slack. */
export function slackEnv(fake: FakeSlack): Record<string, string> {
  return {
    SLACK_CLIENT_ID: fake.clientId,
    SLACK_CLIENT_SECRET: fake.clientSecret,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    FRONTEND_URL: 'http://frontend.test',
  };
}

/**
 * The whole install as a browser goes through it: POST connect, open Slack's authorize URL (the fake
 * approves and redirects), follow the redirect to Calento's callback. Returns where Calento sent the browser.
 */
export async function installSlack(http: Server, user: TestUser, fake: FakeSlack, body: Record<string, unknown> = {}): Promise<string> {
  const connect = await request(http).post('/api/v1/integrations/slack/connect').set(user.auth).send(body).expect(201);
  const callback = await followAuthorize(connect.body.url as string, fake);
  const landed = await request(http).get(callback).expect(302);
  return landed.headers.location as string;
}

/** Opens Slack's authorize URL and returns the path + query of Calento's callback it redirects to. */
export async function followAuthorize(url: string, fake: FakeSlack): Promise<string> {
  expect(url.startsWith(`${fake.origin}/oauth/v2/authorize?`)).toBe(true);
  const response = await fetch(url, { redirect: 'manual' });
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get('location') as string);
  return `${location.pathname}${location.search}`;
}

/** A slash command request as Slack sends it: form-encoded and signed. */
export function commandForm(fields: Record<string, string>): string {
  return new URLSearchParams({ command: '/calento', team_domain: 'fake', channel_id: 'C0GENERAL', response_url: 'https://hooks.slack.test/x', ...fields }).toString();
}

export function signedHeaders(body: string, timestamp = Math.floor(Date.now() / 1000), secret = SIGNING_SECRET): Record<string, string> {
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': sign(secret, String(timestamp), body),
  };
}

/** Slack's v0 signature, computed here independently of Calento's code. */
export function sign(secret: string, timestamp: string, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}
