import { ApiProperty, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsOptional, Matches, Max, Min, ValidateNested } from 'class-validator';
import { IsIanaZone, Omittable } from '../../../common/validation/validators.js';

/** 'HH:mm' from 00:00 to 23:59. */
export const START_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
/** 'HH:mm' up to 24:00, the end of the day. */
export const END_TIME = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
export const START_TIME_MESSAGE = 'must be a time HH:mm between 00:00 and 23:59';
export const END_TIME_MESSAGE = 'must be a time HH:mm between 00:01 and 24:00';

export class AvailabilityScheduleRuleDto {
  /** 0 = Sunday, 1 = Monday … 6 = Saturday. */
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 6, example: 1 })
  @IsInt()
  @Min(0)
  @Max(6)
  dayOfWeek: number;

  @ApiProperty({ example: '09:00', pattern: START_TIME.source })
  @Matches(START_TIME, { message: START_TIME_MESSAGE })
  startTime: string;

  /** After startTime; '24:00' is the end of the day. */
  @ApiProperty({ example: '17:00', pattern: END_TIME.source })
  @Matches(END_TIME, { message: END_TIME_MESSAGE })
  endTime: string;
}

export class CreateAvailabilityRuleDto extends AvailabilityScheduleRuleDto {
  /** IANA zone the hours are read in; defaults to yours. */
  @ApiProperty({ required: false, example: 'America/New_York' })
  @Omittable()
  @IsIanaZone()
  timezone?: string;

  /** Inactive rules are kept but give no hours. */
  @ApiProperty({ required: false, default: true })
  @Omittable()
  @IsBoolean()
  isActive?: boolean;
}

/** Any field of a rule; a field left out stays, null is not a value. */
export class UpdateAvailabilityRuleDto extends PartialType(CreateAvailabilityRuleDto, { skipNullProperties: false }) {}

export class ReplaceAvailabilityScheduleDto {
  /** IANA zone of every rule in the week; defaults to yours. */
  @ApiProperty({ required: false, example: 'America/New_York' })
  @IsOptional()
  @IsIanaZone()
  timezone?: string;

  /** The whole week; an empty list removes all hours. Several intervals per day are fine if they do not overlap. */
  @ApiProperty({ type: [AvailabilityScheduleRuleDto] })
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => AvailabilityScheduleRuleDto)
  rules: AvailabilityScheduleRuleDto[];
}

export class AvailabilityRuleResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 6, example: 1, description: '0 = Sunday … 6 = Saturday' })
  dayOfWeek: number;

  @ApiProperty({ example: '09:00' })
  startTime: string;

  @ApiProperty({ example: '17:00' })
  endTime: string;

  @ApiProperty({ example: 'America/New_York' })
  timezone: string;

  @ApiProperty()
  isActive: boolean;

  @ApiProperty()
  createdAt: Date;

  @ApiProperty()
  updatedAt: Date;
}
