import { describe, expect, it } from '@jest/globals';

import { seriesBusySpans } from '../../src/engines/recurrence/busy-spans.js';
import { expandSeries, type SeriesDefinition } from '../../src/engines/recurrence/recurrence.engine.js';

// The fast path must give exactly the union of the occurrences: each case is checked against merging
// expandSeries' own list (no cap) over the same window, EXDATEs and skipped occurrences.

interface Window {
  from: Date;
  to: Date;
}

const NY = 'America/New_York';
const BERLIN = 'Europe/Berlin';
const SANTIAGO = 'America/Santiago'; // changes at midnight: 2026-04-05 00:00 → 04-04 23:00, 2026-09-06 00:00 → 01:00
const BEIRUT = 'Asia/Beirut'; // 2026-03-29 00:00 → 01:00, 2026-10-25 00:00 → 10-24 23:00
const HAVANA = 'America/Havana'; // 2026-03-08 00:00 → 01:00
const LORD_HOWE = 'Australia/Lord_Howe'; // half-hour DST: 2026-04-05 02:00 → 01:30

const NO_CAP = { maxOccurrences: Number.MAX_SAFE_INTEGER };

function timed(zone: string, localStart: string, rule: string, durationMinutes: number, exdates?: string[]): SeriesDefinition {
  return { rule, timezone: zone, isAllDay: false, localStart, durationMinutes, ...(exdates && { exdates }) };
}

const w = (from: string, to: string): Window => ({ from: new Date(from), to: new Date(to) });

/** 'start/end' strings of the merged occurrences of expandSeries. */
function reference(def: SeriesDefinition, window: Window, skip: string[] = []): string[] {
  const occurrences = expandSeries({ ...def, exdates: [...(def.exdates ?? []), ...skip] }, window, NO_CAP);
  const spans = occurrences
    .map((o) => ({ s: o.start.getTime(), e: o.end.getTime() }))
    .filter((x) => x.e > x.s)
    .sort((a, b) => a.s - b.s);
  const merged: Array<{ s: number; e: number }> = [];
  for (const x of spans) {
    const last = merged[merged.length - 1];
    if (last && x.s <= last.e) last.e = Math.max(last.e, x.e);
    else merged.push({ ...x });
  }
  return merged.map((x) => `${new Date(x.s).toISOString()}/${new Date(x.e).toISOString()}`);
}

function fast(def: SeriesDefinition, window: Window, skip: string[] = []): string[] {
  return seriesBusySpans(def, window, skip).map((x) => `${x.start.toISOString()}/${x.end.toISOString()}`);
}

/** Every `nth` occurrence id of the series in the window (for EXDATEs and skipped occurrences). */
function everyNth(def: SeriesDefinition, window: Window, nth: number, offset = 0): string[] {
  return expandSeries(def, window, NO_CAP)
    .filter((_, i) => i % nth === offset)
    .map((o) => o.occurrenceId);
}

type Case = [name: string, def: SeriesDefinition, window: Window, skip?: string[]];

const march = w('2026-03-05T00:00:00Z', '2026-03-12T00:00:00Z'); // NY and Havana spring forward
const marchShort = w('2026-03-07T06:00:00Z', '2026-03-09T18:00:00Z'); // for every-minute rules: 3,600 occurrences
const berlinSpring = w('2026-03-27T00:00:00Z', '2026-03-31T00:00:00Z'); // Berlin and Beirut spring forward
const november = w('2026-10-30T00:00:00Z', '2026-11-03T00:00:00Z'); // NY falls back
const santiagoApril = w('2026-04-03T00:00:00Z', '2026-04-07T00:00:00Z');
const santiagoSeptember = w('2026-09-04T12:00:00Z', '2026-09-08T00:00:00Z');
const beirutOctober = w('2026-10-23T00:00:00Z', '2026-10-27T00:00:00Z');
const quiet = w('2026-06-10T00:00:00Z', '2026-06-14T00:00:00Z');
const twoMonths = w('2026-02-20T00:00:00Z', '2026-04-23T00:00:00Z');
const UNTIL_2031 = 'UNTIL=20310101T000000Z';

