import { registerDecorator, type ValidationOptions } from 'class-validator';
import { isValidZone } from '../time/zones.js';

/** An IANA zone name that this runtime knows ("Europe/Berlin", "UTC"), not an offset or abbreviation. */
export function IsIanaZone(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isIanaZone',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'must be an IANA time zone such as "Europe/Berlin"', ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && isValidZone(value) },
    });
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
  return (target, propertyName) =>
    registerDecorator({
      name: 'isStrongPassword',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => passwordProblem(value) === null,
        defaultMessage: (args) => passwordProblem(args?.value) ?? 'is not a valid password',
      },
    });
}
