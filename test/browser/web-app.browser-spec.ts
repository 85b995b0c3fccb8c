import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import request from 'supertest';
import { startFakeGoogle, type FakeGoogle, type OAuthClient } from '../fakes/google/index.js';
import { FakeSlack } from '../fakes/slack/fake-slack.js';
import { slackEnv } from '../fakes/slack/testing.js';
import { createServedTestApp, dragEventDown, launchChromium, openNewEventModal, signUpInBrowser, type ServedTestApp } from '../setup/browser.js';
import { freePort } from '../setup/ports.js';

// The Calendar Stacker app (/app, docs/web-app.md) in Debian's Chromium, through the real API and the
// fake Google server (its HTML consent page), under the API's own CSP. Every page error, console error
// and request to an origin other than Calento's (or the fake Google's or fake Slack's, during consent) fails the test,
// a failing sync route (/calendar/sync/*) included.

const ACME = 'acme.owner@example.com';

let t: ServedTestApp;
let fake: FakeGoogle;
let slack: FakeSlack;
let acme: OAuthClient;
let browser: Browser;
let context: BrowserContext | null = null;
let problems: string[] = [];

beforeAll(async () => {
  fake = await startFakeGoogle({ consentMode: 'page' });
  // The app must know its own URL (the OAuth redirect URI and FRONTEND_URL derive from APP_BASE_URL).
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  acme = fake.registerOAuthClient({ redirectUris: [`${baseUrl}/api/v1/oauth/callback`], name: 'Acme scheduling' });
  fake.createAccount(ACME, { name: 'Acme Owner', timeZone: 'Europe/Berlin' });
  fake.createCalendar(ACME, { summary: 'Acme team', timeZone: 'Europe/Berlin' });
  slack = await FakeSlack.start();
  // Slack's install returns to the app itself (FRONTEND_URL derived from APP_BASE_URL), not the e2e's placeholder.
  const { FRONTEND_URL: _placeholder, ...slackSettings } = slackEnv(slack);
  [t, browser] = await Promise.all([createServedTestApp({ ...fake.env, ...slackSettings, APP_BASE_URL: baseUrl, RATE_LIMIT_PUBLIC_PER_IP: '100000', WEBHOOKS_ALLOW_PRIVATE: 'true' }, { port }), launchChromium()]);
});
afterEach(async () => {
  await context?.close();
  context = null;
  expect(problems).toEqual([]);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await fake?.close();
  await slack?.stop();
});

/** Failed loads a test provokes on purpose, answered on the page (`[status, path]`). */
let provoked: [number, string][] = [];
const isProvoked = (text: string, url: string) => provoked.some(([status, path]) => text.includes(`status of ${status}`) && new URL(url).pathname === path);

async function open(path: string, options: BrowserContextOptions = {}): Promise<Page> {
  context = await browser.newContext({ locale: 'en-GB', timezoneId: 'UTC', ...options });
  const page = await context.newPage();
  problems = [];
  provoked = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const url = message.location().url;
    if (isProvoked(message.text(), url)) return;
    // The fake Google's consent page is not Calento's: its missing favicon is not the app's problem.
    if (url.startsWith(fake.url)) return;
    problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(t.baseUrl) && !url.startsWith(fake.url) && !url.startsWith(slack.origin) && !url.startsWith('data:')) problems.push(`request to another origin: ${url}`);
  });
  await page.goto(`${t.baseUrl}${path}`);
  return page;
}

let seq = 0;
async function signUp(page: Page): Promise<{ email: string; password: string; token: () => Promise<string> }> {
  seq += 1;
  const email = `stacker${seq}-${Date.now()}@example.com`;
  const password = 'correct-horse-42';
  await signUpInBrowser(page, { name: 'Ada Stacker', email, password });
  const token = async () => (await request(t.http).post('/api/v1/auth/login').send({ email, password }).expect(200)).body.accessToken as string;
  return { email, password, token };
}

