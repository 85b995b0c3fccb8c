import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import {
  contentDiff,
  fromGoogle,
  GOOGLE_EVENT_COLORS,
  googleInstanceId,
  matchKey,
  parseGoogleInstanceId,
  sameContent,
  toGoogle,
  UNTITLED,
  type CalentoEventWrite,
  type FromGoogleResult,
  type GoogleEvent,
} from '../../src/engines/google/google-events.js';
import { parseEventInput } from '../fakes/google/calendar/event-input.js';
import { instanceView } from '../fakes/google/calendar/event-ops.js';
import { findOccurrence } from '../fakes/google/calendar/recurrence.js';
import { CAL_ZONE, expectStorable, served, storeBody, viaGoogle } from './google-fixtures.js';

// Google's side of every case is built by the fake Google server's own parser and renderer
// (google-fixtures.ts); expected Calento values are written out by hand.

const BERLIN = 'Europe/Berlin';

function mapped<K extends 'event' | 'series' | 'override' = 'event'>(result: FromGoogleResult, kind: K = 'event' as K): Extract<FromGoogleResult, { kind: K }> {
  expect(result.kind).toBe(kind);
  if (result.kind !== kind || !('write' in result)) throw new Error('unexpected kind');
  expectStorable(result.write);
  return result as Extract<FromGoogleResult, { kind: K }>;
}

const timedBody = (extra: Record<string, unknown> = {}) => ({
  summary: 'Planning',
  description: 'Agenda: <b>numbers</b>',
  location: 'Room 4',
  start: { dateTime: '2026-03-10T09:00:00-04:00', timeZone: CAL_ZONE },
  end: { dateTime: '2026-03-10T10:30:00-04:00', timeZone: CAL_ZONE },
  ...extra,
});

