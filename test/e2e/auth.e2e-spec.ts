import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { createTestApp, testEnv, type TestApp } from '../setup/test-app.js';
import { expectProblem } from '../setup/problem.js';
import { registerUser, uniqueEmail } from '../factories/users.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const api = () => request(t.http);

describe('POST /auth/register', () => {
  it('creates an account with a normalized email and returns a session', async () => {
    const email = uniqueEmail('Mixed.Case');
    const res = await api()
      .post('/api/v1/auth/register')
      .send({ email: `  ${email.toUpperCase()} `, password: 'correct-horse-42', name: ' Ada ', timezone: 'Europe/London' })
      .expect(201);
    expect(res.body).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 900,
      user: { email: email.toLowerCase(), name: 'Ada', timezone: 'Europe/London', locale: 'en' },
    });
    expect(res.body.accessToken.split('.')).toHaveLength(3);
    expect(res.body.refreshToken.length).toBeGreaterThanOrEqual(40);
    expect(JSON.stringify(res.body)).not.toMatch(/password|hash/i);
  });

  it('refuses an email that exists in any letter case', async () => {
    const user = await registerUser(t.http);
    const res = await api()
      .post('/api/v1/auth/register')
      .send({ email: user.email.toUpperCase(), password: 'correct-horse-42', name: 'Twin' });
    expectProblem(res, 409, 'EMAIL_TAKEN');
  });

  it('takes an address in either Unicode form as one account: é as one character or as e plus an accent', async () => {
    const composed = uniqueEmail('ren\u00e9e');
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);
    const first = await api().post('/api/v1/auth/register').send({ email: decomposed, password: 'correct-horse-42', name: 'Renée' }).expect(201);
    expect(first.body.user.email).toBe(composed);
    expectProblem(await api().post('/api/v1/auth/register').send({ email: composed, password: 'correct-horse-42', name: 'Twin' }), 409, 'EMAIL_TAKEN');
    for (const email of [composed, decomposed, decomposed.toUpperCase()]) {
      const login = await api().post('/api/v1/auth/login').send({ email, password: 'correct-horse-42' }).expect(200);
      expect(login.body.user.id).toBe(first.body.user.id);
    }
  });

  const valid = { email: 'valid@example.com', password: 'correct-horse-42', name: 'Valid' };
  it.each([
    ['missing email', { ...valid, email: undefined }, 'email'],
    ['malformed email', { ...valid, email: 'not-an-email' }, 'email'],
    ['email of the wrong type', { ...valid, email: 42 }, 'email'],
    ['short password', { ...valid, password: 'a1b2c3' }, 'password'],
    ['password of letters only', { ...valid, password: 'onlyletterspassword' }, 'password'],
    ['password over 72 bytes', { ...valid, password: `a1${'é'.repeat(40)}` }, 'password'],
    ['missing name', { ...valid, name: undefined }, 'name'],
    ['blank name', { ...valid, name: '   ' }, 'name'],
    ['unknown time zone', { ...valid, timezone: 'Mars/Olympus' }, 'timezone'],
    ['offset instead of a zone', { ...valid, timezone: '+02:00' }, 'timezone'],
    ['unsupported locale', { ...valid, locale: 'xx' }, 'locale'],
    ['unknown field', { ...valid, isAdmin: true }, 'isAdmin'],
  ])('answers 400 naming the field for %s', async (_, body, field) => {
    const res = await api().post('/api/v1/auth/register').send(body);
    expectProblem(res, 400, 'VALIDATION_FAILED', [field]);
    expect(res.body.errors.every((e: { message: string }) => e.message.length > 0)).toBe(true);
  });

  it('loses nothing on a bad request: the email stays free', async () => {
    const email = uniqueEmail();
    await api().post('/api/v1/auth/register').send({ email, password: 'short', name: 'X' }).expect(400);
    await api().post('/api/v1/auth/register').send({ email, password: 'correct-horse-42', name: 'X' }).expect(201);
  });
});

