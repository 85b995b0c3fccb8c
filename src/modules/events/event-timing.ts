import { DomainError, validationError } from '../../common/errors/domain-error.js';
import {
  isDateInCalendarYears,
  isInstantInCalendarYears,
  isIsoDate,
  isIsoInstant,
  LAST_YEAR,
  parseInstant,
  startOfDateIn,
} from '../../common/time/instants.js';
import { addDays, instantToWallClock } from '../../common/time/wall-clock.js';
import {
  lastOccurrenceEnd,
  normalizeOccurrenceId,
  occurrenceExists,
  RecurrenceError,
  validateSeries,
  type SeriesDefinition,
} from '../../engines/recurrence/recurrence.engine.js';
import type { EventRecord } from './events.rows.js';

export interface TimingInput {
  startTime: string;
  endTime: string;
  timezone: string;
  isAllDay: boolean;
}

export interface Timing {
  startTime: Date;
  endTime: Date;
  startDate: string | null;
  endDate: string | null;
  /** Wall clock of the start in the event zone (date for all-day): what a series repeats. */
  localStart: string;
}

const MAX_EVENT_DAYS = 366;

/**
 * Turns the API's start/end into what is stored. Timed events are instants (offset required); all-day
 * events are dates with an exclusive end, whose instants are those dates' midnights in the event zone.
 */
export function resolveTiming(input: TimingInput): Timing {
  if (input.isAllDay) {
    const errors = [];
    if (!isIsoDate(input.startTime)) errors.push({ field: 'startTime', message: 'must be a date YYYY-MM-DD for all-day events' });
    if (!isIsoDate(input.endTime)) errors.push({ field: 'endTime', message: 'must be a date YYYY-MM-DD for all-day events' });
    if (errors.length) throw validationError(errors);
    if (input.endTime <= input.startTime) {
      throw validationError([{ field: 'endTime', message: 'must be after startTime (the end date is exclusive)' }]);
    }
    if (input.endTime > addDays(input.startTime, MAX_EVENT_DAYS)) {
      throw validationError([{ field: 'endTime', message: `must be at most ${MAX_EVENT_DAYS} days after startTime` }]);
    }
    return {
      startTime: startOfDateIn(input.startTime, input.timezone),
      endTime: startOfDateIn(input.endTime, input.timezone),
      startDate: input.startTime,
      endDate: input.endTime,
      localStart: input.startTime,
    };
  }
  const errors = [];
  if (!isIsoInstant(input.startTime)) errors.push({ field: 'startTime', message: 'must be a date-time with an offset (dates are for all-day events)' });
  if (!isIsoInstant(input.endTime)) errors.push({ field: 'endTime', message: 'must be a date-time with an offset (dates are for all-day events)' });
  if (errors.length) throw validationError(errors);
  const startTime = parseInstant(input.startTime);
  const endTime = parseInstant(input.endTime);
  if (endTime <= startTime) throw validationError([{ field: 'endTime', message: 'must be after startTime' }]);
  if (endTime.getTime() - startTime.getTime() > MAX_EVENT_DAYS * 86_400_000) {
    throw validationError([{ field: 'endTime', message: `must be at most ${MAX_EVENT_DAYS} days after startTime` }]);
  }
  return { startTime, endTime, startDate: null, endDate: null, localStart: instantToWallClock(startTime, input.timezone) };
}

/** The API form of a stored event's start and end (instants, or dates for all-day events). */
export function timingInputOf(event: EventRecord): TimingInput {
  return {
    startTime: event.isAllDay ? (event.startDate as string) : event.startTime.toISOString(),
    endTime: event.isAllDay ? (event.endDate as string) : event.endTime.toISOString(),
    timezone: event.timezone,
    isAllDay: event.isAllDay,
  };
}

/**
 * The event's start and end in API form, moved to start at `start` and keeping its length: a date for an
 * all-day event, an instant with an offset otherwise. `field` names the input in the 400s.
 */
