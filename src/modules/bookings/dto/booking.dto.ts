import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { WindowQueryDto } from '../../../common/http/window-query.dto.js';
import { IsIanaZone, IsSingleLine, IsIsoInstant, NormalizeEmail } from '../../../common/validation/validators.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateBookingDto {
  @ApiProperty({ example: 'intro-call' })
  @IsString()
  @MinLength(3)
  @MaxLength(60)
  slug: string;

  /** One of the offered slot starts (ISO 8601 with offset). */
  @ApiProperty({ example: '2026-03-09T14:00:00Z' })
  @IsIsoInstant()
  start: string;

  @ApiProperty({ example: 'Grace Hopper' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @IsSingleLine()
  name: string;

  @ApiProperty({ example: 'grace@example.com' })
  @NormalizeEmail()
  @IsEmail({}, { message: 'must be a valid email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ required: false, example: '+44 20 7946 0018' })
  @IsOptional()
  @Matches(/^\+?[0-9 ().-]{5,30}$/, { message: 'must be a phone number (digits, spaces, + ( ) . -)' })
  phone?: string;

  @ApiProperty({ required: false, example: 'Looking forward to it.' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string;

  /** The booker's zone (for emails and the manage page). */
  @ApiProperty({ example: 'Europe/London' })
  @IsIanaZone()
  timezone: string;
}

export class RescheduleDto {
  @ApiProperty({ example: '2026-03-10T14:00:00Z' })
  @IsIsoInstant()
  start: string;
}

export class CancelBookingDto {
  @ApiProperty({ required: false, example: 'Something came up.' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

export class ListBookingsQueryDto extends WindowQueryDto {
  @ApiProperty({ required: false, enum: ['confirmed', 'cancelled'] })
  @IsOptional()
  @IsIn(['confirmed', 'cancelled'])
  status?: 'confirmed' | 'cancelled';
}

export class BookingResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['confirmed', 'cancelled'] }) status: string;
  @ApiProperty() startTime: Date;
  @ApiProperty() endTime: Date;
  @ApiProperty({ example: 'Intro call' }) title: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) bookingLinkId: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: "The host's calendar event." }) eventId: string | null;
  @ApiProperty() bookerName: string;
  @ApiProperty() bookerEmail: string;
  @ApiProperty({ nullable: true, type: String }) bookerPhone: string | null;
  @ApiProperty() bookerTimezone: string;
  @ApiProperty({ nullable: true, type: String }) notes: string | null;
  @ApiProperty({ nullable: true, type: Date }) cancelledAt: Date | null;
  @ApiProperty({ nullable: true, type: String, enum: ['host', 'booker'] }) cancelledBy: string | null;
  @ApiProperty({ nullable: true, type: String }) cancelReason: string | null;
  @ApiProperty({ nullable: true, type: Date }) rescheduledAt: Date | null;
  @ApiProperty() createdAt: Date;
}

/** What the booker sees: no host-side ids. */
export class ManagedBookingDto {
  @ApiProperty({ enum: ['confirmed', 'cancelled'] }) status: string;
  @ApiProperty() startTime: Date;
  @ApiProperty() endTime: Date;
  @ApiProperty({ example: 'Intro call' }) title: string;
  @ApiProperty({ nullable: true, type: String, example: 'intro-call' }) slug: string | null;
  @ApiProperty() hostName: string;
  @ApiProperty() bookerName: string;
  @ApiProperty() bookerEmail: string;
  @ApiProperty() bookerTimezone: string;
  @ApiProperty({ nullable: true, type: String }) location: string | null;
  @ApiProperty({ nullable: true, type: String }) meetingUrl: string | null;
  @ApiProperty({ nullable: true, type: Date }) cancelledAt: Date | null;
}

export class CreatedBookingDto extends ManagedBookingDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  /** Shown once: lets the booker view, cancel or reschedule. Keep it secret. */
  @ApiProperty({ example: 'k1m2...' }) manageToken: string;
  @ApiProperty({ example: 'http://localhost:3000/book/manage/k1m2...' }) manageUrl: string;
}