describe('fromGoogle: a single timed event', () => {
  it('maps every field Calento stores, and the Google metadata', () => {
    const google = viaGoogle(
      timedBody({
        transparency: 'transparent',
        visibility: 'public',
        colorId: '11',
        attendees: [
          { email: 'Grace@Example.com', displayName: 'Grace Hopper', responseStatus: 'accepted' },
          { email: 'me@example.com', self: true, responseStatus: 'accepted' },
          { email: 'room-4@resource.calendar.google.com', resource: true },
          { email: 'grace@example.com', displayName: 'Duplicate' },
          { email: 'not-an-address' },
          { email: 'alan@example.com' },
        ],
        reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 10 }, { method: 'email', minutes: 1440 }] },
        attachments: [
          { fileUrl: 'https://drive.google.com/file/d/1', title: 'Deck', mimeType: 'application/pdf' },
          { fileUrl: 'http://insecure.example.com/x', title: 'Old' },
        ],
      }),
    );
    const result = mapped(fromGoogle(google, CAL_ZONE));
    expect(result.write).toEqual({
      title: 'Planning',
      description: 'Agenda: <b>numbers</b>',
      location: 'Room 4',
      startTime: new Date('2026-03-10T13:00:00Z'),
      endTime: new Date('2026-03-10T14:30:00Z'),
      timezone: CAL_ZONE,
      isAllDay: false,
      startDate: null,
      endDate: null,
      status: 'confirmed',
      transparency: 'free',
      color: '#dc2127',
      visibility: 'public',
      reminders: [{ method: 'popup', minutesBefore: 10 }, { method: 'email', minutesBefore: 1440 }],
      attachments: [{ url: 'https://drive.google.com/file/d/1', title: 'Deck', mimeType: 'application/pdf' }],
      recurrenceRule: null,
      exdates: [],
      localStart: null,
      recurrenceEnd: null,
      seriesId: null,
      originalStart: null,
      icalUid: google.iCalUID,
    });
    expect(result.attendees).toEqual([
      { email: 'grace@example.com', name: 'Grace Hopper', responseStatus: 'accepted' },
      { email: 'alan@example.com', responseStatus: 'needsAction' },
    ]);
    expect(result.google).toEqual({
      id: google.id,
      etag: google.etag,
      updated: new Date(google.updated!),
      recurringEventId: null,
      iCalUID: google.iCalUID,
      sequence: 0,
    });
    expect(result.warnings).toEqual(['attendee "not-an-address" is not an email address and was left out']);
  });

  it('reads tentative, confidential (as private), opaque, default visibility and an unknown colour', () => {
    const base = mapped(fromGoogle(viaGoogle(timedBody({ status: 'tentative', visibility: 'confidential', transparency: 'opaque', colorId: '99' })), CAL_ZONE));
    expect(base.write).toMatchObject({ status: 'tentative', visibility: 'private', transparency: 'busy', color: null });
    const plain = mapped(fromGoogle(viaGoogle(timedBody()), CAL_ZONE));
    expect(plain.write).toMatchObject({ visibility: 'default', transparency: 'busy', color: null, reminders: [] });
  });

  it("treats an invitation the calendar's owner declined as free time, as Google's free/busy does; any other answer stays busy", () => {
    const invite = (answer: string, transparency = 'opaque') =>
      timedBody({
        transparency,
        attendees: [
          { email: 'boss@example.com', organizer: true, responseStatus: 'accepted' },
          { email: 'me@example.com', self: true, responseStatus: answer },
        ],
      });
    const declined = mapped(fromGoogle(viaGoogle(invite('declined')), CAL_ZONE));
    expect(declined.write.transparency).toBe('free');
    expect(declined.attendees.map((a) => a.email)).toEqual(['boss@example.com']);
    for (const answer of ['accepted', 'tentative', 'needsAction']) {
      expect(mapped(fromGoogle(viaGoogle(invite(answer)), CAL_ZONE)).write.transparency).toBe('busy');
    }
    // A guest (not the owner) declining changes nothing of the owner's time.
    const guestDeclined = timedBody({ attendees: [{ email: 'me@example.com', self: true, organizer: true, responseStatus: 'accepted' }, { email: 'ann@example.com', responseStatus: 'declined' }] });
    expect(mapped(fromGoogle(viaGoogle(guestDeclined), CAL_ZONE)).write.transparency).toBe('busy');
  });

  it('names an untitled event "(No title)" and cuts over-long text to the table limits', () => {
    const long = 'x'.repeat(10_005);
    const emoji = '📅'.repeat(600); // 600 characters, 1200 UTF-16 units
    const untitled = mapped(fromGoogle(viaGoogle(timedBody({ summary: undefined, description: long, location: 'L'.repeat(2000) })), CAL_ZONE));
    expect(untitled.write.title).toBe(UNTITLED);
    expect(untitled.write.description).toHaveLength(10_000);
    expect(untitled.write.location).toHaveLength(1000);
    expect(untitled.warnings).toEqual(['description cut to 10000 characters', 'location cut to 1000 characters']);
    const blank = mapped(fromGoogle(viaGoogle(timedBody({ summary: '   ' })), CAL_ZONE));
    expect(blank.write.title).toBe(UNTITLED);
    const wide = mapped(fromGoogle(viaGoogle(timedBody({ summary: emoji, description: 'a\u0000b' })), CAL_ZONE));
    expect(Array.from(wide.write.title)).toHaveLength(500);
    expect(wide.write.title).toBe('📅'.repeat(500));
    expect(wide.write.description).toBe('ab');
  });

  it('reads a dateTime with an offset and no timeZone in the calendar zone', () => {
    const google = viaGoogle({ summary: 'x', start: { dateTime: '2026-07-01T18:00:00+02:00' }, end: { dateTime: '2026-07-01T19:00:00+02:00' } });
    const result = mapped(fromGoogle(google, BERLIN));
    expect(result.write).toMatchObject({ timezone: BERLIN, startTime: new Date('2026-07-01T16:00:00Z'), endTime: new Date('2026-07-01T17:00:00Z') });
  });

  it('reads every RFC 3339 form, and refuses dates that do not exist', () => {
    const at = (dateTime: string) => fromGoogle({ id: 'f1', start: { dateTime }, end: { dateTime: '2027-01-01T00:00:00Z' } }, CAL_ZONE);
    const startOf = (dateTime: string) => mapped(at(dateTime)).write.startTime.toISOString();
    expect(startOf('2026-03-10T09:00:00Z')).toBe('2026-03-10T09:00:00.000Z');
    expect(startOf('2026-03-10t09:00:00.999z')).toBe('2026-03-10T09:00:00.000Z');
    expect(startOf('2026-03-10T09:00+05:30')).toBe('2026-03-10T03:30:00.000Z');
    expect(startOf('2026-03-10T09:00:00-0330')).toBe('2026-03-10T12:30:00.000Z');
    expect(startOf('2026-03-10T09:00:00')).toBe('2026-03-10T13:00:00.000Z'); // no offset: the calendar zone
    expect(at('2026-02-30T09:00:00Z')).toEqual({ kind: 'unreadable', googleId: 'f1', reason: 'no readable start time' });
    expect(at('2026-03-10T24:00:00Z').kind).toBe('unreadable');
    expect(at('tomorrow').kind).toBe('unreadable');
  });

  it('falls back from an unknown zone to the calendar zone, then to UTC', () => {
    const event: GoogleEvent = {
      id: 'odd1',
      summary: 'Mars',
      start: { dateTime: '2026-07-01T09:00:00', timeZone: 'Mars/Olympus_Mons' },
      end: { dateTime: '2026-07-01T10:00:00', timeZone: 'Mars/Olympus_Mons' },
    };
    const inCalendar = mapped(fromGoogle(event, BERLIN));
    expect(inCalendar.write).toMatchObject({ timezone: BERLIN, startTime: new Date('2026-07-01T07:00:00Z') });
    expect(inCalendar.warnings).toEqual([`unknown time zone "Mars/Olympus_Mons": the calendar's (${BERLIN}) is used`]);
    const inUtc = mapped(fromGoogle(event, 'Not/A_Zone'));
    expect(inUtc.write).toMatchObject({ timezone: 'UTC', startTime: new Date('2026-07-01T09:00:00Z') });
  });

  it('gives zero-length and reversed events one minute, and drops fractions of a second', () => {
    const zero = mapped(fromGoogle(viaGoogle(timedBody({ end: { dateTime: '2026-03-10T09:00:00-04:00', timeZone: CAL_ZONE } })), CAL_ZONE));
    expect(zero.write.endTime).toEqual(new Date('2026-03-10T13:01:00Z'));
    expect(zero.warnings).toEqual([]);
    const reversed = mapped(fromGoogle({ id: 'rev1', start: { dateTime: '2026-03-10T09:00:00.750Z' }, end: { dateTime: '2026-03-10T08:00:00Z' } }, CAL_ZONE));
    expect(reversed.write).toMatchObject({ startTime: new Date('2026-03-10T09:00:00Z'), endTime: new Date('2026-03-10T09:01:00Z') });
    expect(reversed.warnings).toEqual(['an event ending before its start lasts one minute']);
    const noEnd = mapped(fromGoogle({ id: 'open1', start: { dateTime: '2026-03-10T09:00:00Z' }, endTimeUnspecified: true }, CAL_ZONE));
    expect(noEnd.write.endTime).toEqual(new Date('2026-03-10T09:01:00Z'));
  });
});