export function timingMovedTo(event: EventRecord, start: string, field: string): { startTime: string; endTime: string } {
  let timing: { startTime: string; endTime: string };
  if (event.isAllDay) {
    if (!isIsoDate(start)) throw validationError([{ field, message: 'must be a date YYYY-MM-DD for an all-day event' }]);
    timing = { startTime: start, endTime: addDays(start, durationMinutesOf(event) / 1440) };
  } else {
    if (!isIsoInstant(start)) throw validationError([{ field, message: 'must be a date-time with an offset' }]);
    const instant = parseInstant(start);
    timing = { startTime: instant.toISOString(), endTime: new Date(instant.getTime() + durationMinutesOf(event) * 60_000).toISOString() };
  }
  // The length is kept, so a start late in the last year can push the end past it.
  if (!(event.isAllDay ? isDateInCalendarYears(timing.endTime) : isInstantInCalendarYears(timing.endTime))) {
    throw validationError([{ field, message: `would make the event end after ${LAST_YEAR}` }]);
  }
  return timing;
}

export function durationMinutesOf(event: Pick<EventRecord, 'isAllDay' | 'startDate' | 'endDate' | 'startTime' | 'endTime'>): number {
  if (event.isAllDay) {
    const days = Math.round((Date.parse(`${event.endDate}T00:00:00Z`) - Date.parse(`${event.startDate}T00:00:00Z`)) / 86_400_000);
    return days * 1440;
  }
  return Math.round((event.endTime.getTime() - event.startTime.getTime()) / 60_000);
}

/** The engine's view of a stored series. */
export function seriesOf(
  event: Pick<EventRecord, 'recurrenceRule' | 'localStart' | 'timezone' | 'isAllDay' | 'exdates' | 'startDate' | 'endDate' | 'startTime' | 'endTime'>,
): SeriesDefinition {
  if (!event.recurrenceRule || !event.localStart) throw new DomainError('NOT_A_SERIES');
  return {
    rule: event.recurrenceRule,
    timezone: event.timezone,
    isAllDay: event.isAllDay,
    localStart: event.localStart,
    durationMinutes: durationMinutesOf(event),
    exdates: event.exdates,
  };
}

/**
 * Checks a series before it is stored and returns what the row keeps: the normalized rule, the
 * normalized EXDATEs (each must be an occurrence of the rule) and the end of the last occurrence.
 */
export function checkSeries(def: SeriesDefinition): { rule: string; exdates: string[]; recurrenceEnd: Date | null } {
  return withRecurrenceErrors(() => {
    const summary = validateSeries({ ...def, exdates: [] });
    const exdates = (def.exdates ?? []).map((raw, index) => {
      const id = normalizeOccurrenceId(raw, def.isAllDay);
      if (!id) {
        const shape = def.isAllDay ? 'a date YYYY-MM-DD' : 'an ISO date-time with offset';
        throw validationError([{ field: `exdates[${index}]`, message: `must be ${shape}` }]);
      }
      if (!occurrenceExists({ ...def, exdates: [] }, id)) {
        throw validationError([{ field: `exdates[${index}]`, message: `${id} is not an occurrence of the rule` }]);
      }
      return id;
    });
    const normalized = { ...def, rule: summary.rule.normalized, exdates: [...new Set(exdates)].sort() };
    return {
      rule: normalized.rule,
      exdates: normalized.exdates,
      recurrenceEnd: lastOccurrenceEnd(normalized),
    };
  });
}

/** Runs engine code and turns its errors into 400s that name the field. */
export function withRecurrenceErrors<T>(fn: () => T, cap = 0): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof RecurrenceError) {
      if (error.code === 'OCCURRENCE_CAP') throw new DomainError('EXPANSION_TOO_LARGE', { cap });
      throw new DomainError('INVALID_RECURRENCE', { message: error.message }, [
        { field: error.field, message: error.message },
      ]);
    }
    throw error;
  }
}
