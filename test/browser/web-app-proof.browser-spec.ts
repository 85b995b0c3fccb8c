import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { startFakeGoogle, type FakeGoogle, type OAuthClient } from '../fakes/google/index.js';
import { createServedTestApp, dragEventDown, launchChromium, openNewEventModal, signUpInBrowser, type ServedTestApp } from '../setup/browser.js';
import { freePort } from '../setup/ports.js';
import { eventually } from '../setup/wait.js';

// Issue 12's proof, as one chain in Debian's Chromium through the real API and the fake Google server
// (its HTML consent page, its push notifications): sign up, add a client, save its OAuth credentials,
// authorize, see its calendars, start the first sync from the client's Sync panel, see the client's events
// (seeded at Google beforehand) on the dashboard in its colour, create a weekly series on its calendar, drag
// one occurrence ("This event") and find the exception at Google, then see Google's own edit after its push.
// Every page error, console error and request to an origin other than Calento's or the fake Google's (during
// consent) fails the test. The other web-app specs cover each step's variations; this one only chains them.
jest.setTimeout(120_000);

const ACME = 'acme.owner@example.com';
const COLOUR = '#d9480f';
const today = new Date().toISOString().slice(0, 10);
const at = (hhmm: string) => `${today}T${hhmm}:00Z`;

let t: ServedTestApp;
let fake: FakeGoogle;
let oauth: OAuthClient;
let browser: Browser;
let context: BrowserContext | null = null;
let problems: string[] = [];
let standupAtGoogle: string;

beforeAll(async () => {
  // The consent page as a person sees it; http:// push addresses allowed so Google's notifications reach this loopback app.
  fake = await startFakeGoogle({ consentMode: 'page', allowHttpPush: true });
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  oauth = fake.registerOAuthClient({ redirectUris: [`${baseUrl}/api/v1/oauth/callback`], name: 'Acme scheduling' });
  fake.createAccount(ACME, { name: 'Acme Owner', timeZone: 'UTC' });
  [standupAtGoogle] = fake.seedEvents(ACME, [{ summary: 'Acme standup', start: { dateTime: at('08:00') }, end: { dateTime: at('08:30') } }]);
  [t, browser] = await Promise.all([
    createServedTestApp({ ...fake.env, APP_BASE_URL: baseUrl, RATE_LIMIT_PUBLIC_PER_IP: '100000', JOB_POLL_INTERVAL_MS: '25', JOB_BACKOFF_BASE_MS: '20', JOB_BACKOFF_MAX_MS: '100' }, { port }),
    launchChromium(),
  ]);
}, 120_000);
afterEach(async () => {
  await context?.close();
  context = null;
  expect(problems).toEqual([]);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await fake?.close();
});

async function open(path: string): Promise<Page> {
  context = await browser.newContext({ locale: 'en-GB', timezoneId: 'UTC', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  problems = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    const url = message.location().url;
    // The fake Google's consent page is not Calento's: its missing favicon is not the app's problem.
    if (message.type() !== 'error' || url.startsWith(fake.url)) return;
    problems.push(`console: ${message.text()} (${url})`);
  });
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(t.baseUrl) && !url.startsWith(fake.url) && !url.startsWith('data:')) problems.push(`request to another origin: ${url}`);
  });
  await page.goto(`${t.baseUrl}${path}`);
  return page;
}

const hexToRgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