describe('POST /auth/login', () => {
  it('logs in with the right password, whatever the email case', async () => {
    const user = await registerUser(t.http);
    const res = await api()
      .post('/api/v1/auth/login')
      .send({ email: user.email.toUpperCase(), password: user.password })
      .expect(200);
    expect(res.body.user.id).toBe(user.id);
    await api().get('/api/v1/users/me').set('Authorization', `Bearer ${res.body.accessToken}`).expect(200);
  });

  it('answers the same 401 for a wrong password and an unknown email', async () => {
    const user = await registerUser(t.http);
    const wrong = await api().post('/api/v1/auth/login').send({ email: user.email, password: 'wrong-password-1' });
    const unknown = await api().post('/api/v1/auth/login').send({ email: uniqueEmail(), password: 'wrong-password-1' });
    expectProblem(wrong, 401, 'INVALID_CREDENTIALS');
    expectProblem(unknown, 401, 'INVALID_CREDENTIALS');
    expect(unknown.body.detail).toBe(wrong.body.detail);
  });

  it.each([
    ['missing password', { email: 'a@example.com' }, 'password'],
    ['empty password', { email: 'a@example.com', password: '' }, 'password'],
    ['bad email', { email: 'nope', password: 'x' }, 'email'],
    ['password of the wrong type', { email: 'a@example.com', password: ['x'] }, 'password'],
  ])('answers 400 for %s', async (_, body, field) => {
    expectProblem(await api().post('/api/v1/auth/login').send(body), 400, 'VALIDATION_FAILED', [field]);
  });
});

describe('access tokens', () => {
  const sign = (payload: object, options: jwt.SignOptions, secret = testEnv.JWT_SECRET) =>
    jwt.sign(payload, createSecretKey(Buffer.from(secret)), options);

  it('refuses a missing, garbage or non-bearer token', async () => {
    expectProblem(await api().get('/api/v1/users/me'), 401, 'UNAUTHENTICATED');
    expectProblem(await api().get('/api/v1/users/me').set('Authorization', 'Bearer nope'), 401, 'UNAUTHENTICATED');
    const user = await registerUser(t.http);
    expectProblem(
      await api().get('/api/v1/users/me').set('Authorization', `Basic ${user.accessToken}`),
      401,
      'UNAUTHENTICATED',
    );
  });

  it('refuses alg "none", a forged signature and an expired token', async () => {
    const user = await registerUser(t.http);
    const claims = { sub: user.id, ver: 0 };
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(
      JSON.stringify({ ...claims, exp: Math.floor(Date.now() / 1000) + 600 }),
    ).toString('base64url')}.`;
    const forged = sign(claims, { algorithm: 'HS256', expiresIn: 600 }, 'another-secret-that-is-long-enough-0123456789');
    const expired = sign({ ...claims, iat: Math.floor(Date.now() / 1000) - 3600 }, { algorithm: 'HS256', expiresIn: 60 });
    const valid = sign(claims, { algorithm: 'HS256', expiresIn: 600 });
    for (const token of [none, forged, expired]) {
      expectProblem(
        await api().get('/api/v1/users/me').set('Authorization', `Bearer ${token}`),
        401,
        'UNAUTHENTICATED',
      );
    }
    // The control: the same claims, correctly signed, are accepted.
    await api().get('/api/v1/users/me').set('Authorization', `Bearer ${valid}`).expect(200);
  });

  it('refuses a well-signed token of a deleted user', async () => {
    const user = await registerUser(t.http);
    await api().delete('/api/v1/users/me').set(user.auth).send({ password: user.password }).expect(204);
    expectProblem(await api().get('/api/v1/users/me').set(user.auth), 401, 'UNAUTHENTICATED');
  });
});

describe('POST /auth/refresh-token', () => {
  it('rotates: each refresh token works once and yields a working pair', async () => {
    const user = await registerUser(t.http);
    const first = await api().post('/api/v1/auth/refresh-token').send({ refreshToken: user.refreshToken }).expect(200);
    expect(first.body.refreshToken).not.toBe(user.refreshToken);
    await api().get('/api/v1/users/me').set('Authorization', `Bearer ${first.body.accessToken}`).expect(200);
    const second = await api()
      .post('/api/v1/auth/refresh-token')
      .send({ refreshToken: first.body.refreshToken })
      .expect(200);
    expect(second.body.user.id).toBe(user.id);
  });

  it('revokes the whole family when a rotated token is reused', async () => {
    const user = await registerUser(t.http);
    const rotated = await api().post('/api/v1/auth/refresh-token').send({ refreshToken: user.refreshToken }).expect(200);
    // An attacker replays the old token: refused, and the family is revoked...
    expectProblem(
      await api().post('/api/v1/auth/refresh-token').send({ refreshToken: user.refreshToken }),
      401,
      'REFRESH_TOKEN_REUSED',
    );
    // ...so the legitimate holder's newer token is dead too: revoked with its family, not itself reused.
    expectProblem(
      await api().post('/api/v1/auth/refresh-token').send({ refreshToken: rotated.body.refreshToken }),
      401,
      'INVALID_REFRESH_TOKEN',
    );
    // Another login of the same user is a different family and keeps working.
    const other = await api().post('/api/v1/auth/login').send({ email: user.email, password: user.password }).expect(200);
    await api().post('/api/v1/auth/refresh-token').send({ refreshToken: other.body.refreshToken }).expect(200);
  });

  // Only a rotated token coming back is theft; a token its owner gave up is just invalid.
  it('answers INVALID_REFRESH_TOKEN, not REUSED, for a token revoked by logout', async () => {
    const user = await registerUser(t.http);
    const other = await api().post('/api/v1/auth/login').send({ email: user.email, password: user.password }).expect(200);
    await api().post('/api/v1/auth/logout').send({ refreshToken: user.refreshToken }).expect(204);
    for (let i = 0; i < 2; i++) {
      const res = await api().post('/api/v1/auth/refresh-token').send({ refreshToken: user.refreshToken });
      expectProblem(res, 401, 'INVALID_REFRESH_TOKEN');
    }
    // No theft was assumed, so nothing else was revoked: the user's other login still refreshes.
    await api().post('/api/v1/auth/refresh-token').send({ refreshToken: other.body.refreshToken }).expect(200);
  });

  it('answers INVALID_REFRESH_TOKEN after a password change, and REUSED for a rotated token of that login', async () => {
    const user = await registerUser(t.http);
    const rotated = await api().post('/api/v1/auth/refresh-token').send({ refreshToken: user.refreshToken }).expect(200);
    await api()
      .patch('/api/v1/users/me')
      .set('Authorization', `Bearer ${rotated.body.accessToken}`)
      .send({ currentPassword: user.password, newPassword: 'changed-pass-9' })
      .expect(200);
    const res = await api().post('/api/v1/auth/refresh-token').send({ refreshToken: rotated.body.refreshToken });
    expectProblem(res, 401, 'INVALID_REFRESH_TOKEN');
    // The first token was rotated before the change: presenting it is still a replay.
    const replay = await api().post('/api/v1/auth/refresh-token').send({ refreshToken: user.refreshToken });
    expectProblem(replay, 401, 'REFRESH_TOKEN_REUSED');
  });

  it('refuses unknown and expired tokens', async () => {
    expectProblem(
      await api().post('/api/v1/auth/refresh-token').send({ refreshToken: 'x'.repeat(43) }),
      401,
      'INVALID_REFRESH_TOKEN',
    );
    const user = await registerUser(t.http);
    await t.db.query(`UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [user.id]);
    expectProblem(
      await api().post('/api/v1/auth/refresh-token').send({ refreshToken: user.refreshToken }),
      401,
      'INVALID_REFRESH_TOKEN',
    );
  });

  it.each([
    ['missing', {}],
    ['too short', { refreshToken: 'abc' }],
    ['not a string', { refreshToken: 12345678901234567890 }],
  ])('answers 400 when the token is %s', async (_, body) => {
    expectProblem(await api().post('/api/v1/auth/refresh-token').send(body), 400, 'VALIDATION_FAILED', [
      'refreshToken',
    ]);
  });
});

