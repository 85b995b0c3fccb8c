import { ApiProperty, IntersectionType } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsIsoInstant } from '../validation/validators.js';
import { PageQueryDto } from './pagination.js';

/**
 * `?from=&to=` of a route that needs a window. The bounds are optional to validation on purpose: a
 * missing one is answered by the window parser (common/http/window.ts) as WINDOW_REQUIRED naming it,
 * the same on every route.
 */
export class RequiredWindowDto {
  /** Window start (ISO 8601 with offset). */
  @ApiProperty({ required: true, example: '2026-03-09T00:00:00Z' })
  @IsOptional()
  @IsIsoInstant()
  from?: string;

  /** Window end, exclusive (ISO 8601 with offset), after `from`. */
  @ApiProperty({ required: true, example: '2026-03-16T00:00:00Z' })
  @IsOptional()
  @IsIsoInstant()
  to?: string;
}

/** A required window over a paginated list. */
export class RequiredWindowPageQueryDto extends IntersectionType(PageQueryDto, RequiredWindowDto) {}

/** `?from=&to=&page=&limit=`: an optional time window (ISO 8601 with offsets) over a paginated list. */
export class WindowQueryDto extends PageQueryDto {
  /** Window start (ISO 8601 with offset); events ending after it are included. */
  @ApiProperty({ required: false, example: '2026-03-01T00:00:00Z' })
  @IsOptional()
  @IsIsoInstant()
  from?: string;

  /** Window end (ISO 8601 with offset); events starting before it are included. */
  @ApiProperty({ required: false, example: '2026-04-01T00:00:00Z' })
  @IsOptional()
  @IsIsoInstant()
  to?: string;
}
