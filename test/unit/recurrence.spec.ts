import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';

import {
  expandSeries,
  lastOccurrenceEnd,
  nextOccurrences,
  normalizeOccurrenceId,
  occurrenceExists,
  parseRule,
  RecurrenceError,
  remainingRuleFrom,
  splitSeriesAt,
  truncateRuleBefore,
  validateSeries,
  type Occurrence,
  type SeriesDefinition,
} from '../../src/engines/recurrence/recurrence.engine.js';

// Expected values below are written out by hand (RFC 5545 lists, calendars), and actual instants are
// read back with luxon directly, not through the code under test.

const NY = 'America/New_York';

/** Wall clock of an instant in a zone, minutes precision: '1997-09-02T09:00'. */
const wall = (d: Date, zone = NY) => DateTime.fromJSDate(d, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");
/** '1997-09' + [2, 3] → ['1997-09-02T09:00', '1997-09-03T09:00']. */
const on = (month: string, days: number[], time = '09:00') =>
  days.map((d) => `${month}-${String(d).padStart(2, '0')}T${time}`);
const span = (from: number, to: number, step = 1) => {
  const out: number[] = [];
  for (let i = from; i <= to; i += step) out.push(i);
  return out;
};
const ids = (list: Occurrence[]) => list.map((o) => o.occurrenceId);

function timed(localStart: string, rule: string, extra: Partial<SeriesDefinition> = {}): SeriesDefinition {
  return { rule, timezone: NY, isAllDay: false, localStart, durationMinutes: 60, ...extra };
}

/** RFC example: DTSTART;TZID=America/New_York:<start> with the rule, expanded up to `until`. */
function rfc(start: string, rule: string, until = '2010-01-01', exdates?: string[]): string[] {
  const def = timed(start, rule, { exdates });
  return expandSeries(def, { from: new Date('1990-01-01T00:00:00Z'), to: new Date(`${until}T00:00:00Z`) }).map((o) =>
    wall(o.start),
  );
}

function expectError(fn: () => unknown, code: string, message?: RegExp): RecurrenceError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(RecurrenceError);
  const error = caught as RecurrenceError;
  expect(error.code).toBe(code);
  if (message) expect(error.message).toMatch(message);
  return error;
}

const everything = { from: new Date('1900-01-01T00:00:00Z'), to: new Date('2999-01-01T00:00:00Z') };

