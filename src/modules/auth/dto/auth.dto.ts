import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsIanaZone, IsSingleLine, IsStrongPassword, NormalizeEmail } from '../../../common/validation/validators.js';
import { UserResponseDto } from '../../users/dto/user.dto.js';

import { supportedLocales } from '../../users/dto/user.dto.js';

export class RegisterDto {
  /** Login email; compared case-insensitively. */
  @ApiProperty({ example: 'ada@example.com' })
  @NormalizeEmail()
  @IsEmail({}, { message: 'must be a valid email address' })
  @MaxLength(254)
  email: string;

  /** 10 to 72 characters, with at least one letter and one digit or symbol. */
  @ApiProperty({ example: 'correct-horse-42', minLength: 10, maxLength: 72 })
  @IsString()
  @IsStrongPassword()
  password: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  @IsString()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @MinLength(1)
  @MaxLength(200)
  @IsSingleLine()
  name: string;

  /** IANA time zone; defaults to UTC. */
  @ApiProperty({ example: 'Europe/London', required: false })
  @IsOptional()
  @IsIanaZone()
  timezone?: string;

  @ApiProperty({ example: 'en', required: false, enum: supportedLocales })
  @IsOptional()
  @IsIn(supportedLocales)
  locale?: string;
}

export class LoginDto {
  @ApiProperty({ example: 'ada@example.com' })
  @NormalizeEmail()
  @IsEmail({}, { message: 'must be a valid email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'correct-horse-42' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  password: string;
}

export class RefreshTokenDto {
  /** The refresh token from login or the previous refresh; each one works once. */
  @ApiProperty({ example: 'kq3u9aGdY0y2uQh7fJ0m1m2y7m5s3Z5kq3u9aGdY0y2' })
  @IsString()
  @MinLength(20)
  @MaxLength(200)
  refreshToken: string;
}

export class ForgotPasswordDto {
  @ApiProperty({ example: 'ada@example.com' })
  @NormalizeEmail()
  @IsEmail({}, { message: 'must be a valid email address' })
  @MaxLength(254)
  email: string;
}

export class ResetPasswordDto {
  /** The token from the password reset email. */
  @ApiProperty({ example: 'Yc2x0aGVyZS1pcy1ub3RoaW5nLWhlcmUtYnV0LWFuLWV4YW1wbGU' })
  @IsString()
  @MinLength(20)
  @MaxLength(200)
  token: string;

  @ApiProperty({ example: 'another-horse-43', minLength: 10, maxLength: 72 })
  @IsString()
  @IsStrongPassword()
  newPassword: string;
}

export class AuthTokensDto {
  @ApiProperty({ description: 'Short-lived JWT for the Authorization: Bearer header.' })
  accessToken: string;

  @ApiProperty({ example: 'Bearer' })
  tokenType: 'Bearer';

  @ApiProperty({ type: 'integer', description: 'Seconds until the access token expires.', example: 900 })
  expiresIn: number;

  @ApiProperty({ description: 'Opaque, single-use token for POST /auth/refresh-token.' })
  refreshToken: string;

  @ApiProperty({ description: 'When the refresh token expires.' })
  refreshTokenExpiresAt: Date;

  @ApiProperty({ type: () => UserResponseDto })
  user: UserResponseDto;
}
