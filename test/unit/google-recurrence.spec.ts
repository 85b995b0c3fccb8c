import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { cancellationOf, FAR_UNTIL, fromGoogle, toGoogle, type FromGoogleResult } from '../../src/engines/google/google-events.js';
import { parseRule, RecurrenceError } from '../../src/engines/recurrence/recurrence.engine.js';
import { seriesBusySpans } from '../../src/engines/recurrence/busy-spans.js';
import { instanceView } from '../fakes/google/calendar/event-ops.js';
import { findOccurrence } from '../fakes/google/calendar/recurrence.js';
import { calentoInstances, expectStorable, googleInstances, seriesDefinition, served, storeBody } from './google-fixtures.js';

// Google's side is the fake Google server's own expansion (test/fakes/google/calendar/recurrence.ts):
// for each series the occurrences Calento produces from fromGoogle's output (rule occurrences plus the
// extra occurrences the sync stores as overrides) must be exactly the instances Google has.

const BERLIN = 'Europe/Berlin';
const NY = 'America/New_York';

let n = 0;
function series(body: Record<string, unknown>, zone: string) {
  n += 1;
  const stored = storeBody(body, { id: `series${n}x` });
  const result = fromGoogle(served(stored, 'full', zone), zone);
  if (result.kind === 'series' || result.kind === 'event') expectStorable(result.write);
  return { stored, result };
}

/** A resource the fake's API would refuse but Google can hold (imported from an ICS file). */
function imported(body: Record<string, unknown>, zone: string) {
  n += 1;
  const result = fromGoogle({ id: `imported${n}x`, ...body }, zone);
  if (result.kind === 'series' || result.kind === 'event') expectStorable(result.write);
  return result;
}

function asSeries(result: FromGoogleResult) {
  expect(result.kind).toBe('series');
  if (result.kind !== 'series') throw new Error(result.kind);
  return result;
}

const timed = (zone: string, start: string, minutes: number, recurrence: string[], extra: Record<string, unknown> = {}) => ({
  summary: 'Series',
  start: { dateTime: start, timeZone: zone },
  end: { dateTime: DateTime.fromISO(start, { zone }).plus({ minutes }).toFormat("yyyy-MM-dd'T'HH:mm:ss"), timeZone: zone },
  recurrence,
  ...extra,
});

const local = (iso: string[], zone: string) => iso.map((i) => DateTime.fromISO(i, { zone }).toFormat("yyyy-MM-dd'T'HH:mm"));