describe('RFC 5545 §3.8.5.3 examples (DTSTART;TZID=America/New_York)', () => {
  it('daily for 10 occurrences', () => {
    expect(rfc('1997-09-02T09:00:00', 'FREQ=DAILY;COUNT=10')).toEqual(on('1997-09', span(2, 11)));
  });

  it('daily until December 24, 1997 (09:00 local on both sides of the October change)', () => {
    expect(rfc('1997-09-02T09:00:00', 'RRULE:FREQ=DAILY;UNTIL=19971224T000000Z')).toEqual([
      ...on('1997-09', span(2, 30)),
      ...on('1997-10', span(1, 31)),
      ...on('1997-11', span(1, 30)),
      ...on('1997-12', span(1, 23)),
    ]);
  });

  it('every other day, forever (window-limited)', () => {
    expect(rfc('1997-09-02T09:00:00', 'FREQ=DAILY;INTERVAL=2', '1997-12-04')).toEqual([
      ...on('1997-09', span(2, 30, 2)),
      ...on('1997-10', span(2, 30, 2)),
      ...on('1997-11', span(1, 29, 2)),
      ...on('1997-12', [1, 3]),
    ]);
  });

  it('every 10 days, 5 occurrences', () => {
    expect(rfc('1997-09-02T09:00:00', 'FREQ=DAILY;INTERVAL=10;COUNT=5')).toEqual([
      ...on('1997-09', [2, 12, 22]),
      ...on('1997-10', [2, 12]),
    ]);
  });

  it('every day in January, for 3 years (YEARLY and DAILY forms)', () => {
    const expected = [...on('1998-01', span(1, 31)), ...on('1999-01', span(1, 31)), ...on('2000-01', span(1, 31))];
    const yearly = 'FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA';
    expect(rfc('1998-01-01T09:00:00', yearly)).toEqual(expected);
    expect(rfc('1998-01-01T09:00:00', 'FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1')).toEqual(expected);
  });

  it('weekly for 10 occurrences, 13:00Z in EDT then 14:00Z in EST', () => {
    const list = expandSeries(timed('1997-09-02T09:00:00', 'FREQ=WEEKLY;COUNT=10'), everything);
    expect(list.map((o) => wall(o.start))).toEqual([
      ...on('1997-09', [2, 9, 16, 23, 30]),
      ...on('1997-10', [7, 14, 21, 28]),
      ...on('1997-11', [4]),
    ]);
    expect(list[0].occurrenceId).toBe('1997-09-02T13:00:00Z');
    expect(list[8].occurrenceId).toBe('1997-10-28T14:00:00Z');
  });

  it('weekly until December 24, 1997', () => {
    expect(rfc('1997-09-02T09:00:00', 'FREQ=WEEKLY;UNTIL=19971224T000000Z')).toEqual([
      ...on('1997-09', [2, 9, 16, 23, 30]),
      ...on('1997-10', [7, 14, 21, 28]),
      ...on('1997-11', [4, 11, 18, 25]),
      ...on('1997-12', [2, 9, 16, 23]),
    ]);
  });

  it('every other week, forever', () => {
    expect(rfc('1997-09-02T09:00:00', 'FREQ=WEEKLY;INTERVAL=2;WKST=SU', '1998-02-18')).toEqual([
      ...on('1997-09', [2, 16, 30]),
      ...on('1997-10', [14, 28]),
      ...on('1997-11', [11, 25]),
      ...on('1997-12', [9, 23]),
      ...on('1998-01', [6, 20]),
      ...on('1998-02', [3, 17]),
    ]);
  });

  it('weekly on Tuesday and Thursday for five weeks (UNTIL and COUNT forms)', () => {
    const expected = [...on('1997-09', [2, 4, 9, 11, 16, 18, 23, 25, 30]), ...on('1997-10', [2])];
    expect(rfc('1997-09-02T09:00:00', 'FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH')).toEqual(expected);
    expect(rfc('1997-09-02T09:00:00', 'FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH')).toEqual(expected);
  });

  it('every other week on Monday, Wednesday and Friday until December 24, 1997', () => {
    expect(rfc('1997-09-01T09:00:00', 'FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR')).toEqual([
      ...on('1997-09', [1, 3, 5, 15, 17, 19, 29]),
      ...on('1997-10', [1, 3, 13, 15, 17, 27, 29, 31]),
      ...on('1997-11', [10, 12, 14, 24, 26, 28]),
      ...on('1997-12', [8, 10, 12, 22]),
    ]);
  });

  it('every other week on Tuesday and Thursday, for 8 occurrences', () => {
    expect(rfc('1997-09-02T09:00:00', 'FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH')).toEqual([
      ...on('1997-09', [2, 4, 16, 18, 30]),
      ...on('1997-10', [2, 14, 16]),
    ]);
  });

  it('monthly on the first Friday for 10 occurrences', () => {
    expect(rfc('1997-09-05T09:00:00', 'FREQ=MONTHLY;COUNT=10;BYDAY=1FR')).toEqual([
      '1997-09-05T09:00', '1997-10-03T09:00', '1997-11-07T09:00', '1997-12-05T09:00', '1998-01-02T09:00',
      '1998-02-06T09:00', '1998-03-06T09:00', '1998-04-03T09:00', '1998-05-01T09:00', '1998-06-05T09:00',
    ]);
  });

  it('monthly on the first Friday until December 24, 1997', () => {
    expect(rfc('1997-09-05T09:00:00', 'FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR')).toEqual([
      '1997-09-05T09:00', '1997-10-03T09:00', '1997-11-07T09:00', '1997-12-05T09:00',
    ]);
  });

  it('every other month on the first and last Sunday of the month for 10 occurrences', () => {
    expect(rfc('1997-09-07T09:00:00', 'FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU')).toEqual([
      ...on('1997-09', [7, 28]),
      ...on('1997-11', [2, 30]),
      ...on('1998-01', [4, 25]),
      ...on('1998-03', [1, 29]),
      ...on('1998-05', [3, 31]),
    ]);
  });

  it('monthly on the second-to-last Monday of the month for 6 months', () => {
    expect(rfc('1997-09-22T09:00:00', 'FREQ=MONTHLY;COUNT=6;BYDAY=-2MO')).toEqual([
      '1997-09-22T09:00', '1997-10-20T09:00', '1997-11-17T09:00', '1997-12-22T09:00', '1998-01-19T09:00',
      '1998-02-16T09:00',
    ]);
  });

  it('monthly on the third-to-the-last day of the month, forever', () => {
    expect(rfc('1997-09-28T09:00:00', 'FREQ=MONTHLY;BYMONTHDAY=-3', '1998-03-01')).toEqual([
      '1997-09-28T09:00', '1997-10-29T09:00', '1997-11-28T09:00', '1997-12-29T09:00', '1998-01-29T09:00',
      '1998-02-26T09:00',
    ]);
  });

  it('monthly on the 2nd and 15th of the month for 10 occurrences', () => {
    expect(rfc('1997-09-02T09:00:00', 'FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15')).toEqual([
      ...on('1997-09', [2, 15]),
      ...on('1997-10', [2, 15]),
      ...on('1997-11', [2, 15]),
      ...on('1997-12', [2, 15]),
      ...on('1998-01', [2, 15]),
    ]);
  });

  it('monthly on the first and last day of the month for 10 occurrences', () => {
    expect(rfc('1997-09-30T09:00:00', 'FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1')).toEqual([
      '1997-09-30T09:00', '1997-10-01T09:00', '1997-10-31T09:00', '1997-11-01T09:00', '1997-11-30T09:00',
      '1997-12-01T09:00', '1997-12-31T09:00', '1998-01-01T09:00', '1998-01-31T09:00', '1998-02-01T09:00',
    ]);
  });

  it('every 18 months on the 10th thru 15th of the month for 10 occurrences', () => {
    expect(rfc('1997-09-10T09:00:00', 'FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15')).toEqual([
      ...on('1997-09', span(10, 15)),
      ...on('1999-03', span(10, 13)),
    ]);
  });

  it('every Tuesday, every other month', () => {
    expect(rfc('1997-09-02T09:00:00', 'FREQ=MONTHLY;INTERVAL=2;BYDAY=TU', '1998-04-01')).toEqual([
      ...on('1997-09', [2, 9, 16, 23, 30]),
      ...on('1997-11', [4, 11, 18, 25]),
      ...on('1998-01', [6, 13, 20, 27]),
      ...on('1998-03', [3, 10, 17, 24, 31]),
    ]);
  });

  it('yearly in June and July for 10 occurrences', () => {
    expect(rfc('1997-06-10T09:00:00', 'FREQ=YEARLY;COUNT=10;BYMONTH=6,7')).toEqual(
      ['1997', '1998', '1999', '2000', '2001'].flatMap((y) => [`${y}-06-10T09:00`, `${y}-07-10T09:00`]),
    );
  });

  it('every other year on January, February, and March for 10 occurrences', () => {
    expect(rfc('1997-03-10T09:00:00', 'FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3')).toEqual([
      '1997-03-10T09:00',
      ...['1999', '2001', '2003'].flatMap((y) => [`${y}-01-10T09:00`, `${y}-02-10T09:00`, `${y}-03-10T09:00`]),
    ]);
  });

  it('every third year on the 1st, 100th, and 200th day for 10 occurrences', () => {
    expect(rfc('1997-01-01T09:00:00', 'FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200')).toEqual([
      '1997-01-01T09:00', '1997-04-10T09:00', '1997-07-19T09:00', '2000-01-01T09:00', '2000-04-09T09:00',
      '2000-07-18T09:00', '2003-01-01T09:00', '2003-04-10T09:00', '2003-07-19T09:00', '2006-01-01T09:00',
    ]);
  });

  it('every 20th Monday of the year, forever', () => {
    expect(rfc('1997-05-19T09:00:00', 'FREQ=YEARLY;BYDAY=20MO', '2000-01-01')).toEqual([
      '1997-05-19T09:00', '1998-05-18T09:00', '1999-05-17T09:00',
    ]);
  });

  it('Monday of week number 20, forever', () => {
    expect(rfc('1997-05-12T09:00:00', 'FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO', '2000-01-01')).toEqual([
      '1997-05-12T09:00', '1998-05-11T09:00', '1999-05-17T09:00',
    ]);
  });

  it('every Thursday in March, forever', () => {
    expect(rfc('1997-03-13T09:00:00', 'FREQ=YEARLY;BYMONTH=3;BYDAY=TH', '2000-01-01')).toEqual([
      ...on('1997-03', [13, 20, 27]),
      ...on('1998-03', [5, 12, 19, 26]),
      ...on('1999-03', [4, 11, 18, 25]),
    ]);
  });

  it('every Thursday, but only during June, July, and August, forever', () => {
    expect(rfc('1997-06-05T09:00:00', 'FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8', '1998-01-01')).toEqual([
      ...on('1997-06', [5, 12, 19, 26]),
      ...on('1997-07', [3, 10, 17, 24, 31]),
      ...on('1997-08', [7, 14, 21, 28]),
    ]);
  });

  it('every Friday the 13th, forever (the off-rule DTSTART is no occurrence; its EXDATE is harmless)', () => {
    expect(
      rfc('1997-09-02T09:00:00', 'FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13', '2001-01-01', ['1997-09-02T09:00:00-04:00']),
    ).toEqual(['1998-02-13T09:00', '1998-03-13T09:00', '1998-11-13T09:00', '1999-08-13T09:00', '2000-10-13T09:00']);
  });

  it('the first Saturday that follows the first Sunday of the month, forever', () => {
    expect(rfc('1997-09-13T09:00:00', 'FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13', '1998-06-14')).toEqual([
      '1997-09-13T09:00', '1997-10-11T09:00', '1997-11-08T09:00', '1997-12-13T09:00', '1998-01-10T09:00',
      '1998-02-07T09:00', '1998-03-07T09:00', '1998-04-11T09:00', '1998-05-09T09:00', '1998-06-13T09:00',
    ]);
  });

  it('every 4 years, the first Tuesday after a Monday in November (US Presidential Election day)', () => {
    expect(
      rfc('1996-11-05T09:00:00', 'FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8', '2005-01-01'),
    ).toEqual(['1996-11-05T09:00', '2000-11-07T09:00', '2004-11-02T09:00']);
  });

  it('the third instance of one of Tuesday, Wednesday or Thursday, for the next 3 months (BYSETPOS)', () => {
    expect(rfc('1997-09-04T09:00:00', 'FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3')).toEqual([
      '1997-09-04T09:00', '1997-10-07T09:00', '1997-11-06T09:00',
    ]);
  });

  it('the second-to-last weekday of the month', () => {
    expect(rfc('1997-09-29T09:00:00', 'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2', '1998-04-01')).toEqual([
      '1997-09-29T09:00', '1997-10-30T09:00', '1997-11-27T09:00', '1997-12-30T09:00', '1998-01-29T09:00',
      '1998-02-26T09:00', '1998-03-30T09:00',
    ]);
  });

  it('every 3 hours from 9:00 AM to 5:00 PM on a specific day', () => {
    // The RFC lists 09:00, 12:00 and 15:00, but UNTIL=19970902T170000Z is 13:00 EDT: 15:00 EDT (19:00Z)
    // comes after it. RFC errata aside, UNTIL is inclusive of instants up to 17:00Z only.
    expect(rfc('1997-09-02T09:00:00', 'FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T170000Z')).toEqual([
      '1997-09-02T09:00', '1997-09-02T12:00',
    ]);
  });

  it('every 20 minutes during 9 and 17 on Saturdays (MINUTELY with BYHOUR and BYDAY)', () => {
    const hours = (day: string) => ['09:10', '09:30', '09:50', '17:10', '17:30', '17:50'].map((t) => `${day}T${t}`);
    expect(rfc('1997-09-06T09:10:00', 'FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,17;BYDAY=SA;COUNT=12')).toEqual([
      ...hours('1997-09-06'),
      ...hours('1997-09-13'),
    ]);
  });

  it('every 15 minutes for 6 occurrences', () => {
    expect(rfc('1997-09-02T09:00:00', 'FREQ=MINUTELY;INTERVAL=15;COUNT=6')).toEqual(
      ['09:00', '09:15', '09:30', '09:45', '10:00', '10:15'].map((t) => `1997-09-02T${t}`),
    );
  });

  it('every hour and a half for 4 occurrences', () => {
    expect(rfc('1997-09-02T09:00:00', 'FREQ=MINUTELY;INTERVAL=90;COUNT=4')).toEqual([
      '1997-09-02T09:00', '1997-09-02T10:30', '1997-09-02T12:00', '1997-09-02T13:30',
    ]);
  });

  it('every 20 minutes from 9:00 AM to 4:40 PM every day (DAILY form; MINUTELY form bounded by UNTIL)', () => {
    const times = span(9, 16).flatMap((h) => ['00', '20', '40'].map((m) => `${String(h).padStart(2, '0')}:${m}`));
    const expected = [...times.map((t) => `1997-09-02T${t}`), ...times.map((t) => `1997-09-03T${t}`)];
    const daily = 'FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40';
    expect(rfc('1997-09-02T09:00:00', daily, '1997-09-04')).toEqual(expected);
    expect(
      rfc('1997-09-02T09:00:00', 'FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10,11,12,13,14,15,16;UNTIL=19970904T000000Z'),
    ).toEqual(expected);
  });

  it('WKST makes a difference: WKST=MO gives Aug 5, 10, 19, 24; WKST=SU gives Aug 5, 17, 19, 31', () => {
    expect(rfc('1997-08-05T09:00:00', 'FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO')).toEqual(
      on('1997-08', [5, 10, 19, 24]),
    );
    expect(rfc('1997-08-05T09:00:00', 'FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU')).toEqual(
      on('1997-08', [5, 17, 19, 31]),
    );
  });

  it('an invalid date (February 30) is ignored', () => {
    expect(rfc('2007-01-15T09:00:00', 'FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5')).toEqual([
      '2007-01-15T09:00', '2007-01-30T09:00', '2007-02-15T09:00', '2007-03-15T09:00', '2007-03-30T09:00',
    ]);
  });
});