describe('fromGoogle: malformed resources', () => {
  it('never throws, and whatever it maps is storable', () => {
    const odd: unknown[] = [
      { id: 'm1', start: { dateTime: 5 }, end: 'x' },
      { id: 'm2', start: { date: '2026-01-01' }, recurrence: 'RRULE:FREQ=DAILY', attendees: 'x', reminders: { overrides: 'x' } },
      { id: 'm3', start: { dateTime: '2026-01-01T09:00:00Z' }, attendees: [null, 5, { email: 7 }], attachments: [null, { fileUrl: 'https://x.example/a', title: 9 }] },
      { id: 'm4', start: { dateTime: '2026-01-01T09:00:00Z' }, extendedProperties: { private: { calentoReminders: '{bad', calentoColor: 'red' } }, colorId: {} },
      { id: 'm5', start: { dateTime: '0001-01-01T00:00:00Z', timeZone: 'UTC' }, recurrence: ['RRULE:FREQ=YEARLY'] },
      { id: 'm6', start: { dateTime: '9999-12-31T23:00:00Z' }, end: { dateTime: '9999-12-31T23:30:00Z' }, recurrence: ['RRULE:FREQ=DAILY;COUNT=5'] },
      { id: 'm7', summary: 12, description: {}, start: { date: '2026-01-01' }, end: { date: '2025-01-01' }, recurrence: [null, 'RRULE:FREQ=WEEKLY;BYDAY=XX'] },
      { id: 'm8', start: { dateTime: '2026-01-01T09:00:00Z' }, recurrence: ['RRULE:FREQ=DAILY;INTERVAL=0', 'EXDATE;TZID=Nowhere/Place:20260102T090000', 'RDATE;VALUE=PERIOD:20260105T090000Z/PT1H'] },
    ];
    for (const event of odd) {
      const result = fromGoogle(event as GoogleEvent, CAL_ZONE);
      if ('write' in result) expectStorable(result.write);
      else expect(['unreadable', 'deleted', 'cancelledOccurrence']).toContain(result.kind);
    }
    expect(fromGoogle(odd[7] as GoogleEvent, CAL_ZONE).kind).toBe('event');
  });
});

