import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { startFakeGoogle, type FakeGoogle, type OAuthClient } from '../fakes/google/index.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { createServedTestApp, launchChromium, openNewEventModal, type ServedTestApp } from '../setup/browser.js';
import { freePort } from '../setup/ports.js';
import { eventually } from '../setup/wait.js';

// The Calendar Stacker's work on client calendars (docs/web-app.md) in Debian's Chromium, through the
// real API and the fake Google server: the event dialog writing to a chosen client's Google calendar
// (and a change made at Google meanwhile shown as the API's 409), "Switch client", and bulk move and
// delete. Two clients are connected and synced through the API once; each test signs in in the browser.
// Every page error, console error and request to another origin fails a test.
jest.setTimeout(120_000);

const ACME = 'acme.owner@example.com';
const GLOBEX = 'globex.owner@example.com';
const today = new Date().toISOString().slice(0, 10);
const at = (hhmm: string) => `${today}T${hhmm}:00Z`;
/** A day of this week (the dashboard's weeks start on Monday), 0 = Monday, at a UTC time. */
const weekday = (day: number, hhmm: string) => {
  const monday = new Date(`${today}T00:00:00Z`);
  monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7) + day);
  return `${monday.toISOString().slice(0, 10)}T${hhmm}:00Z`;
};

let t: ServedTestApp;
let fake: FakeGoogle;
let oauth: OAuthClient;
let browser: Browser;
let context: BrowserContext | null = null;
let problems: string[] = [];
/** Failed loads a test provokes on purpose (`[status, path]`), answered on the page. */
let provoked: [number, string | RegExp][] = [];
let ada: TestUser;
let acmeId: string;
let globexId: string;

const http = () => request(t.http);

/** A client with its own OAuth credentials, connected to `account` (consent answered by the fake) and synced. */
async function connectedClient(user: TestUser, name: string, color: string, account: string, strategy: 'import' | 'merge' = 'import'): Promise<string> {
  const clientId = (await http().post('/api/v1/clients').set(user.auth).send({ name, color }).expect(201)).body.id as string;
  const credential = (await http().post('/api/v1/oauth').set(user.auth).send({ clientId, googleClientId: oauth.clientId, clientSecret: oauth.clientSecret }).expect(201)).body.id as string;
  const consentUrl = (await http().post(`/api/v1/oauth/${credential}/authorize`).set(user.auth).expect(201)).body.url as string;
  fake.setConsent({ mode: 'auto', account, decision: 'allow' });
  const google = await fetch(consentUrl, { redirect: 'manual' });
  const back = new URL(google.headers.get('location') as string);
  await http().get(`${back.pathname}${back.search}`).expect(302);
  await http().get(`/api/v1/clients/${clientId}/calendars`).set(user.auth).expect(200);
  // Import by default: the user's own events stay Calento's (merge would also export them to this calendar).
  await http().post('/api/v1/calendar/sync/initial').set(user.auth).send({ clientId, calendarId: account, strategy }).expect(202);
  await eventually(
    async () => ((await http().get('/api/v1/calendar/sync/status').query({ clientId }).set(user.auth)).body.data as { calendarId: string; state: string }[]).find((s) => s.calendarId === account)?.state === 'idle',
    60_000,
    `the first sync of ${name}`,
  );
  return clientId;
}

/**
 * Google's notifications delivered and every sync of the user idle: nothing Calento has yet to read from
 * Google (an echo of its own write could otherwise bring a Google-side change in before a test expects it).
 */
async function settled(user: TestUser): Promise<void> {
  await fake.waitForPush(20_000);
  await eventually(async () => ((await http().get('/api/v1/calendar/sync/status').set(user.auth)).body.data as { state: string }[]).every((s) => s.state === 'idle'), 30_000, 'idle syncs');
}

