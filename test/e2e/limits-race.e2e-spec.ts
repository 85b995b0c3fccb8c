import { describe, expect } from '@jest/globals';
import request from 'supertest';
import { MAX_KEYS_PER_USER } from '../../src/modules/auth/api-keys.service.js';
import { MAX_EXTRA_ADDRESSES } from '../../src/modules/email/email-addresses.service.js';
import { registerUser } from '../factories/users.js';
import { PG_ONLY, pgOnly, pgOnlyTestApp } from '../setup/pg-only.js';

/**
 * Per-user caps under real concurrency: each is counted and then inserted, so concurrent requests must
 * queue or all of them count the same rows. Under PGlite every transaction runs alone, so this proves
 * nothing there: it runs on real PostgreSQL.
 */
const t = pgOnlyTestApp('The per-user cap races (API keys, email addresses)');

describe('per-user caps under concurrency', () => {
  pgOnly(`120 concurrent API key creations leave exactly ${MAX_KEYS_PER_USER} keys, the rest 409 ${PG_ONLY}`, async () => {
    const user = await registerUser(t().http);
    const responses = await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        request(t().http).post('/api/v1/api-keys').set(user.auth).send({ name: `key ${i}`, scopes: ['events:read'] }),
      ),
    );
    const outcomes = responses.map((res) => `${res.status} ${res.body.code ?? ''}`.trim());
    // Before: 52 to 56 keys were created (requests counted fewer than 50 before the others had committed).
    expect(outcomes.filter((o) => o === '201')).toHaveLength(MAX_KEYS_PER_USER);
    expect(outcomes.filter((o) => o === '409 API_KEY_LIMIT_REACHED')).toHaveLength(120 - MAX_KEYS_PER_USER);
    const { rows } = await t().db.query<{ n: number }>('SELECT count(*)::int AS n FROM api_keys WHERE user_id = $1', [user.id]);
    expect(rows[0].n).toBe(MAX_KEYS_PER_USER);
  }, 120_000);

  pgOnly(`20 concurrent new addresses to verify leave exactly ${MAX_EXTRA_ADDRESSES}, the rest 409 ${PG_ONLY}`, async () => {
    const user = await registerUser(t().http);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        request(t().http).post('/api/v1/integrations/email/verify').set(user.auth).send({ email: `extra-${i}@example.com` }),
      ),
    );
    const outcomes = responses.map((res) => `${res.status} ${res.body.code ?? ''}`.trim());
    // Before: 12 to 20 were accepted (each with a verification email) against a cap of 5.
    expect(outcomes.filter((o) => o === '202')).toHaveLength(MAX_EXTRA_ADDRESSES);
    expect(outcomes.filter((o) => o === '409 EMAIL_ADDRESS_LIMIT')).toHaveLength(20 - MAX_EXTRA_ADDRESSES);
    const { rows } = await t().db.query<{ n: number }>('SELECT count(*)::int AS n FROM email_addresses WHERE user_id = $1 AND lower(email) <> lower($2)', [
      user.id,
      user.email,
    ]);
    expect(rows[0].n).toBe(MAX_EXTRA_ADDRESSES);
  }, 120_000);
});