describe('fromGoogle: all-day events', () => {
  it('keeps the dates (end exclusive) and puts the instants at midnight in the calendar zone', () => {
    const result = mapped(fromGoogle(viaGoogle({ summary: 'Offsite', start: { date: '2026-03-28' }, end: { date: '2026-03-31' } }, {}, BERLIN), BERLIN));
    expect(result.write).toMatchObject({
      isAllDay: true,
      startDate: '2026-03-28',
      endDate: '2026-03-31',
      timezone: BERLIN,
      // Berlin moves to summer time on 2026-03-29: the end midnight is at +02:00.
      startTime: new Date('2026-03-27T23:00:00Z'),
      endTime: new Date('2026-03-30T22:00:00Z'),
    });
  });

  it('makes an empty or reversed all-day range one day long', () => {
    const empty = mapped(fromGoogle({ id: 'd1', start: { date: '2026-05-01' }, end: { date: '2026-05-01' } }, CAL_ZONE));
    expect(empty.write).toMatchObject({ startDate: '2026-05-01', endDate: '2026-05-02' });
    expect(empty.warnings).toEqual(['an all-day event ending on or before its start lasts one day']);
    const missing = mapped(fromGoogle({ id: 'd2', start: { date: '2026-05-01' } }, CAL_ZONE));
    expect(missing.write).toMatchObject({ startDate: '2026-05-01', endDate: '2026-05-02' });
  });
});

describe('fromGoogle: reminders and colours', () => {
  it('uses the calendar defaults for useDefault, or none without them; sms becomes popup; minutes are clamped', () => {
    const google = viaGoogle(timedBody());
    expect(google.reminders).toEqual({ useDefault: true });
    expect(mapped(fromGoogle(google, CAL_ZONE)).write.reminders).toEqual([]);
    const withDefaults = fromGoogle(google, CAL_ZONE, { defaultReminders: [{ method: 'popup', minutes: 30 }] });
    expect(mapped(withDefaults).write.reminders).toEqual([{ method: 'popup', minutesBefore: 30 }]);
    const odd = fromGoogle(
      viaGoogle(timedBody({ reminders: { useDefault: false, overrides: [{ method: 'sms', minutes: 5 }, { method: 'email', minutes: 99_999 }, { method: 'popup', minutes: -3 }] } })),
      CAL_ZONE,
    );
    expect(mapped(odd).write.reminders).toEqual([
      { method: 'popup', minutesBefore: 0 },
      { method: 'popup', minutesBefore: 5 },
      { method: 'email', minutesBefore: 40_320 },
    ]);
  });

  it('maps every palette colour id to its colour', () => {
    for (const [colorId, hex] of Object.entries(GOOGLE_EVENT_COLORS)) {
      expect(mapped(fromGoogle({ id: `c${colorId}`, colorId, start: { date: '2026-01-01' }, end: { date: '2026-01-02' } }, CAL_ZONE)).write.color).toBe(hex);
    }
  });
});

