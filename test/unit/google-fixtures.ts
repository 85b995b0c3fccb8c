import { expect } from '@jest/globals';
import { checkSeries, durationMinutesOf } from '../../src/modules/events/event-timing.js';
import { expandSeries, type SeriesDefinition } from '../../src/engines/recurrence/recurrence.engine.js';
import type { CalentoEventWrite, FromGoogleResult, GoogleEvent } from '../../src/engines/google/google-events.js';
import { parseEventInput } from '../fakes/google/calendar/event-input.js';
import { renderEvent } from '../fakes/google/calendar/event-render.js';
import { expandSeries as googleExpand } from '../fakes/google/calendar/recurrence.js';
import type { Calendar, StoredEvent, When } from '../fakes/google/state/types.js';

/**
 * Helpers for the Google mapping tests: Google's side is the fake Google server's own code (its body
 * parser, its renderer, its series expansion), so "what Google serves" and "what Google expands" are
 * the shapes and sets the fake produces, not values written by the code under test.
 */

export const CAL_ZONE = 'America/New_York';
const VIEWER = 'me@example.com';

export function fakeCalendar(zone = CAL_ZONE): Calendar {
  return {
    id: 'cal@group.calendar.google.com',
    summary: 'Work',
    timeZone: zone,
    events: new Map(),
    acl: new Map([[VIEWER, 'owner']]),
    epoch: 0,
    lastSeq: 0,
    lastUpdated: 0,
    resourceId: 'res',
  };
}

let counter = 0;

/** A request body as the fake stores it (its validation included: a bad body throws Google's 400). */
export function storeBody(
  body: Record<string, unknown>,
  extra: { id?: string; recurringEventId?: string; originalStart?: When; status?: 'cancelled' } = {},
): StoredEvent {
  const input = parseEventInput(JSON.parse(JSON.stringify(body)) as Record<string, unknown>, { instance: !!extra.recurringEventId });
  counter += 1;
  const id = extra.id ?? `evt${counter}abc`;
  return {
    id,
    ordinal: counter,
    seq: counter,
    etag: `"${counter}"`,
    created: Date.UTC(2026, 0, 1),
    updated: Date.UTC(2026, 0, 2) + counter,
    status: extra.status ?? input.status,
    sequence: 0,
    iCalUID: input.iCalUID ?? `${id}@google.com`,
    creatorEmail: VIEWER,
    start: input.start,
    end: input.end,
    recurrence: input.recurrence,
    recurringEventId: extra.recurringEventId,
    originalStart: extra.originalStart,
    fields: input.fields,
  };
}

/** What the fake serves for a stored event (events.get / list). */
export function served(stored: StoredEvent, mode: 'full' | 'stripped' = 'full', zone = CAL_ZONE): GoogleEvent {
  return renderEvent(stored, { cal: fakeCalendar(zone), viewer: VIEWER, zone }, mode) as GoogleEvent;
}

/** Google's body through the fake: stored, then served back. */
export function viaGoogle(body: Record<string, unknown>, extra: Parameters<typeof storeBody>[1] = {}, zone = CAL_ZONE): GoogleEvent {
  return served(storeBody(body, extra), 'full', zone);
}

/** Instances the fake expands for a master in [from, to), as UTC ISO strings. */
export function googleInstances(stored: StoredEvent, from: string, to: string, zone = CAL_ZONE): string[] {
  return googleExpand(stored, zone, Date.parse(from), Date.parse(to) - 1)
    .filter((o) => o.startMs >= Date.parse(from) && o.startMs < Date.parse(to))
    .map((o) => new Date(o.startMs).toISOString())
    .sort();
}

export function seriesDefinition(write: CalentoEventWrite): SeriesDefinition {
  return {
    rule: write.recurrenceRule as string,
    timezone: write.timezone,
    isAllDay: write.isAllDay,
    localStart: write.localStart as string,
    durationMinutes: durationMinutesOf(write),
    exdates: write.exdates,
  };
}

/** Calento's occurrences of a mapped series in [from, to): rule occurrences plus extra occurrences. */
export function calentoInstances(result: FromGoogleResult, from: string, to: string): string[] {
  if (result.kind !== 'series') throw new Error(`not a series: ${result.kind}`);
  const window = { from: new Date(from), to: new Date(to) };
  const rule = expandSeries(seriesDefinition(result.write), window, { maxOccurrences: 100_000 }).filter((o) => o.start >= window.from);
  const extras = result.extraOccurrences.filter((x) => x.startTime >= window.from && x.startTime < window.to);
  return [...rule.map((o) => o.start), ...extras.map((x) => x.startTime)].map((d) => d.toISOString()).sort();
}

/**
 * Everything the events writer and the events table demand of a write (CHECK constraints of
 * migrations/0002, the DTO limits, and for a series the same checks POST /events runs).
 */
export function expectStorable(write: CalentoEventWrite): void {
  const chars = (s: string) => Array.from(s).length;
  expect(chars(write.title)).toBeGreaterThanOrEqual(1);
  expect(chars(write.title)).toBeLessThanOrEqual(500);
  if (write.description !== null) expect(chars(write.description)).toBeLessThanOrEqual(10_000);
  if (write.location !== null) expect(chars(write.location)).toBeLessThanOrEqual(1000);
  for (const text of [write.title, write.description ?? '', write.location ?? '']) expect(text).not.toContain('\u0000');
  expect(write.endTime.getTime()).toBeGreaterThan(write.startTime.getTime());
  expect(write.startTime.getTime() % 1000 === 0).toBe(true); // whole seconds (-0 before 1970)
  expect(['confirmed', 'tentative', 'cancelled']).toContain(write.status);
  expect(['busy', 'free']).toContain(write.transparency);
  expect(['default', 'public', 'private']).toContain(write.visibility);
  if (write.color !== null) expect(write.color).toMatch(/^#[0-9a-fA-F]{6}$/);
  expect(write.reminders.length).toBeLessThanOrEqual(10);
  for (const r of write.reminders) {
    expect(['email', 'slack', 'popup']).toContain(r.method);
    expect(Number.isInteger(r.minutesBefore) && r.minutesBefore >= 0 && r.minutesBefore <= 40_320).toBe(true);
  }
  if (write.isAllDay) {
    expect(write.startDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(write.endDate! > write.startDate!).toBe(true);
  } else {
    expect(write.startDate).toBeNull();
    expect(write.endDate).toBeNull();
  }
  expect(write.seriesId).toBeNull();
  if (write.recurrenceRule) {
    expect(write.localStart).not.toBeNull();
    expect(write.originalStart).toBeNull();
    const checked = checkSeries(seriesDefinition(write));
    expect(checked.rule).toBe(write.recurrenceRule);
    expect(checked.exdates).toEqual(write.exdates);
    expect(checked.recurrenceEnd?.getTime() ?? null).toBe(write.recurrenceEnd?.getTime() ?? null);
  } else {
    expect(write.exdates).toEqual([]);
    expect(write.localStart).toBeNull();
    expect(write.recurrenceEnd).toBeNull();
  }
}
