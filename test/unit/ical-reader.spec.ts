import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { parseCalendar, type IcsEvent } from '../../src/engines/ical/calendar-reader.js';
import { WINDOWS_ZONES } from '../../src/engines/ical/windows-zones.js';
import { isValidZone } from '../../src/common/time/zones.js';
import { expandSeries } from '../../src/engines/recurrence/recurrence.engine.js';

// Expected instants are written out by hand from the zones' rules (Berlin: CET +01:00, CEST +02:00 from
// 2027-03-28 01:00Z; New York: EST -05:00, EDT -04:00 from 2027-03-14 07:00Z).

const lines = (...text: string[]) => text.join('\r\n');

/** A VTIMEZONE as Outlook writes it: rules from 1601, no X-LIC-LOCATION. */
const vtimezone = (tzid: string, standard: [string, string, string], daylight: [string, string, string] | null) =>
  lines(
    'BEGIN:VTIMEZONE',
    `TZID:${tzid}`,
    'BEGIN:STANDARD',
    `DTSTART:${standard[0]}`,
    ...(daylight ? [`RRULE:${standard[2]}`] : []),
    `TZOFFSETFROM:${daylight ? daylight[1] : standard[1]}`,
    `TZOFFSETTO:${standard[1]}`,
    'END:STANDARD',
    ...(daylight
      ? [
          'BEGIN:DAYLIGHT',
          `DTSTART:${daylight[0]}`,
          `RRULE:${daylight[2]}`,
          `TZOFFSETFROM:${standard[1]}`,
          `TZOFFSETTO:${daylight[1]}`,
          'END:DAYLIGHT',
        ]
      : []),
    'END:VTIMEZONE',
  );

const CENTRAL_EUROPE = (tzid: string) =>
  vtimezone(
    tzid,
    ['16011028T030000', '+0100', 'FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10'],
    ['16010325T020000', '+0200', 'FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3'],
  );
const US_EASTERN = (tzid: string) =>
  vtimezone(
    tzid,
    ['16011104T020000', '-0500', 'FREQ=YEARLY;BYDAY=1SU;BYMONTH=11'],
    ['16010311T020000', '-0400', 'FREQ=YEARLY;BYDAY=2SU;BYMONTH=3'],
  );

/** A weekly Monday 09:00 series from 2027-03-01 (DST starts in Europe on 2027-03-28), written in `tzid`. */
function outlookFile(tzid: string, definition: string, extra: { exdate?: string; moved?: boolean } = {}) {
  return lines(
    'BEGIN:VCALENDAR',
    'PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN',
    'VERSION:2.0',
    definition,
    'BEGIN:VEVENT',
    'UID:weekly@outlook',
    `DTSTART;TZID="${tzid}":20270301T090000`,
    `DTEND;TZID="${tzid}":20270301T100000`,
    'RRULE:FREQ=WEEKLY;COUNT=8;BYDAY=MO',
    ...(extra.exdate ? [`EXDATE;TZID="${tzid}":${extra.exdate}`] : []),
    'SUMMARY:Weekly',
    'END:VEVENT',
    ...(extra.moved
      ? [
          'BEGIN:VEVENT',
          'UID:weekly@outlook',
          `RECURRENCE-ID;TZID="${tzid}":20270329T090000`,
          `DTSTART;TZID="${tzid}":20270329T113000`,
          `DTEND;TZID="${tzid}":20270329T123000`,
          'SUMMARY:Weekly (moved)',
          'END:VEVENT',
        ]
      : []),
    'END:VCALENDAR',
  );
}

function events(text: string, userZone: string): IcsEvent[] {
  return parseCalendar(text, userZone).map((entry) => {
    if ('skipped' in entry) throw new Error(`skipped: ${entry.skipped.reason}`);
    return entry.event;
  });
}

/** The series' occurrences in March and April 2027, as UTC instants. */
function occurrences(event: IcsEvent): string[] {
  const input = event.input!;
  const zone = input.timezone!;
  const localStart = DateTime.fromISO(input.startTime, { zone }).toFormat("yyyy-MM-dd'T'HH:mm:ss");
  return expandSeries(
    { rule: input.recurrenceRule!, timezone: zone, isAllDay: false, localStart, durationMinutes: 60 },
    { from: new Date('2027-03-01T00:00:00Z'), to: new Date('2027-05-01T00:00:00Z') },
  ).map((occurrence) => occurrence.occurrenceId);
}

const BERLIN_MONDAYS = [
  '2027-03-01T08:00:00Z',
  '2027-03-08T08:00:00Z',
  '2027-03-15T08:00:00Z',
  '2027-03-22T08:00:00Z',
  '2027-03-29T07:00:00Z',
  '2027-04-05T07:00:00Z',
  '2027-04-12T07:00:00Z',
  '2027-04-19T07:00:00Z',
];

