import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import request from 'supertest';
import { createServedTestApp, launchChromium, type ServedTestApp } from '../setup/browser.js';
import { registerUser } from '../factories/users.js';

// The booking pages in Debian's Chromium. The host works Mon–Fri 09:00–17:00 UTC; the visitor's browser
// is in Tokyo (UTC+9, no daylight saving), so a UTC Monday's slots show as 18:00–23:30 that Monday and
// 00:00–01:30 on the Tuesday.

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

const phone: BrowserContextOptions = { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true };

async function open(path: string, options: BrowserContextOptions = {}): Promise<Page> {
  context = await browser.newContext({ timezoneId: 'Asia/Tokyo', locale: 'en-GB', ...options });
  const page = await context.newPage();
  pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of (404|409|400)/.test(message.text())) pageErrors.push(message.text());
  });
  await page.goto(`${t.baseUrl}${path}`);
  return page;
}

let counter = 0;

/** A host with weekday hours in UTC and a 30-minute link. */
async function newLink(fields: object = {}) {
  const host = await registerUser(t.http, { name: 'Hope Host', timezone: 'UTC' });
  const rules = [1, 2, 3, 4, 5].map((dayOfWeek) => ({ dayOfWeek, startTime: '09:00', endTime: '17:00' }));
  await request(t.http).put('/api/v1/availability/schedule').set(host.auth).send({ timezone: 'UTC', rules }).expect(200);
  const slug = `browser-${Date.now().toString(36)}-${++counter}`;
  const link = await request(t.http)
    .post('/api/v1/booking-links')
    .set(host.auth)
    .send({ slug, title: 'Intro call', durationMinutes: 30, description: 'A first chat.\nBring questions.', location: 'Video call', ...fields })
    .expect(201);
  return { host, slug, id: link.body.id as string };
}

/** The UTC Monday at least two weeks ahead: inside the booking window, as a Tokyo date too. */
const monday = (() => {
  const today = DateTime.utc().startOf('day');
  return today.plus({ days: 14 + ((8 - today.weekday) % 7) });
})();
const mondayDate = monday.toISODate() as string;
const utcAt = (hour: number) => monday.set({ hour }).toJSDate();

/** Pages forward to the month of `date` (in the visitor's zone) and picks that day. */
async function chooseDay(page: Page, date: string, viaKeyboard = false): Promise<void> {
  const day = page.locator(`button.day[data-date="${date}"]`);
  for (let months = 0; months < 4; months++) {
    await page.locator('table.calendar:not([aria-busy]) tbody').waitFor();
    if (await day.count()) break;
    await page.getByRole('button', { name: 'Next month' }).click();
  }
  if (viaKeyboard) {
    await day.focus();
    await page.keyboard.press('Enter');
  } else {
    await day.click();
  }
}

const slotLabels = (page: Page) => page.locator('button.slot').allTextContents();

async function bookings(linkId: string) {
  const { rows } = await t.db.query<{ start_time: Date; status: string; booker_timezone: string; cancel_reason: string | null }>(
    'SELECT start_time, status, booker_timezone, cancel_reason FROM bookings WHERE booking_link_id = $1',
    [linkId],
  );
  return rows;
}

