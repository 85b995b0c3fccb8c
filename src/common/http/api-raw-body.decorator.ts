import { ApiExtension, type OpenAPIObject, type SchemaObject } from '@nestjs/swagger';

const EXTENSION = 'x-calento-raw-body';

interface RawBody {
  mediaType: string;
  schema: SchemaObject;
}

/**
 * A route that also takes its body as a raw media type beside the JSON its DTO describes
 * (POST /calendar/import takes the .ics file as text/calendar). Swagger's ApiConsumes would give every
 * media type the DTO's schema, so the raw one is carried on an extension that moveRawBodies turns into
 * requestBody content when the document is built.
 */
export function ApiRawBody(mediaType: string, schema: SchemaObject) {
  return ApiExtension(EXTENSION, { mediaType, schema } satisfies RawBody);
}

export function moveRawBodies(document: OpenAPIObject): OpenAPIObject {
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path)) {
      const raw = (operation as Record<string, unknown> | undefined)?.[EXTENSION] as RawBody | undefined;
      if (!raw) continue;
      delete (operation as Record<string, unknown>)[EXTENSION];
      const body = operation.requestBody as { content?: Record<string, unknown> } | undefined;
      if (body?.content) body.content[raw.mediaType] = { schema: raw.schema };
    }
  }
  return document;
}
