import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { createServedTestApp, launchChromium, type ServedTestApp } from '../setup/browser.js';
import { mailboxMessage, resetLinkOf } from '../setup/mailbox.js';
import { registerUser } from '../factories/users.js';

// The password reset page in Debian's Chromium, opened from the link of a real reset email (written to
// the development mailbox, MAILBOX_DIR), under the API's own CSP.

let t: ServedTestApp;
let browser: Browser;
let context: BrowserContext | null = null;
let pageErrors: string[] = [];

beforeAll(async () => {
  [t, browser] = await Promise.all([createServedTestApp({ RATE_LIMIT_PUBLIC_PER_IP: '100000' }), launchChromium()]);
});
afterEach(async () => {
  await context?.close();
  context = null;
  // Script errors and CSP violations both end up here: the page must run under the CSP as it is.
  expect(pageErrors).toEqual([]);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const SUBJECT = 'Reset your Calento password';

async function open(url: string): Promise<Page> {
  context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    // The API's 400s show up as failed loads; they are expected here and answered on the page.
    if (message.type() === 'error' && !/status of 400/.test(message.text())) pageErrors.push(message.text());
  });
  await page.goto(url);
  return page;
}

/** The emailed link, opened on the served app: FRONTEND_URL is APP_BASE_URL/app, whose port tests cannot know in advance. */
async function emailedLink(email: string, except?: string): Promise<{ url: string; token: string }> {
  const mail = await mailboxMessage(t.mailboxDir, email, SUBJECT, (m) => !except || !resetLinkOf(m).href.includes(except));
  const link = resetLinkOf(mail);
  expect(link.href.startsWith(`${t.config.frontendUrl}/reset-password?token=`)).toBe(true);
  return { url: `${t.baseUrl}${link.pathname}${link.search}`, token: link.searchParams.get('token') as string };
}

async function fillPasswords(page: Page, password: string, confirm = password): Promise<void> {
  await page.getByLabel('New password', { exact: true }).fill(password);
  await page.getByLabel('Repeat the new password').fill(confirm);
  await page.getByRole('button', { name: 'Set the new password' }).click();
}

const login = (email: string, password: string) => request(t.http).post('/api/v1/auth/login').send({ email, password });

describe('password reset page', () => {
  it('resets the password from the emailed link, showing field errors on the way', async () => {
    const user = await registerUser(t.http);
    await request(t.http).post('/api/v1/auth/forgot-password').send({ email: user.email }).expect(202);
    const { url, token } = await emailedLink(user.email);
    const page = await open(url);

    // The token leaves the address bar (and the history) as soon as the page has read it.
    expect(page.url()).toBe(`${t.baseUrl}/app/reset-password`);
    expect(page.url()).not.toContain(token);
    await expect(page.locator('#new-password:focus').count()).resolves.toBe(1);

    await fillPasswords(page, 'short1');
    await expect(page.locator('#new-password-error').textContent()).resolves.toBe('Use at least 10 characters.');
    await expect(page.locator('#new-password').getAttribute('aria-invalid')).resolves.toBe('true');

    await fillPasswords(page, 'brand-new-pass-7', 'brand-new-pass-8');
    await expect(page.locator('#confirm-password-error').textContent()).resolves.toBe('The two passwords are not the same.');

    // Long enough for the page, too weak for the server: the server's reason shows under the field.
    await fillPasswords(page, 'onlyletterslong');
    await page.locator('#new-password-error:not(:empty)').waitFor();
    await expect(page.locator('#new-password-error').textContent()).resolves.toBe(
      'The new password must contain at least one letter and one digit or symbol.',
    );
    await expect(login(user.email, user.password).then((res) => res.status)).resolves.toBe(200);

    await fillPasswords(page, 'brand-new-pass-7');
    await page.locator('#status.ok').waitFor();
    await expect(page.locator('#status').textContent()).resolves.toContain('Your password has been changed.');
    await expect(page.locator('#reset-form').isHidden()).resolves.toBe(true);
    expect((await login(user.email, user.password)).status).toBe(401);
    await login(user.email, 'brand-new-pass-7').expect(200);
  });

  it('offers a new link when the emailed one was used already, and sends it', async () => {
    const user = await registerUser(t.http);
    await request(t.http).post('/api/v1/auth/forgot-password').send({ email: user.email }).expect(202);
    const { url, token } = await emailedLink(user.email);
    await request(t.http).post('/api/v1/auth/reset-password').send({ token, newPassword: 'first-new-pass-1' }).expect(204);

    const page = await open(url);
    await fillPasswords(page, 'second-new-pass-2');
    await page.locator('#request-form').waitFor();
    await expect(page.locator('#status').textContent()).resolves.toBe('This link has expired or was already used. Ask for a new one below.');
    await expect(page.locator('#reset-form').isHidden()).resolves.toBe(true);

    await page.getByLabel('Email').fill('not-an-address');
    await page.getByRole('button', { name: 'Email me a new link' }).click();
    await expect(page.locator('#email-error').textContent()).resolves.toBe('Enter an email address such as ada@example.com.');

    await page.getByLabel('Email').fill(user.email);
    await page.getByRole('button', { name: 'Email me a new link' }).click();
    await page.locator('#status.ok').waitFor();
    await expect(page.locator('#status').textContent()).resolves.toContain(`If an account exists for ${user.email}`);

    // The second link works.
    const second = await emailedLink(user.email, token);
    expect(second.token).not.toBe(token);
    const again = await open(second.url);
    await fillPasswords(again, 'second-new-pass-2');
    await again.locator('#status.ok').waitFor();
    await login(user.email, 'second-new-pass-2').expect(200);
  });

  it('asks for a new link when opened without a token', async () => {
    const page = await open(`${t.baseUrl}/app/reset-password`);
    await page.locator('#request-form').waitFor();
    await expect(page.locator('#status').textContent()).resolves.toBe('This link is incomplete. Ask for a new one below.');
    await expect(page.locator('#email:focus').count()).resolves.toBe(1);
  });
});
