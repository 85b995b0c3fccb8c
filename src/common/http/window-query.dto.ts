import { ApiProperty, IntersectionType } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsIsoInstant } from '../validation/validators.js';
import { PageQueryDto } from './pagination.js';

// Query parameters carry no `example`: Swagger UI's "Try it out" fills a parameter in with its example
// and sends it, so a fixed date (or, on a list, a filter) narrows every first try to nothing. A sample
// value goes in the description instead. test/e2e/openapi.e2e-spec.ts checks the whole document.

/**
 * `?from=&to=` of a route that needs a window. The bounds are optional to validation on purpose: a
 * missing one is answered by the window parser (common/http/window.ts) as WINDOW_REQUIRED naming it,
 * the same on every route.
 */
export class RequiredWindowDto {
  /** Window start (ISO 8601 with offset), e.g. 2026-03-09T00:00:00Z. */
  @ApiProperty({ required: true })
  @IsOptional()
  @IsIsoInstant()
  from?: string;

  /** Window end, exclusive (ISO 8601 with offset), after `from`, e.g. 2026-03-16T00:00:00Z. */
  @ApiProperty({ required: true })
  @IsOptional()
  @IsIsoInstant()
  to?: string;
}

/** A required window over a paginated list. */
export class RequiredWindowPageQueryDto extends IntersectionType(PageQueryDto, RequiredWindowDto) {}

/** `?from=&to=&page=&limit=`: an optional time window (ISO 8601 with offsets) over a paginated list. */
export class WindowQueryDto extends PageQueryDto {
  /** Window start (ISO 8601 with offset), e.g. 2026-03-01T00:00:00Z; what ends after it is included. */
  @ApiProperty({ required: false })
  @IsOptional()
  @IsIsoInstant()
  from?: string;

  /** Window end (ISO 8601 with offset), e.g. 2026-04-01T00:00:00Z; what starts before it is included. */
  @ApiProperty({ required: false })
  @IsOptional()
  @IsIsoInstant()
  to?: string;
}
