import { ApiProperty, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { RequiredWindowDto } from '../../../common/http/window-query.dto.js';
import { IsIanaZone, Omittable } from '../../../common/validation/validators.js';


export class CreateBookingLinkDto {
  /** URL-safe: lowercase letters, digits and inner hyphens, 3–60 characters. Unique across Calento. */
  @ApiProperty({ example: 'intro-call' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsString()
  @Matches(/^[a-z0-9](?:[a-z0-9-]{1,58}[a-z0-9])$/, {
    message: 'must be 3-60 lowercase letters, digits or hyphens, not starting or ending with a hyphen',
  })
  @Matches(/^(?!.*--)/, { message: 'must not contain two hyphens in a row' })
  slug: string;

  @ApiProperty({ example: 'Intro call' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title: string;

  /** null: none (on update, removes it). */
  @ApiProperty({ required: false, nullable: true, type: String, example: 'A first 30-minute chat.' })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  description?: string | null;

  @ApiProperty({ type: 'integer', example: 30, minimum: 5, maximum: 720 })
  @IsInt()
  @Min(5)
  @Max(720)
  durationMinutes: number;

  @ApiProperty({ required: false, default: true })
  @Omittable()
  @IsBoolean()
  isActive?: boolean;

  /** null: none (on update, removes it). */
  @ApiProperty({ required: false, nullable: true, type: String, example: 'Office, 2nd floor' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  location?: string | null;

  /** A video meeting link (https); null: none. */
  @ApiProperty({ required: false, nullable: true, type: String, example: 'https://meet.example.com/ada' })
  @IsOptional()
  @IsUrl({ protocols: ['https'], require_protocol: true }, { message: 'must be an https URL' })
  @MaxLength(2048)
  meetingUrl?: string | null;

  /** Free time required before each booking. */
  @ApiProperty({ type: 'integer', required: false, default: 0, minimum: 0, maximum: 720 })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(720)
  bufferBeforeMinutes?: number;

  /** Free time required after each booking. */
  @ApiProperty({ type: 'integer', required: false, default: 0, minimum: 0, maximum: 720 })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(720)
  bufferAfterMinutes?: number;

  /** Step between offered start times; defaults to the duration. */
  @ApiProperty({ required: false, nullable: true, minimum: 5, maximum: 720, type: 'integer' })
  @IsOptional()
  @IsInt()
  @Min(5)
  @Max(720)
  slotIntervalMinutes?: number | null;

  /** No booking starts sooner than this after now. */
  @ApiProperty({ type: 'integer', required: false, default: 0, minimum: 0, maximum: 525600 })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(525600)
  minimumNoticeMinutes?: number;

  /** How many days ahead bookers may book (null: no limit). */
  @ApiProperty({ required: false, nullable: true, default: 60, minimum: 1, maximum: 730, type: 'integer' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(730)
  bookingWindowDays?: number | null;

  @ApiProperty({ required: false, nullable: true, minimum: 1, maximum: 1000, type: 'integer' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  maxBookingsPerDay?: number | null;

  @ApiProperty({ required: false, nullable: true, minimum: 1, maximum: 10000, type: 'integer' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  maxBookingsPerWeek?: number | null;
}

/** Any field of a link; a field left out stays, and null is a value only where the field is nullable. */
export class UpdateBookingLinkDto extends PartialType(CreateBookingLinkDto, { skipNullProperties: false }) {}

export class BookingLinkResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'intro-call' }) slug: string;
  @ApiProperty() title: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ type: 'integer' }) durationMinutes: number;
  @ApiProperty() isActive: boolean;
  @ApiProperty({ nullable: true, type: String }) location: string | null;
  @ApiProperty({ nullable: true, type: String }) meetingUrl: string | null;
  @ApiProperty({ type: 'integer' }) bufferBeforeMinutes: number;
  @ApiProperty({ type: 'integer' }) bufferAfterMinutes: number;
  @ApiProperty({ nullable: true, type: 'integer' }) slotIntervalMinutes: number | null;
  @ApiProperty({ type: 'integer' }) minimumNoticeMinutes: number;
  @ApiProperty({ nullable: true, type: 'integer' }) bookingWindowDays: number | null;
  @ApiProperty({ nullable: true, type: 'integer' }) maxBookingsPerDay: number | null;
  @ApiProperty({ nullable: true, type: 'integer' }) maxBookingsPerWeek: number | null;
  /** The public booking page. */
  @ApiProperty({ example: 'http://localhost:3000/book/intro-call' }) bookingUrl: string;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export class PublicBookingLinkResponseDto {
  @ApiProperty({ example: 'intro-call' }) slug: string;
  @ApiProperty() title: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ type: 'integer' }) durationMinutes: number;
  @ApiProperty({ nullable: true, type: String }) location: string | null;
  @ApiProperty({ example: 'Ada Lovelace' }) hostName: string;
  @ApiProperty({ example: 'Europe/London' }) hostTimezone: string;
  /** Furthest day bookers can pick, as a date in the host zone (null: no limit). */
  @ApiProperty({ nullable: true, type: 'integer' }) bookingWindowDays: number | null;
}

/** A window of at most 62 days. */
export class SlotsQueryDto extends RequiredWindowDto {
  /** The booker's zone, e.g. Asia/Tokyo: each slot also comes as a local date and time there. Defaults to the host's. */
  @ApiProperty({ required: false })
  @IsOptional()
  @IsIanaZone()
  timezone?: string;
}

export class SlotDto {
  @ApiProperty({ example: '2026-03-09T14:00:00.000Z' }) start: Date;
  @ApiProperty({ example: '2026-03-09T14:30:00.000Z' }) end: Date;
  /** The start in the requested zone. */
  @ApiProperty({ example: '2026-03-09' }) localDate: string;
  @ApiProperty({ example: '23:00' }) localTime: string;
}

export class SlotsResponseDto {
  @ApiProperty({ example: 'Asia/Tokyo' }) timezone: string;
  @ApiProperty({ type: 'integer', example: 30 }) durationMinutes: number;
  @ApiProperty({ type: [SlotDto] }) slots: SlotDto[];
}