describe('booking page', () => {
  it("shows the link and its free times in the browser's zone on a phone-sized screen", async () => {
    const { slug } = await newLink();
    const page = await open(`/book/${slug}`, phone);
    await expect(page.locator('h1').textContent()).resolves.toBe('Intro call');
    await expect(page.locator('.host').textContent()).resolves.toBe('Hope Host');
    await expect(page.locator('.facts li').allTextContents()).resolves.toEqual(['30 min', 'Video call']);
    await expect(page.locator('.description').innerText()).resolves.toBe('A first chat.\nBring questions.');
    await expect(page.locator('#pick .zone-name').textContent()).resolves.toBe('Asia/Tokyo');

    await chooseDay(page, mondayDate);
    const dayButton = page.locator(`button.day[data-date="${mondayDate}"]`);
    await expect(dayButton.getAttribute('aria-pressed')).resolves.toBe('true');
    await expect(dayButton.getAttribute('aria-label')).resolves.toMatch(/: 12 free times$/);
    // 09:00–16:30 UTC is 18:00–23:30 in Tokyo, and the rest spills into Tokyo's Tuesday.
    await expect(slotLabels(page)).resolves.toEqual(
      Array.from({ length: 12 }, (_, i) => DateTime.fromObject({ hour: 18 }).plus({ minutes: 30 * i }).toFormat('HH:mm')),
    );
    await chooseDay(page, monday.plus({ days: 1 }).toISODate() as string);
    await expect(slotLabels(page)).resolves.toEqual(expect.arrayContaining(['00:00', '00:30', '01:00', '01:30', '18:00']));
    await expect(page.locator('#picker h3:focus').count()).resolves.toBe(1);

    await page.locator('button.slot', { hasText: '23:30' }).click();
    await page.locator('#details').waitFor();
    // Nothing wider than the phone: no sideways scrolling.
    await expect(page.evaluate<number>('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(375);
    if (process.env.BOOKING_PAGE_SCREENSHOT) {
      await page.locator('#pick-heading').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(tmpdir(), 'calento-booking-page-375.png'), fullPage: true });
    }
  });

  it('books a slot with the keyboard, shows the confirmation and manage link, then reschedules and cancels there', async () => {
    const { slug, id } = await newLink();
    const page = await open(`/book/${slug}`, { viewport: { width: 1280, height: 900 } });
    await chooseDay(page, mondayDate, true);
    await page.locator('button.slot', { hasText: '19:00' }).focus();
    await page.keyboard.press('Enter');
    await expect(page.locator(':focus').getAttribute('id')).resolves.toBe('details-heading');
    await expect(page.locator('#chosen-time').textContent()).resolves.toContain('19:00 – 19:30');
    await page.getByLabel('Name').fill('Grace Hopper');
    await page.getByLabel('Email').fill('grace@example.com');
    await page.getByLabel('Phone (optional)').fill('+81 3 1234 5678');
    await page.getByLabel('Notes (optional)').fill('See you <soon>');
    const posts: string[] = [];
    page.on('request', (req) => {
      if (req.method() === 'POST') posts.push(req.headers()['idempotency-key']);
    });
    await page.getByRole('button', { name: 'Book', exact: true }).dblclick();

    await page.locator('#done').waitFor();
    await expect(page.locator(':focus').getAttribute('id')).resolves.toBe('done-heading');
    const summary = await page.locator('#done-summary').innerText();
    expect(summary).toContain('Intro call');
    expect(summary).toContain('Hope Host');
    expect(summary).toContain('19:00 – 19:30');
    expect(summary).toContain('Asia/Tokyo');
    await expect(page.locator('#done-email').textContent()).resolves.toBe('grace@example.com');
    await expect(page.locator('#pick').isHidden()).resolves.toBe(true);
    // A double click is one request, with a key; one booking exists, at 10:00 UTC, in the visitor's zone.
    expect(posts).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    expect(await bookings(id)).toEqual([expect.objectContaining({ start_time: utcAt(10), status: 'confirmed', booker_timezone: 'Asia/Tokyo' })]);

    const manage = page.getByRole('link', { name: 'Manage your booking' });
    await expect(manage.getAttribute('href')).resolves.toMatch(/^\/book\/manage\/[A-Za-z0-9_-]{43}$/);
    await manage.click();
    await page.locator('#booking').waitFor();
    await expect(page.locator('h1').textContent()).resolves.toBe('Intro call');
    await expect(page.locator('#state').textContent()).resolves.toBe('Confirmed');
    await expect(page.locator('#summary').innerText()).resolves.toContain('19:00 – 19:30');

    await page.getByRole('button', { name: 'Reschedule' }).click();
    await expect(page.locator('#reschedule-open').getAttribute('aria-expanded')).resolves.toBe('true');
    await chooseDay(page, mondayDate);
    // Its own slot is taken by itself; the others are offered.
    await expect(slotLabels(page)).resolves.not.toContain('19:00');
    await page.locator('button.slot', { hasText: '20:00' }).click();
    await expect(page.locator('#move-time').textContent()).resolves.toContain('20:00 – 20:30');
    await page.getByRole('button', { name: 'Move booking' }).click();
    await page.locator('#message:not(:empty)').waitFor();
    await expect(page.locator('#message').textContent()).resolves.toContain('Your booking moved to');
    await expect(page.locator('#summary').innerText()).resolves.toContain('20:00 – 20:30');
    await expect(page.locator('#reschedule').isHidden()).resolves.toBe(true);
    expect(await bookings(id)).toEqual([expect.objectContaining({ start_time: utcAt(11), status: 'confirmed' })]);

    await page.getByRole('button', { name: 'Cancel booking' }).click();
    await page.getByLabel('Reason').fill('Something came up');
    await page.getByRole('button', { name: 'Yes, cancel booking' }).click();
    await page.locator('#state.cancelled').waitFor();
    await expect(page.locator('#message').textContent()).resolves.toContain('cancelled');
    await expect(page.locator('#actions').isHidden()).resolves.toBe(true);
    expect(await bookings(id)).toEqual([expect.objectContaining({ status: 'cancelled', cancel_reason: 'Something came up' })]);
  });

  it('blocks an empty name and a bad email without a request, and shows server errors by their fields', async () => {
    const { slug } = await newLink();
    const page = await open(`/book/${slug}`, phone);
    await chooseDay(page, mondayDate);
    await page.locator('button.slot').first().click();
    const posts: string[] = [];
    page.on('request', (req) => {
      if (req.method() === 'POST') posts.push(req.url());
    });
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByRole('button', { name: 'Book', exact: true }).click();
    await expect(page.locator('#name-error').textContent()).resolves.toBe('Enter your name.');
    await expect(page.locator('#email-error').textContent()).resolves.toBe('Enter an email address like name@example.com.');
    await expect(page.getByLabel('Name').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator(':focus').getAttribute('id')).resolves.toBe('name');
    expect(posts).toEqual([]);

    // Typing clears a field's error; the API's stricter email check comes back next to the field.
    await page.getByLabel('Name').fill('Grace');
    await expect(page.locator('#name-error').isHidden()).resolves.toBe(true);
    await page.getByLabel('Email').fill('grace@example.c');
    await page.getByRole('button', { name: 'Book', exact: true }).click();
    await page.locator('#email-error:not(:empty)').waitFor();
    await expect(page.locator('#email-error').textContent()).resolves.toBe('Email must be a valid email address.');
    await expect(page.getByLabel('Email').getAttribute('aria-invalid')).resolves.toBe('true');
    expect(posts).toHaveLength(1);
  });

  it('says when a slot was just taken and refreshes the free times', async () => {
    const { slug } = await newLink();
    const page = await open(`/book/${slug}`);
    await chooseDay(page, mondayDate);
    await page.locator('button.slot', { hasText: '21:00' }).click();
    await page.getByLabel('Name').fill('Late Booker');
    await page.getByLabel('Email').fill('late@example.com');
    // Someone else books 12:00 UTC (21:00 in Tokyo) while this visitor types.
    await request(t.http)
      .post('/api/v1/bookings')
      .send({ slug, start: utcAt(12).toISOString(), name: 'Quick', email: 'quick@example.com', timezone: 'UTC' })
      .expect(201);
    await page.getByRole('button', { name: 'Book', exact: true }).click();
    const alert = page.locator('#picker .alert');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toBe('Sorry, someone else just booked that time. Please pick another one.');
    await expect(page.locator('#details').isHidden()).resolves.toBe(true);
    await expect(slotLabels(page)).resolves.not.toContain('21:00');
    await expect(slotLabels(page)).resolves.toContain('21:30');
    // The details typed so far are kept for the next pick.
    await page.locator('button.slot', { hasText: '21:30' }).click();
    await expect(page.getByLabel('Name').inputValue()).resolves.toBe('Late Booker');
  });
});

