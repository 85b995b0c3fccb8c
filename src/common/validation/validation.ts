import { Param, ParseUUIDPipe, ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { DomainError, validationError, type FieldError } from '../errors/domain-error.js';
import { queryPlanFor } from './query-plan.js';

/** Flattens class-validator's tree into `{ field: "attendees[0].email", message }` entries. */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  const flat: FieldError[] = [];
  for (const error of errors) {
    const field = /^\d+$/.test(error.property)
      ? `${prefix}[${error.property}]`
      : prefix
        ? `${prefix}.${error.property}`
        : error.property;
    const messages = Object.values(error.constraints ?? {});
    if (messages.some((message) => /^property \S+ should not exist$/.test(message))) {
      flat.push({ field, message: 'is not an allowed field' });
    } else if (messages.length && error.value === undefined) {
      // One clear message for a missing field instead of every rule it fails.
      flat.push({ field, message: 'is required' });
    } else {
      // class-validator starts its default messages with the property name; the field is named already.
      for (const message of messages) flat.push({ field, message: stripProperty(message, error.property) });
    }
    if (error.children?.length) flat.push(...flattenValidationErrors(error.children, field));
  }
  return flat;
}

/**
 * Whitelists DTO fields, refuses unknown ones and converts query strings to the declared types. A body
 * that is not a JSON object (an array, a string, null) is refused before class-validator sees it; a
 * missing body is validated as `{}`, so the answer names the required fields. A query that a compiled
 * plan accepts (query-plan.ts) skips class-validator's per-call machinery; any other goes through it.
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'query' && typeof metadata.metatype === 'function' && this.toValidate(metadata)) {
      const plan = queryPlanFor(metadata.metatype as new () => object);
      const accepted = plan?.(value);
      if (accepted) return accepted;
    }
    if (metadata.type === 'body' && metadata.metatype && metadata.metatype !== Object) {
      if (value === undefined || value === '') value = {};
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw validationError([{ field: 'body', message: 'must be a JSON object' }]);
      }
      const withNul = findNulStrings(value, '');
      if (withNul.length) throw validationError(withNul.map((field) => ({ field, message: 'must not contain NUL characters' })));
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    stopAtFirstError: false,
    // value is kept for the missing-field check above; error bodies never echo values.
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => validationError(flattenValidationErrors(errors)),
  });
}

/** A malformed id is a 400 naming the parameter, never a database error. */
function uuidParam(field: string): ParseUUIDPipe {
  return new ParseUUIDPipe({ exceptionFactory: () => new DomainError('INVALID_ID', { field }) });
}

/**
 * `@UuidParam('id') id: string`: the path parameter, checked as a UUID (400 INVALID_ID naming it), and
 * declared `format: uuid` in the OpenAPI document so generated clients type it.
 */
export function UuidParam(name: string): ParameterDecorator {
  return (target, key, index) => {
    Param(name, uuidParam(name))(target, key, index);
    if (key === undefined) return;
    const method = Object.getOwnPropertyDescriptor(target, key);
    if (method) ApiParam({ name, type: String, format: 'uuid' })(target, key, method);
  };
}

function stripProperty(message: string, property: string): string {
  return message.startsWith(`${property} `) ? message.slice(property.length + 1) : message;
}

/** PostgreSQL text cannot hold U+0000; refuse it up front, naming the field, instead of failing in SQL. */
function findNulStrings(value: unknown, path: string, found: string[] = [], depth = 0): string[] {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) found.push(path || 'body');
  } else if (value !== null && typeof value === 'object' && depth < 32 && found.length < 20) {
    for (const [key, child] of Object.entries(value)) {
      const childPath = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      findNulStrings(child, childPath, found, depth + 1);
    }
  }
  return found;
}