describe('fromGoogle: occurrences of a series', () => {
  const weekly = () =>
    storeBody(
      {
        summary: 'Standup',
        start: { dateTime: '2026-03-16T09:00:00', timeZone: BERLIN },
        end: { dateTime: '2026-03-16T09:15:00', timeZone: BERLIN },
        recurrence: ['RRULE:FREQ=WEEKLY;COUNT=6'],
      },
      { id: 'standup1' },
    );

  it('maps an edited instance to an override keyed by its original start in UTC', () => {
    const master = weekly();
    const occ = findOccurrence(master, BERLIN, { ms: Date.parse('2026-03-30T07:00:00Z') })!;
    const moved = { ...instanceView(master, occ), start: { ms: Date.parse('2026-03-30T08:00:00Z'), timeZone: BERLIN }, end: { ms: Date.parse('2026-03-30T08:30:00Z'), timeZone: BERLIN }, fields: { ...master.fields, summary: 'Standup (late)' } };
    const google = served(moved, 'full', BERLIN);
    expect(google.id).toBe('standup1_20260330T070000Z');
    expect(google.originalStartTime).toEqual({ dateTime: '2026-03-30T09:00:00+02:00', timeZone: BERLIN });
    const result = mapped(fromGoogle(google, BERLIN), 'override');
    expect(result).toMatchObject({ seriesGoogleId: 'standup1', originalStart: '2026-03-30T07:00:00Z' });
    expect(result.write).toMatchObject({
      title: 'Standup (late)',
      startTime: new Date('2026-03-30T08:00:00Z'),
      endTime: new Date('2026-03-30T08:30:00Z'),
      originalStart: '2026-03-30T07:00:00Z',
      seriesId: null,
      recurrenceRule: null,
      icalUid: null,
    });
    expect(result.google).toMatchObject({ recurringEventId: 'standup1', iCalUID: master.iCalUID });
  });

  it('keys an all-day override by its date, and reads the original start from the id when it is missing', () => {
    const allDay = fromGoogle(
      { id: 'hol1_20261224', recurringEventId: 'hol1', originalStartTime: { date: '2026-12-24' }, start: { date: '2026-12-23' }, end: { date: '2026-12-24' } },
      CAL_ZONE,
    );
    expect(mapped(allDay, 'override')).toMatchObject({ originalStart: '2026-12-24', write: { startDate: '2026-12-23', originalStart: '2026-12-24' } });
    const fromId = fromGoogle({ id: 'abc_20260310T130000Z', recurringEventId: 'abc', start: { dateTime: '2026-03-10T15:00:00Z' }, end: { dateTime: '2026-03-10T16:00:00Z' } }, CAL_ZONE);
    expect(mapped(fromId, 'override').originalStart).toBe('2026-03-10T13:00:00Z');
  });

  it('maps a cancelled instance (as incremental sync strips it) to cancelledOccurrence', () => {
    const master = weekly();
    const occ = findOccurrence(master, BERLIN, { ms: Date.parse('2026-04-06T07:00:00Z') })!;
    const cancelled = { ...instanceView(master, occ), status: 'cancelled' as const };
    const stripped = served(cancelled, 'stripped', BERLIN);
    expect(Object.keys(stripped).sort()).toEqual(['etag', 'id', 'kind', 'originalStartTime', 'recurringEventId', 'status']);
    expect(fromGoogle(stripped, BERLIN)).toEqual({
      kind: 'cancelledOccurrence',
      googleId: 'standup1_20260406T070000Z',
      seriesGoogleId: 'standup1',
      originalStart: '2026-04-06T07:00:00Z',
    });
    expect(fromGoogle({ id: 'hol1_20261225', status: 'cancelled', recurringEventId: 'hol1' }, CAL_ZONE)).toEqual({
      kind: 'cancelledOccurrence',
      googleId: 'hol1_20261225',
      seriesGoogleId: 'hol1',
      originalStart: '2026-12-25',
    });
  });

  it('maps a deleted event or series (only an id is guaranteed) to deleted', () => {
    const master = { ...weekly(), status: 'cancelled' as const };
    expect(fromGoogle(served(master, 'stripped', BERLIN), BERLIN)).toEqual({ kind: 'deleted', googleId: 'standup1' });
    expect(fromGoogle({ id: 'gone1', status: 'cancelled' }, CAL_ZONE)).toEqual({ kind: 'deleted', googleId: 'gone1' });
    expect(fromGoogle({ status: 'cancelled' }, CAL_ZONE)).toEqual({ kind: 'unreadable', googleId: null, reason: 'no id' });
    expect(fromGoogle({ id: 'x1', summary: 'no times' }, CAL_ZONE)).toEqual({ kind: 'unreadable', googleId: 'x1', reason: 'no readable start time' });
  });
});

