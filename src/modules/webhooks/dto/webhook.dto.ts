import { ApiProperty, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { PageQueryDto } from '../../../common/http/pagination.js';
import { Omittable } from '../../../common/validation/validators.js';
import { WEBHOOK_EVENT_TYPES, type DeliveryStatus, type WebhookDisabledReason } from '../webhooks.rows.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
const DELIVERY_TYPES = [...WEBHOOK_EVENT_TYPES, 'ping'] as const;

export class CreateWebhookDto {
  /**
   * Where Calento POSTs. https in production; its host must resolve to public addresses only (loopback,
   * private, link-local, CGNAT, multicast and cloud metadata addresses are refused).
   */
  @ApiProperty({ example: 'https://example.com/webhooks/calento', maxLength: 2048 })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  url: string;

  @ApiProperty({ required: false, nullable: true, type: String, example: 'CRM sync' })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsString()
  @MaxLength(500)
  description?: string | null;

  /** The types this endpoint receives; empty or absent: every type (and types added later). */
  @ApiProperty({ required: false, enum: WEBHOOK_EVENT_TYPES, isArray: true, example: ['booking.created', 'booking.cancelled'] })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  eventTypes?: string[];
}

export class UpdateWebhookDto extends PartialType(CreateWebhookDto, { skipNullProperties: false }) {
  /** false stops deliveries; true enables again (also an endpoint Calento disabled) and clears its failure streak. */
  @ApiProperty({ required: false })
  @Omittable()
  @IsBoolean()
  enabled?: boolean;
}

export class WebhookResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'https://example.com/webhooks/calento' }) url: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  /** Empty: every type. */
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true }) eventTypes: string[];
  @ApiProperty() enabled: boolean;
  /** user: you disabled it; gone: the receiver answered 410; failing: every delivery failed for 5 days. */
  @ApiProperty({ nullable: true, enum: ['user', 'gone', 'failing'] }) disabledReason: WebhookDisabledReason | null;
  @ApiProperty({ nullable: true, type: Date }) disabledAt: Date | null;
  /** The first failed attempt since the last success. */
  @ApiProperty({ nullable: true, type: Date }) failingSince: Date | null;
  @ApiProperty({ nullable: true, type: Date }) lastSuccessAt: Date | null;
  /** Until then the secret before the last rotation signs too. */
  @ApiProperty({ nullable: true, type: Date }) previousSecretExpiresAt: Date | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export class CreatedWebhookResponseDto extends WebhookResponseDto {
  /** The signing secret, shown this once (Standard Webhooks format). */
  @ApiProperty({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }) secret: string;
}

export class RotatedSecretResponseDto {
  /** The new signing secret, shown this once. */
  @ApiProperty({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }) secret: string;
  /** Until then every message is signed with both the new and the previous secret. */
  @ApiProperty() previousSecretExpiresAt: Date;
}

export class DeliveryQueryDto extends PageQueryDto {
  @ApiProperty({ required: false, enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;

  @ApiProperty({ required: false, enum: DELIVERY_TYPES })
  @IsOptional()
  @IsIn(DELIVERY_TYPES)
  eventType?: string;
}

export class DeliveryResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  /** The `webhook-id` header: the same on every attempt and redelivery. */
  @ApiProperty({ example: 'msg_2b7xq4m5kq3vzj6h7w2c9d4e5f' }) messageId: string;
  @ApiProperty({ enum: DELIVERY_TYPES }) eventType: string;
  /** The change of the feed it carries (none for a ping). */
  @ApiProperty({ nullable: true, type: 'integer' }) changeSeq: number | null;
  /** pending: queued or waiting for a retry; succeeded: a 2xx; failed: gave up (see lastError). */
  @ApiProperty({ enum: DELIVERY_STATUSES }) status: DeliveryStatus;
  @ApiProperty({ type: 'integer' }) attempts: number;
  @ApiProperty({ nullable: true, type: Date }) nextAttemptAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) lastAttemptAt: Date | null;
  @ApiProperty({ nullable: true, type: 'integer' }) responseStatus: number | null;
  /** The first KiB of the receiver's last answer. */
  @ApiProperty({ nullable: true, type: String }) responseExcerpt: string | null;
  /** Why the last attempt failed (timeout, refused address, status...). */
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty({ nullable: true, type: 'integer' }) durationMs: number | null;
  /** The first KiB of the body sent. */
  @ApiProperty() requestExcerpt: string;
  @ApiProperty() createdAt: Date;
}
