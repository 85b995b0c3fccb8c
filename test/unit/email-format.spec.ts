import { describe, expect, it } from '@jest/globals';
import {
  formatDateTime,
  formatDuration,
  formatRange,
  localTimeOn,
  nextLocalTime,
  plural,
} from '../../src/modules/email/email-format.js';
import { buildIcs } from '../../src/modules/email/ics.js';
import { isPermanentSmtpError } from '../../src/modules/email/mail-transport.js';
import { parseIcs } from '../setup/ics.js';

describe('email date wording', () => {
  it('shows an instant in the named zone', () => {
    expect(formatDateTime(new Date('2026-03-03T08:00:00Z'), 'Europe/Berlin')).toBe('Tue 3 Mar 2026, 09:00 (Europe/Berlin)');
    expect(formatDateTime('2026-03-03T08:00:00Z', 'Asia/Kolkata')).toBe('Tue 3 Mar 2026, 13:30 (Asia/Kolkata)');
  });

  it('writes both dates of a range that crosses midnight', () => {
    expect(formatRange(new Date('2026-03-03T08:00:00Z'), new Date('2026-03-03T09:30:00Z'), 'UTC')).toBe('Tue 3 Mar 2026, 08:00–09:30 (UTC)');
    expect(formatRange(new Date('2026-03-03T22:00:00Z'), new Date('2026-03-04T01:00:00Z'), 'UTC')).toBe(
      'Tue 3 Mar 2026, 22:00 – Wed 4 Mar 2026, 01:00 (UTC)',
    );
  });

  it('refuses an invalid instant or zone instead of printing "Invalid DateTime"', () => {
    expect(() => formatDateTime('not a date', 'UTC')).toThrow(/invalid instant/);
    expect(() => formatDateTime(new Date(), 'Mars/Olympus')).toThrow(/invalid time zone/);
  });

  it.each([
    [0, '0 minutes'],
    [1, '1 minute'],
    [15, '15 minutes'],
    [60, '1 hour'],
    [90, '1 hour 30 minutes'],
    [1440, '1 day'],
    [2 * 1440 + 120, '2 days 2 hours'],
  ])('formatDuration(%i) is "%s"', (minutes, text) => {
    expect(formatDuration(minutes)).toBe(text);
  });

  it('pluralizes', () => {
    expect([plural(0, 'event', 'events'), plural(1, 'event', 'events'), plural(2, 'event', 'events')]).toEqual([
      '0 events',
      '1 event',
      '2 events',
    ]);
  });
});

describe('07:00 in the user zone', () => {
  it('is today when 07:00 has not passed, tomorrow when it has', () => {
    expect(nextLocalTime('Europe/Berlin', new Date('2026-01-15T05:59:00Z'))).toEqual({
      at: new Date('2026-01-15T06:00:00Z'),
      localDate: '2026-01-15',
    });
    expect(nextLocalTime('Europe/Berlin', new Date('2026-01-15T06:00:00Z'))).toEqual({
      at: new Date('2026-01-16T06:00:00Z'),
      localDate: '2026-01-16',
    });
  });

  it('follows daylight saving time', () => {
    // Berlin switches to CEST on 29 March 2026: 07:00 moves from 06:00Z to 05:00Z.
    expect(localTimeOn('2026-03-28', 'Europe/Berlin')).toEqual(new Date('2026-03-28T06:00:00Z'));
    expect(localTimeOn('2026-03-29', 'Europe/Berlin')).toEqual(new Date('2026-03-29T05:00:00Z'));
    expect(nextLocalTime('America/New_York', new Date('2026-11-01T12:00:00Z')).at).toEqual(new Date('2026-11-02T12:00:00Z'));
    // A zone east of UTC whose local date is already tomorrow.
    // Auckland (UTC+12) at 20:00Z is already 08:00 on 1 July: the next 07:00 is on 2 July.
    expect(nextLocalTime('Pacific/Auckland', new Date('2026-06-30T20:00:00Z'))).toEqual({
      at: new Date('2026-07-01T19:00:00Z'),
      localDate: '2026-07-02',
    });
  });
});

describe('buildIcs', () => {
  const event = {
    uid: 'event-1@calento',
    sequence: 2,
    start: new Date('2026-03-03T08:00:00Z'),
    end: new Date('2026-03-03T09:00:00Z'),
    summary: 'Plan; review, "Q1"\nand more',
    description: 'Line one\nLine two, with; specials',
    location: 'Room 1, East',
    organizer: { email: 'ada@example.com', name: 'Ada' },
    attendees: [{ email: 'bob@example.com', name: 'Bob' }],
  };

  it('escapes user text so it survives a round trip through a calendar parser', () => {
    const parsed = parseIcs(buildIcs('REQUEST', event, new Date('2026-01-01T00:00:00Z')));
    expect(parsed).toMatchObject({
      method: 'REQUEST',
      uid: 'event-1@calento',
      sequence: 2,
      status: 'CONFIRMED',
      summary: 'Plan; review, "Q1"\nand more',
      description: 'Line one\nLine two, with; specials',
      location: 'Room 1, East',
      organizer: 'mailto:ada@example.com',
      attendees: ['mailto:bob@example.com'],
    });
  });

  it('writes a cancellation that asks for no reply', () => {
    const ics = buildIcs('CANCEL', event, new Date('2026-01-01T00:00:00Z'));
    expect(parseIcs(ics)).toMatchObject({ method: 'CANCEL', status: 'CANCELLED', sequence: 2 });
    expect(ics).not.toMatch(/RSVP=TRUE/);
  });
});

describe('isPermanentSmtpError', () => {
  it.each([
    [{ code: 'EENVELOPE', responseCode: 550, permanent: true }, true],
    [{ code: 'EMESSAGE', responseCode: 552 }, true],
    [{ code: 'EMESSAGE', responseCode: 451, permanent: false }, false],
    [{ code: 'EMESSAGE', responseCode: 503 }, false],
    [{ code: 'ESOCKET', originalCode: 'ECONNREFUSED' }, false],
    [{ code: 'ETIMEDOUT' }, false],
    [{ code: 'EAUTH', responseCode: 535, permanent: true }, false],
    [new Error('anything else'), false],
  ])('%j → %s', (error, permanent) => {
    expect(isPermanentSmtpError(error)).toBe(permanent);
  });
});
