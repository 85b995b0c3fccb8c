import { ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength } from 'class-validator';
import { PageQueryDto } from '../../../common/http/pagination.js';
import { WindowQueryDto } from '../../../common/http/window-query.dto.js';

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export const eventSortFields = ['startTime', 'endTime', 'title', 'createdAt'] as const;

export class ListEventsQueryDto extends WindowQueryDto {
  /** Words to look for in title, location and description (prefix match), e.g. standup. */
  @ApiProperty({ required: false })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  q?: string;

  @ApiProperty({ required: false, format: 'uuid', description: 'Only events with this tag.' })
  @IsOptional()
  @IsUUID('all')
  tagId?: string;

  @ApiProperty({ required: false, enum: ['confirmed', 'tentative', 'cancelled'] })
  @IsOptional()
  @IsIn(['confirmed', 'tentative', 'cancelled'])
  status?: 'confirmed' | 'tentative' | 'cancelled';

  /** Only events synced from this client's Google calendars (the stacked view of one client). */
  @ApiProperty({ required: false, format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  clientId?: string;

  /** Only events synced from this Google calendar (its id, as GET /clients/:id/calendars lists it, e.g. ops@acme.example). */
  @ApiProperty({ required: false })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  calendarId?: string;

  @ApiProperty({ required: false, enum: eventSortFields, default: 'startTime' })
  @IsOptional()
  @IsIn(eventSortFields)
  sort?: (typeof eventSortFields)[number];

  @ApiProperty({ required: false, enum: ['asc', 'desc'], default: 'asc' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';

  /** Return the occurrences of series inside the window, merged with single events (needs from and to). */
  @ApiProperty({ required: false, default: false })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'must be true or false' })
  expand?: boolean;
}

export class SearchQueryDto extends PageQueryDto {
  /** Words to look for, e.g. quarterly review. */
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  q: string;
}

export class UpcomingQueryDto {
  @ApiProperty({ type: 'integer', required: false, minimum: 1, maximum: 100, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}