const cases: Case[] = [
  // MINUTELY: step 1, durations shorter than, equal to and longer than the step.
  ['MINUTELY, 1 min each, NY spring', timed(NY, '2026-01-01T09:00:00', `FREQ=MINUTELY;${UNTIL_2031}`, 1), marchShort],
  ['MINUTELY, 0 min each', timed(NY, '2026-01-01T09:00:00', `FREQ=MINUTELY;${UNTIL_2031}`, 0), marchShort],
  ['MINUTELY/15, 10 min, NY spring', timed(NY, '2026-01-01T09:00:00', `FREQ=MINUTELY;INTERVAL=15;${UNTIL_2031}`, 10), march],
  ['MINUTELY/15, 15 min, NY fall', timed(NY, '2026-01-01T09:00:00', `FREQ=MINUTELY;INTERVAL=15;${UNTIL_2031}`, 15), november],
  ['MINUTELY/15, 45 min, Berlin', timed(BERLIN, '2026-01-01T09:00:00', `FREQ=MINUTELY;INTERVAL=15;${UNTIL_2031}`, 45), berlinSpring],
  ['MINUTELY/7 (not dividing a day), 3 min', timed(NY, '2026-01-01T09:04:00', `FREQ=MINUTELY;INTERVAL=7;${UNTIL_2031}`, 3), march],
  ['MINUTELY/90, 30 min, Santiago April', timed(SANTIAGO, '2026-01-01T09:00:00', `FREQ=MINUTELY;INTERVAL=90;${UNTIL_2031}`, 30), santiagoApril],
  ['MINUTELY/1000, 60 min', timed(NY, '2026-01-01T09:00:00', `FREQ=MINUTELY;INTERVAL=1000;${UNTIL_2031}`, 60), twoMonths],
  ['MINUTELY/2000 (over a day), 3000 min', timed(BERLIN, '2026-01-01T09:00:00', `FREQ=MINUTELY;INTERVAL=2000;${UNTIL_2031}`, 3000), twoMonths],
  ['MINUTELY/45 on MO,WE,FR, 20 min', timed(NY, '2026-03-02T08:15:00', `FREQ=MINUTELY;INTERVAL=45;BYDAY=MO,WE,FR;${UNTIL_2031}`, 20), march],
  ['MINUTELY/20 on days 1, 8, -1, Havana', timed(HAVANA, '2026-02-08T00:00:00', `FREQ=MINUTELY;INTERVAL=20;BYMONTHDAY=1,8,-1;${UNTIL_2031}`, 20), twoMonths],
  ['MINUTELY/30 in March, yeardays', timed(BEIRUT, '2026-03-01T00:10:00', `FREQ=MINUTELY;INTERVAL=30;BYMONTH=3;BYYEARDAY=60,88,-278;${UNTIL_2031}`, 25), twoMonths],
  ['MINUTELY with seconds in the start', timed(NY, '2026-03-01T09:00:30', `FREQ=MINUTELY;INTERVAL=5;${UNTIL_2031}`, 2), march],
  ['MINUTELY, 1 min, Beirut spring (midnight)', timed(BEIRUT, '2026-01-01T09:00:00', `FREQ=MINUTELY;INTERVAL=10;${UNTIL_2031}`, 5), berlinSpring],
  ['MINUTELY/10, Beirut fall (midnight)', timed(BEIRUT, '2026-01-01T09:00:00', `FREQ=MINUTELY;INTERVAL=10;${UNTIL_2031}`, 5), beirutOctober],
  ['MINUTELY/10, Santiago September (midnight gap)', timed(SANTIAGO, '2026-01-01T09:00:00', `FREQ=MINUTELY;INTERVAL=10;${UNTIL_2031}`, 5), santiagoSeptember],
  ['MINUTELY/10, Lord Howe half-hour fall', timed(LORD_HOWE, '2026-01-01T09:00:00', `FREQ=MINUTELY;INTERVAL=10;${UNTIL_2031}`, 5), santiagoApril],
  ['MINUTELY/10, UTC', timed('UTC', '2026-01-01T09:00:00', `FREQ=MINUTELY;INTERVAL=10;${UNTIL_2031}`, 5), march],
  ['MINUTELY/3, 2 min, Asia/Kolkata', timed('Asia/Kolkata', '2026-01-01T09:00:00', `FREQ=MINUTELY;INTERVAL=3;${UNTIL_2031}`, 2), quiet],
  // HOURLY.
  ['HOURLY, 60 min', timed(NY, '2026-01-01T09:00:00', `FREQ=HOURLY;${UNTIL_2031}`, 60), march],
  ['HOURLY, 30 min, NY fall', timed(NY, '2026-01-01T09:30:00', `FREQ=HOURLY;${UNTIL_2031}`, 30), november],
  ['HOURLY, 120 min, Santiago April', timed(SANTIAGO, '2026-01-01T09:00:00', `FREQ=HOURLY;${UNTIL_2031}`, 120), santiagoApril],
  ['HOURLY/5 (not dividing a day), 45 min', timed(BERLIN, '2026-01-01T09:00:00', `FREQ=HOURLY;INTERVAL=5;${UNTIL_2031}`, 45), twoMonths],
  ['HOURLY/7 at :00 :20 :40, 10 min', timed(NY, '2026-01-01T09:00:00', `FREQ=HOURLY;INTERVAL=7;BYMINUTE=0,20,40;${UNTIL_2031}`, 10), march],
  ['HOURLY/2 BYHOUR=8..14, 90 min', timed(NY, '2026-01-01T08:00:00', `FREQ=HOURLY;INTERVAL=2;BYHOUR=0,2,8,10,12,14;${UNTIL_2031}`, 90), march],
  ['HOURLY/30 (over a day), 60 min', timed(BERLIN, '2026-01-01T09:00:00', `FREQ=HOURLY;INTERVAL=30;${UNTIL_2031}`, 60), twoMonths],
  ['HOURLY BYSETPOS=-1 of :00 :30', timed(NY, '2026-01-01T09:00:00', `FREQ=HOURLY;BYMINUTE=0,30;BYSETPOS=-1;${UNTIL_2031}`, 15), march],
  ['HOURLY weekends at :15 :45', timed(HAVANA, '2026-01-03T00:15:00', `FREQ=HOURLY;BYDAY=SA,SU;BYMINUTE=15,45;${UNTIL_2031}`, 15), march],
  ['HOURLY/3, start at :30 with BYMINUTE=0,30', timed(NY, '2026-03-06T01:30:00', `FREQ=HOURLY;INTERVAL=3;BYMINUTE=0,30;${UNTIL_2031}`, 20), march],
  // MINUTELY with BYHOUR/BYMINUTE (run as DAILY) and dense DAILY/WEEKLY/MONTHLY rules.
  ['MINUTELY/30 BYHOUR=9,10,11', timed(NY, '2026-01-01T09:00:00', `FREQ=MINUTELY;INTERVAL=30;BYHOUR=9,10,11;${UNTIL_2031}`, 30), march],
  ['MINUTELY/5 every hour (dense)', timed(BERLIN, '2026-01-01T00:00:00', `FREQ=MINUTELY;INTERVAL=5;BYHOUR=${hours()};${UNTIL_2031}`, 5), berlinSpring],
  ['MINUTELY/10 BYMINUTE=5,15,25 on TU', timed(NY, '2026-01-06T00:05:00', `FREQ=MINUTELY;INTERVAL=10;BYMINUTE=5,15,25;BYDAY=TU;${UNTIL_2031}`, 10), twoMonths],
  ['DAILY every minute of the day, unbounded', timed(SANTIAGO, '2026-01-01T00:00:00', `FREQ=DAILY;BYHOUR=${hours()};BYMINUTE=${minutes()}`, 1), santiagoSeptember],
  ['DAILY BYSETPOS=1,-1 of 9:00-17:30', timed(NY, '2026-01-01T09:00:00', 'FREQ=DAILY;BYHOUR=9,17;BYMINUTE=0,30;BYSETPOS=1,-1', 20), march],
  ['WEEKLY MO,TU at 1:00-3:30 NY spring', timed(NY, '2026-01-05T01:00:00', 'FREQ=WEEKLY;BYDAY=MO,TU,SU;BYHOUR=1,2,3;BYMINUTE=0,30', 30), march],
  ['MONTHLY days 8, 9, -1 at 2:00 and 2:30 (a DST gap)', timed(NY, '2026-01-08T02:00:00', 'FREQ=MONTHLY;BYMONTHDAY=8,9,-1;BYHOUR=2;BYMINUTE=0,30', 45), twoMonths],
  ['WEEKLY BYSETPOS (expanded)', timed(NY, '2026-01-02T10:00:00', 'FREQ=WEEKLY;BYDAY=MO,FR;BYHOUR=9,10;BYSETPOS=-1', 60), twoMonths],
  ['DAILY, nothing dense', timed(BERLIN, '2026-01-01T09:00:00', 'FREQ=DAILY;INTERVAL=2', 60), twoMonths],
  ['DAILY COUNT ending mid-window', timed(NY, '2026-03-01T09:00:00', 'FREQ=DAILY;BYHOUR=9,10;BYMINUTE=0,15,30,45;COUNT=37', 15), march],
  ['all-day, 3 days each', { rule: 'FREQ=DAILY;INTERVAL=4', timezone: NY, isAllDay: true, localStart: '2026-02-01', durationMinutes: 3 * 1440 }, march],
  // The series' ends inside the window.
  ['MINUTELY COUNT ending mid-window', timed(NY, '2026-03-07T22:00:00', 'FREQ=MINUTELY;INTERVAL=3;COUNT=1000', 2), march],
  ['HOURLY COUNT with BYDAY ending mid-window', timed(BERLIN, '2026-03-27T05:00:00', 'FREQ=HOURLY;INTERVAL=2;BYDAY=FR,SA,SU,MO;COUNT=40', 90), berlinSpring],
  ['MINUTELY UNTIL mid-window', timed(NY, '2026-03-01T09:00:00', 'FREQ=MINUTELY;INTERVAL=4;UNTIL=20260309T151700Z', 3), march],
  ['HOURLY UNTIL mid-window, Santiago', timed(SANTIAGO, '2026-03-01T09:00:00', 'FREQ=HOURLY;UNTIL=20260405T034500Z', 50), santiagoApril],
  ['MINUTELY starting mid-window', timed(NY, '2026-03-08T01:55:00', `FREQ=MINUTELY;INTERVAL=5;${UNTIL_2031}`, 5), march],
  ['HOURLY starting mid-window at :45 with BYMINUTE=0,15,45', timed(BERLIN, '2026-03-29T00:45:00', `FREQ=HOURLY;BYMINUTE=0,15,45;${UNTIL_2031}`, 10), berlinSpring],
  ['starts and ends inside the window', timed(NY, '2026-03-07T10:00:00', 'FREQ=MINUTELY;INTERVAL=6;UNTIL=20260309T120000Z', 4), march],
  ['series before the window', timed(NY, '2026-01-01T10:00:00', 'FREQ=MINUTELY;INTERVAL=6;UNTIL=20260201T120000Z', 4), march],
  ['occurrences longer than the window', timed(NY, '2026-01-01T10:00:00', `FREQ=HOURLY;INTERVAL=11;${UNTIL_2031}`, 14 * 1440), march],
  // EXDATEs: ones neighbours cover (no gap) and ones they do not; EXDATEs of DST-gap duplicates.
  ['EXDATEs covered by neighbours', timed(NY, '2026-01-01T09:00:00', `FREQ=MINUTELY;${UNTIL_2031}`, 5, ['2026-03-07T12:00:00Z', '2026-03-08T06:59:00Z', '2026-03-09T17:00:00Z']), marchShort],
  ['EXDATEs leaving gaps', timed(NY, '2026-01-01T09:00:00', `FREQ=MINUTELY;INTERVAL=15;${UNTIL_2031}`, 10, ['2026-03-06T12:00:00Z', '2026-03-08T07:00:00Z', '2026-03-08T07:15:00Z', '2026-03-11T23:45:00Z']), march],
  ['EXDATE of a DST-gap occurrence', timed(NY, '2026-01-01T09:00:00', `FREQ=HOURLY;${UNTIL_2031}`, 30, ['2026-03-08T07:00:00Z', '2026-11-01T05:00:00Z']), march],
  // Counted days (DAILY and WEEKLY without rrule.js): week boundaries on WKST, filters, INTERVAL from DTSTART.
  ['WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=MO (RFC 5545)', timed(NY, '1997-08-05T09:00:00', 'FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO', 60), w('1997-08-01T00:00:00Z', '1997-09-10T00:00:00Z')],
  ['WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU (RFC 5545)', timed(NY, '1997-08-05T09:00:00', 'FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU', 60), w('1997-08-01T00:00:00Z', '1997-09-10T00:00:00Z')],
  ['WEEKLY;INTERVAL=3;BYDAY=SA,SU,MO;WKST=SA from a Sunday', timed(BERLIN, '2026-01-04T22:30:00', 'FREQ=WEEKLY;INTERVAL=3;BYDAY=SA,SU,MO;WKST=SA', 90), w('2026-02-20T00:00:00Z', '2026-04-20T00:00:00Z')],
  ['WEEKLY;INTERVAL=2;BYMONTH=3,4 without BYDAY', timed(NY, '2026-01-06T10:00:00', `FREQ=WEEKLY;INTERVAL=2;BYMONTH=3,4;${UNTIL_2031}`, 45), w('2026-02-20T00:00:00Z', '2026-05-10T00:00:00Z')],
  ['DAILY;INTERVAL=3;BYDAY=MO,WE,FR;BYMONTH=3 across spring forward', timed(NY, '2026-01-02T01:30:00', 'FREQ=DAILY;INTERVAL=3;BYDAY=MO,WE,FR;BYMONTH=3', 150), w('2026-02-25T00:00:00Z', '2026-04-05T00:00:00Z')],
  ['DAILY;INTERVAL=5;BYMONTHDAY=1,-1,15 with UNTIL', timed(SANTIAGO, '2026-01-03T23:00:00', 'FREQ=DAILY;INTERVAL=5;BYMONTHDAY=1,-1,15,18,28;UNTIL=20260420T000000Z', 120), w('2026-01-01T00:00:00Z', '2026-05-01T00:00:00Z')],
  ['EXDATE of the fall-back hour', timed(NY, '2026-01-01T09:00:00', `FREQ=MINUTELY;INTERVAL=30;${UNTIL_2031}`, 30, ['2026-11-01T05:30:00Z', '2026-11-01T06:00:00Z']), november],
];

