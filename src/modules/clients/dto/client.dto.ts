import { ApiProperty, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { PageQueryDto } from '../../../common/http/pagination.js';
import { Omittable } from '../../../common/validation/validators.js';
import { CLIENT_STATUSES, type ClientStatus } from '../clients.rows.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateClientDto {
  /** Unique among your clients, case-insensitively. */
  @ApiProperty({ example: 'Acme Corp' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiProperty({ required: false, example: '#0ea5e9', default: '#4f46e5' })
  @Omittable()
  @Matches(/^#[0-9a-fA-F]{6}$/, { message: 'must be a hex color such as #0ea5e9' })
  color?: string;

  @ApiProperty({ required: false, nullable: true, type: String, example: 'Retainer, Tuesdays and Thursdays' })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsString()
  @MaxLength(2000)
  description?: string | null;
}

/** PUT changes the fields given and keeps the others; null is a value only for `description`. */
export class UpdateClientDto extends PartialType(CreateClientDto, { skipNullProperties: false }) {}

export class ClientQueryDto extends PageQueryDto {
  @ApiProperty({ required: false, enum: CLIENT_STATUSES })
  @IsOptional()
  @IsIn(CLIENT_STATUSES)
  status?: ClientStatus;
}

export class ClientResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Acme Corp' }) name: string;
  @ApiProperty({ example: '#0ea5e9' }) color: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  /**
   * pending: never connected; connected: Calento can reach the account; needs_reauth: Google refused
   * the stored grant, authorize again; disconnected: the credentials were removed or replaced.
   */
  @ApiProperty({ enum: CLIENT_STATUSES, example: 'connected' }) status: ClientStatus;
  /** The connected Google account. */
  @ApiProperty({ nullable: true, type: String, example: 'ops@acme.example' }) accountEmail: string | null;
  @ApiProperty({ nullable: true, type: Date }) connectedAt: Date | null;
  /** The client's OAuth credentials (POST /oauth), if any. */
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) credentialId: string | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}
