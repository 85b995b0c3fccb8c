import { HttpException, HttpStatus } from '@nestjs/common';
import { DbConstraintError, DbInvalidInputError, DbUnavailableError } from '../../db/pg-errors.js';
import { DomainError, renderDetail, type FieldError } from './domain-error.js';
import { errorCatalogue, type ErrorCode } from './error-catalogue.js';

/** RFC 9457 problem details, plus Calento's stable code, the request id and validation field errors. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** What the framework's own errors (Fastify parsing, Nest routing, throttling) mean in our codes. */
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
};

const statusCodes: Partial<Record<number, ErrorCode>> = {
  [HttpStatus.BAD_REQUEST]: 'INVALID_INPUT',
  [HttpStatus.UNAUTHORIZED]: 'UNAUTHENTICATED',
  [HttpStatus.FORBIDDEN]: 'FORBIDDEN',
  [HttpStatus.NOT_FOUND]: 'ROUTE_NOT_FOUND',
  [HttpStatus.METHOD_NOT_ALLOWED]: 'METHOD_NOT_ALLOWED',
  [HttpStatus.CONFLICT]: 'CONFLICT',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'PAYLOAD_TOO_LARGE',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'UNSUPPORTED_MEDIA_TYPE',
  [HttpStatus.TOO_MANY_REQUESTS]: 'RATE_LIMITED',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'SERVICE_UNAVAILABLE',
};

interface Classified {
  code: ErrorCode;
  params: Record<string, string | number>;
  errors?: FieldError[];
  /** True for errors nobody anticipated: they are logged with their stack. */
  unexpected: boolean;
}

export function classify(error: unknown, context: { method: string; path: string; bodyLimit: number }): Classified {
  // Nest wraps Fastify's own errors (body parsing, limits) in an HttpException; the cause has the code.
  if (error instanceof HttpException && typeof (error.cause as { code?: unknown } | undefined)?.code === 'string') {
    error = error.cause;
  }
  if (error instanceof DomainError) {
    return {
      code: error.code,
      params: error.params,
      errors: error.fieldErrors.length ? error.fieldErrors : undefined,
      unexpected: false,
    };
  }
  if (error instanceof DbConstraintError) {
    const code = error.kind === 'unique' || error.kind === 'exclusion' ? 'CONFLICT' : 'INVALID_INPUT';
    return { code, params: {}, unexpected: false };
  }
  if (error instanceof DbInvalidInputError) return { code: 'INVALID_INPUT', params: {}, unexpected: false };
  if (error instanceof DbUnavailableError) return { code: 'SERVICE_UNAVAILABLE', params: {}, unexpected: false };
  const fastifyCode = (error as { code?: unknown })?.code;
  if (typeof fastifyCode === 'string' && fastifyCodes[fastifyCode]) {
    return { code: fastifyCodes[fastifyCode], params: { limit: context.bodyLimit }, unexpected: false };
  }
  if (error instanceof SyntaxError && (error as { statusCode?: number }).statusCode === 400) {
    return { code: 'MALFORMED_JSON', params: {}, unexpected: false };
  }
  const status =
    error instanceof HttpException ? error.getStatus() : Number((error as { statusCode?: unknown })?.statusCode);
  if (status === HttpStatus.SERVICE_UNAVAILABLE) return { code: 'SERVICE_UNAVAILABLE', params: {}, unexpected: false };
  if (Number.isInteger(status) && status >= 400 && status < 500) {
    const code = statusCodes[status] ?? 'INVALID_INPUT';
    return {
      code,
      params: { method: context.method, path: context.path, limit: context.bodyLimit },
      unexpected: false,
    };
  }
  return { code: 'INTERNAL_ERROR', params: {}, unexpected: true };
}

export function toProblem(classified: Classified, instance: string | undefined, requestId: string | undefined): ProblemDetails {
  const entry = errorCatalogue[classified.code];
  return {
    type: `urn:calento:error:${classified.code}`,
    title: entry.title,
    status: entry.status,
    detail: renderDetail(classified.code, classified.params),
    code: classified.code,
    instance,
    requestId,
    ...(classified.errors ? { errors: classified.errors } : {}),
  };
}