describe('series across daylight saving time', () => {
  it('a weekly 09:00 Berlin series stays at 09:00 across the March change, EXDATE by TZID', () => {
    const { stored, result } = series(timed(BERLIN, '2026-03-16T09:00:00', 30, ['RRULE:FREQ=WEEKLY;COUNT=6', 'EXDATE;TZID=Europe/Berlin:20260330T090000']), BERLIN);
    const s = asSeries(result);
    expect(s.write).toMatchObject({
      recurrenceRule: 'FREQ=WEEKLY;COUNT=6',
      exdates: ['2026-03-30T07:00:00Z'],
      localStart: '2026-03-16T09:00:00',
      timezone: BERLIN,
      startTime: new Date('2026-03-16T08:00:00Z'),
      endTime: new Date('2026-03-16T08:30:00Z'),
      recurrenceEnd: new Date('2026-04-20T07:30:00Z'),
    });
    expect(s.extraOccurrences).toEqual([]);
    expect(s.warnings).toEqual([]);
    const ours = calentoInstances(s, '2026-03-01T00:00:00Z', '2026-06-01T00:00:00Z');
    expect(local(ours, BERLIN)).toEqual(['2026-03-16T09:00', '2026-03-23T09:00', '2026-04-06T09:00', '2026-04-13T09:00', '2026-04-20T09:00']);
    expect(ours).toEqual(googleInstances(stored, '2026-03-01T00:00:00Z', '2026-06-01T00:00:00Z', BERLIN));
  });

  it('an all-day weekly series across the change keeps local midnights; EXDATE as VALUE=DATE', () => {
    const { stored, result } = series({ summary: 'Bins', start: { date: '2026-03-22' }, end: { date: '2026-03-23' }, recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4', 'EXDATE;VALUE=DATE:20260405'] }, BERLIN);
    const s = asSeries(result);
    expect(s.write).toMatchObject({ isAllDay: true, startDate: '2026-03-22', endDate: '2026-03-23', localStart: '2026-03-22', exdates: ['2026-04-05'], timezone: BERLIN });
    const ours = calentoInstances(s, '2026-03-01T00:00:00Z', '2026-05-01T00:00:00Z');
    expect(local(ours, BERLIN)).toEqual(['2026-03-22T00:00', '2026-03-29T00:00', '2026-04-12T00:00']);
    expect(ours).toEqual(googleInstances(stored, '2026-03-01T00:00:00Z', '2026-05-01T00:00:00Z', BERLIN));
  });
});

describe('EXDATE in every form Google holds', () => {
  const lines = [
    'RRULE:FREQ=DAILY;COUNT=12',
    'EXDATE:20300309T140000Z',
    'EXDATE;TZID=America/New_York:20300311T090000,20300312T090000',
    'EXDATE;TZID=America/New_York:20300313T090000',
    'EXDATE:20300314T090000',
    'EXDATE:20300401T130000Z',
  ];

  it('UTC, TZID with several values, quoted TZID and floating values; one matching nothing is dropped', () => {
    const { stored, result } = series(timed(NY, '2030-03-08T09:00:00', 60, lines), NY);
    const s = asSeries(result);
    expect(s.write.exdates).toEqual(['2030-03-09T14:00:00Z', '2030-03-11T13:00:00Z', '2030-03-12T13:00:00Z', '2030-03-13T13:00:00Z', '2030-03-14T13:00:00Z']);
    expect(calentoInstances(s, '2030-03-01T00:00:00Z', '2030-04-01T00:00:00Z')).toEqual(googleInstances(stored, '2030-03-01T00:00:00Z', '2030-04-01T00:00:00Z', NY));
  });

  it('a quoted TZID (as some ICS writers send it)', () => {
    const s = asSeries(imported(timed(NY, '2030-03-08T09:00:00', 60, ['RRULE:FREQ=DAILY;COUNT=3', 'EXDATE;TZID="America/New_York":20300309T090000']), NY));
    expect(s.write.exdates).toEqual(['2030-03-09T14:00:00Z']);
  });

  it('a date EXDATE on a timed series removes that day\'s occurrences in the series zone', () => {
    const { result } = series(timed(NY, '2030-03-08T09:00:00', 60, ['RRULE:FREQ=DAILY;COUNT=5', 'EXDATE;VALUE=DATE:20300310,20300320']), NY);
    expect(asSeries(result).write.exdates).toEqual(['2030-03-10T13:00:00Z']);
  });

  it('a date-time EXDATE on an all-day series removes that date', () => {
    const { result } = series({ summary: 'x', start: { date: '2030-03-08' }, end: { date: '2030-03-09' }, recurrence: ['RRULE:FREQ=DAILY;COUNT=5', 'EXDATE;TZID=America/New_York:20300309T000000', 'EXDATE:20300310'] }, NY);
    expect(asSeries(result).write.exdates).toEqual(['2030-03-09', '2030-03-10']);
  });
});

describe('a start that is not an occurrence of its rule (RFC 5545: it is the first instance)', () => {
  const body = () =>
    timed(NY, '2030-03-05T09:00:00', 30, ['RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4', 'EXDATE:20300318T130000Z', 'EXDATE:20300319T130000Z']);

  it('starts the Calento series on the first Monday and keeps the Tuesday as an extra occurrence', () => {
    const { stored, result } = series(body(), NY);
    const s = asSeries(result);
    expect(s.write).toMatchObject({
      recurrenceRule: 'FREQ=WEEKLY;COUNT=3;BYDAY=MO',
      localStart: '2030-03-11T09:00:00',
      startTime: new Date('2030-03-11T13:00:00Z'),
      exdates: ['2030-03-18T13:00:00Z'],
    });
    expect(s.extraOccurrences).toEqual([
      { originalStart: '2030-03-05T14:00:00Z', startTime: new Date('2030-03-05T14:00:00Z'), endTime: new Date('2030-03-05T14:30:00Z'), startDate: null, endDate: null },
    ]);
    const ours = calentoInstances(s, '2030-03-01T00:00:00Z', '2030-05-01T00:00:00Z');
    expect(local(ours, NY)).toEqual(['2030-03-05T09:00', '2030-03-11T09:00', '2030-03-25T09:00']);
    expect(ours).toEqual(googleInstances(stored, '2030-03-01T00:00:00Z', '2030-05-01T00:00:00Z', NY));
  });

  it('goes back to Google with the Tuesday as its start and COUNT=4 again', () => {
    const s = asSeries(series(body(), NY).result);
    const google = toGoogle(s.write, [], null, { extraStarts: s.extraOccurrences.map((x) => x.originalStart) });
    expect(google.start).toEqual({ dateTime: '2030-03-05T09:00:00-05:00', timeZone: NY });
    expect(google.end).toEqual({ dateTime: '2030-03-05T09:30:00-05:00', timeZone: NY });
    expect(google.recurrence).toEqual(['RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=MO', 'EXDATE;TZID=America/New_York:20300318T090000']);
    const again = series(google as unknown as Record<string, unknown>, NY);
    const back = asSeries(again.result);
    expect(back.write).toEqual({ ...s.write, icalUid: back.write.icalUid });
    expect(back.extraOccurrences).toEqual(s.extraOccurrences);
    expect(googleInstances(again.stored, '2030-03-01T00:00:00Z', '2030-05-01T00:00:00Z', NY)).toEqual(calentoInstances(s, '2030-03-01T00:00:00Z', '2030-05-01T00:00:00Z'));
  });

  it('a cancelled instance is an EXDATE on a rule occurrence, and the override\'s removal on the extra one', () => {
    const s = asSeries(series(body(), NY).result);
    expect(cancellationOf(s.write, '2030-03-25T13:00:00Z')).toBe('exdate');
    expect(cancellationOf(s.write, '2030-03-25T09:00:00-04:00')).toBe('exdate');
    expect(cancellationOf(s.write, '2030-03-05T14:00:00Z')).toBe('override');
    expect(cancellationOf(s.write, '2030-03-26T13:00:00Z')).toBe('override');
  });

  it('an unbounded rule from an off-rule start', () => {
    const { stored, result } = series(timed(BERLIN, '2026-03-17T09:00:00', 60, ['RRULE:FREQ=WEEKLY;BYDAY=MO,FR']), BERLIN);
    const s = asSeries(result);
    expect(s.write).toMatchObject({ recurrenceRule: 'FREQ=WEEKLY;BYDAY=MO,FR', localStart: '2026-03-20T09:00:00', recurrenceEnd: null });
    expect(s.extraOccurrences.map((x) => x.originalStart)).toEqual(['2026-03-17T08:00:00Z']);
    expect(calentoInstances(s, '2026-03-01T00:00:00Z', '2026-05-01T00:00:00Z')).toEqual(googleInstances(stored, '2026-03-01T00:00:00Z', '2026-05-01T00:00:00Z', BERLIN));
  });

  it('COUNT=1 off the rule is just the start: a single event', () => {
    const { stored, result } = series(timed(NY, '2030-03-05T09:00:00', 30, ['RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=1']), NY);
    expect(result.kind).toBe('event');
    if (result.kind !== 'event') return;
    expect(result.write.startTime).toEqual(new Date('2030-03-05T14:00:00Z'));
    expect(googleInstances(stored, '2030-03-01T00:00:00Z', '2030-05-01T00:00:00Z', NY)).toEqual(['2030-03-05T14:00:00.000Z']);
  });

  it('an EXDATE on the off-rule start removes that instance', () => {
    const { stored, result } = series(timed(NY, '2030-03-05T09:00:00', 30, ['RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3', 'EXDATE;TZID=America/New_York:20300305T090000']), NY);
    const s = asSeries(result);
    expect(s.extraOccurrences).toEqual([]);
    expect(s.write.exdates).toEqual([]);
    expect(calentoInstances(s, '2030-03-01T00:00:00Z', '2030-05-01T00:00:00Z')).toEqual(googleInstances(stored, '2030-03-01T00:00:00Z', '2030-05-01T00:00:00Z', NY));
  });
});

describe('RDATE and EXRULE', () => {
  it('RDATEs become extra occurrences; one on a rule occurrence adds nothing; an EXDATE can remove one', () => {
    const { stored, result } = series(
      timed(NY, '2030-06-03T09:00:00', 60, [
        'RRULE:FREQ=DAILY;COUNT=3',
        'RDATE;TZID=America/New_York:20300610T150000,20300604T090000',
        'RDATE:20300611T130000Z',
        'RDATE:20300612T090000',
        'EXDATE:20300612T130000Z',
      ]),
      NY,
    );
    const s = asSeries(result);
    expect(s.extraOccurrences.map((x) => x.originalStart)).toEqual(['2030-06-10T19:00:00Z', '2030-06-11T13:00:00Z']);
    expect(s.extraOccurrences[0].endTime).toEqual(new Date('2030-06-10T20:00:00Z'));
    expect(s.write.exdates).toEqual([]);
    expect(calentoInstances(s, '2030-06-01T00:00:00Z', '2030-07-01T00:00:00Z')).toEqual(googleInstances(stored, '2030-06-01T00:00:00Z', '2030-07-01T00:00:00Z', NY));
    const back = toGoogle(s.write, [], null, { extraStarts: s.extraOccurrences.map((x) => x.originalStart) });
    expect(back.recurrence).toEqual(['RRULE:FREQ=DAILY;COUNT=3', 'RDATE;TZID=America/New_York:20300610T150000,20300611T090000']);
  });

  it('a date RDATE on a timed series happens at the series\' time of day', () => {
    const s = asSeries(series(timed(NY, '2030-06-03T09:00:00', 60, ['RRULE:FREQ=DAILY;COUNT=2', 'RDATE;VALUE=DATE:20300620']), NY).result);
    expect(s.extraOccurrences.map((x) => x.originalStart)).toEqual(['2030-06-20T13:00:00Z']);
  });

  it('all-day RDATEs are dates', () => {
    const s = asSeries(series({ summary: 'x', start: { date: '2030-06-03' }, end: { date: '2030-06-05' }, recurrence: ['RRULE:FREQ=WEEKLY;COUNT=2', 'RDATE;VALUE=DATE:20300606'] }, NY).result);
    expect(s.extraOccurrences).toEqual([
      { originalStart: '2030-06-06', startDate: '2030-06-06', endDate: '2030-06-08', startTime: new Date('2030-06-06T04:00:00Z'), endTime: new Date('2030-06-08T04:00:00Z') },
    ]);
  });

  it('EXRULE matches become EXDATEs', () => {
    const { stored, result } = series(timed(NY, '2030-06-03T09:00:00', 60, ['RRULE:FREQ=DAILY;COUNT=14', 'EXRULE:FREQ=WEEKLY;BYDAY=SA,SU']), NY);
    const s = asSeries(result);
    expect(s.write.exdates).toEqual(['2030-06-08T13:00:00Z', '2030-06-09T13:00:00Z', '2030-06-15T13:00:00Z', '2030-06-16T13:00:00Z']);
    expect(calentoInstances(s, '2030-06-01T00:00:00Z', '2030-07-01T00:00:00Z')).toEqual(googleInstances(stored, '2030-06-01T00:00:00Z', '2030-07-01T00:00:00Z', NY));
  });
});

describe('unbounded HOURLY and MINUTELY rules', () => {
  it('are refused by the recurrence engine as they are (reported: UNBOUNDED_RULE)', () => {
    expect(() => parseRule('FREQ=HOURLY;INTERVAL=5', { isAllDay: false, timezone: 'UTC' })).toThrow(RecurrenceError);
  });

  it.each([
    ['RRULE:FREQ=HOURLY;INTERVAL=5', 'FREQ=HOURLY;INTERVAL=5'],
    ['RRULE:FREQ=MINUTELY;INTERVAL=45', 'FREQ=MINUTELY;INTERVAL=45'],
  ])('%s is stored with a far UNTIL, expands like Google, and goes back without it', (line, rule) => {
    const { stored, result } = series(timed('UTC', '2030-01-01T08:00:00', 15, [line]), 'UTC');
    const s = asSeries(result);
    expect(s.write.recurrenceRule).toBe(`${rule};UNTIL=${FAR_UNTIL}`);
    expect(s.warnings).toEqual([`unbounded FREQ=${rule.slice(5, rule.indexOf(';'))} stored with UNTIL=${FAR_UNTIL}`]);
    const window: [string, string] = ['2030-01-01T00:00:00Z', '2030-01-04T00:00:00Z'];
    expect(calentoInstances(s, ...window)).toEqual(googleInstances(stored, ...window, 'UTC'));
    expect(calentoInstances(s, '2031-06-01T00:00:00Z', '2031-06-02T00:00:00Z').length).toBeGreaterThan(3);
    // Free/busy reads the same row through the busy-span engine.
    const busy = seriesBusySpans(seriesDefinition(s.write), { from: new Date('2030-01-01T00:00:00Z'), to: new Date('2030-01-02T00:00:00Z') });
    expect(busy[0]).toEqual({ start: new Date('2030-01-01T08:00:00Z'), end: new Date('2030-01-01T08:15:00Z') });
    expect(toGoogle(s.write).recurrence).toEqual([line]);
  });
});

describe('rules Calento would refuse from its API', () => {
  it('drops unknown parts and BYSECOND, with warnings', () => {
    const s = asSeries(imported(timed(NY, '2030-06-03T09:00:00', 60, ['RRULE:FREQ=WEEKLY;BYDAY=MO;X-GOOGLE-THING=1;BYSECOND=0;COUNT=3']), NY));
    expect(s.write.recurrenceRule).toBe('FREQ=WEEKLY;COUNT=3;BYDAY=MO');
    expect(s.warnings).toEqual(['rule part X-GOOGLE-THING dropped', 'rule part BYSECOND dropped']);
  });

  it('reads a bare rule value without "RRULE:" and ignores lines it cannot read', () => {
    const s = asSeries(imported(timed(NY, '2030-06-03T09:00:00', 60, ['FREQ=DAILY;COUNT=2', 'nonsense', 'X-FOO:bar']), NY));
    expect(s.write.recurrenceRule).toBe('FREQ=DAILY;COUNT=2');
    expect(s.warnings).toEqual(['unreadable recurrence lines dropped', 'recurrence lines X-FOO dropped']);
  });

  it('reads a date UNTIL of a timed series as the end of that day, like Google', () => {
    const { stored, result } = series(timed(NY, '2030-06-03T09:00:00', 60, ['RRULE:FREQ=DAILY;UNTIL=20300606']), NY);
    const s = asSeries(result);
    expect(s.write.recurrenceRule).toBe('FREQ=DAILY;UNTIL=20300607T035959Z');
    expect(calentoInstances(s, '2030-06-01T00:00:00Z', '2030-07-01T00:00:00Z')).toEqual(googleInstances(stored, '2030-06-01T00:00:00Z', '2030-07-01T00:00:00Z', NY));
  });

  it('keeps UNTIL of a rule with COUNT and UNTIL, and cuts COUNT to the engine\'s maximum', () => {
    const both = asSeries(series(timed(NY, '2030-06-03T09:00:00', 60, ['RRULE:FREQ=DAILY;COUNT=3;UNTIL=20300610T000000Z']), NY).result);
    expect(both.write.recurrenceRule).toBe('FREQ=DAILY;UNTIL=20300610T000000Z');
    const many = asSeries(series(timed(NY, '2030-06-03T09:00:00', 60, ['RRULE:FREQ=DAILY;COUNT=20000']), NY).result);
    expect(many.write.recurrenceRule).toBe('FREQ=DAILY;COUNT=10000');
  });

  it('keeps what it cannot run as a single event at Google\'s start, never throwing', () => {
    for (const line of ['RRULE:FREQ=SECONDLY', 'RRULE:NONSENSE', 'RRULE:FREQ=DAILY;BYMONTHDAY=31;BYMONTH=2', 'EXDATE:20300101T000000Z']) {
      const result = imported(timed(NY, '2030-06-03T09:00:00', 60, [line]), NY);
      expect(result.kind).toBe('event');
      if (result.kind === 'event') {
        expect(result.write.startTime).toEqual(new Date('2030-06-03T13:00:00Z'));
        expect(result.warnings.length).toBeGreaterThan(0);
      }
    }
    const hourlyAllDay = fromGoogle({ id: 'h1', start: { date: '2030-06-03' }, end: { date: '2030-06-04' }, recurrence: ['RRULE:FREQ=HOURLY;COUNT=3'] }, NY);
    expect(hourlyAllDay.kind).toBe('event');
  });

  it('cuts occurrences longer than 366 days', () => {
    const s = asSeries(series({ summary: 'x', start: { date: '2030-01-01' }, end: { date: '2031-06-01' }, recurrence: ['RRULE:FREQ=YEARLY;INTERVAL=2;COUNT=2'] }, NY).result);
    expect(s.write.endDate).toBe('2031-01-02');
  });
});

describe('series round trips: Calento → Google (the fake) → Calento', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['weekly Berlin with EXDATEs', timed(BERLIN, '2026-03-16T09:00:00', 45, ['RRULE:FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20260501T000000Z', 'EXDATE;TZID=Europe/Berlin:20260330T090000,20260402T090000']), BERLIN],
    ['monthly last Friday in New York', timed(NY, '2030-01-25T16:00:00', 90, ['RRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=12', 'EXDATE:20300329T200000Z']), NY],
    ['all-day yearly birthday', { summary: 'Birthday', start: { date: '2028-02-29' }, end: { date: '2028-03-01' }, recurrence: ['RRULE:FREQ=YEARLY'] }, NY],
    ['all-day weekly with a date EXDATE', { summary: 'Bins', start: { date: '2026-03-22' }, end: { date: '2026-03-23' }, recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4', 'EXDATE;VALUE=DATE:20260405'] }, BERLIN],
  ];

  it.each(cases)('%s', (_name, body, zone) => {
    const first = asSeries(series(body, zone).result);
    const google = toGoogle(first.write, first.attendees);
    const again = series(google as unknown as Record<string, unknown>, zone);
    const second = asSeries(again.result);
    expect(second.write).toEqual({ ...first.write, icalUid: second.write.icalUid });
    const window: [string, string] = ['2026-01-01T00:00:00Z', '2031-01-01T00:00:00Z'];
    expect(googleInstances(again.stored, ...window, zone)).toEqual(calentoInstances(first, ...window));
  });
});

describe('override round trip: Calento → Google instance (the fake) → Calento', () => {
  it('an edited occurrence of a Berlin series goes to its instance and comes back the same', () => {
    const master = storeBody(timed(BERLIN, '2026-03-16T09:00:00', 30, ['RRULE:FREQ=WEEKLY;COUNT=6']), { id: 'weekly77' });
    const occ = findOccurrence(master, BERLIN, { ms: Date.parse('2026-03-30T07:00:00Z') })!;
    const edited = { ...instanceView(master, occ), start: { ms: Date.parse('2026-03-31T10:00:00Z'), timeZone: BERLIN }, end: { ms: Date.parse('2026-03-31T11:00:00Z'), timeZone: BERLIN } };
    const first = fromGoogle(served(edited, 'full', BERLIN), BERLIN);
    expect(first.kind).toBe('override');
    if (first.kind !== 'override') return;
    expectStorable(first.write);
    const body = toGoogle(first.write, [], { isAllDay: false, timezone: BERLIN });
    const again = storeBody(body as unknown as Record<string, unknown>, { id: 'weekly77_20260330T070000Z', recurringEventId: 'weekly77', originalStart: occ.start });
    const second = fromGoogle(served(again, 'full', BERLIN), BERLIN);
    expect(second).toMatchObject({ kind: 'override', seriesGoogleId: 'weekly77', originalStart: '2026-03-30T07:00:00Z' });
    if (second.kind === 'override') expect(second.write).toEqual(first.write);
  });
});
