import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { Omittable } from '../../../common/validation/validators.js';

export class CreateTagDto {
  /** Unique per user, case-insensitively. */
  @ApiProperty({ example: 'Work' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1)
  @MaxLength(50)
  name: string;

  @ApiProperty({ required: false, example: '#3b82f6', default: '#3b82f6' })
  @IsOptional()
  @Matches(/^#[0-9a-fA-F]{6}$/, { message: 'must be a hex color such as #3b82f6' })
  color?: string;
}

/** Each field may be left out; null is refused (a tag always has a name and a color). */
export class UpdateTagDto {
  /** Unique per user, case-insensitively. */
  @ApiProperty({ required: false, example: 'Work' })
  @Omittable()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1)
  @MaxLength(50)
  name?: string;

  @ApiProperty({ required: false, example: '#3b82f6' })
  @Omittable()
  @Matches(/^#[0-9a-fA-F]{6}$/, { message: 'must be a hex color such as #3b82f6' })
  color?: string;
}

export class TagResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Work' })
  name: string;

  @ApiProperty({ example: '#3b82f6' })
  color: string;

  @ApiProperty()
  createdAt: Date;

  @ApiProperty()
  updatedAt: Date;
}
