import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsIsoInstant } from '../../../common/validation/validators.js';
import { API_KEY_SCOPES } from '../passport/api-key-scopes.js';
import type { ApiKey } from '../api-keys.rows.js';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'Zapier sync', maxLength: 100 })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  /** `<area>:read` (GET), `<area>:write` (POST, PUT, PATCH, DELETE) or `<area>:*` (both). */
  @ApiProperty({ type: [String], enum: API_KEY_SCOPES, example: ['events:read', 'bookings:*'] })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(API_KEY_SCOPES.length)
  @IsIn(API_KEY_SCOPES, { each: true, message: `each value must be one of: ${API_KEY_SCOPES.join(', ')}` })
  scopes: string[];

  /** ISO-8601 instant with an offset, in the future. Absent: the key does not expire. */
  @ApiProperty({ required: false, example: '2027-01-01T00:00:00Z' })
  @IsOptional()
  @IsIsoInstant()
  expiresAt?: string;
}

export class ApiKeyResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Zapier sync' })
  name: string;

  /** The visible start of the key, to recognise it; not a secret and not enough to use it. */
  @ApiProperty({ example: 'cal_live_3fk29xq7' })
  prefix: string;

  @ApiProperty({ type: [String], example: ['bookings:*', 'events:read'] })
  scopes: string[];

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  expiresAt: Date | null;

  /** When the key was last used, to the minute (recorded at most once a minute). */
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  lastUsedAt: Date | null;

  @ApiProperty()
  createdAt: Date;

  static from(key: ApiKey): ApiKeyResponseDto {
    return {
      id: key.id,
      name: key.name,
      prefix: key.prefix,
      scopes: key.scopes,
      expiresAt: key.expiresAt,
      lastUsedAt: key.lastUsedAt,
      createdAt: key.createdAt,
    };
  }
}

export class IssuedApiKeyDto extends ApiKeyResponseDto {
  /** The whole key. Shown this once: only its digest is stored. */
  @ApiProperty({ example: 'cal_live_3fk29xq7_4mJ0dYvQ0l3c6b8wWq1hQ2r9xJk7sP5tN3eA8uV6yZc' })
  key: string;
}
