import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { createTestApp, type TestApp } from './test-app.js';

export interface ServedTestApp extends TestApp {
  /** Where a browser reaches the app, e.g. http://127.0.0.1:41234 */
  baseUrl: string;
}


/** The test app (same createApp() as production) listening on a loopback port (a free one unless given). */
export async function createServedTestApp(overrides: Record<string, string> = {}, options: { port?: number } = {}): Promise<ServedTestApp> {
  const t = await createTestApp(overrides);
  await t.app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const { port } = t.app.getHttpServer().address() as AddressInfo;
  return { ...t, baseUrl: `http://127.0.0.1:${port}` };
}

/**
 * Debian's Chromium (apt package `chromium`), never a downloaded browser. Without the background
 * networking flags it keeps trying Google's hosts, which this machine's closed network refuses.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** Signs a new account up through the web app's own form, from its sign-in page to the dashboard. */
export async function signUpInBrowser(page: Page, account: { name: string; email: string; password: string }): Promise<void> {
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('Name').fill(account.name);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}

/**
 * Drags a calendar event down by `hours` of its own height (an event one hour tall), with the mouse as a
 * person would. The calendar refetches after each save, and a re-render in the middle of a gesture
 * cancels the drag, so the gesture starts once the page is quiet.
 */
export async function dragEventDown(page: Page, event: Locator, hours: number): Promise<void> {
  await page.waitForLoadState('networkidle');
  await event.scrollIntoViewIfNeeded();
  const box = (await event.boundingBox())!;
  const x = box.x + box.width / 2;
  await page.mouse.move(x, box.y + 5);
  await page.mouse.down();
  for (let hour = 1; hour <= hours; hour++) await page.mouse.move(x, box.y + 5 + hour * box.height, { steps: 8 });
  await page.mouse.up();
}

/**
 * Opens the event dialog with "+ New event" and waits until it has finished opening: on open the dialog
 * takes the focus (Bootstrap's focus trap, then the title field), so typing before that races it and a
 * value can land nowhere.
 */
export async function openNewEventModal(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: '+ New event' }).click();
  const modal = page.getByRole('dialog', { name: 'New event' });
  await modal.waitFor();
  await modal.locator('input[name="title"]:focus').waitFor();
  return modal;
}
