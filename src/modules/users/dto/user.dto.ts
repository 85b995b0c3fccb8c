import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { IsIanaZone, IsSingleLine, IsStrongPassword, Omittable } from '../../../common/validation/validators.js';
import type { User } from '../users.rows.js';

export const supportedLocales = ['en', 'en-GB', 'de', 'fr', 'es', 'it', 'nl', 'pt', 'pt-BR', 'ja'] as const;

export class UserResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'ada@example.com' })
  email: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  name: string;

  @ApiProperty({ example: 'Europe/London' })
  timezone: string;

  @ApiProperty({ example: 'en' })
  locale: string;

  /** Opted in to the daily summary email at 07:00 in your zone. */
  @ApiProperty({ example: false })
  dailySummary: boolean;

  @ApiProperty()
  createdAt: Date;

  @ApiProperty()
  updatedAt: Date;

  static from(user: User): UserResponseDto {
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      timezone: user.timezone,
      locale: user.locale,
      dailySummary: user.dailySummary,
      createdAt: user.createdAt,
      updatedAt: user.updatedAt,
    };
  }
}

export class UpdateMeDto {
  @ApiProperty({ required: false, example: 'Ada King' })
  @Omittable()
  @IsString()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @MinLength(1)
  @MaxLength(200)
  @IsSingleLine()
  name?: string;

  /** IANA time zone used as the default for new events and availability. */
  @ApiProperty({ required: false, example: 'America/New_York' })
  @Omittable()
  @IsIanaZone()
  timezone?: string;

  @ApiProperty({ required: false, enum: supportedLocales })
  @Omittable()
  @IsIn(supportedLocales)
  locale?: string;

  /** true: an email at 07:00 in your zone listing that day's events (series occurrences included). */
  @ApiProperty({ required: false, example: true })
  @Omittable()
  @IsBoolean()
  dailySummary?: boolean;

  /** Required when newPassword is given. */
  @ApiProperty({ required: false })
  @ValidateIf((dto: UpdateMeDto) => dto.newPassword !== undefined || dto.currentPassword !== undefined)
  @IsString({ message: 'is required to change the password' })
  @MinLength(1, { message: 'is required to change the password' })
  @MaxLength(200)
  currentPassword?: string;

  /** Changing the password signs out every session, this one included. */
  @ApiProperty({ required: false, minLength: 10, maxLength: 72 })
  @ValidateIf((dto: UpdateMeDto) => dto.newPassword !== undefined || dto.currentPassword !== undefined)
  @IsString({ message: 'is required with currentPassword' })
  @IsStrongPassword()
  newPassword?: string;
}

export class DeleteMeDto {
  /** The current password, to confirm the deletion. */
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  password: string;
}

export class PublicBookingLinkDto {
  @ApiProperty({ example: 'intro-call' })
  slug: string;

  @ApiProperty({ example: 'Intro call' })
  title: string;

  @ApiProperty({ nullable: true, type: String })
  description: string | null;

  @ApiProperty({ type: 'integer', example: 30 })
  durationMinutes: number;
}

export class PublicProfileDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  name: string;

  @ApiProperty({ example: 'Europe/London' })
  timezone: string;

  @ApiProperty({ type: [PublicBookingLinkDto] })
  bookingLinks: PublicBookingLinkDto[];
}