describe('the Calendar Stacker, end to end (issue 12)', () => {
  it('connects a client in the browser, syncs it, shows its events in its colour, writes a series to Google, moves one occurrence by dragging and shows Google’s edit', async () => {
    const page = await open('/app');
    const email = `proof-${Date.now()}@example.com`;
    const password = 'correct-horse-42';

    // Sign up.
    await signUpInBrowser(page, { name: 'Ada Proof', email, password });
    const token = (await request(t.http).post('/api/v1/auth/login').send({ email, password }).expect(200)).body.accessToken as string;
    const api = (path: string) => request(t.http).get(`/api/v1${path}`).set('authorization', `Bearer ${token}`);

    // Add a client, in its colour.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
    await page.getByText('No clients yet').waitFor();
    await page.getByLabel('Name').fill('Acme Corp');
    await page.getByLabel('Colour').fill(COLOUR);
    await page.getByRole('button', { name: 'Add client' }).click();
    await page.getByRole('heading', { name: 'Acme Corp', level: 1 }).waitFor();
    const clientId = page.url().split('/').pop() as string;

    // Its OAuth credentials, then Google's consent page and back through Calento's callback.
    await page.getByLabel('Google client ID').fill(oauth.clientId);
    await page.getByLabel('Client secret').fill(oauth.clientSecret);
    await page.getByRole('button', { name: 'Save credentials' }).click();
    await page.getByRole('button', { name: 'Authorize with Google' }).click();
    await page.waitForURL((url) => url.href.startsWith(fake.url));
    await page.getByLabel(ACME).check();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${t.baseUrl}/app/clients/${clientId}*`);
    await expect(page.locator('#oauth-outcome').textContent()).resolves.toContain('Google account connected');

    // Its calendars appear; the first sync starts from the Sync panel (merge, the default).
    await page.locator('#calendars tbody tr').first().waitFor();
    const start = page.getByRole('button', { name: 'Start sync' });
    await start.click();
    await page.getByText('sync queued.', { exact: false }).waitFor();
    await eventually(
      async () => ((await api('/calendar/sync/status').query({ clientId }).expect(200)).body.data as { calendarId: string; state: string }[]).find((s) => s.calendarId === ACME)?.state === 'idle',
      30_000,
      'the first sync',
    );

    // The dashboard: Google's event, in the client's colour.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
    const standup = page.locator(`#calendar .client-${clientId}`, { hasText: 'Acme standup' }).first();
    await standup.waitFor();
    // (A string: the specs are type-checked without the DOM's types.)
    await expect(page.evaluate<string>(`getComputedStyle(document.querySelector('#calendar .client-${clientId}')).backgroundColor`)).resolves.toBe(hexToRgb(COLOUR));

    // A weekly series on the client's calendar, made in the event dialog: it is at Google.
    const modal = await openNewEventModal(page);
    await modal.getByLabel('Calendar').selectOption(`${clientId}|${ACME}`);
    await modal.getByLabel('Title').fill('Acme weekly');
    await modal.locator('#start-date').fill(today);
    await modal.locator('#start-time').fill('14:00');
    await modal.locator('#end-date').fill(today);
    await modal.locator('#end-time').fill('15:00');
    await modal.getByLabel('Repeat').selectOption('WEEKLY');
    await modal.getByRole('button', { name: 'Create' }).click();
    await page.getByText('“Acme weekly” created.').waitFor();
    const masters = fake.events(ACME).filter((e) => e.summary === 'Acme weekly' && e.status !== 'cancelled');
    expect(masters).toHaveLength(1);
    expect(masters[0].recurrence).toEqual(['RRULE:FREQ=WEEKLY']);
    const masterId = masters[0].id as string;

    // Today's occurrence dragged two hours later, "This event" only. A refetch that re-renders mid-gesture
    // cancels the drag (as under a person's mouse), so the gesture starts once the page is quiet and is tried
    // again only if the API shows it did not happen.
    const occurrence = page.locator(`#calendar .occurrence.client-${clientId}`, { hasText: 'Acme weekly' }).first();
    await occurrence.waitFor();
    const seriesStarts = async () =>
      ((await api(`/events?from=${today}T00:00:00Z&to=${today}T23:59:59Z&expand=true`).expect(200)).body.data as { title: string; startTime: string }[])
        .filter((e) => e.title === 'Acme weekly')
        .map((e) => e.startTime);
    const scope = page.getByRole('dialog', { name: 'Move a repeating event' });
    const drag = async () => {
      await dragEventDown(page, occurrence, 2);
      return scope.waitFor({ timeout: 10_000 }).then(() => true, () => false);
    };
    if (!(await drag()) && (await seriesStarts()).includes(`${today}T14:00:00.000Z`)) await drag();
    await scope.getByRole('button', { name: 'This event' }).click();
    await page.getByText('“Acme weekly” moved.').waitFor();
    expect(await seriesStarts()).toEqual([`${today}T16:00:00.000Z`]);

    // Google has the exception for that instance: its original start and the new one.
    const instance = fake.instanceId(masterId, at('14:00'));
    await eventually(() => (fake.getEvent(ACME, instance)?.start as { dateTime?: string } | undefined)?.dateTime?.includes('T16:00:00') === true, 30_000, 'the exception at Google');
    const exception = fake.getEvent(ACME, instance)!;
    expect(exception.recurringEventId).toBe(masterId);
    expect(Date.parse((exception.originalStartTime as { dateTime: string }).dateTime)).toBe(Date.parse(at('14:00')));
    expect(Date.parse((exception.start as { dateTime: string }).dateTime)).toBe(Date.parse(at('16:00')));
    expect(Date.parse((exception.end as { dateTime: string }).dateTime)).toBe(Date.parse(at('17:00')));

    // Edited at Google: its push notification brings the change to Calento, and the dashboard shows it.
    fake.updateEvent(ACME, standupAtGoogle, { summary: 'Acme standup (moved to the lab)' });
    await eventually(
      async () => ((await api(`/events?from=${today}T00:00:00Z&to=${today}T23:59:59Z&expand=true`).expect(200)).body.data as { title: string }[]).some((e) => e.title === 'Acme standup (moved to the lab)'),
      30_000,
      'the push',
    );
    await page.reload();
    await page.locator(`#calendar .client-${clientId}`, { hasText: 'Acme standup (moved to the lab)' }).first().waitFor();
  });
});
