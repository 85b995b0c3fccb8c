import { DomainError, validationError, type FieldError } from '../errors/domain-error.js';
import { END_INSTANT, FIRST_INSTANT, parseInstant, YEARS_MESSAGE } from '../time/instants.js';

/**
 * The one reading of a time window (`from`/`to` in a query, or `start`/`end` of a body), with one set
 * of answers on every route:
 * - a bound that is not ISO 8601 with an offset: VALIDATION_FAILED naming it (the DTO's check);
 * - a missing bound where the route needs a window: WINDOW_REQUIRED naming it;
 * - `to` not after `from`, or a bound outside the years 1900 to 2999: VALIDATION_FAILED naming it;
 * - a window longer than the route allows: WINDOW_TOO_LARGE naming the end.
 */
export interface Window {
  from: Date;
  to: Date;
}

export interface WindowOptions {
  /** Longest window the route accepts, in days. */
  maxDays?: number;
  /** Field names to report (default from/to). */
  fields?: [string, string];
}

const DAY_MS = 86_400_000;

/** A window the route needs: both bounds present and sound. */
export function requireWindow(fromText: string | undefined, toText: string | undefined, options: WindowOptions = {}): Window {
  const [fromField, toField] = options.fields ?? ['from', 'to'];
  const missing = [...(fromText ? [] : [fromField]), ...(toText ? [] : [toField])];
  if (missing.length) throw new DomainError('WINDOW_REQUIRED', {}, missing.map((field) => ({ field, message: 'is required' })));
  return checked(parseInstant(fromText as string), parseInstant(toText as string), fromField, toField, options.maxDays);
}

/** An optional filter window: either bound may be absent; when both are given they must be in order. */
export function optionalWindow(fromText: string | undefined, toText: string | undefined): Partial<Window> {
  const from = fromText ? parseInstant(fromText) : undefined;
  const to = toText ? parseInstant(toText) : undefined;
  const problems: FieldError[] = [];
  if (from && (from < FIRST_INSTANT || from >= END_INSTANT)) problems.push({ field: 'from', message: YEARS_MESSAGE });
  if (to && (to <= FIRST_INSTANT || to > END_INSTANT)) problems.push({ field: 'to', message: YEARS_MESSAGE });
  if (problems.length) throw validationError(problems);
  if (from && to) checked(from, to, 'from', 'to');
  return { from, to };
}

function checked(from: Date, to: Date, fromField: string, toField: string, maxDays?: number): Window {
  const outOfRange = [
    ...(from < FIRST_INSTANT || from >= END_INSTANT ? [fromField] : []),
    ...(to <= FIRST_INSTANT || to > END_INSTANT ? [toField] : []),
  ];
  if (outOfRange.length) throw validationError(outOfRange.map((field) => ({ field, message: YEARS_MESSAGE })));
  if (to.getTime() <= from.getTime()) throw validationError([{ field: toField, message: `must be after ${fromField}` }]);
  if (maxDays !== undefined && to.getTime() - from.getTime() > maxDays * DAY_MS) {
    throw new DomainError('WINDOW_TOO_LARGE', { maxDays }, [{ field: toField, message: `must be at most ${maxDays} days after ${fromField}` }]);
  }
  return { from, to };
}