describe('clock changes', () => {
  it('tells apart the times a clock change repeats, in the slot buttons and the chosen time', async () => {
    // The next night at least two days ahead on which one of these zones turns its clock back.
    const zones = ['Australia/Lord_Howe', 'Europe/London', 'America/New_York', 'America/Santiago'];
    const [zone, date] = (() => {
      for (let days = 2; days < 400; days++) {
        for (const candidate of zones) {
          const day = DateTime.now().setZone(candidate).plus({ days }).startOf('day');
          if (day.endOf('day').offset < day.offset) return [candidate, day.toISODate() as string];
        }
      }
      throw new Error('no clock change found');
    })();
    const host = await registerUser(t.http, { name: 'Hope Host', timezone: 'UTC' });
    const rules = [0, 1, 2, 3, 4, 5, 6].map((dayOfWeek) => ({ dayOfWeek, startTime: '00:00', endTime: '24:00' }));
    await request(t.http).put('/api/v1/availability/schedule').set(host.auth).send({ timezone: 'UTC', rules }).expect(200);
    const slug = `browser-${Date.now().toString(36)}-${++counter}`;
    await request(t.http).post('/api/v1/booking-links').set(host.auth).send({ slug, title: 'Intro call', durationMinutes: 30, bookingWindowDays: null }).expect(201);

    const page = await open(`/book/${slug}`, { timezoneId: zone });
    const day = page.locator(`button.day[data-date="${date}"]`);
    for (let months = 0; months < 14 && !(await day.count()); months++) {
      await page.locator('table.calendar:not([aria-busy]) tbody').waitFor();
      if (await day.count()) break;
      await page.getByRole('button', { name: 'Next month' }).click();
      await page.locator('table.calendar:not([aria-busy]) tbody').waitFor();
    }
    await day.click();
    const buttons = page.locator('button.slot');
    const labels = await buttons.allTextContents();
    const starts = (await Promise.all((await buttons.all()).map((button) => button.getAttribute('data-start')))) as string[];
    // Every half hour of the long day is offered, and no two buttons read the same.
    const length = DateTime.fromISO(date, { zone }).plus({ days: 1 }).diff(DateTime.fromISO(date, { zone }), 'minutes').minutes;
    expect(starts).toHaveLength(length / 30);
    expect(new Set(labels).size).toBe(labels.length);
    // The first of two same-looking times, chosen, says which one it is.
    const repeated = starts.findIndex((start, i) => starts.some((other, j) => j !== i && DateTime.fromISO(other, { zone }).toFormat('HH:mm') === DateTime.fromISO(start, { zone }).toFormat('HH:mm')));
    const twin = starts.findIndex((start, j) => j !== repeated && DateTime.fromISO(start, { zone }).toFormat('HH:mm') === DateTime.fromISO(starts[repeated], { zone }).toFormat('HH:mm'));
    await buttons.nth(repeated).click();
    const first = await page.locator('#chosen-time').textContent();
    await page.getByRole('button', { name: 'Change time' }).click();
    await buttons.nth(twin).click();
    expect(await page.locator('#chosen-time').textContent()).not.toBe(first);
  });
});

