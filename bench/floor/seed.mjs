// The data both servers of the floor bench read, created through Calento's API: a user with 10,000 events
// (the events bench's), and a booking host (the booking bench's: weekday hours, a 30-minute link with
// buffers and a daily limit, 1,000 events and 20 series over the next 60 days).
import { DateTime } from 'luxon';
import { register } from '../lib.mjs';

export const EVENTS_PATH = '/api/v1/events?from=2026-03-01T00:00:00Z&to=2026-03-08T00:00:00Z&limit=50';
const hostZone = 'America/New_York';

function caller(base, accessToken) {
  const headers = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
  return async (method, path, body) => {
    const res = await fetch(`${base}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
}

/** 10,000 events, one every 53 minutes from 1 January 2026; returns the user's access token. */
export async function seedEventsUser(base) {
  const { accessToken } = await register(base, `floor-events-${Date.now()}@example.com`);
  const call = caller(base, accessToken);
  for (let batch = 0; batch < 100; batch++) {
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => {
        const start = new Date(Date.UTC(2026, 0, 1) + (batch * 100 + i) * 53 * 60_000);
        return call('POST', '/api/v1/events', {
          title: `Event ${batch * 100 + i}`,
          startTime: start.toISOString(),
          endTime: new Date(start.getTime() + 45 * 60_000).toISOString(),
        });
      }),
    );
  }
  return accessToken;
}

/** The booking host; returns the path of the booking page's slot request for a 30-day window. */
export async function seedBookingHost(base) {
  const { accessToken } = await register(base, `floor-host-${Date.now()}@example.com`);
  const call = caller(base, accessToken);
  await call('PATCH', '/api/v1/users/me', { timezone: hostZone });
  await call('PUT', '/api/v1/availability/schedule', {
    timezone: hostZone,
    rules: [1, 2, 3, 4, 5].flatMap((dayOfWeek) => [
      { dayOfWeek, startTime: '09:00', endTime: '12:00' },
      { dayOfWeek, startTime: '13:00', endTime: '17:30' },
    ]),
  });
  const slug = `floor-${process.pid}`;
  await call('POST', '/api/v1/booking-links', {
    slug, title: 'Floor', durationMinutes: 30, bufferBeforeMinutes: 10, bufferAfterMinutes: 10, maxBookingsPerDay: 8, bookingWindowDays: 90,
  });
  const first = DateTime.now().setZone(hostZone).startOf('day').plus({ days: 1 });
  for (let batch = 0; batch < 10; batch++) {
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => {
        const n = batch * 100 + i;
        const start = first.plus({ minutes: n * 83 + 9 * 60 });
        return call('POST', '/api/v1/events', { title: `Event ${n}`, startTime: start.toISO(), endTime: start.plus({ minutes: 25 }).toISO() });
      }),
    );
  }
  for (let s = 0; s < 20; s++) {
    const start = first.plus({ hours: 8 + (s % 9), minutes: (s * 7) % 60 });
    await call('POST', '/api/v1/events', {
      title: `Series ${s}`,
      startTime: start.toISO(),
      endTime: start.plus({ minutes: 20 }).toISO(),
      timezone: hostZone,
      recurrenceRule: s % 2 ? 'FREQ=DAILY;INTERVAL=3' : `FREQ=WEEKLY;BYDAY=${['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'][first.weekday - 1]}`,
    });
  }
  // The window is fixed to whole days so both servers (and every round) compute the same slots.
  const from = first.plus({ days: 7 }).toUTC().toISO();
  const to = first.plus({ days: 37 }).toUTC().toISO();
  return `/api/v1/booking-links/${slug}/availability?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&timezone=Europe%2FLondon`;
}
