import { ApiProperty, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../../common/http/pagination.js';
import { IsIanaZone, IsIsoDate, Omittable } from '../../../common/validation/validators.js';
import { END_TIME, END_TIME_MESSAGE, START_TIME, START_TIME_MESSAGE } from './availability-rule.dto.js';

export class CreateAvailabilityExceptionDto {
  /** The local date (in `timezone`) that differs from the weekly rules. */
  @ApiProperty({ example: '2026-12-24' })
  @IsIsoDate()
  date: string;

  /**
   * true: the whole date is off (give no hours). false: startTime-endTime replace the weekly hours that
   * date. Left out, it is false when hours are given and true otherwise.
   */
  @ApiProperty({ required: false, example: false })
  @Omittable()
  @IsBoolean()
  isUnavailable?: boolean;

  @ApiProperty({ required: false, example: '10:00', pattern: START_TIME.source })
  @Omittable()
  @Matches(START_TIME, { message: START_TIME_MESSAGE })
  startTime?: string;

  @ApiProperty({ required: false, example: '13:00', pattern: END_TIME.source })
  @Omittable()
  @Matches(END_TIME, { message: END_TIME_MESSAGE })
  endTime?: string;

  /** IANA zone of the date and hours; defaults to yours. */
  @ApiProperty({ required: false, example: 'Europe/Berlin' })
  @Omittable()
  @IsIanaZone()
  timezone?: string;

  /** null: no reason (on update, removes it). */
  @ApiProperty({ required: false, nullable: true, type: String, example: 'Christmas Eve, short day' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string | null;
}

/**
 * Any field of an exception; a field left out stays, null is not a value (but for `reason`). true for
 * isUnavailable clears the hours; giving hours without it makes the date available with those hours.
 */
export class UpdateAvailabilityExceptionDto extends PartialType(CreateAvailabilityExceptionDto, { skipNullProperties: false }) {}

export class ListAvailabilityExceptionsQueryDto extends PageQueryDto {
  /** First date to include (YYYY-MM-DD), e.g. 2026-12-01. */
  @ApiProperty({ required: false })
  @IsOptional()
  @IsIsoDate()
  from?: string;

  /** Last date to include (YYYY-MM-DD), e.g. 2026-12-31. */
  @ApiProperty({ required: false })
  @IsOptional()
  @IsIsoDate()
  to?: string;
}

export class AvailabilityExceptionResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: '2026-12-24' })
  date: string;

  @ApiProperty()
  isUnavailable: boolean;

  @ApiProperty({ nullable: true, type: String, example: '10:00' })
  startTime: string | null;

  @ApiProperty({ nullable: true, type: String, example: '13:00' })
  endTime: string | null;

  @ApiProperty({ example: 'Europe/Berlin' })
  timezone: string;

  @ApiProperty({ nullable: true, type: String, example: 'Christmas Eve, short day' })
  reason: string | null;

  @ApiProperty()
  createdAt: Date;

  @ApiProperty()
  updatedAt: Date;
}