const api = (token: string, path: string) => request(t.http).get(`/api/v1${path}`).set('authorization', `Bearer ${token}`);

describe('the Calendar Stacker app', () => {
  it('is served under the strict CSP with its libraries from node_modules, and every path under /app is the app', async () => {
    const index = await request(t.http).get('/app/clients/some-id?oauth=connected').expect(200);
    expect(index.headers['content-type']).toContain('text/html');
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.text).toMatch(/\/app\/vendor\/fullcalendar\.js\?v=[0-9a-f]{16}"/);
    expect(index.text).not.toMatch(/<script>(?!<)/);
    const vendor = index.text.match(/\/app\/vendor\/bootstrap\.min\.css\?v=[0-9a-f]{16}/)?.[0] as string;
    const css = await request(t.http).get(vendor).expect(200);
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const module = await request(t.http).get('/app/assets/js/api.js').expect(200);
    expect(module.headers['content-type']).toContain('text/javascript');
    expect(module.headers['cache-control']).toBe('no-cache');
    await request(t.http).get('/app/assets/js/../../../package.json').expect(404);
    await request(t.http).get('/app/vendor/nothing.js').expect(404);
    // The reset page keeps its own route.
    expect((await request(t.http).get('/app/reset-password').expect(200)).text).toContain('Reset your password');
  });

  it('signs up, adds a client, saves its OAuth credentials, authorizes it on the consent page and toggles a calendar', async () => {
    const page = await open('/app');
    const user = await signUp(page);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
    await page.getByText('No clients yet').waitFor();
    await page.getByLabel('Name').fill('Acme Corp');
    await page.getByRole('button', { name: 'Add client' }).click();
    await page.getByRole('heading', { name: 'Acme Corp', level: 1 }).waitFor();
    const clientId = page.url().split('/').pop() as string;
    await page.getByText('Connect the Google account to see its calendars.').waitFor();

    // A wrong client id is refused next to its field; then the real one, secret write-only.
    provoked.push([400, '/api/v1/oauth']);
    await page.getByLabel('Google client ID').fill('not a client id');
    await page.getByLabel('Client secret').fill(acme.clientSecret);
    await page.getByRole('button', { name: 'Save credentials' }).click();
    await page.locator('#oauth-form .is-invalid').first().waitFor();
    await page.getByLabel('Google client ID').fill(acme.clientId);
    await page.getByRole('button', { name: 'Save credentials' }).click();
    await page.getByRole('button', { name: 'Authorize with Google' }).waitFor();
    await expect(page.getByLabel('Client secret').inputValue()).resolves.toBe('');
    await expect(page.getByLabel('Client secret').getAttribute('placeholder')).resolves.toContain('leave empty to keep it');

    // Google's consent page (the fake's), then back to the client's page through Calento's callback.
    await page.getByRole('button', { name: 'Authorize with Google' }).click();
    await page.waitForURL((url) => url.href.startsWith(fake.url));
    await page.getByLabel(ACME).check();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${t.baseUrl}/app/clients/${clientId}*`);
    await page.locator('#oauth-outcome').waitFor();
    await expect(page.locator('#oauth-outcome').textContent()).resolves.toContain('Google account connected');
    expect(page.url()).toBe(`${t.baseUrl}/app/clients/${clientId}`);
    await page.getByRole('button', { name: 'Re-authorize' }).waitFor();

    // The account's calendars, with their switches; "Acme team" becomes busy.
    const table = page.locator('#calendars');
    await table.getByText('Acme team').waitFor();
    await expect(table.locator('tbody tr').count()).resolves.toBe(2);
    const busy = page.getByRole('switch', { name: 'Acme team: counts as busy' });
    expect(await busy.isChecked()).toBe(true);
    await busy.uncheck();
    await page.getByText('Acme team: no longer counts as busy.').waitFor();
    const token = await user.token();
    const calendars = (await api(token, `/clients/${clientId}/calendars`).expect(200)).body.data as { summary: string; busy: boolean }[];
    expect(calendars.find((c) => c.summary === 'Acme team')?.busy).toBe(false);
    expect((await api(token, `/clients/${clientId}`).expect(200)).body).toMatchObject({ status: 'connected', accountEmail: ACME });

    // Recolour and rename: the API keeps both, and the swatch beside the heading takes the new colour.
    const details = page.getByRole('form', { name: 'Client details' });
    await details.getByLabel('Name').fill('Acme Corporation');
    await details.getByLabel('Colour').fill('#d94f1a');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('heading', { name: 'Acme Corporation', level: 1 }).waitFor();
    await page.getByText('Client saved.').waitFor();
    expect((await api(token, `/clients/${clientId}`).expect(200)).body).toMatchObject({ name: 'Acme Corporation', color: '#d94f1a' });
    await expect(page.evaluate<string>("getComputedStyle(document.getElementById('client-dot')).backgroundColor")).resolves.toBe('rgb(217, 79, 26)');

    // The consent refused: the outcome in plain words.
    await page.getByRole('button', { name: 'Re-authorize' }).click();
    await page.waitForURL((url) => url.href.startsWith(fake.url));
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('#oauth-outcome').waitFor();
    await expect(page.locator('#oauth-outcome').textContent()).resolves.toContain('The permission was declined');
  });

  it('creates a repeating and a single event in the modal, shows them on the dashboard, and moves one by dragging', async () => {
    const page = await open('/app');
    const user = await signUp(page);
    await page.locator('#calendar').waitFor();
    const today = new Date().toISOString().slice(0, 10);

    // A weekly series, with the preview of its next occurrences.
    const modal = await openNewEventModal(page);
    await modal.getByLabel('Title').fill('Weekly sync');
    await modal.locator('#start-date').fill(today);
    await modal.locator('#start-time').fill('08:00');
    await modal.locator('#end-date').fill(today);
    await modal.locator('#end-time').fill('08:30');
    await modal.getByLabel('Repeat').selectOption('WEEKLY');
    await expect(modal.locator('#rrule').inputValue()).resolves.toBe('FREQ=WEEKLY');
    await expect(modal.locator('#rrule-preview li:not(.list-unstyled)').count()).resolves.toBe(5);
    // An attendee whose address is not one is refused before anything is sent.
    await modal.getByLabel('Attendees').fill('not-an-email');
    await modal.getByRole('button', { name: 'Add', exact: true }).click();
    await modal.locator('#attendees-error').filter({ hasText: 'Enter an email address such as ada@example.com.' }).waitFor();
    await modal.getByLabel('Attendees').fill('grace@example.com');
    await modal.getByRole('button', { name: 'Add', exact: true }).click();
    await modal.getByText('grace@example.com').waitFor();
    await modal.getByRole('button', { name: 'Create' }).click();
    await page.getByText('“Weekly sync” created.').waitFor();

    // A single event, 10:00–11:00 today.
    await openNewEventModal(page);
    await modal.getByLabel('Title').fill('Design review');
    await modal.locator('#start-date').fill(today);
    await modal.locator('#start-time').fill('10:00');
    await modal.locator('#end-date').fill(today);
    await modal.locator('#end-time').fill('11:00');
    await modal.getByRole('button', { name: 'Create' }).click();
    await page.getByText('“Design review” created.').waitFor();

    const event = page.locator('#calendar .single', { hasText: 'Design review' }).first();
    await event.waitFor();
    await page.locator('#calendar .occurrence', { hasText: 'Weekly sync' }).first().waitFor();

    const token = await user.token();
    const list = async () => (await api(token, `/events?from=${today}T00:00:00Z&to=${today}T23:59:59Z&expand=true`).expect(200)).body.data as { title: string; startTime: string; endTime: string; attendees: { email: string }[] }[];
    const before = (await list()).find((e) => e.title === 'Design review')!;
    expect(before.startTime).toBe(`${today}T10:00:00.000Z`);
    expect((await list()).find((e) => e.title === 'Weekly sync')?.attendees.map((a) => a.email)).toEqual(['grace@example.com']);

    // Drag it down by two hours (the event is one hour tall): the API has the new time, the duration kept.
    // The calendar refetches after each save; a refetch that re-renders mid-gesture cancels the drag (as it
    // would under a person's mouse), so the gesture starts once the page is quiet and is tried again only
    // if the API shows it did not happen.
    const drag = () => dragEventDown(page, event, 2);
    await drag();
    const moved = page.getByText('“Design review” moved.');
    const toastSeen = await moved.waitFor({ timeout: 10_000 }).then(() => true, () => false);
    if (!toastSeen && (await list()).find((e) => e.title === 'Design review')!.startTime === before.startTime) await drag();
    await moved.waitFor();
    const after = (await list()).find((e) => e.title === 'Design review')!;
    expect(Date.parse(after.startTime) - Date.parse(before.startTime)).toBe(2 * 3600_000);
    expect(Date.parse(after.endTime) - Date.parse(after.startTime)).toBe(3600_000);

    // The legend hides and shows the user's own events.
    await page.locator('#legend-desktop').getByLabel('My events (Calento)').uncheck();
    await page.locator('#calendar .single', { hasText: 'Design review' }).waitFor({ state: 'detached' });
    await page.locator('#legend-desktop').getByLabel('My events (Calento)').check();
    await page.locator('#calendar .single', { hasText: 'Design review' }).first().waitFor();
  });

  it('manages settings: profile and zone, working hours, a booking link, a webhook and an API key shown once', async () => {
    const page = await open('/app');
    const user = await signUp(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();

    await page.getByLabel('Time zone').selectOption('Europe/Berlin');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Profile saved.').waitFor();

    await page.getByRole('tab', { name: 'Working hours' }).click();
    await page.getByText('No working hours yet').waitFor();
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByText('Monday 09:00–17:00 (Europe/Berlin)').waitFor();

    await page.getByRole('tab', { name: 'Booking links' }).click();
    await page.getByLabel('Title').fill('Intro call');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect(page.getByLabel('Public link of Intro call').inputValue()).resolves.toBe(`${t.baseUrl}/book/intro-call`);

    await page.getByRole('tab', { name: 'Webhooks' }).click();
    await page.getByLabel('Endpoint URL').fill('http://127.0.0.1:9/calento');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await expect(page.locator('#webhook-secret').textContent()).resolves.toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'Deliveries' }).click();
    await page.getByText('No deliveries yet.').waitFor();

    await page.getByRole('tab', { name: 'API keys' }).click();
    await page.getByLabel('Name').fill('Zapier');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.locator('#api-key-secret').textContent()) as string;
    await request(t.http).get('/api/v1/events').set('x-api-key', key).expect(200);

    provoked.push([404, '/api/v1/integrations/slack']);
    await page.getByRole('tab', { name: 'Slack' }).click();
    await page.getByText('Not connected.', { exact: false }).waitFor();

    const token = await user.token();
    expect((await api(token, '/users/me').expect(200)).body.timezone).toBe('Europe/Berlin');
  });

  it('connects Slack through its install page, routes notifications to channels, and shows a failing channel list', async () => {
    // At 375 px: the notification rows stack their switch above their channel.
    const page = await open('/app', { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
    const user = await signUp(page);
    provoked.push([404, '/api/v1/integrations/slack']);
    await page.goto(`${t.baseUrl}/app/settings/slack`);
    await page.getByRole('button', { name: 'Connect Slack' }).click();
    // The fake Slack approves at once and sends the browser to Calento's callback, which sends it back here.
    await page.getByText('Slack connected.').waitFor();
    expect(page.url()).toBe(`${t.baseUrl}/app/settings/slack`);
    await page.locator('#slack-install').getByText('Fake Workspace').waitFor();

    // The channels Slack lists (archived ones left out); the default channel and two routes chosen.
    const form = page.getByRole('form', { name: 'Slack notifications' });
    const defaultChannel = form.getByLabel('Default channel');
    await expect(defaultChannel.locator('option').allTextContents()).resolves.toEqual([
      'No default channel (notifications without their own are skipped)',
      '#bot-not-invited (app not a member)',
      '#general',
      '#secret-plans (private)',
    ]);
    await defaultChannel.selectOption({ label: '#general' });
    await form.getByLabel('Booking cancelled: channel').selectOption({ label: '#secret-plans (private)' });
    await form.getByRole('switch', { name: 'Daily summary' }).setChecked(true);
    await form.getByRole('switch', { name: 'Event reminders' }).setChecked(false);
    await form.getByRole('switch', { name: /Slack status/ }).check();
    await expect(form.textContent()).resolves.not.toContain('null');
    await expect(page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).resolves.toBeLessThanOrEqual(0);
    await form.getByRole('button', { name: 'Save Slack settings' }).click();
    await page.getByText('Slack settings saved.').waitFor();

    const token = await user.token();
    const saved = (await api(token, '/integrations/slack').expect(200)).body as { defaultChannelId: string; statusSync: boolean; notifications: { kind: string; enabled: boolean; channelId: string | null }[] };
    expect(saved).toMatchObject({ defaultChannelId: 'C0GENERAL', statusSync: true });
    const route = (kind: string) => saved.notifications.find((r) => r.kind === kind);
    expect(route('booking_cancelled')).toEqual({ kind: 'booking_cancelled', enabled: true, channelId: 'C0PRIVATE' });
    expect(route('booking_created')).toEqual({ kind: 'booking_created', enabled: true, channelId: null });
    expect(route('event_reminder')).toMatchObject({ enabled: false });
    expect(route('daily_summary')).toMatchObject({ enabled: true, channelId: null });

    // Slack down: the channel list's detail shows under the picker, the saved choice stays; then it recovers.
    slack.outage = true;
    provoked.push([502, '/api/v1/integrations/slack/channels']);
    await page.reload();
    await page.locator('#slack-channels-error').filter({ hasText: 'Slack did not answer as expected' }).waitFor();
    await expect(form.getByLabel('Default channel').inputValue()).resolves.toBe('C0GENERAL');
    slack.outage = false;
    await page.getByRole('button', { name: 'Load channels again' }).click();
    await page.locator('#slack-channels-error').waitFor({ state: 'detached' });
    await expect(form.getByLabel('Default channel').locator('option:checked').textContent()).resolves.toBe('#general');
    await expect(form.getByLabel('Booking cancelled: channel').locator('option:checked').textContent()).resolves.toBe('#secret-plans (private)');
  });

  it('is usable at 375 px, and an ended session returns to sign-in', async () => {
    const page = await open('/app', { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
    await signUp(page);
    await page.locator('#calendar').waitFor();
    // Evaluated in the page (a string: the spec's types have no DOM).
    const overflow = () => page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    await expect(overflow()).resolves.toBeLessThanOrEqual(0);
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'Clients' }).click();
    await page.getByRole('button', { name: 'Add client' }).waitFor();
    await expect(overflow()).resolves.toBeLessThanOrEqual(0);

    // The refresh token is revoked elsewhere (signed out on another device): the next load asks to sign in.
    const refreshToken = await page.evaluate<string | null>("sessionStorage.getItem('calento.refreshToken')");
    await request(t.http).post('/api/v1/auth/logout').send({ refreshToken }).expect(204);
    provoked.push([401, '/api/v1/auth/refresh-token']);
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByText('Your session has expired. Sign in again.').waitFor();
    expect(page.url()).toBe(`${t.baseUrl}/app/signin?expired=1&next=${encodeURIComponent('/app/clients')}`);
  });
});
