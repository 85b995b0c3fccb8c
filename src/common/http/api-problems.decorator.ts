import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiProperty, ApiResponse, ApiSecurity, getSchemaPath, type OpenAPIObject } from '@nestjs/swagger';
import { errorCatalogue, type ErrorCode } from '../errors/error-catalogue.js';

export class FieldErrorDto {
  @ApiProperty({ example: 'email' })
  field: string;

  @ApiProperty({ example: 'must be a valid email address' })
  message: string;
}

export class ProblemDto {
  @ApiProperty({ example: 'urn:calento:error:VALIDATION_FAILED' })
  type: string;

  @ApiProperty({ example: 'Validation failed' })
  title: string;

  @ApiProperty({ type: 'integer', example: 400 })
  status: number;

  @ApiProperty({ example: 'The request has invalid fields.' })
  detail: string;

  @ApiProperty({ example: 'VALIDATION_FAILED', enum: Object.keys(errorCatalogue) })
  code: string;

  @ApiProperty({ example: '/api/v1/auth/register' })
  instance: string;

  @ApiProperty({ example: 'b3d0c7e2-5f7a-4f57-9d7b-2c1f0e6a9c11' })
  requestId: string;

  @ApiProperty({ type: [FieldErrorDto], required: false })
  errors?: FieldErrorDto[];
}

const descriptions: Record<number, string> = {
  400: 'Invalid input: the body names each bad field.',
  401: 'Missing, invalid or expired credentials.',
  403: 'Not allowed: an API key without the scope, or not an admin.',
  404: 'Not found (also for ids that belong to another user).',
  409: 'Conflicts with existing data.',
  413: 'Body too large.',
  415: 'The body is not in a media type or charset the route reads.',
  429: 'Rate limited.',
  503: 'Not ready, or the database could not be reached for this request. Retry later; a write that met this was rolled back, unless the connection dropped after its commit was sent.',
};

/**
 * Documents problem+json responses; the codes listed for each status come from the catalogue. Every
 * route that documents problems also gets the 503 SERVICE_UNAVAILABLE: each of them reaches the database
 * (an API key is looked up there, even where the route itself does not), so each can meet it unreachable.
 */
export function ApiProblems(...listed: ErrorCode[]) {
  const codes: ErrorCode[] = listed.includes('SERVICE_UNAVAILABLE') ? listed : [...listed, 'SERVICE_UNAVAILABLE'];
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = errorCatalogue[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return applyDecorators(
    ...[...byStatus].map(([status, list]) =>
      ApiResponse({
        status,
        description: `${descriptions[status] ?? errorCatalogue[list[0]].title} Codes: ${list.join(', ')}.`,
        // Errors are application/problem+json, not application/json (a `type` here would override this).
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } },
      }),
    ),
    ApiExtraModels(ProblemDto, FieldErrorDto),
  );
}

/** The name of the API-key security scheme in the OpenAPI document (the bearer JWT one is `bearer`). */
export const API_KEY_SCHEME = 'api-key';

/**
 * A route that needs a caller: documents both schemes (an access token, or an API key with the route's
 * scope), the 401, the 403 a key without the scope gets, and the per-caller 429.
 */
export function ApiAuth(...codes: ErrorCode[]) {
  const all: ErrorCode[] = ['UNAUTHENTICATED', ...codes];
  for (const always of ['INSUFFICIENT_SCOPE', 'RATE_LIMITED'] as const) if (!all.includes(always)) all.push(always);
  return applyDecorators(ApiBearerAuth(), ApiSecurity(API_KEY_SCHEME), ApiProblems(...all));
}

/**
 * A route only a signed-in session reaches (API key management, admin routes): no API-key scope covers
 * it, so only the bearer scheme is documented.
 */
export function ApiSessionAuth(...codes: ErrorCode[]) {
  const all: ErrorCode[] = ['UNAUTHENTICATED', ...codes];
  if (!all.includes('RATE_LIMITED')) all.push('RATE_LIMITED');
  return applyDecorators(ApiBearerAuth(), ApiProblems(...all));
}

/** What any route that reads a body can answer before its handler runs (the body parser's refusals). */
const BODY_PROBLEMS: ErrorCode[] = ['MALFORMED_JSON', 'JSON_TOO_DEEP', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'];

/**
 * Adds the body parser's problems to every operation with a request body, when the document is built:
 * they come from the parser, not from a route's own decorators, so no route lists them itself.
 */
export function declareBodyProblems(document: OpenAPIObject): OpenAPIObject {
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path) as Array<{ requestBody?: unknown; responses: Record<string, { description: string }> } | undefined>) {
      if (!operation?.requestBody) continue;
      for (const code of BODY_PROBLEMS) {
        const status = errorCatalogue[code].status;
        const response = operation.responses[status];
        if (!response) {
          operation.responses[status] = {
            description: `${descriptions[status] ?? errorCatalogue[code].title} Codes: ${code}.`,
            content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } },
          } as { description: string };
          continue;
        }
        const listed = /Codes: ([^.]*)\.$/.exec(response.description)?.[1].split(', ') ?? [];
        if (!listed.includes(code)) response.description = listed.length ? response.description.replace(/\.$/, `, ${code}.`) : `${response.description} Codes: ${code}.`;
      }
      operation.responses = Object.fromEntries(Object.entries(operation.responses).sort(([a], [b]) => a.localeCompare(b)));
    }
  }
  return document;
}
