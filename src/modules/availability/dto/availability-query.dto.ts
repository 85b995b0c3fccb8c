import { ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import { RequiredWindowDto } from '../../../common/http/window-query.dto.js';
import { IsIanaZone, IsIsoInstant } from '../../../common/validation/validators.js';
import { AvailabilityExceptionResponseDto } from './availability-exception.dto.js';

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

/** A window of at most 62 days. */
export class AvailabilityWindowQueryDto extends RequiredWindowDto {}

export class FreeBusyQueryDto extends AvailabilityWindowQueryDto {
  /** Also list each busy interval with its source, id and title (`sources`). */
  @ApiProperty({ required: false, default: false })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'must be true or false' })
  details?: boolean;
}

export class AvailabilitySlotsQueryDto extends AvailabilityWindowQueryDto {
  /** Slot length in minutes, e.g. 30; slots start every `duration` minutes. */
  @ApiProperty({ type: 'integer', minimum: 5, maximum: 1440 })
  @Type(() => Number)
  @IsInt()
  @Min(5)
  @Max(1440)
  duration: number;

  /** Zone for `localStart` only (slots are instants), e.g. Europe/Berlin; defaults to yours. */
  @ApiProperty({ required: false })
  @IsOptional()
  @IsIanaZone()
  timezone?: string;
}

export class CheckAvailabilityDto {
  @ApiProperty({ example: '2026-03-09T13:00:00Z' })
  @IsIsoInstant()
  start: string;

  /** After start, at most 62 days later. */
  @ApiProperty({ example: '2026-03-09T13:30:00Z' })
  @IsIsoInstant()
  end: string;
}

export class FreeBusyIntervalDto {
  @ApiProperty({ example: '2026-03-09T14:00:00.000Z' })
  start: Date;

  @ApiProperty({ example: '2026-03-09T15:00:00.000Z' })
  end: Date;
}

export class BusyIntervalDto extends FreeBusyIntervalDto {
  @ApiProperty({ example: 'event', description: "Where it comes from: 'event', 'booking', later 'google'." })
  source: string;

  @ApiProperty({ required: false, format: 'uuid', description: 'The event (for a series occurrence: the series) or booking.' })
  id?: string;

  @ApiProperty({ required: false, example: 'Team sync' })
  title?: string;
}

export class FreeBusyResponseDto {
  @ApiProperty()
  from: Date;

  @ApiProperty()
  to: Date;

  /** Busy time merged (overlapping or touching intervals joined) and clipped to the window. */
  @ApiProperty({ type: [FreeBusyIntervalDto] })
  busy: FreeBusyIntervalDto[];

  /** With details=true: every busy interval as its source reported it, unmerged and unclipped. */
  @ApiProperty({ required: false, type: [BusyIntervalDto] })
  sources?: BusyIntervalDto[];
}

export const checkReasonCodes = ['OUTSIDE_HOURS', 'EXCEPTION', 'BUSY'] as const;
export type CheckReasonCode = (typeof checkReasonCodes)[number];

export class AvailabilityCheckReasonDto {
  @ApiProperty({ enum: checkReasonCodes, example: 'BUSY' })
  code: CheckReasonCode;

  @ApiProperty({ example: 'Overlaps 1 busy interval.' })
  message: string;

  /** EXCEPTION: the exceptions of the dates concerned. */
  @ApiProperty({ required: false, type: [AvailabilityExceptionResponseDto] })
  exceptions?: AvailabilityExceptionResponseDto[];

  /** BUSY: what the time overlaps, with ids and titles. */
  @ApiProperty({ required: false, type: [BusyIntervalDto] })
  conflicts?: BusyIntervalDto[];
}

export class AvailabilityCheckResponseDto {
  @ApiProperty({ example: false })
  available: boolean;

  @ApiProperty()
  start: Date;

  @ApiProperty()
  end: Date;

  /** Empty when available. */
  @ApiProperty({ type: [AvailabilityCheckReasonDto] })
  reasons: AvailabilityCheckReasonDto[];
}

export class AvailabilitySlotDto extends FreeBusyIntervalDto {
  /** The start in the requested zone, with its offset. */
  @ApiProperty({ example: '2026-10-26T09:00:00+01:00' })
  localStart: string;
}

export class AvailabilitySlotsResponseDto {
  @ApiProperty()
  from: Date;

  @ApiProperty()
  to: Date;

  @ApiProperty({ type: 'integer', example: 30 })
  duration: number;

  @ApiProperty({ example: 'Europe/Berlin' })
  timezone: string;

  @ApiProperty({ type: [AvailabilitySlotDto] })
  slots: AvailabilitySlotDto[];
}
