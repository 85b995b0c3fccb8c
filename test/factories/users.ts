import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { Server } from 'node:http';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  auth: { Authorization: string };
}

let counter = 0;

export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${counter}-${randomBytes(4).toString('hex')}@example.com`;
}

/** Registers a user through the API (the only way users come to exist) and returns its tokens. */
export async function registerUser(
  http: Server,
  overrides: Partial<{ email: string; password: string; name: string; timezone: string }> = {},
): Promise<TestUser> {
  const email = overrides.email ?? uniqueEmail();
  const password = overrides.password ?? 'correct-horse-42';
  const response = await request(http)
    .post('/api/v1/auth/register')
    .send({ email, password, name: overrides.name ?? 'Test User', timezone: overrides.timezone ?? 'UTC' })
    .expect(201);
  return {
    id: response.body.user.id,
    email: response.body.user.email,
    password,
    accessToken: response.body.accessToken,
    refreshToken: response.body.refreshToken,
    auth: { Authorization: `Bearer ${response.body.accessToken}` },
  };
}
