import { ApiProperty } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsIsoInstant } from '../validation/validators.js';
import { PageQueryDto } from './pagination.js';

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
