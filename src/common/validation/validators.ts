import { Transform } from 'class-transformer';
import { registerDecorator, ValidateIf, type ValidationOptions } from 'class-validator';
import { isDateInCalendarYears, isInstantInCalendarYears, isIsoDate, isIsoInstant, YEARS_MESSAGE } from '../time/instants.js';
import { isOneLine } from '../text/one-line.js';
import { isValidZone } from '../time/zones.js';

/**
 * For a field that may be left out but has no null value (a title, a duration, a flag): absent skips
 * its rules, null goes through them and is refused naming the field. IsOptional would let null through
 * to be ignored or to fail at the database without a field to name. Update DTOs built with
 * PartialType(…, { skipNullProperties: false }) get the same for every field not marked IsOptional.
 */
export const Omittable = () => ValidateIf((_: object, value: unknown) => value !== undefined);

/** A decorator from a function that names what is wrong with a value (null: nothing), as its message. */
function problemValidator(name: string, problem: (value: unknown) => string | null, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => problem(value) === null,
        defaultMessage: (args) => problem(args?.value) ?? 'is not valid',
      },
    });
}

const SINGLE_LINE_MESSAGE = 'must be one line of text, without line breaks or other control characters';
const ZONE_MESSAGE = 'must be an IANA time zone such as "Europe/Berlin"';

/**
 * One line of text without control characters: a person's name, which ends up in email headers
 * ("Ada Lovelace <ada@example.com>") and invitation lines, where a line break would forge a header; an
 * event's title, shown on one line everywhere.
 */
export function IsSingleLine(options?: ValidationOptions): PropertyDecorator {
  return problemValidator('isSingleLine', (value) => (typeof value === 'string' && isOneLine(value) ? null : SINGLE_LINE_MESSAGE), options);
}

/** An IANA zone name that this runtime knows ("Europe/Berlin", "UTC"), not an offset or abbreviation. */
export function IsIanaZone(options?: ValidationOptions): PropertyDecorator {
  return problemValidator('isIanaZone', (value) => (typeof value === 'string' && isValidZone(value) ? null : ZONE_MESSAGE), options);
}

export const PASSWORD_MIN = 10;
// bcrypt reads only the first 72 bytes; longer passwords would be silently truncated.
export const PASSWORD_MAX_BYTES = 72;

export function passwordProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'must be a string';
  if ([...value].length < PASSWORD_MIN) return `must be at least ${PASSWORD_MIN} characters`;
  if (Buffer.byteLength(value, 'utf8') > PASSWORD_MAX_BYTES) return `must be at most ${PASSWORD_MAX_BYTES} bytes`;
  if (!/\p{L}/u.test(value) || !/[^\p{L}]/u.test(value)) {
    return 'must contain at least one letter and one digit or symbol';
  }
  if (/^(.)\1+$/u.test(value)) return 'must not repeat a single character';
  return null;
}

export function IsStrongPassword(options?: ValidationOptions): PropertyDecorator {
  return problemValidator('isStrongPassword', passwordProblem, options);
}

const INSTANT_MESSAGE = 'must be an ISO 8601 date-time with an offset, e.g. 2026-03-09T09:00:00-05:00';
const INSTANT_OR_DATE_MESSAGE = 'must be an ISO 8601 date-time with an offset, or a date YYYY-MM-DD for all-day events';
const DATE_MESSAGE = 'must be a date YYYY-MM-DD';

// The shape and the years are told apart in the message: "0099-06-01" is well formed, only out of range.
function instantProblem(value: unknown): string | null {
  if (!isIsoInstant(value)) return INSTANT_MESSAGE;
  return isInstantInCalendarYears(value) ? null : YEARS_MESSAGE;
}

function dateProblem(value: unknown): string | null {
  if (!isIsoDate(value)) return DATE_MESSAGE;
  return isDateInCalendarYears(value) ? null : YEARS_MESSAGE;
}

function instantOrDateProblem(value: unknown): string | null {
  if (isIsoInstant(value)) return instantProblem(value);
  if (isIsoDate(value)) return dateProblem(value);
  return INSTANT_OR_DATE_MESSAGE;
}

/** ISO 8601 date-time with offset ("2026-03-09T09:00:00-05:00" or "...Z"), in the years 1900-2999. */
export function IsIsoInstant(options?: ValidationOptions): PropertyDecorator {
  return problemValidator('isIsoInstant', instantProblem, options);
}

/** Either an ISO date-time with offset or, for all-day values, a date 'YYYY-MM-DD'; in the years 1900-2999. */
export function IsIsoInstantOrDate(options?: ValidationOptions): PropertyDecorator {
  return problemValidator('isIsoInstantOrDate', instantOrDateProblem, options);
}

/** A calendar date 'YYYY-MM-DD' that exists (no 2026-02-30), in the years 1900-2999. */
export function IsIsoDate(options?: ValidationOptions): PropertyDecorator {
  return problemValidator('isIsoDate', dateProblem, options);
}

/**
 * How Calento keeps an email address it is given: trimmed, lower-cased and in Unicode NFC, so one
 * address is one row. citext ignores case but compares code points, so "é" typed as one character and
 * as "e" plus a combining accent would otherwise be two accounts that look the same. NFC comes last:
 * lower-casing does not promise to keep a string composed.
 */
export function normalizeEmail(value: string): string {
  return value.trim().toLowerCase().normalize('NFC');
}

/** For an email field of a DTO: the address as Calento stores it (normalizeEmail), before validation. */
export function NormalizeEmail(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? normalizeEmail(value) : value));
}