beforeAll(async () => {
  // http:// push addresses allowed: Google's notifications reach this loopback app.
  fake = await startFakeGoogle({ allowHttpPush: true });
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  oauth = fake.registerOAuthClient({ redirectUris: [`${baseUrl}/api/v1/oauth/callback`], name: 'Stacker' });
  fake.createAccount(ACME, { name: 'Acme Owner', timeZone: 'UTC' });
  fake.createAccount(GLOBEX, { name: 'Globex Owner', timeZone: 'UTC' });
  fake.seedEvents(ACME, [{ summary: 'Acme standup', start: { dateTime: at('08:00') }, end: { dateTime: at('08:30') } }]);
  fake.seedEvents(GLOBEX, [{ summary: 'Globex review', start: { dateTime: at('12:00') }, end: { dateTime: at('13:00') } }]);
  // The rest of the week, for the stacked view (and the screenshot in docs/web-app.md).
  const span = (day: number, from: string, to: string) => ({ start: { dateTime: weekday(day, from) }, end: { dateTime: weekday(day, to) } });
  fake.seedEvents(ACME, [
    { summary: 'Acme sprint planning', ...span(0, '09:30', '11:00') },
    { summary: 'Acme customer call', ...span(2, '13:00', '14:00') },
    { summary: 'Acme daily', start: { dateTime: weekday(0, '15:00'), timeZone: 'UTC' }, end: { dateTime: weekday(0, '15:15'), timeZone: 'UTC' }, recurrence: ['RRULE:FREQ=DAILY;COUNT=5'] },
  ]);
  fake.seedEvents(GLOBEX, [
    { summary: 'Globex design review', ...span(1, '10:00', '11:30') },
    { summary: 'Globex ops sync', ...span(3, '09:00', '10:00') },
    { summary: 'Globex launch', ...span(4, '13:30', '15:00') },
  ]);
  [t, browser] = await Promise.all([
    createServedTestApp({ ...fake.env, APP_BASE_URL: baseUrl, RATE_LIMIT_PUBLIC_PER_IP: '100000', JOB_POLL_INTERVAL_MS: '25', JOB_BACKOFF_BASE_MS: '20', JOB_BACKOFF_MAX_MS: '100' }, { port }),
    launchChromium(),
  ]);
  ada = await registerUser(t.http, { name: 'Ada Stacker', timezone: 'UTC' });
  acmeId = await connectedClient(ada, 'Acme Corp', '#d9480f', ACME);
  globexId = await connectedClient(ada, 'Globex', '#2b8a3e', GLOBEX);
}, 180_000);
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

const isProvoked = (text: string, url: string) =>
  provoked.some(([status, path]) => text.includes(`status of ${status}`) && (typeof path === 'string' ? new URL(url).pathname === path : path.test(new URL(url).pathname)));

