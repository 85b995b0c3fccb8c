import { errorCatalogue, type ErrorCode } from './error-catalogue.js';

export interface FieldError {
  field: string;
  message: string;
}

/**
 * The error every layer throws: a stable code from the catalogue, parameters for its message, and
 * field errors for validation. Only the global filter turns it into HTTP.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly params: Record<string, string | number> = {},
    readonly fieldErrors: FieldError[] = [],
  ) {
    super(renderDetail(code, params));
  }

  get status(): number {
    return errorCatalogue[this.code].status;
  }
}

export class NotFoundError extends DomainError {
  constructor(resource: string) {
    super('NOT_FOUND', { resource });
  }
}

export function validationError(fieldErrors: FieldError[]): DomainError {
  return new DomainError('VALIDATION_FAILED', {}, fieldErrors);
}

export function renderDetail(code: ErrorCode, params: Record<string, string | number>): string {
  return errorCatalogue[code].detail.replace(/\{(\w+)\}/g, (_, key: string) => String(params[key] ?? key));
}