describe('instance ids', () => {
  it('builds {masterId}_{UTC timestamp} for timed and _{date} for all-day occurrences', () => {
    expect(googleInstanceId('abc123', '2026-03-30T07:00:00Z', false)).toBe('abc123_20260330T070000Z');
    expect(googleInstanceId('abc123', '2026-03-30T09:00:00+02:00', false)).toBe('abc123_20260330T070000Z');
    expect(googleInstanceId('abc123', '2026-12-24', true)).toBe('abc123_20261224');
    expect(() => googleInstanceId('abc123', 'soon', false)).toThrow(RangeError);
  });

  it('parses them back, and refuses ids that are not instance ids', () => {
    expect(parseGoogleInstanceId('abc_123_20260330T070000Z')).toEqual({ masterId: 'abc_123', originalStart: '2026-03-30T07:00:00Z', isAllDay: false });
    expect(parseGoogleInstanceId('abc123_20261224')).toEqual({ masterId: 'abc123', originalStart: '2026-12-24', isAllDay: true });
    expect(parseGoogleInstanceId('abc123')).toBeNull();
    expect(parseGoogleInstanceId('abc123_R20260330T070000')).toBeNull();
    expect(parseGoogleInstanceId('abc123_20261332')).toBeNull();
  });

  it('agrees with the ids the fake Google gives instances', () => {
    const master = storeBody(
      { summary: 'x', start: { dateTime: '2026-03-27T09:00:00', timeZone: BERLIN }, end: { dateTime: '2026-03-27T10:00:00', timeZone: BERLIN }, recurrence: ['RRULE:FREQ=DAILY;COUNT=4'] },
      { id: 'daily9' },
    );
    for (const when of [Date.parse('2026-03-28T08:00:00Z'), Date.parse('2026-03-30T07:00:00Z')]) {
      const occ = findOccurrence(master, BERLIN, { ms: when })!;
      const view = served(instanceView(master, occ), 'full', BERLIN);
      const result = mapped(fromGoogle(view, BERLIN), 'override');
      expect(googleInstanceId('daily9', result.originalStart, false)).toBe(view.id);
    }
  });
});