describe('POST /auth/logout', () => {
  it('revokes the session and is idempotent', async () => {
    const user = await registerUser(t.http);
    await api().post('/api/v1/auth/logout').send({ refreshToken: user.refreshToken }).expect(204);
    await api().post('/api/v1/auth/logout').send({ refreshToken: user.refreshToken }).expect(204);
    expectProblem(await api().post('/api/v1/auth/refresh-token').send({ refreshToken: user.refreshToken }), 401, 'INVALID_REFRESH_TOKEN');
    await api().post('/api/v1/auth/logout').send({ refreshToken: 'y'.repeat(43) }).expect(204);
  });

  it('answers 400 without a token', async () => {
    expectProblem(await api().post('/api/v1/auth/logout').send({}), 400, 'VALIDATION_FAILED', ['refreshToken']);
  });
});

/**
 * The first message to `to` in the development mailbox whose subject matches: the account's welcome
 * email lands there too, so the reset email is picked by its subject.
 */
async function waitForMail(to: string, subject = 'Reset your Calento password', timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let files: string[] = [];
    try {
      files = readdirSync(t.mailboxDir);
    } catch {
      // The folder appears with the first message.
    }
    for (const file of files) {
      const content = readFileSync(join(t.mailboxDir, file), 'utf8');
      const toLine = /^To: (.*)$/m.exec(content)?.[1] ?? '';
      if (toLine.includes(to) && content.includes(`Subject: ${subject}`)) return content;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no mail to ${to} within ${timeoutMs} ms`);
}

function resetTokenFrom(mail: string): string {
  const match = /reset-password:\n([A-Za-z0-9_-]{40,})/.exec(mail.replace(/=\n/g, ''));
  if (!match) throw new Error(`no token in mail:\n${mail}`);
  return match[1];
}

describe('password reset', () => {
  it('accepts any email with 202 and mails a token only to existing accounts', async () => {
    const user = await registerUser(t.http);
    const unknown = uniqueEmail('ghost');
    const known = await api().post('/api/v1/auth/forgot-password').send({ email: user.email }).expect(202);
    const missing = await api().post('/api/v1/auth/forgot-password').send({ email: unknown }).expect(202);
    expect(missing.body).toEqual(known.body);
    const mail = await waitForMail(user.email);
    expect(mail).toContain('Subject: Reset your Calento password');
    expect(resetTokenFrom(mail)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const all = readdirSync(t.mailboxDir).map((f) => readFileSync(join(t.mailboxDir, f), 'utf8'));
    expect(all.some((m) => m.includes(unknown))).toBe(false);
  });

  it('resets once, signs out every session and refuses the token a second time', async () => {
    const user = await registerUser(t.http);
    await api().post('/api/v1/auth/forgot-password').send({ email: user.email }).expect(202);
    const token = resetTokenFrom(await waitForMail(user.email));

    await api().post('/api/v1/auth/reset-password').send({ token, newPassword: 'brand-new-pass-7' }).expect(204);
    expectProblem(
      await api().post('/api/v1/auth/reset-password').send({ token, newPassword: 'another-pass-8' }),
      400,
      'INVALID_RESET_TOKEN',
    );
    // Old password out, new one in; old access and refresh tokens are dead.
    expect((await api().post('/api/v1/auth/login').send({ email: user.email, password: user.password })).status).toBe(401);
    await api().post('/api/v1/auth/login').send({ email: user.email, password: 'brand-new-pass-7' }).expect(200);
    expectProblem(await api().get('/api/v1/users/me').set(user.auth), 401, 'UNAUTHENTICATED');
    // Revoked by the reset, never rotated: invalid, not a replay.
    expectProblem(
      await api().post('/api/v1/auth/refresh-token').send({ refreshToken: user.refreshToken }),
      401,
      'INVALID_REFRESH_TOKEN',
    );
  });

  it('refuses an expired reset token', async () => {
    const user = await registerUser(t.http);
    await api().post('/api/v1/auth/forgot-password').send({ email: user.email }).expect(202);
    const token = resetTokenFrom(await waitForMail(user.email));
    await t.db.query(`UPDATE password_resets SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [user.id]);
    expectProblem(
      await api().post('/api/v1/auth/reset-password').send({ token, newPassword: 'brand-new-pass-7' }),
      400,
      'INVALID_RESET_TOKEN',
    );
    await api().post('/api/v1/auth/login').send({ email: user.email, password: user.password }).expect(200);
  });

  it.each([
    ['/api/v1/auth/forgot-password', { email: 'nope' }, 'email'],
    ['/api/v1/auth/forgot-password', {}, 'email'],
    ['/api/v1/auth/reset-password', { newPassword: 'brand-new-pass-7' }, 'token'],
    ['/api/v1/auth/reset-password', { token: 'z'.repeat(43), newPassword: 'weak' }, 'newPassword'],
  ])('%s answers 400 for %j', async (url, body, field) => {
    expectProblem(await api().post(url).send(body), 400, 'VALIDATION_FAILED', [field]);
  });
});