describe('reading TZIDs that only the file defines', () => {
  it.each(['Europe/Berlin', 'America/New_York', 'UTC'])(
    'a "W. Europe Standard Time" series repeats at 09:00 Berlin time across DST, whatever the user\'s zone (%s)',
    (userZone) => {
      const [series] = events(outlookFile('W. Europe Standard Time', CENTRAL_EUROPE('W. Europe Standard Time')), userZone);
      expect(series.input).toMatchObject({ timezone: 'Europe/Berlin', startTime: '2027-03-01T08:00:00.000Z' });
      expect(occurrences(series)).toEqual(BERLIN_MONDAYS);
    },
  );

  it('reads EXDATE and RECURRENCE-ID in that TZID as instants of the same zone', () => {
    const tzid = 'W. Europe Standard Time';
    const file = outlookFile(tzid, CENTRAL_EUROPE(tzid), { exdate: '20270308T090000,20270405T090000', moved: true });
    const [series, moved] = events(file, 'America/New_York');
    expect(series.exdates.map((time) => [time.instant.toISOString(), time.zone, time.exact])).toEqual([
      ['2027-03-08T08:00:00.000Z', 'Europe/Berlin', true],
      ['2027-04-05T07:00:00.000Z', 'Europe/Berlin', true],
    ]);
    expect(moved.recurrenceId).toMatchObject({ instant: new Date('2027-03-29T07:00:00Z'), zone: 'Europe/Berlin', exact: true });
    expect(moved.input).toMatchObject({ startTime: '2027-03-29T09:30:00.000Z', timezone: 'Europe/Berlin' });
    // The exceptions name occurrences the series has.
    const ids = occurrences(series);
    expect(ids).toEqual(expect.arrayContaining(['2027-03-08T08:00:00Z', '2027-04-05T07:00:00Z', '2027-03-29T07:00:00Z']));
  });

  it('an "Eastern Standard Time" series repeats at 09:00 New York time for a Berlin user', () => {
    const [series] = events(outlookFile('Eastern Standard Time', US_EASTERN('Eastern Standard Time')), 'Europe/Berlin');
    expect(series.input?.timezone).toBe('America/New_York');
    expect(occurrences(series).slice(1, 3)).toEqual(['2027-03-08T14:00:00Z', '2027-03-15T13:00:00Z']);
  });

  it('reads a Windows name with no VTIMEZONE in the file as the zone CLDR maps it to, not as floating time', () => {
    const [series] = events(outlookFile('W. Europe Standard Time', ''), 'America/New_York');
    expect(series.input).toMatchObject({ timezone: 'Europe/Berlin', startTime: '2027-03-01T08:00:00.000Z' });
    expect(occurrences(series)).toEqual(BERLIN_MONDAYS);
  });

  it("prefers a zone whose city the TZID names (Outlook's display names), in the order it names them", () => {
    const tzid = '(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna';
    const [series] = events(outlookFile(tzid, CENTRAL_EUROPE(tzid)), 'UTC');
    expect(series.input?.timezone).toBe('Europe/Amsterdam');
    expect(occurrences(series)).toEqual(BERLIN_MONDAYS);
  });

  it('finds a zone by its offsets when the name is no Windows zone and names no city', () => {
    const [series] = events(outlookFile('Customized Time Zone', US_EASTERN('Customized Time Zone')), 'Europe/Berlin');
    expect(series.input?.timezone).toBe('America/New_York');
  });

  it('refuses a Windows name whose VTIMEZONE says otherwise, and takes a zone with those offsets', () => {
    // Central European rules two hours further east: the EU's eastern zone, not Berlin.
    const shifted = CENTRAL_EUROPE('W. Europe Standard Time')
      .replace('TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100', 'TZOFFSETFROM:+0300\r\nTZOFFSETTO:+0200')
      .replace('TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200', 'TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0300')
      .replace('16011028T030000', '16011028T040000')
      .replace('16010325T020000', '16010325T030000');
    const [series] = events(outlookFile('W. Europe Standard Time', shifted), 'UTC');
    expect(series.input?.timezone).not.toBe('Europe/Berlin');
    expect(series.input?.startTime).toBe('2027-03-01T07:00:00.000Z');
    expect(occurrences(series)[4]).toBe('2027-03-29T06:00:00Z');
  });

  it('keeps the instants ical.js reads when no zone has the offsets, and repeats in the user\'s zone', () => {
    const odd = vtimezone('Mars Base', ['16010101T000000', '+0117', ''], null);
    const [series] = events(outlookFile('Mars Base', odd), 'Asia/Tokyo');
    expect(series.input).toMatchObject({ timezone: 'Asia/Tokyo', startTime: '2027-03-01T07:43:00.000Z' });
  });
});

describe('the Windows zone table', () => {
  it('names only zones the runtime knows', () => {
    expect(Object.values(WINDOWS_ZONES).filter((zone) => !isValidZone(zone))).toEqual([]);
  });
});