describe('toGoogle', () => {
  const write = (extra: Partial<CalentoEventWrite> = {}): CalentoEventWrite => ({
    title: 'Review',
    description: null,
    location: 'Room 1',
    startTime: new Date('2026-10-26T08:00:00Z'),
    endTime: new Date('2026-10-26T09:00:00Z'),
    timezone: BERLIN,
    isAllDay: false,
    startDate: null,
    endDate: null,
    status: 'confirmed',
    transparency: 'busy',
    color: null,
    visibility: 'default',
    reminders: [],
    attachments: [],
    recurrenceRule: null,
    exdates: [],
    localStart: null,
    recurrenceEnd: null,
    seriesId: null,
    originalStart: null,
    icalUid: null,
    ...extra,
  });

  it('writes a body Google accepts: local dateTime with offset and zone, reminders, attendees', () => {
    const body = toGoogle(
      write({ transparency: 'free', visibility: 'private', reminders: [{ method: 'email', minutesBefore: 60 }, { method: 'slack', minutesBefore: 5 }] }),
      [{ email: 'grace@example.com', name: 'Grace' }, { email: 'alan@example.com', name: null }],
    );
    expect(body).toMatchObject({
      summary: 'Review',
      description: null,
      location: 'Room 1',
      start: { dateTime: '2026-10-26T09:00:00+01:00', timeZone: BERLIN },
      end: { dateTime: '2026-10-26T10:00:00+01:00', timeZone: BERLIN },
      status: 'confirmed',
      transparency: 'transparent',
      visibility: 'private',
      colorId: null,
      attendees: [{ email: 'grace@example.com', displayName: 'Grace' }, { email: 'alan@example.com' }],
      reminders: { useDefault: false, overrides: [{ method: 'email', minutes: 60 }] },
    });
    expect(body.recurrence).toBeUndefined();
    expect(body.iCalUID).toBeUndefined();
    expect(() => parseEventInput(JSON.parse(JSON.stringify(body)))).not.toThrow();
  });

  it('writes all-day events as dates and sends a known iCalUID', () => {
    const body = toGoogle(write({ isAllDay: true, startDate: '2026-12-24', endDate: '2026-12-27', icalUid: 'abc@calento' }));
    expect(body.start).toEqual({ date: '2026-12-24' });
    expect(body.end).toEqual({ date: '2026-12-27' });
    expect(body.iCalUID).toBe('abc@calento');
  });

  it('writes an override with its originalStartTime and without recurrence', () => {
    const master = { isAllDay: false, timezone: BERLIN };
    const body = toGoogle(write({ originalStart: '2026-10-26T08:00:00Z', startTime: new Date('2026-10-26T10:00:00Z'), endTime: new Date('2026-10-26T11:00:00Z') }), [], master);
    expect(body.originalStartTime).toEqual({ dateTime: '2026-10-26T09:00:00+01:00', timeZone: BERLIN });
    expect(body.recurrence).toBeUndefined();
    expect(body.iCalUID).toBeUndefined();
  });
});

describe('round trips: Calento → Google (the fake) → Calento', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['a timed event', timedBody(), CAL_ZONE],
    ['a timed event in another zone than the calendar', timedBody({ start: { dateTime: '2026-06-01T22:30:00+09:00', timeZone: 'Asia/Tokyo' }, end: { dateTime: '2026-06-02T00:00:00+09:00', timeZone: 'Asia/Tokyo' } }), CAL_ZONE],
    ['a three-day all-day event across DST', { summary: 'Trip', start: { date: '2026-03-07' }, end: { date: '2026-03-10' } }, CAL_ZONE],
    ['a free, private, coloured event with reminders and guests', timedBody({ transparency: 'transparent', visibility: 'private', colorId: '5', reminders: { useDefault: false, overrides: [{ method: 'email', minutes: 30 }] }, attendees: [{ email: 'grace@example.com', displayName: 'Grace' }] }), CAL_ZONE],
  ];

  it.each(cases)('%s', (_name, body, zone) => {
    const first = mapped(fromGoogle(viaGoogle(body, {}, zone), zone));
    const again = mapped(fromGoogle(viaGoogle(toGoogle(first.write, first.attendees) as unknown as Record<string, unknown>, {}, zone), zone));
    expect(again.write).toEqual({ ...first.write, icalUid: first.write.icalUid });
    expect(again.attendees).toEqual(first.attendees.map(({ email, name }) => ({ email, ...(name && { name }), responseStatus: expect.any(String) })));
  });

  it('keeps a colour outside Google\'s palette and Slack reminders through Google', () => {
    const write = { ...mapped(fromGoogle(viaGoogle(timedBody()), CAL_ZONE)).write, color: '#0ea5e9', reminders: [{ method: 'slack' as const, minutesBefore: 5 }, { method: 'email' as const, minutesBefore: 60 }] };
    const body = toGoogle(write);
    expect(body.colorId).toBe('7');
    const back = mapped(fromGoogle(viaGoogle(body as unknown as Record<string, unknown>), CAL_ZONE));
    expect(back.write.color).toBe('#0ea5e9');
    expect(back.write.reminders).toEqual([{ method: 'slack', minutesBefore: 5 }, { method: 'email', minutesBefore: 60 }]);
    // Changed in Google afterwards: Google's values win.
    const edited = viaGoogle({ ...(body as unknown as Record<string, unknown>), colorId: '2', reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 15 }] } });
    const after = mapped(fromGoogle(edited, CAL_ZONE));
    expect(after.write.color).toBe('#7ae7bf');
    expect(after.write.reminders).toEqual([{ method: 'popup', minutesBefore: 15 }]);
  });
});

