import { ApiProperty, OmitType } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsIsoInstantOrDate } from '../../../common/validation/validators.js';
import { UpdateEventDto } from './event.dto.js';

export class SetRecurrenceDto {
  /** RFC 5545 RRULE value, with or without the "RRULE:" prefix. */
  @ApiProperty({ example: 'FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20261231T235959Z' })
  @IsString()
  @MinLength(5)
  @MaxLength(1000)
  recurrenceRule: string;

  /** Occurrence ids to skip. Omitted: the current ones that still fit the new rule are kept. */
  @ApiProperty({ required: false, type: [String], example: ['2026-03-16T14:00:00Z'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  exdates?: string[];

  /**
   * A new start for the series (its first occurrence), set together with the rule: what moving a
   * Monday, Wednesday and Friday series to Tuesdays and Thursdays needs, since each change alone would
   * leave a start that is not an occurrence. ISO 8601 with offset; a date for an all-day series.
   * Alone, the occurrences keep their length.
   */
  @ApiProperty({ required: false, example: '2026-03-10T09:00:00-05:00' })
  @IsOptional()
  @IsIsoInstantOrDate()
  startTime?: string;

  /** The first occurrence's new end (all-day: the first date not included); with startTime or alone. */
  @ApiProperty({ required: false, example: '2026-03-10T10:00:00-05:00' })
  @IsOptional()
  @IsIsoInstantOrDate()
  endTime?: string;
}

/** What one occurrence (or this-and-following) can change; zone, all-day, tags and guests belong to the series. */
export class UpdateOccurrenceDto extends OmitType(UpdateEventDto, ['timezone', 'isAllDay', 'tagIds', 'attendees'] as const) {}

export class ScopeQueryDto {
  /** single (default): only this occurrence. following: this one and every later one (the series is split). */
  @ApiProperty({ required: false, enum: ['single', 'following'], default: 'single' })
  @IsOptional()
  @IsIn(['single', 'following'])
  scope?: 'single' | 'following';
}