function hours(): string {
  return Array.from({ length: 24 }, (_, i) => i).join(',');
}
function minutes(): string {
  return Array.from({ length: 60 }, (_, i) => i).join(',');
}

describe('seriesBusySpans equals the merged expansion', () => {
  it.each(cases)('%s', (_name, def, window, skip = []) => {
    const expected = reference(def, window, skip);
    expect(fast(def, window, skip)).toEqual(expected);
  });

  it.each(cases.filter(([, def]) => def.durationMinutes > 0))('%s, with every 37th occurrence skipped', (_name, def, window) => {
    const total = expandSeries(def, window, NO_CAP).length;
    const skip = total >= 40 ? everyNth(def, window, 37, 5) : everyNth(def, window, 2);
    expect(skip.length).toBe(total >= 40 ? Math.floor((total - 6) / 37) + 1 : Math.ceil(total / 2));
    const expected = reference(def, window, skip);
    expect(fast(def, window, skip)).toEqual(expected);
  });

  it("gives RFC 5545's answers for WKST: a two-weekly rule's days depend on where its weeks begin", () => {
    const window = w('1997-08-01T00:00:00Z', '1997-09-10T00:00:00Z');
    const days = (wkst: string) =>
      fast(timed(NY, '1997-08-05T09:00:00', `FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=${wkst}`, 60), window).map((span) => span.slice(0, 10));
    expect(days('MO')).toEqual(['1997-08-05', '1997-08-10', '1997-08-19', '1997-08-24']);
    expect(days('SU')).toEqual(['1997-08-05', '1997-08-17', '1997-08-19', '1997-08-31']);
  });

  it('a dense series over two months is one span per uncancelled stretch', () => {
    const def = timed(NY, '2026-01-01T00:00:00', `FREQ=MINUTELY;${UNTIL_2031}`, 1, ['2026-03-10T15:00:00Z']);
    const window = w('2026-03-01T00:00:00Z', '2026-05-02T00:00:00Z');
    const spans = fast(def, window, ['2026-04-01T12:30:00Z']);
    expect(spans).toEqual([
      '2026-03-01T00:00:00.000Z/2026-03-10T15:00:00.000Z',
      '2026-03-10T15:01:00.000Z/2026-04-01T12:30:00.000Z',
      '2026-04-01T12:31:00.000Z/2026-05-02T00:00:00.000Z',
    ]);
  });

  it('ignores skipped ids that are not occurrence ids', () => {
    const def = timed(NY, '2026-01-01T09:00:00', `FREQ=MINUTELY;INTERVAL=15;${UNTIL_2031}`, 10);
    expect(fast(def, march, ['not-an-id', '2026-03-06T12:07:00Z'])).toEqual(reference(def, march));
  });

  it('answers nothing for an empty window', () => {
    const def = timed(NY, '2026-01-01T09:00:00', `FREQ=MINUTELY;${UNTIL_2031}`, 1);
    expect(seriesBusySpans(def, w('2026-03-05T00:00:00Z', '2026-03-05T00:00:00Z'))).toEqual([]);
    expect(() => seriesBusySpans(def, { from: new Date('x'), to: new Date() })).toThrow(RangeError);
  });

  it('covers 62 days of a five-year FREQ=MINUTELY series with one span (timings in bench/recurrence-expand)', () => {
    const def = timed(NY, '2026-01-01T00:00:00', 'FREQ=MINUTELY;UNTIL=20301231T235900Z', 1);
    const window = w('2028-02-15T00:00:00Z', '2028-04-17T00:00:00Z');
    const spans = seriesBusySpans(def, window);
    expect(spans.map((x) => [x.start.toISOString(), x.end.toISOString()])).toEqual([['2028-02-15T00:00:00.000Z', '2028-04-17T00:00:00.000Z']]);
  });
});