/** Ada's dashboard in a fresh browser (signed in through the form). */
async function openDashboard(): Promise<Page> {
  context = await browser.newContext({ locale: 'en-GB', timezoneId: 'UTC', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  problems = [];
  provoked = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error' || isProvoked(message.text(), message.location().url)) return;
    problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('request', (req) => {
    if (!req.url().startsWith(t.baseUrl) && !req.url().startsWith('data:')) problems.push(`request to another origin: ${req.url()}`);
  });
  await page.goto(`${t.baseUrl}/app/signin`);
  await page.getByLabel('Email').fill(ada.email);
  await page.getByLabel('Password').fill(ada.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  await page.locator('#calendar').waitFor();
  return page;
}

type ApiEvent = { id: string; title: string; startTime: string; calendar: { clientId: string; calendarId: string } | null; seriesId: string | null };
async function events(): Promise<ApiEvent[]> {
  return (await http().get('/api/v1/events').query({ from: at('00:00'), to: `${today}T23:59:59Z`, expand: true, limit: 100 }).set(ada.auth).expect(200)).body.data;
}
const liveAtGoogle = (account: string, title: string) => fake.events(account).filter((e) => e.summary === title && e.status !== 'cancelled');
const onCalendar = (page: Page, title: string) => page.locator('#calendar [data-event-key]', { hasText: title }).first();

/** Fills the event dialog's times for today. */
async function fillTimes(page: Page, from: string, to: string): Promise<void> {
  const modal = page.getByRole('dialog');
  await modal.locator('#start-date').fill(today);
  await modal.locator('#start-time').fill(from);
  await modal.locator('#end-date').fill(today);
  await modal.locator('#end-time').fill(to);
}

describe('the Calendar Stacker on client calendars', () => {
  it("creates, edits and moves an event on a client's Google calendar in the dialog; Google's change meanwhile is a 409 in a toast", async () => {
    const page = await openDashboard();
    await onCalendar(page, 'Acme standup').waitFor();
    await onCalendar(page, 'Globex review').waitFor();

    // Created on Acme's calendar: at Google first, then on the dashboard in Acme's colour.
    const modal = await openNewEventModal(page);
    await expect(modal.getByLabel('Calendar').inputValue()).resolves.toBe('local');
    // The dialog's optional parts that are absent leave nothing behind (they once wrote "nullnullnull").
    await expect(modal.textContent()).resolves.not.toContain('null');
    await modal.getByLabel('Calendar').selectOption(`${acmeId}|${ACME}`);
    await modal.getByLabel('Title').fill('Acme kick-off');
    await fillTimes(page, '10:00', '11:00');
    await modal.getByRole('button', { name: 'Create' }).click();
    await page.getByText('“Acme kick-off” created.').waitFor();
    expect(liveAtGoogle(ACME, 'Acme kick-off')).toHaveLength(1);
    const kickoff = page.locator(`#calendar .client-${acmeId}`, { hasText: 'Acme kick-off' }).first();
    await kickoff.waitFor();
    const created = (await events()).find((e) => e.title === 'Acme kick-off')!;
    expect(created.calendar).toMatchObject({ clientId: acmeId, calendarId: ACME });

    // Edited: through PUT /clients/:id/calendars/:calendarId/events/:eventId, i.e. a PATCH at Google with its etag.
    fake.clearRequests();
    await kickoff.click();
    const edit = page.getByRole('dialog', { name: 'Edit event' });
    await expect(edit.getByLabel('Calendar').inputValue()).resolves.toBe(`${acmeId}|${ACME}`);
    await edit.getByLabel('Title').fill('Acme kick-off (agenda)');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    await edit.waitFor({ state: 'detached' });
    const googleId = liveAtGoogle(ACME, 'Acme kick-off (agenda)')[0]?.id as string;
    expect(googleId).toBeTruthy();
    const patches = fake.requests({ method: 'PATCH', account: ACME });
    expect(patches).toHaveLength(1);
    expect(patches[0].headers['if-match']).toBeTruthy();

    // Changed at Google meanwhile: the API's 409 detail in a toast, nothing overwritten at Google. (Its push
    // notification is held back, so Calento has not synced the change before the save.)
    await settled(ada);
    fake.setPushFaults({ paused: true });
    fake.updateEvent(ACME, googleId, { location: 'Changed at Google' });
    provoked.push([409, new RegExp(`^/api/v1/clients/${acmeId}/calendars/.+/events/${created.id}$`)]);
    await page.locator(`#calendar .client-${acmeId}`, { hasText: 'Acme kick-off (agenda)' }).first().click();
    await edit.getByLabel('Title').fill('Mine, not Google’s');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.locator('#toasts [data-kind="danger"]', { hasText: 'The event was changed at Google since you read it' }).waitFor();
    await edit.locator('.form-error', { hasText: 'The event was changed at Google since you read it' }).waitFor();
    expect(fake.getEvent(ACME, googleId)?.summary).toBe('Acme kick-off (agenda)');
    fake.setPushFaults({ paused: false });
    // Error toasts stay until closed.
    await page.locator('#toasts [data-kind="danger"]').getByRole('button', { name: 'Close' }).click();
    await edit.getByRole('button', { name: 'Cancel' }).click();
    await edit.waitFor({ state: 'detached' });

    // Moved in the dialog to Globex's calendar: created there, gone from Acme's.
    await openNewEventModal(page);
    await modal.getByLabel('Calendar').selectOption(`${acmeId}|${ACME}`);
    await modal.getByLabel('Title').fill('Acme retro');
    await fillTimes(page, '14:00', '15:00');
    await modal.getByRole('button', { name: 'Create' }).click();
    await page.getByText('“Acme retro” created.').waitFor();
    await page.locator(`#calendar .client-${acmeId}`, { hasText: 'Acme retro' }).first().click();
    await edit.getByLabel('Calendar').selectOption(`${globexId}|${GLOBEX}`);
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByText('“Acme retro” moved to').waitFor();
    await page.locator(`#calendar .client-${globexId}`, { hasText: 'Acme retro' }).first().waitFor();
    expect(liveAtGoogle(GLOBEX, 'Acme retro')).toHaveLength(1);
    expect(liveAtGoogle(ACME, 'Acme retro')).toHaveLength(0);
    expect((await events()).filter((e) => e.title === 'Acme retro').map((e) => e.calendar?.clientId)).toEqual([globexId]);
  });

  it('switches to one client, with or without your own events, and remembers the choice', async () => {
    await http().post('/api/v1/events').set(ada.auth).send({ title: 'Dentist', startTime: at('16:00'), endTime: at('17:00'), timezone: 'UTC' }).expect(201);
    const page = await openDashboard();
    await onCalendar(page, 'Dentist').waitFor();
    await onCalendar(page, 'Globex review').waitFor();

    await page.getByLabel('Switch client').selectOption({ label: 'Acme Corp' });
    await onCalendar(page, 'Globex review').waitFor({ state: 'detached' });
    await onCalendar(page, 'Acme standup').waitFor();
    await onCalendar(page, 'Dentist').waitFor();
    // The legend lists the focused client only.
    await expect(page.locator('#legend-desktop').getByText('Globex').count()).resolves.toBe(0);
    await page.getByLabel('With my events').uncheck();
    await onCalendar(page, 'Dentist').waitFor({ state: 'detached' });

    // A new event defaults to the focused client's calendar.
    await openNewEventModal(page);
    await expect(page.getByRole('dialog', { name: 'New event' }).getByLabel('Calendar').inputValue()).resolves.toBe(`${acmeId}|${ACME}`);
    await page.getByRole('dialog', { name: 'New event' }).getByRole('button', { name: 'Cancel' }).click();

    // Remembered across a reload, like the legend.
    await page.reload();
    await onCalendar(page, 'Acme standup').waitFor();
    await expect(page.getByLabel('Switch client').inputValue()).resolves.toBe(acmeId);
    await expect(page.getByLabel('With my events').isChecked()).resolves.toBe(false);
    await expect(onCalendar(page, 'Dentist').count()).resolves.toBe(0);

    await page.getByLabel('Switch client').selectOption({ label: 'All clients' });
    await onCalendar(page, 'Globex review').waitFor();
    await onCalendar(page, 'Dentist').waitFor();
    await expect(page.getByLabel('With my events').isVisible()).resolves.toBe(false);
  });

  it('selects events with the mouse and the keyboard, moves them to another client calendar and deletes them, reporting each failure', async () => {
    const acmeCal = `/api/v1/clients/${acmeId}/calendars/${encodeURIComponent(ACME)}/events`;
    await http().post(acmeCal).set(ada.auth).send({ title: 'Bulk one', startTime: at('09:00'), endTime: at('09:30'), timezone: 'UTC' }).expect(201);
    await http().post('/api/v1/events').set(ada.auth).send({ title: 'Bulk two', startTime: at('10:00'), endTime: at('10:30'), timezone: 'UTC' }).expect(201);
    await http().post('/api/v1/events').set(ada.auth).send({ title: 'Bulk series', startTime: at('11:00'), endTime: at('11:30'), timezone: 'UTC', recurrenceRule: 'FREQ=DAILY;COUNT=3' }).expect(201);
    const page = await openDashboard();
    await onCalendar(page, 'Bulk one').waitFor();

    await expect(page.locator('#bulk-bar').isVisible()).resolves.toBe(false);
    await page.getByRole('button', { name: 'Select', exact: true }).click();
    await expect(page.getByRole('button', { name: 'Done selecting' }).getAttribute('aria-pressed')).resolves.toBe('true');
    await page.getByText('0 selected').waitFor();
    // A click selects (no dialog); Enter on a focused event does too.
    await onCalendar(page, 'Bulk one').click();
    await page.getByText('1 selected').waitFor();
    await expect(onCalendar(page, 'Bulk one').getAttribute('aria-pressed')).resolves.toBe('true');
    await onCalendar(page, 'Bulk two').focus();
    await page.keyboard.press('Enter');
    await page.getByText('2 selected').waitFor();
    await expect(page.getByRole('dialog').count()).resolves.toBe(0);
    // A repeating event is refused, in words.
    await onCalendar(page, 'Bulk series').click();
    await page.getByText('“Bulk series” repeats: bulk actions leave repeating events alone.', { exact: false }).waitFor();
    await page.getByText('2 selected').waitFor();

    // Move both to Globex's calendar: created there at Google, gone from Acme's and from Calento's own.
    await page.getByRole('button', { name: 'Move to calendar…' }).click();
    const move = page.getByRole('dialog', { name: 'Move 2 events' });
    await move.getByLabel('Move to').selectOption(`${globexId}|${GLOBEX}`);
    await move.getByRole('button', { name: 'Move 2' }).click();
    await page.getByText('2 events moved to Globex', { exact: false }).waitFor();
    await page.getByText('0 selected').waitFor();
    expect(liveAtGoogle(GLOBEX, 'Bulk one')).toHaveLength(1);
    expect(liveAtGoogle(GLOBEX, 'Bulk two')).toHaveLength(1);
    expect(liveAtGoogle(ACME, 'Bulk one')).toHaveLength(0);
    const moved = (await events()).filter((e) => e.title.startsWith('Bulk ') && !e.seriesId);
    expect(moved.map((e) => [e.title, e.calendar?.clientId]).sort()).toEqual([['Bulk one', globexId], ['Bulk two', globexId]]);
    await page.locator(`#calendar .client-${globexId}`, { hasText: 'Bulk two' }).first().waitFor();

    // Delete both, one refused by Google: the failure is reported with the API's detail and stays selected.
    await page.locator(`#calendar .client-${globexId}`, { hasText: 'Bulk one' }).first().click();
    await page.locator(`#calendar .client-${globexId}`, { hasText: 'Bulk two' }).first().click();
    await page.getByText('2 selected').waitFor();
    const bulkTwoAtGoogle = liveAtGoogle(GLOBEX, 'Bulk two')[0].id;
    // Google's client library retries a 503 a few times: enough of them for the API to give up (502).
    fake.injectFault({ method: 'DELETE', path: `/calendar/v3/calendars/*/events/${bulkTwoAtGoogle}`, status: 503, times: 20 });
    provoked.push([502, new RegExp(`^/api/v1/clients/${globexId}/calendars/.+/events/`)]);
    await page.getByRole('button', { name: 'Delete 2' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete 2 events?' });
    await confirm.getByText('“Bulk one”', { exact: false }).waitFor();
    await confirm.getByRole('button', { name: 'Delete 2' }).click();
    await page.locator('#toasts [data-kind="danger"]', { hasText: '“Bulk two” was not deleted:' }).waitFor();
    await page.getByText('1 event deleted.').waitFor();
    await page.getByText('1 selected').waitFor();
    expect(liveAtGoogle(GLOBEX, 'Bulk one')).toHaveLength(0);
    expect(liveAtGoogle(GLOBEX, 'Bulk two')).toHaveLength(1);

    // Again, Google up, and it goes.
    fake.clearFaults();
    await page.getByRole('button', { name: 'Delete 1' }).click();
    await page.getByRole('dialog', { name: 'Delete 1 event?' }).getByRole('button', { name: 'Delete 1' }).click();
    await page.getByText('1 event deleted.').nth(1).waitFor();
    expect(liveAtGoogle(GLOBEX, 'Bulk two')).toHaveLength(0);
    expect((await events()).filter((e) => e.title === 'Bulk one' || e.title === 'Bulk two')).toEqual([]);

    // Leaving Select mode: a click opens the event again.
    await page.getByRole('button', { name: 'Done selecting' }).click();
    await onCalendar(page, 'Acme standup').click();
    await page.getByRole('dialog', { name: 'Edit event' }).waitFor();
  });

  it('stacks both clients in their colours, and keeps Switch client and Select usable at 375 px', async () => {
    await http().post('/api/v1/events').set(ada.auth).send({ title: 'Focus time', startTime: weekday(3, '13:00'), endTime: weekday(3, '15:00'), timezone: 'UTC' }).expect(201);
    const page = await openDashboard();
    for (const title of ['Acme sprint planning', 'Globex design review', 'Globex launch', 'Focus time']) await onCalendar(page, title).waitFor();
    await page.locator('#calendar .occurrence', { hasText: 'Acme daily' }).first().waitFor();
    // Each client's events in its colour, yours in slate; the legend names both clients.
    const background = (title: string) => page.evaluate<string>(`getComputedStyle([...document.querySelectorAll('#calendar [data-event-key]')].find((e) => e.textContent.includes(${JSON.stringify(title)}))).backgroundColor`);
    await expect(background('Acme sprint planning')).resolves.toBe('rgb(217, 72, 15)');
    await expect(background('Globex design review')).resolves.toBe('rgb(43, 138, 62)');
    await expect(background('Focus time')).resolves.toBe('rgb(100, 116, 139)');
    await page.locator('#legend-desktop').getByLabel('Acme Corp', { exact: true }).waitFor();
    await page.locator('#legend-desktop').getByLabel('Globex', { exact: true }).waitFor();
    // WEB_APP_SCREENSHOT=docs/web-app.png keeps a picture of this dashboard (docs/web-app.md).
    if (process.env.WEB_APP_SCREENSHOT) await page.screenshot({ path: process.env.WEB_APP_SCREENSHOT });

    await page.setViewportSize({ width: 375, height: 812 });
    const overflow = () => page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    await page.getByLabel('Switch client').selectOption({ label: 'Globex' });
    await page.getByLabel('With my events').waitFor();
    await page.getByRole('button', { name: 'Select', exact: true }).click();
    await page.getByText('0 selected').waitFor();
    await page.getByRole('button', { name: 'Move to calendar…' }).waitFor();
    await expect(overflow()).resolves.toBeLessThanOrEqual(0);
  });

  // Last two: Initech's merge sync exports Ada's own events from then on.
  it('lists a sync conflict above the calendar and resolves it with Google’s version', async () => {
    const INITECH = 'initech.owner@example.com';
    fake.createAccount(INITECH, { name: 'Initech Owner', timeZone: 'UTC' });
    const [googleId] = fake.seedEvents(INITECH, [{ summary: 'Initech review', start: { dateTime: at('17:00') }, end: { dateTime: at('18:00') } }]);
    const initechId = await connectedClient(ada, 'Initech', '#5f3dc4', INITECH, 'merge');
    const local = (await events()).find((e) => e.title === 'Initech review')!;
    // The same field changed on both sides before either saw the other's change (Google's notification held
    // back): the push-back's If-Match fails.
    await settled(ada);
    fake.setPushFaults({ paused: true });
    fake.updateEvent(INITECH, googleId, { summary: 'Initech review (Google)' });
    await http().patch(`/api/v1/events/${local.id}`).set(ada.auth).send({ title: 'Initech review (Calento)' }).expect(200);
    await eventually(async () => (await http().get('/api/v1/calendar/sync/conflicts').set(ada.auth).expect(200)).body.data.length === 1, 30_000, 'the conflict');
    fake.setPushFaults({ paused: false });

    const page = await openDashboard();
    const panel = page.getByRole('region', { name: '1 sync conflict' });
    await panel.getByText('Initech review (Calento)', { exact: false }).waitFor();
    await panel.getByText('Initech review (Google)', { exact: false }).waitFor();
    await panel.getByText(`Initech · ${INITECH} · changed on both sides: title`).waitFor();
    await page.locator(`#calendar .client-${initechId}`, { hasText: 'Initech review (Calento)' }).first().waitFor();
    await panel.getByRole('button', { name: 'Keep Google’s' }).click();
    await page.getByText('Conflict resolved.').waitFor();
    await panel.waitFor({ state: 'detached' });
    await page.locator(`#calendar .client-${initechId}`, { hasText: 'Initech review (Google)' }).first().waitFor();
    expect((await http().get(`/api/v1/events/${local.id}`).set(ada.auth).expect(200)).body.title).toBe('Initech review (Google)');
    expect(fake.getEvent(INITECH, googleId)?.summary).toBe('Initech review (Google)');
  });

  it("creates a weekly series on a client calendar, changes one occurrence for Google, and shows Google's own edit after its push", async () => {
    const INITECH = 'initech.owner@example.com';
    const initechId = (await http().get('/api/v1/clients').set(ada.auth).expect(200)).body.data.find((c: { name: string }) => c.name === 'Initech').id as string;
    const page = await openDashboard();
    const modal = await openNewEventModal(page);
    await modal.getByLabel('Calendar').selectOption(`${initechId}|${INITECH}`);
    await modal.getByLabel('Title').fill('Initech weekly');
    await fillTimes(page, '18:00', '18:30');
    await modal.getByLabel('Repeat').selectOption('WEEKLY');
    await modal.getByRole('button', { name: 'Create' }).click();
    await page.getByText('“Initech weekly” created.').waitFor();
    const master = liveAtGoogle(INITECH, 'Initech weekly')[0];
    expect(master?.recurrence).toEqual(['RRULE:FREQ=WEEKLY']);

    // This occurrence only, half an hour later: Google gets it as the instance's exception (push-back).
    await page.locator(`#calendar .occurrence.client-${initechId}`, { hasText: 'Initech weekly' }).first().click();
    const edit = page.getByRole('dialog', { name: 'Edit event' });
    await expect(edit.getByLabel('Calendar').isDisabled()).resolves.toBe(true);
    await edit.getByLabel('This event', { exact: true }).check();
    await edit.getByLabel('Title').fill('Initech weekly (once)');
    await fillTimes(page, '18:30', '19:00');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    const instance = fake.instanceId(master.id as string, at('18:00'));
    await eventually(() => fake.getEvent(INITECH, instance)?.summary === 'Initech weekly (once)', 30_000, 'the exception at Google');
    expect((fake.getEvent(INITECH, instance)?.start as { dateTime: string }).dateTime).toMatch(/T18:30:00/);

    // Renamed at Google: its push notification brings it to Calento; next week's occurrence shows it.
    fake.updateEvent(INITECH, master.id as string, { summary: 'Initech weekly (renamed at Google)' });
    await eventually(async () => (await http().get(`/api/v1/events/${(await events()).find((e) => e.title === 'Initech weekly (once)')?.seriesId}`).set(ada.auth)).body.title === 'Initech weekly (renamed at Google)', 30_000, 'the push');
    await page.getByRole('button', { name: /next/i }).first().click();
    await page.locator(`#calendar .occurrence.client-${initechId}`, { hasText: 'Initech weekly (renamed at Google)' }).first().waitFor();
  });
});
