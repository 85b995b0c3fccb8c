import { ApiProperty, OmitType } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
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