describe('manage page', () => {
  it('offers only cancelling when the link was deactivated, and explains an unknown token', async () => {
    const { host, slug, id } = await newLink();
    const created = await request(t.http)
      .post('/api/v1/bookings')
      .send({ slug, start: utcAt(9).toISOString(), name: 'Grace', email: 'grace@example.com', timezone: 'Asia/Tokyo' })
      .expect(201);
    await request(t.http).patch(`/api/v1/booking-links/${id}`).set(host.auth).send({ isActive: false }).expect(200);

    const page = await open(`/book/manage/${created.body.manageToken}`, phone);
    await page.locator('#booking').waitFor();
    await expect(page.locator('#summary').innerText()).resolves.toContain('18:00 – 18:30');
    await expect(page.locator('#reschedule-open').isHidden()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Cancel booking' }).click();
    await page.getByRole('button', { name: 'Yes, cancel booking' }).click();
    await page.locator('#state.cancelled').waitFor();
    expect(await bookings(id)).toEqual([expect.objectContaining({ status: 'cancelled', cancel_reason: null })]);

    await page.goto(`${t.baseUrl}/book/manage/${'x'.repeat(43)}`);
    await page.locator('#load-error').waitFor();
    await expect(page.locator('#load-error').textContent()).resolves.toContain('does not match a booking');
    await expect(page.locator('#booking').isHidden()).resolves.toBe(true);
  });
});