describe('WEEKLY with BYSETPOS from a start inside the week', () => {
  // RFC 5545 picks BYSETPOS positions in the whole week (WKST to WKST), then drops what is before
  // DTSTART. 2027-01-01 is a Friday: Sun 3, Mon 4, Tue 5, Wed 6, Fri 8 January. Timed in UTC here.
  const utc = (localStart: string, rule: string) => timed(localStart, rule, { timezone: 'UTC' });
  const starts = (def: SeriesDefinition) => expandSeries(def, everything).map((o) => wall(o.start, 'UTC'));
  const expectSeries = (localStart: string, rule: string, dates: string[]) => {
    const def = utc(localStart, rule);
    expect(validateSeries(def).firstOccurrence.start.toISOString()).toBe(`${localStart}.000Z`);
    expect(starts(def)).toEqual(dates.map((date) => `${date}T09:00`));
  };

  it.each([
    // Week Mon 4 - Sun 10 holds {Mon 4, Tue 5}: Tuesday is position 2, and COUNT counts from it.
    ['2027-01-05T09:00:00', 'FREQ=WEEKLY;BYDAY=MO,TU;BYSETPOS=2;COUNT=3', ['2027-01-05', '2027-01-12', '2027-01-19']],
    ['2027-01-08T09:00:00', 'FREQ=WEEKLY;BYDAY=MO,FR;BYSETPOS=2;COUNT=3', ['2027-01-08', '2027-01-15', '2027-01-22']],
    ['2027-01-05T09:00:00', 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TU;BYSETPOS=2;COUNT=3', ['2027-01-05', '2027-01-19', '2027-02-02']],
    // WKST=SU: week Sun 3 - Sat 9 holds {Sun 3, Wed 6}; Wednesday is position 2.
    ['2027-01-06T09:00:00', 'FREQ=WEEKLY;BYDAY=SU,WE;BYSETPOS=2;WKST=SU;COUNT=3', ['2027-01-06', '2027-01-13', '2027-01-20']],
  ])('counts the days of the week before the start: %s %s', expectSeries);

  it('refuses a start the whole week does not pick (WKST=SU)', () => {
    // Week Sun 3 - Sat 9 holds {Sun 3, Mon 4}: position 1 is Sunday 3, before the start, so Monday 4 is no occurrence.
    const def = utc('2027-01-04T09:00:00', 'FREQ=WEEKLY;BYDAY=SU,MO;BYSETPOS=1;WKST=SU');
    expectError(() => validateSeries(def), 'INVALID_SERIES', /first occurrence would be 2027-01-10T09:00:00/);
  });

  it('an UNTIL rule read from the start, from a late window and after a split agree', () => {
    const def = utc('2027-01-06T09:00:00', 'FREQ=WEEKLY;BYDAY=SU,WE;BYSETPOS=2;WKST=SU;UNTIL=20300101T000000Z');
    const all = expandSeries(def, everything, { maxOccurrences: 1e4 });
    expect(all.slice(0, 2).map((o) => wall(o.start, 'UTC'))).toEqual(['2027-01-06T09:00', '2027-01-13T09:00']);
    const late = { from: new Date('2029-06-01T00:00:00Z'), to: new Date('2029-09-01T00:00:00Z') };
    expect(ids(expandSeries(def, late))).toEqual(ids(all.filter((o) => o.start >= late.from && o.start < late.to)));
    const { head, tail } = splitSeriesAt(def, '2027-03-03T09:00:00Z');
    expect([...ids(expandSeries(head, everything)), ...ids(expandSeries(tail, everything, { maxOccurrences: 1e4 }))]).toEqual(ids(all));
  });

  // Guards: what rrule.js already read as RFC 5545 does must stay so.
  it('keeps the cases the first week never changed', () => {
    // {Mon 4, Tue 5}: the last is Tuesday.
    expectSeries('2027-01-05T09:00:00', 'FREQ=WEEKLY;BYDAY=MO,TU;BYSETPOS=-1;COUNT=3', ['2027-01-05', '2027-01-12', '2027-01-19']);
    // WKST=SU: {Sun 3, Mon 4}, the last is Monday. WKST=MO: {Mon 4, Sun 10}, the first is Monday.
    expectSeries('2027-01-04T09:00:00', 'FREQ=WEEKLY;BYDAY=SU,MO;BYSETPOS=-1;WKST=SU;COUNT=3', ['2027-01-04', '2027-01-11', '2027-01-18']);
    expectSeries('2027-01-04T09:00:00', 'FREQ=WEEKLY;BYDAY=SU,MO;BYSETPOS=1;COUNT=3', ['2027-01-04', '2027-01-11', '2027-01-18']);
    // WKST=MO: {Wed 6, Sun 10}, position 2 is Sunday 10.
    expectError(() => validateSeries(utc('2027-01-06T09:00:00', 'FREQ=WEEKLY;BYDAY=SU,WE;BYSETPOS=2')), 'INVALID_SERIES', /first occurrence would be 2027-01-10T09:00:00/);
  });

  it('leaves MONTHLY BYSETPOS as it was (a month is never cut at DTSTART)', () => {
    // The last weekday of each month, and the first Monday, from starts inside their months.
    expect(starts(utc('2027-01-29T09:00:00', 'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3'))).toEqual([
      '2027-01-29T09:00', '2027-02-26T09:00', '2027-03-31T09:00',
    ]);
    expect(starts(utc('2027-01-04T09:00:00', 'FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1;COUNT=3'))).toEqual([
      '2027-01-04T09:00', '2027-02-01T09:00', '2027-03-01T09:00',
    ]);
  });
});

describe('daylight saving time', () => {
  const window = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') };

  it('weekly 09:00 New York keeps 09:00 local: 14:00Z in winter, 13:00Z in summer, and back', () => {
    const list = expandSeries(timed('2026-03-02T09:00:00', 'FREQ=WEEKLY;BYDAY=MO'), window);
    const byId = ids(list);
    expect(byId.slice(0, 2)).toEqual(['2026-03-02T14:00:00Z', '2026-03-09T13:00:00Z']); // DST from Mar 8
    expect(byId).toContain('2026-10-26T13:00:00Z');
    expect(byId).toContain('2026-11-02T14:00:00Z'); // standard time again from Nov 1
    expect(list.every((o) => wall(o.start).endsWith('T09:00'))).toBe(true);
  });

  it('weekly 09:00 Berlin: 08:00Z, then 07:00Z from the last Sunday of March, 08:00Z after the last of October', () => {
    const def = { ...timed('2026-03-23T09:00:00', 'FREQ=WEEKLY;BYDAY=MO'), timezone: 'Europe/Berlin' };
    const byId = ids(expandSeries(def, window));
    expect(byId.slice(0, 2)).toEqual(['2026-03-23T08:00:00Z', '2026-03-30T07:00:00Z']);
    expect(byId).toContain('2026-10-19T07:00:00Z');
    expect(byId).toContain('2026-10-26T08:00:00Z');
  });

  it('daily 02:30 across the spring-forward gap happens at 03:30 EDT that day (RFC 5545 §3.3.5)', () => {
    const list = expandSeries(timed('2026-03-06T02:30:00', 'FREQ=DAILY;COUNT=4'), window);
    expect(ids(list)).toEqual([
      '2026-03-06T07:30:00Z', // 02:30 EST
      '2026-03-07T07:30:00Z', // 02:30 EST
      '2026-03-08T07:30:00Z', // 02:30 does not exist: 03:30 EDT
      '2026-03-09T06:30:00Z', // 02:30 EDT
    ]);
    expect(wall(list[2].start)).toBe('2026-03-08T03:30');
    expect(list[2].localStart).toBe('2026-03-08T02:30:00'); // the rule's wall clock
    expect(wall(list[3].start)).toBe('2026-03-09T02:30');
  });

  it('daily 01:30 across the fall-back overlap happens once, at the first 01:30 (EDT)', () => {
    const list = expandSeries(timed('2026-10-31T01:30:00', 'FREQ=DAILY;COUNT=3'), window);
    expect(ids(list)).toEqual(['2026-10-31T05:30:00Z', '2026-11-01T05:30:00Z', '2026-11-02T06:30:00Z']);
  });

  it('durations are elapsed time: 2 hours from 01:00 on the spring-forward night end at 04:00 EDT', () => {
    const [occ] = expandSeries(timed('2026-03-08T01:00:00', 'FREQ=DAILY;COUNT=1', { durationMinutes: 120 }), window);
    expect(wall(occ.end)).toBe('2026-03-08T04:00');
  });

  it('BYDAY is a local weekday: Monday 04:00 Kolkata is Sunday 22:30 UTC', () => {
    const def = { ...timed('2026-03-02T04:00:00', 'FREQ=WEEKLY;BYDAY=MO;COUNT=3'), timezone: 'Asia/Kolkata' };
    const list = expandSeries(def, window);
    expect(ids(list)).toEqual(['2026-03-01T22:30:00Z', '2026-03-08T22:30:00Z', '2026-03-15T22:30:00Z']);
    expect(list.every((o) => o.start.getUTCDay() === 0)).toBe(true);
  });

  it('a timed UNTIL is an instant: 09:00 EST = 14:00Z is included, 13:59:59Z excludes that day', () => {
    const upTo = (until: string) =>
      ids(expandSeries(timed('2026-01-05T09:00:00', `FREQ=DAILY;UNTIL=${until}`), window));
    expect(upTo('20260107T140000Z').at(-1)).toBe('2026-01-07T14:00:00Z');
    expect(upTo('20260107T135959Z').at(-1)).toBe('2026-01-06T14:00:00Z');
    // A floating UNTIL (no Z) is read as the series' wall clock.
    expect(upTo('20260107T090000').at(-1)).toBe('2026-01-07T14:00:00Z');
  });
});

describe('month ends and leap days', () => {
  const utc = (localStart: string, rule: string): SeriesDefinition => ({ ...timed(localStart, rule), timezone: 'UTC' });
  const dates = (def: SeriesDefinition) => expandSeries(def, everything).map((o) => o.occurrenceId.slice(0, 10));

  it('BYMONTHDAY=31 skips the months without a 31st', () => {
    expect(dates(utc('2026-01-31T09:00:00', 'FREQ=MONTHLY;BYMONTHDAY=31;COUNT=7'))).toEqual([
      '2026-01-31', '2026-03-31', '2026-05-31', '2026-07-31', '2026-08-31', '2026-10-31', '2026-12-31',
    ]);
  });

  it('BYMONTHDAY=-1 is the last day: Feb 28 in 2027, Feb 29 in 2028', () => {
    expect(dates(utc('2027-01-31T09:00:00', 'FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3'))).toEqual([
      '2027-01-31', '2027-02-28', '2027-03-31',
    ]);
    expect(dates(utc('2028-01-31T09:00:00', 'FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=4'))).toEqual([
      '2028-01-31', '2028-02-29', '2028-03-31', '2028-04-30',
    ]);
  });

  it('yearly on February 29 only happens in leap years (2100 is not one)', () => {
    expect(dates(utc('2024-02-29T09:00:00', 'FREQ=YEARLY;COUNT=3'))).toEqual([
      '2024-02-29', '2028-02-29', '2032-02-29',
    ]);
    expect(dates(utc('2096-02-29T09:00:00', 'FREQ=YEARLY;COUNT=2'))).toEqual(['2096-02-29', '2104-02-29']);
  });

  it('monthly from the 31st without BYMONTHDAY keeps the 31st', () => {
    expect(dates(utc('2026-01-31T09:00:00', 'FREQ=MONTHLY;COUNT=3'))).toEqual([
      '2026-01-31', '2026-03-31', '2026-05-31',
    ]);
  });
});

describe('EXDATE', () => {
  it('COUNT counts the excluded occurrences too: COUNT=5 with one EXDATE gives 4', () => {
    const def = timed('2026-03-02T09:00:00', 'FREQ=DAILY;COUNT=5', { exdates: ['2026-03-04T09:00:00-05:00'] });
    expect(ids(expandSeries(def, everything))).toEqual([
      '2026-03-02T14:00:00Z', '2026-03-03T14:00:00Z', '2026-03-05T14:00:00Z', '2026-03-06T14:00:00Z',
    ]);
  });

  it('accepts any offset or millisecond form and refuses ids without an offset', () => {
    const base = timed('2026-03-02T09:00:00', 'FREQ=DAILY;COUNT=3');
    const def = { ...base, exdates: ['2026-03-03T14:00:00.000Z', '2026-03-04T15:00:00+01:00'] };
    expect(ids(expandSeries(def, everything))).toEqual(['2026-03-02T14:00:00Z']);
    const err = expectError(
      () => expandSeries({ ...base, exdates: ['2026-03-03T09:00:00'] }, everything),
      'INVALID_EXDATE',
      /2026-03-03T09:00:00/,
    );
    expect(err.field).toBe('exdates');
  });
});

describe('all-day series', () => {
  const allDay = (localStart: string, rule: string, days = 1, exdates?: string[]): SeriesDefinition => ({
    rule,
    timezone: NY,
    isAllDay: true,
    localStart,
    durationMinutes: days * 1440,
    exdates,
  });

  it('daily: ids are dates, starts are local midnights (05:00Z in EST, 04:00Z in EDT)', () => {
    const list = expandSeries(allDay('2026-03-07', 'FREQ=DAILY;COUNT=3'), everything);
    expect(ids(list)).toEqual(['2026-03-07', '2026-03-08', '2026-03-09']);
    expect(list.map((o) => o.start.toISOString())).toEqual([
      '2026-03-07T05:00:00.000Z', '2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z',
    ]);
    expect(list[1].end.toISOString()).toBe('2026-03-09T04:00:00.000Z'); // a 23-hour day
    expect(list[0].localStart).toBe('2026-03-07');
  });

  it('weekly on weekends with a date UNTIL and an EXDATE', () => {
    const def = allDay('2026-03-07', 'FREQ=WEEKLY;BYDAY=SA,SU;UNTIL=20260322', 1, ['2026-03-15']);
    expect(ids(expandSeries(def, everything))).toEqual([
      '2026-03-07', '2026-03-08', '2026-03-14', '2026-03-21', '2026-03-22',
    ]);
  });

  it('3-day occurrences overlap a window that starts on their last day', () => {
    const def = allDay('2026-06-01', 'FREQ=MONTHLY;COUNT=3', 3);
    const list = expandSeries(def, { from: new Date('2026-07-03T12:00:00Z'), to: new Date('2026-07-04T00:00:00Z') });
    expect(ids(list)).toEqual(['2026-07-01']);
    expect(list[0].end.toISOString()).toBe('2026-07-04T04:00:00.000Z');
  });

  it('refuses sub-day rules and durations that are not whole days', () => {
    expectError(() => expandSeries(allDay('2026-03-07', 'FREQ=HOURLY;COUNT=3'), everything), 'INVALID_RULE', /HOURLY/);
    expectError(() => expandSeries(allDay('2026-03-07', 'FREQ=DAILY;BYHOUR=9'), everything), 'INVALID_RULE', /BYHOUR/);
    const halfDay = { ...allDay('2026-03-07', 'FREQ=DAILY'), durationMinutes: 720 };
    expect(expectError(() => expandSeries(halfDay, everything), 'INVALID_SERIES').field).toBe('endTime');
  });
});

describe('splitting a series ("this and following")', () => {
  function checkSplit(def: SeriesDefinition, at: string, window = everything) {
    const original = ids(expandSeries(def, window));
    const { head, tail } = splitSeriesAt(def, at);
    expect(head.rule).toBe(truncateRuleBefore(def, at));
    expect(tail.rule).toBe(remainingRuleFrom(def, at));
    const before = ids(expandSeries(head, window));
    const after = ids(expandSeries(tail, window));
    expect(after[0]).toBe(at);
    expect([...before, ...after]).toEqual(original);
    return { head, tail };
  }

  it('COUNT rules: COUNT is split between the two halves', () => {
    const def = timed('2026-03-02T09:00:00', 'FREQ=WEEKLY;COUNT=10;BYDAY=MO');
    const { head, tail } = checkSplit(def, '2026-03-23T13:00:00Z');
    expect(head.rule).toBe('FREQ=WEEKLY;COUNT=3;BYDAY=MO');
    expect(tail.rule).toBe('FREQ=WEEKLY;COUNT=7;BYDAY=MO');
    expect(tail.localStart).toBe('2026-03-23T09:00:00');
  });

  it('COUNT rules count excluded occurrences on the right side', () => {
    const exdates = ['2026-03-03T14:00:00Z', '2026-03-06T14:00:00Z'];
    const def = timed('2026-03-02T09:00:00', 'FREQ=DAILY;COUNT=6', { exdates });
    const { head, tail } = checkSplit(def, '2026-03-05T14:00:00Z');
    expect(head.rule).toBe('FREQ=DAILY;COUNT=3');
    expect(head.exdates).toEqual(['2026-03-03T14:00:00Z']);
    expect(tail.exdates).toEqual(['2026-03-06T14:00:00Z']);
  });

  it('UNTIL rules across DST: the head ends one second before, the tail keeps UNTIL', () => {
    const def = timed('2026-03-02T09:00:00', 'FREQ=DAILY;UNTIL=20260320T130000Z');
    const { head, tail } = checkSplit(def, '2026-03-10T13:00:00Z');
    expect(head.rule).toBe('FREQ=DAILY;UNTIL=20260310T125959Z');
    expect(tail.rule).toBe('FREQ=DAILY;UNTIL=20260320T130000Z');
  });

  it('infinite rules, with INTERVAL and a weekly pattern', () => {
    const window = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2027-06-01T00:00:00Z') };
    const def = timed('2026-01-05T18:30:00', 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;WKST=SU');
    const { head, tail } = checkSplit(def, '2026-11-12T23:30:00Z', window); // Thursday of an "on" week, EST
    expect(head.rule).toBe('FREQ=WEEKLY;INTERVAL=2;UNTIL=20261112T232959Z;BYDAY=MO,TH;WKST=SU');
    expect(tail.rule).toBe(def.rule);
  });

  it('at an occurrence moved by a DST gap, the tail keeps the rule wall clock 02:30', () => {
    const def = timed('2026-03-05T02:30:00', 'FREQ=DAILY;COUNT=6');
    const { tail } = checkSplit(def, '2026-03-08T07:30:00Z');
    expect(tail.localStart).toBe('2026-03-08T02:30:00');
  });

  it('all-day rules use a date UNTIL', () => {
    const def: SeriesDefinition = {
      rule: 'FREQ=DAILY;INTERVAL=3',
      timezone: NY,
      isAllDay: true,
      localStart: '2026-03-01',
      durationMinutes: 1440,
    };
    const window = { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-05-01T00:00:00Z') };
    const { head } = checkSplit(def, '2026-03-10', window);
    expect(head.rule).toBe('FREQ=DAILY;INTERVAL=3;UNTIL=20260309');
  });

  it('refuses the first occurrence and ids that are not occurrences', () => {
    const def = timed('2026-03-02T09:00:00', 'FREQ=DAILY;COUNT=5', { exdates: ['2026-03-04T14:00:00Z'] });
    expectError(() => truncateRuleBefore(def, '2026-03-02T14:00:00Z'), 'FIRST_OCCURRENCE');
    expect(remainingRuleFrom(def, '2026-03-02T14:00:00Z')).toBe('FREQ=DAILY;COUNT=5');
    expectError(() => truncateRuleBefore(def, '2026-03-03T15:00:00Z'), 'UNKNOWN_OCCURRENCE');
    expectError(() => remainingRuleFrom(def, '2026-03-04T14:00:00Z'), 'UNKNOWN_OCCURRENCE'); // excluded
    expectError(() => remainingRuleFrom(def, 'tomorrow'), 'UNKNOWN_OCCURRENCE');
  });
});

describe('validation', () => {
  const timedCtx = { isAllDay: false, timezone: NY };
  const bad: [rule: string, code: string, names: RegExp][] = [
    ['FREQ=WEEKLY;BYMONTH=13', 'INVALID_RULE', /BYMONTH/],
    ['FREQ=WEEKLY;BYDAY=XX', 'INVALID_RULE', /BYDAY/],
    ['FREQ=DAILY;INTERVAL=0', 'INVALID_RULE', /INTERVAL/],
    ['FREQ=DAILY;COUNT=0', 'INVALID_RULE', /COUNT/],
    ['FREQ=DAILY;COUNT=5;UNTIL=20260101T000000Z', 'INVALID_RULE', /COUNT and UNTIL/],
    ['FREQ=DAILY;FOO=1', 'INVALID_RULE', /FOO/],
    ['BYDAY=MO', 'INVALID_RULE', /FREQ/],
    ['FREQ=FORTNIGHTLY', 'INVALID_RULE', /FREQ/],
    ['FREQ=SECONDLY;COUNT=3', 'INVALID_RULE', /SECONDLY/],
    ['FREQ=DAILY;FREQ=WEEKLY', 'INVALID_RULE', /FREQ/],
    ['FREQ=DAILY;BYSECOND=0', 'INVALID_RULE', /BYSECOND/],
    ['DTSTART:20260101T090000Z\nRRULE:FREQ=DAILY', 'INVALID_RULE', /DTSTART/],
    ['FREQ=DAILY;UNTIL=2026', 'INVALID_RULE', /UNTIL/],
    ['FREQ=DAILY;UNTIL=20260230T000000Z', 'INVALID_RULE', /UNTIL/],
    ['FREQ=DAILY;UNTIL=20260301', 'INVALID_RULE', /UNTIL/], // date-only UNTIL on a timed series
    ['FREQ=WEEKLY;BYMONTHDAY=1', 'INVALID_RULE', /BYMONTHDAY/],
    ['FREQ=MONTHLY;BYWEEKNO=1', 'INVALID_RULE', /BYWEEKNO/],
    ['FREQ=MONTHLY;BYYEARDAY=1', 'INVALID_RULE', /BYYEARDAY/],
    ['FREQ=MONTHLY;BYDAY=6MO', 'INVALID_RULE', /BYDAY/],
    ['FREQ=WEEKLY;BYDAY=1MO', 'INVALID_RULE', /BYDAY/],
    ['FREQ=YEARLY;BYDAY=0MO', 'INVALID_RULE', /BYDAY/],
    ['FREQ=MONTHLY;BYMONTHDAY=32', 'INVALID_RULE', /BYMONTHDAY/],
    ['FREQ=MONTHLY;BYMONTHDAY=0', 'INVALID_RULE', /BYMONTHDAY/],
    ['FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30', 'INVALID_RULE', /BYMONTHDAY/],
    ['FREQ=DAILY;BYSETPOS=1', 'INVALID_RULE', /BYSETPOS/],
    ['FREQ=DAILY;BYHOUR=24', 'INVALID_RULE', /BYHOUR/],
    ['FREQ=DAILY;BYMINUTE=-5', 'INVALID_RULE', /BYMINUTE/],
    ['FREQ=DAILY;WKST=XX', 'INVALID_RULE', /WKST/],
    ['FREQ=MINUTELY;INTERVAL=7;BYHOUR=9;COUNT=5', 'INVALID_RULE', /MINUTELY/],
    ['FREQ=MINUTELY;COUNT=3;BYMINUTE=0,30;BYSETPOS=1', 'INVALID_RULE', /BYSETPOS/],
    ['FREQ=DAILY;BYMONTH=', 'INVALID_RULE', /BYMONTH/],
    ['FREQ=HOURLY', 'UNBOUNDED_RULE', /HOURLY/],
    ['FREQ=MINUTELY;INTERVAL=15', 'UNBOUNDED_RULE', /MINUTELY/],
  ];

  it.each(bad)('%s → %s', (rule, code, names) => {
    const error = expectError(() => parseRule(rule, timedCtx), code, names);
    expect(error.field).toBe('recurrenceRule');
  });

  it('parseRule normalizes: prefix, case, order, sorted lists, defaults dropped, UNTIL in UTC', () => {
    expect(parseRule('RRULE:byday=we,mo,we;freq=weekly;interval=1;wkst=MO', timedCtx)).toEqual({
      frequency: 'WEEKLY',
      bounded: false,
      normalized: 'FREQ=WEEKLY;BYDAY=MO,WE',
    });
    const parsed = parseRule('FREQ=DAILY;UNTIL=20260310T090000', timedCtx); // floating: New York wall clock
    expect(parsed).toEqual({
      frequency: 'DAILY',
      bounded: true,
      until: new Date('2026-03-10T13:00:00Z'),
      normalized: 'FREQ=DAILY;UNTIL=20260310T130000Z',
    });
    expect(parseRule('FREQ=MONTHLY;COUNT=4;BYDAY=-1FR,2MO;BYSETPOS=-1', timedCtx).normalized).toBe(
      'FREQ=MONTHLY;COUNT=4;BYDAY=2MO,-1FR;BYSETPOS=-1',
    );
    const allDay = parseRule('FREQ=DAILY;UNTIL=20260310', { isAllDay: true, timezone: NY });
    expect(allDay.until).toEqual(new Date('2026-03-10T04:00:00Z')); // midnight EDT
    expect(allDay.normalized).toBe('FREQ=DAILY;UNTIL=20260310');
  });

  it('refuses an unknown time zone, a malformed start and a negative duration', () => {
    const marsZone = () => parseRule('FREQ=DAILY', { isAllDay: false, timezone: 'Mars/Olympus' });
    expect(expectError(marsZone, 'INVALID_SERIES').field).toBe('timezone');
    const def = timed('2026-03-02T09:00:00', 'FREQ=DAILY');
    const fieldOf = (changes: Partial<SeriesDefinition>) =>
      expectError(() => expandSeries({ ...def, ...changes }, everything), 'INVALID_SERIES').field;
    expect(fieldOf({ localStart: '2026-03-02' })).toBe('startTime');
    expect(fieldOf({ localStart: '2026-02-30T09:00:00' })).toBe('startTime');
    expect(fieldOf({ durationMinutes: -1 })).toBe('endTime');
    expect(fieldOf({ durationMinutes: 1.5 })).toBe('endTime');
  });

  it('throws OCCURRENCE_CAP instead of truncating', () => {
    const def = timed('2026-01-01T09:00:00', 'FREQ=DAILY');
    expectError(() => expandSeries(def, everything), 'OCCURRENCE_CAP', /5000/);
    const tenDays = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-01-11T00:00:00Z') };
    expect(expandSeries(def, tenDays, { maxOccurrences: 10 })).toHaveLength(10);
    expectError(() => expandSeries(def, tenDays, { maxOccurrences: 9 }), 'OCCURRENCE_CAP');
  });

  it('refuses rules whose hour can never come or that never match (no endless loop)', () => {
    const evenHours = timed('2026-03-02T10:00:00', 'FREQ=HOURLY;INTERVAL=2;BYHOUR=3;COUNT=5');
    expectError(() => expandSeries(evenHours, everything), 'INVALID_RULE', /BYHOUR/);
    // Every 7 days from a Monday never lands on a Tuesday: rrule.js alone would spin to year 9999.
    const never = timed('2026-03-02T10:00:00', 'FREQ=DAILY;INTERVAL=7;BYDAY=TU');
    expectError(() => expandSeries(never, everything), 'INVALID_RULE', /FREQ=DAILY/);
    // Every fourth year from 2026 is never a leap year.
    const leapless = timed('2026-03-02T10:00:00', 'FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29');
    expectError(() => validateSeries(leapless), 'INVALID_RULE', /no occurrence/);
  });

  it('validateSeries wants the start to be the first occurrence and reports the series bounds', () => {
    const offRule = timed('2026-03-04T09:00:00', 'FREQ=WEEKLY;BYDAY=MO'); // a Wednesday
    const err = expectError(() => validateSeries(offRule), 'INVALID_SERIES', /2026-03-09T09:00:00/);
    expect(err.field).toBe('startTime');
    const summary = validateSeries(timed('2026-03-02T09:00:00', 'FREQ=WEEKLY;BYDAY=MO;COUNT=3'));
    expect(summary.firstOccurrence.occurrenceId).toBe('2026-03-02T14:00:00Z');
    expect(summary.lastOccurrenceEnd).toEqual(new Date('2026-03-16T14:00:00Z'));
  });
});

describe('lookups', () => {
  const def = timed('2026-03-02T09:00:00', 'FREQ=WEEKLY;BYDAY=MO,WE', { exdates: ['2026-03-09T13:00:00Z'] });

  it('normalizeOccurrenceId accepts offsets, Z, millis and basic form; refuses the rest', () => {
    expect(normalizeOccurrenceId('2026-03-09T09:00:00-04:00', false)).toBe('2026-03-09T13:00:00Z');
    expect(normalizeOccurrenceId('2026-03-09T13:00:00.000Z', false)).toBe('2026-03-09T13:00:00Z');
    expect(normalizeOccurrenceId('2026-03-09T18:30+0530', false)).toBe('2026-03-09T13:00:00Z');
    expect(normalizeOccurrenceId('20260309T130000Z', false)).toBe('2026-03-09T13:00:00Z');
    expect(normalizeOccurrenceId('2026-03-09T13:00:00.5Z', false)).toBeNull();
    expect(normalizeOccurrenceId('2026-03-09T13:00:00', false)).toBeNull();
    expect(normalizeOccurrenceId('2026-02-30T13:00:00Z', false)).toBeNull();
    expect(normalizeOccurrenceId('2026-03-09', false)).toBeNull();
    expect(normalizeOccurrenceId('2026-03-09', true)).toBe('2026-03-09');
    expect(normalizeOccurrenceId('20260309', true)).toBe('2026-03-09');
    expect(normalizeOccurrenceId('2026-03-09T00:00:00Z', true)).toBeNull();
  });

  it('occurrenceExists: real occurrences yes; excluded, off-rule and past-COUNT ones no', () => {
    expect(occurrenceExists(def, '2026-03-11T09:00:00-04:00')).toBe(true);
    expect(occurrenceExists(def, '2036-03-10T09:00:00-04:00')).toBe(true); // Monday, ten years on
    expect(occurrenceExists(def, '2036-03-12T13:00:00.000Z')).toBe(true); // Wednesday, 09:00 EDT
    expect(occurrenceExists(def, '2026-03-09T13:00:00Z')).toBe(false); // excluded
    expect(occurrenceExists(def, '2026-03-10T13:00:00Z')).toBe(false); // a Tuesday
    expect(occurrenceExists(def, '2026-03-02T09:00:00Z')).toBe(false); // right day, wrong time
    expect(occurrenceExists({ ...def, rule: 'FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4' }, '2026-03-16T13:00:00Z')).toBe(false);
  });

  it('nextOccurrences: the first `limit` with end after the instant, skipping EXDATEs', () => {
    const next = nextOccurrences(def, new Date('2026-03-02T14:30:00Z'), 3); // inside the first occurrence
    expect(ids(next)).toEqual(['2026-03-02T14:00:00Z', '2026-03-04T14:00:00Z', '2026-03-11T13:00:00Z']);
    const twice = { ...def, rule: 'FREQ=WEEKLY;BYDAY=MO,WE;COUNT=2' };
    expect(ids(nextOccurrences(twice, new Date('2026-03-03T00:00:00Z'), 5))).toEqual(['2026-03-04T14:00:00Z']);
  });

  it('lastOccurrenceEnd: null when infinite, the last end for COUNT and UNTIL rules', () => {
    expect(lastOccurrenceEnd(def)).toBeNull();
    const fourTimes = { ...def, rule: 'FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4' };
    expect(lastOccurrenceEnd(fourTimes)).toEqual(new Date('2026-03-11T14:00:00Z'));
    expect(lastOccurrenceEnd({ ...def, rule: 'FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20361231T235959Z' })).toEqual(
      new Date('2036-12-31T15:00:00Z'), // Wednesday Dec 31, 09:00 EST + 1 h
    );
    const hourly = timed('2026-01-01T00:00:00', 'FREQ=HOURLY;UNTIL=20301231T235959Z');
    expect(lastOccurrenceEnd(hourly)).toEqual(new Date('2031-01-01T00:00:00Z')); // 18:00 EST + 1 h
  });
});

describe('windows start late, not at DTSTART', () => {
  // Compares a far window with the same span cut out of a walk from the start, for rules where the
  // engine jumps ahead to a period boundary near the window.
  const rules: [localStart: string, rule: string, windowEnd: string][] = [
    ['2026-01-07T09:00:00', 'FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,FR;WKST=SU', '2033-04-15'],
    ['2026-01-07T09:00:00', 'FREQ=WEEKLY;INTERVAL=2', '2033-04-15'],
    ['2026-01-30T09:00:00', 'FREQ=MONTHLY;INTERVAL=5;BYDAY=-1FR', '2035-01-01'],
    ['2026-01-31T09:00:00', 'FREQ=MONTHLY;INTERVAL=2', '2034-01-01'],
    ['2026-01-31T09:00:00', 'FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=31,30;BYSETPOS=1', '2034-01-01'],
    ['2026-12-28T09:00:00', 'FREQ=YEARLY;INTERVAL=2;BYWEEKNO=1,52,53;BYDAY=MO,SU', '2037-01-15'],
    ['2024-02-29T09:00:00', 'FREQ=YEARLY', '2041-01-01'],
    ['2026-12-31T09:00:00', 'FREQ=YEARLY;BYYEARDAY=-1,100', '2035-01-01'],
    ['2026-01-03T08:00:00', 'FREQ=DAILY;INTERVAL=9;BYHOUR=8,20', '2033-04-15'],
    ['2026-01-03T08:00:00', 'FREQ=HOURLY;INTERVAL=7;UNTIL=20400101T000000Z', '2033-04-15'],
    ['2026-01-05T09:00:00', 'FREQ=HOURLY;INTERVAL=5;BYHOUR=9,14,19;BYDAY=MO;UNTIL=20400101T000000Z', '2033-04-15'],
    ['2032-11-03T08:10:00', 'FREQ=MINUTELY;INTERVAL=45;UNTIL=20400101T000000Z', '2033-04-15'],
    ['2026-01-03T09:10:00', 'FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,17;BYDAY=SA;UNTIL=20400101T000000Z', '2033-04-15'],
  ];

  it.each(rules)('%s %s', (localStart, rule, windowEnd) => {
    const def = timed(localStart, rule, { timezone: 'Europe/Berlin' });
    const window = { from: new Date('2033-03-01T00:00:00Z'), to: new Date(`${windowEnd}T00:00:00Z`) };
    const far = expandSeries(def, window);
    const sinceStart = { from: new Date('2026-01-01T00:00:00Z'), to: window.to };
    const fromStart = expandSeries(def, sinceStart, { maxOccurrences: 1e5 });
    const cut = fromStart.filter((o) => o.end > window.from);
    expect(far.length).toBeGreaterThan(1);
    expect(ids(far)).toEqual(ids(cut));
  });
});

// Timings of expansion are measured in bench/recurrence-expand.bench.mjs, not here.
describe('long series', () => {
  it('expands ten years of a daily series, whole and by month', () => {
    const def = timed('2026-01-01T09:00:00', 'FREQ=DAILY;UNTIL=20351231T235959Z');
    const all = expandSeries(def, everything, { maxOccurrences: 4000 });
    expect(all).toHaveLength(3652);
    const month = expandSeries(def, { from: new Date('2035-06-01T00:00:00Z'), to: new Date('2035-07-01T00:00:00Z') });
    expect(month).toHaveLength(30);
    expect(month[0].start.toISOString()).toBe('2035-06-01T13:00:00.000Z');
  });
});