describe('rate limits', () => {
  let limited: TestApp;
  beforeAll(async () => {
    limited = await createTestApp({ RATE_LIMIT_LOGIN_PER_ACCOUNT: '3', RATE_LIMIT_LOGIN_PER_IP: '6' });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('limits login attempts per account, then per IP, with Retry-After', async () => {
    const victim = uniqueEmail('victim');
    for (let i = 0; i < 3; i++) {
      expect((await request(limited.http).post('/api/v1/auth/login').send({ email: victim, password: 'guess-1234' })).status).toBe(401);
    }
    const blocked = await request(limited.http).post('/api/v1/auth/login').send({ email: victim, password: 'guess-1234' });
    expectProblem(blocked, 429, 'RATE_LIMITED');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // The same IP may still try other accounts until the per-IP budget (6) is spent.
    const other = uniqueEmail('other');
    expect((await request(limited.http).post('/api/v1/auth/login').send({ email: other, password: 'guess-1234' })).status).toBe(401);
    expect((await request(limited.http).post('/api/v1/auth/login').send({ email: uniqueEmail(), password: 'guess-1234' })).status).toBe(401);
    expectProblem(
      await request(limited.http).post('/api/v1/auth/login').send({ email: uniqueEmail(), password: 'guess-1234' }),
      429,
      'RATE_LIMITED',
    );
  });

  it('limits forgot-password per account', async () => {
    const email = uniqueEmail('forgetful');
    for (let i = 0; i < 3; i++) {
      await request(limited.http).post('/api/v1/auth/forgot-password').send({ email }).expect(202);
    }
    expectProblem(await request(limited.http).post('/api/v1/auth/forgot-password').send({ email }), 429, 'RATE_LIMITED');
  });
});