describe('matching for the merge strategy', () => {
  const base = {
    title: '  Weekly  Sync ',
    isAllDay: false,
    startDate: null,
    endDate: null,
    startTime: new Date('2026-03-10T13:00:00Z'),
    endTime: new Date('2026-03-10T14:00:00Z'),
    icalUid: null,
  };

  it('matches by iCalUID first, then by normalised title, start and end', () => {
    expect(matchKey(base)).toBe('weekly sync|2026-03-10T13:00:00Z/2026-03-10T14:00:00Z');
    expect(sameContent(base, { ...base, title: 'weekly sync' })).toBe(true);
    expect(sameContent(base, { ...base, endTime: new Date('2026-03-10T14:30:00Z') })).toBe(false);
    expect(sameContent({ ...base, icalUid: 'u1' }, { ...base, title: 'Renamed', icalUid: 'u1' })).toBe(true);
    expect(sameContent({ ...base, icalUid: 'u1' }, { ...base, icalUid: 'u2' })).toBe(true);
    const allDay = { ...base, isAllDay: true, startDate: '2026-03-10', endDate: '2026-03-11' };
    expect(matchKey(allDay)).toBe('weekly sync|2026-03-10/2026-03-11');
  });

  it('a Google event and the Calento event it came from have the same key', () => {
    const result = mapped(fromGoogle(viaGoogle(timedBody()), CAL_ZONE));
    const local = { ...base, title: 'Planning', startTime: new Date('2026-03-10T13:00:00Z'), endTime: new Date('2026-03-10T14:30:00Z') };
    expect(sameContent(result.write, local)).toBe(true);
  });

  it('lists the fields two writes disagree on', () => {
    const a = mapped(fromGoogle(viaGoogle(timedBody()), CAL_ZONE)).write;
    expect(contentDiff(a, { ...a })).toEqual([]);
    expect(contentDiff(a, { ...a, title: 'Other', endTime: new Date(a.endTime.getTime() + 60_000), reminders: [{ method: 'email', minutesBefore: 5 }] })).toEqual(['title', 'endTime', 'reminders']);
  });
});

describe('DST sanity of the instants', () => {
  it('a Berlin 09:00 event is 08:00Z in winter and 07:00Z in summer', () => {
    for (const [date, utc] of [['2026-03-27', '08:00'], ['2026-03-30', '07:00']]) {
      const result = mapped(fromGoogle({ id: `d${date}`, start: { dateTime: `${date}T09:00:00`, timeZone: BERLIN }, end: { dateTime: `${date}T10:00:00`, timeZone: BERLIN } }, BERLIN));
      expect(result.write.startTime.toISOString()).toBe(`${date}T${utc}:00.000Z`);
      expect(DateTime.fromJSDate(result.write.startTime, { zone: BERLIN }).toFormat('HH:mm')).toBe('09:00');
    }
  });
});