describe('seriesBusySpans on random rules (seeded)', () => {
  const random = mulberry32(20261130);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const zones = [NY, BERLIN, SANTIAGO, BEIRUT, HAVANA, LORD_HOWE, 'UTC', 'Asia/Kolkata'];
  // Days near each zone's 2026 changes, and a quiet one.
  const days = ['2026-03-07', '2026-03-08', '2026-03-28', '2026-03-29', '2026-04-04', '2026-04-05', '2026-09-05', '2026-09-06', '2026-10-24', '2026-10-25', '2026-10-31', '2026-11-01', '2026-06-15'];
  const weekdays = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

  function subset(values: number[], most: number): number[] {
    const n = 1 + Math.floor(random() * most);
    return [...new Set(Array.from({ length: n }, () => pick(values)))].sort((a, b) => a - b);
  }

  function randomCase(): { kind: string; def: SeriesDefinition; window: Window; skip: string[] } | null {
    const zone = pick(zones);
    const startDay = pick(days);
    const shiftDays = Math.floor(random() * 5) - 3;
    const day = new Date(Date.parse(`${startDay}T00:00:00Z`) + shiftDays * 86_400_000).toISOString().slice(0, 10);
    const hour = String(Math.floor(random() * 24)).padStart(2, '0');
    const minute = String(pick([0, 0, 5, 15, 30, 45, 59])).padStart(2, '0');
    const second = pick(['00', '00', '00', '30']);
    const kind = pick(['MINUTELY', 'MINUTELY', 'HOURLY', 'HOURLY', 'MINUTELY-BYHOUR', 'DAILY-BYHOUR', 'PERIODIC']);
    const parts: string[] = [];
    let step: number;
    if (kind === 'MINUTELY') {
      const interval = pick([1, 2, 5, 7, 10, 15, 25, 45, 60, 90, 100, 1439, 1441, 3000]);
      parts.push('FREQ=MINUTELY', `INTERVAL=${interval}`);
      step = interval;
    } else if (kind === 'HOURLY') {
      const interval = pick([1, 2, 3, 5, 7, 8, 11, 24, 25, 50]);
      parts.push('FREQ=HOURLY', `INTERVAL=${interval}`);
      if (random() < 0.4) parts.push(`BYMINUTE=${subset([0, 10, 15, 20, 30, 45, 50], 3).join(',')}`);
      if (random() < 0.3) parts.push(`BYHOUR=${subset([...Array(24).keys()], 8).join(',')}`);
      if (random() < 0.15 && parts.some((p) => p.startsWith('BYMINUTE'))) parts.push(`BYSETPOS=${pick([1, -1, 2, -2, 3])}`);
      step = interval * 60;
    } else if (kind === 'MINUTELY-BYHOUR') {
      const interval = pick([1, 5, 10, 15, 20, 30]);
      parts.push('FREQ=MINUTELY', `INTERVAL=${interval}`, `BYHOUR=${subset([...Array(24).keys()], 12).join(',')}`);
      if (random() < 0.4) parts.push(`BYMINUTE=${subset([0, 5, 10, 15, 20, 30, 40, 45, 50], 4).join(',')}`);
      step = interval;
    } else if (kind === 'DAILY-BYHOUR') {
      parts.push('FREQ=DAILY', `INTERVAL=${pick([1, 1, 2, 3])}`, `BYHOUR=${subset([...Array(24).keys()], 20).join(',')}`);
      parts.push(`BYMINUTE=${subset([...Array(60).keys()], 30).join(',')}`);
      if (random() < 0.2) parts.push(`BYSETPOS=${subset([1, 2, 3, -1, -2, -5], 3).join(',')}`);
      step = 10;
    } else {
      // WEEKLY, MONTHLY, YEARLY with several times a day; BYSETPOS now and then (expanded, not patterned).
      const freq = pick(['WEEKLY', 'MONTHLY', 'YEARLY']);
      parts.push(`FREQ=${freq}`, `INTERVAL=${pick([1, 1, 2])}`, `BYHOUR=${subset([...Array(24).keys()], 10).join(',')}`);
      if (random() < 0.7) parts.push(`BYMINUTE=${subset([0, 10, 15, 20, 30, 45, 59], 4).join(',')}`);
      if (freq === 'WEEKLY') parts.push(`BYDAY=${[...new Set(Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(weekdays)))].join(',')}`);
      if (freq === 'MONTHLY') {
        parts.push(random() < 0.5 ? `BYMONTHDAY=${subset([1, 5, 7, 8, 25, 28, 29, 31, -1, -7], 4).join(',')}` : `BYDAY=${pick(['1SU', '2SU', '-1SA', '1MO,-1FR', 'SA,SU'])}`);
      }
      if (freq === 'YEARLY') {
        parts.push(pick(['BYMONTH=3,4,9,10,11;BYMONTHDAY=5,6,8,25,29,-1', 'BYWEEKNO=10,13,14,40,43,44;BYDAY=SA,SU', 'BYYEARDAY=66,67,87,88,95,-67,-68', 'BYMONTH=3,11;BYDAY=2SU,1SU,-1SU']));
      }
      if (random() < 0.15) parts.push(`BYSETPOS=${pick([1, -1, 2])}`);
      if (random() < 0.2) parts.push(`WKST=${pick(weekdays)}`);
      step = 60;
    }
    if (kind !== 'PERIODIC' && random() < 0.3) parts.push(`BYDAY=${[...new Set(Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(weekdays)))].join(',')}`);
    if (kind !== 'PERIODIC' && random() < 0.15) parts.push(`BYMONTHDAY=${subset([1, 4, 5, 6, 7, 8, 9, 24, 25, 28, 29, -1, -2, -3], 4).join(',')}`);
    const localStart = `${day}T${hour}:${minute}:${second}`;
    const startMs = Date.parse(`${localStart}Z`);
    const end = random();
    if (end < 0.45) parts.push(`COUNT=${1 + Math.floor(random() * 3000)}`);
    else if (end > 0.9 && (kind === 'DAILY-BYHOUR' || kind === 'PERIODIC')) {
      // unbounded
    } else parts.push(`UNTIL=${new Date(startMs + random() * (kind === 'PERIODIC' ? 80 : 12) * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '')}`);
    const durationMinutes = pick([0, 1, step, Math.max(1, step - 1), step + 1, step * 3, 60, 180, 1500]);
    const def = timed(zone, localStart, parts.join(';'), durationMinutes);
    const from = startMs + (random() * 4 - 2.5) * 86_400_000;
    const length = kind === 'PERIODIC' ? 5 + random() * 57 : 0.2 + random() * (step < 10 ? 3 : 8);
    const window = { from: new Date(from), to: new Date(from + length * 86_400_000) };
    let all: string[];
    try {
      all = expandSeries(def, { from: new Date(from - 2 * 86_400_000), to: new Date(window.to.getTime() + 2 * 86_400_000) }, NO_CAP).map(
        (o) => o.occurrenceId,
      );
    } catch {
      return null; // a rule the engine refuses (unreachable BYHOUR, too rare): not a case
    }
    const exdates = all.filter(() => random() < 0.02);
    const skip = all.filter(() => random() < 0.02);
    return { kind, def: { ...def, exdates }, window, skip };
  }

  const generated: Array<{ kind: string; def: SeriesDefinition; window: Window; skip: string[]; expected: string[] }> = [];
  while (generated.length < 300) {
    const c = randomCase();
    if (c) generated.push({ ...c, expected: reference(c.def, c.window, c.skip) });
  }

  it('covers every kind of rule, mostly with busy time and with cancelled occurrences', () => {
    const busy = generated.filter((c) => c.expected.length > 0);
    expect(busy.length).toBeGreaterThan(generated.length * 0.6);
    expect(new Set(busy.map((c) => c.kind))).toEqual(new Set(['MINUTELY', 'HOURLY', 'MINUTELY-BYHOUR', 'DAILY-BYHOUR', 'PERIODIC']));
    expect(busy.filter((c) => (c.def.exdates ?? []).length > 0 && c.skip.length > 0).length).toBeGreaterThan(50);
  });

  it.each(generated.map((c, i) => [i, c.def.timezone, c.def.rule, c] as const))('#%i %s %s', (_i, _zone, _rule, c) => {
    expect(fast(c.def, c.window, c.skip)).toEqual(c.expected);
  });
});

/** A small seeded PRNG (mulberry32) so failures reproduce. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
