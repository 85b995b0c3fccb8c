import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, Matches, ValidateIf, ValidateNested } from 'class-validator';
import { PageQueryDto } from '../../../common/http/pagination.js';
import { SLACK_NOTIFICATION_KINDS, type SlackNotificationKind } from '../slack.rows.js';

/** Slack conversation ids: C… (public), G… (private, older), D… (direct message). */
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,30}$/;
const CHANNEL_MESSAGE = 'must be a Slack channel id such as C0123ABCD';

export class SlackConnectDto {
  /** Also ask for permission to set your Slack status while you are in a busy event (users.profile:write). */
  @ApiProperty({ required: false, default: false })
  @IsOptional()
  @IsBoolean()
  statusSync?: boolean;
}

export class SlackConnectResponseDto {
  /** Slack's install page: send the browser there; Slack returns to GET /integrations/slack/callback. */
  @ApiProperty({ example: 'https://slack.com/oauth/v2/authorize?client_id=…&scope=chat:write,…&state=…' }) url: string;
  @ApiProperty({ example: '2026-03-01T09:10:00.000Z' }) expiresAt: Date;
}

export class SlackRouteDto {
  @ApiProperty({ enum: SLACK_NOTIFICATION_KINDS })
  @IsIn(SLACK_NOTIFICATION_KINDS)
  kind: SlackNotificationKind;

  @ApiProperty({ required: false })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  /** Its own channel; null: the default channel. */
  @ApiProperty({ required: false, nullable: true, type: String, example: 'C0123ABCD' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @Matches(CHANNEL_ID, { message: CHANNEL_MESSAGE })
  channelId?: string | null;
}

export class UpdateSlackDto {
  /** Where notifications without a channel of their own go; null: nowhere (they are skipped). */
  @ApiProperty({ required: false, nullable: true, type: String, example: 'C0123ABCD' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @Matches(CHANNEL_ID, { message: CHANNEL_MESSAGE })
  defaultChannelId?: string | null;

  /** Set "In a meeting until 15:00" as your Slack status during busy events (needs the install's status permission). */
  @ApiProperty({ required: false })
  @IsOptional()
  @IsBoolean()
  statusSync?: boolean;

  /** Per kind: on or off, and its channel. Kinds not listed keep their setting. */
  @ApiProperty({ required: false, type: [SlackRouteDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(SLACK_NOTIFICATION_KINDS.length)
  @ValidateNested({ each: true })
  @Type(() => SlackRouteDto)
  notifications?: SlackRouteDto[];
}

export class SlackRouteResponseDto {
  @ApiProperty({ enum: SLACK_NOTIFICATION_KINDS }) kind: SlackNotificationKind;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ nullable: true, type: String, example: null }) channelId: string | null;
}

export class SlackErrorDto {
  /** What Slack answered: channel_not_found, not_in_channel, token_revoked, invalid_auth… */
  @ApiProperty({ example: 'not_in_channel' }) code: string;
  @ApiProperty({ nullable: true, type: String, example: 'C0123ABCD' }) channelId: string | null;
  @ApiProperty() at: Date;
}

export class SlackIntegrationResponseDto {
  @ApiProperty({ example: 'T0123ABCD' }) teamId: string;
  @ApiProperty({ nullable: true, type: String, example: 'Acme' }) teamName: string | null;
  /** The Slack user who installed: slash commands from them act as you. */
  @ApiProperty({ example: 'U0123ABCD' }) slackUserId: string;
  @ApiProperty({ nullable: true, type: String, example: 'C0123ABCD' }) defaultChannelId: string | null;
  @ApiProperty() statusSync: boolean;
  /** Whether the install carries the status permission (connected with statusSync). */
  @ApiProperty() statusSyncAvailable: boolean;
  /** active; revoked: Slack refused the token, connect again. */
  @ApiProperty({ enum: ['active', 'revoked'] }) state: string;
  /** The last delivery error, until a message reaches that channel again. */
  @ApiProperty({ nullable: true, type: SlackErrorDto }) lastError: SlackErrorDto | null;
  @ApiProperty({ type: [SlackRouteResponseDto] }) notifications: SlackRouteResponseDto[];
  @ApiProperty() connectedAt: Date;
}

export class SlackChannelDto {
  @ApiProperty({ example: 'C0123ABCD' }) id: string;
  @ApiProperty({ example: 'general' }) name: string;
  @ApiProperty() isPrivate: boolean;
  /** The bot is in the channel (needed for private ones; public ones work without, thanks to chat:write.public). */
  @ApiProperty() isMember: boolean;
}

export class SlackChannelsResponseDto {
  @ApiProperty({ type: [SlackChannelDto] }) data: SlackChannelDto[];
}

export const SLACK_MESSAGE_STATUSES = ['queued', 'sent', 'failed', 'cancelled', 'skipped'] as const;

export class SlackMessagesQueryDto extends PageQueryDto {
  @ApiProperty({ required: false, enum: SLACK_MESSAGE_STATUSES })
  @IsOptional()
  @IsIn(SLACK_MESSAGE_STATUSES)
  status?: (typeof SLACK_MESSAGE_STATUSES)[number];
}

export class SlackMessageResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: SLACK_NOTIFICATION_KINDS }) kind: SlackNotificationKind;
  @ApiProperty({ example: 'New booking: Intro call with Ada (ada@example.com), Tue 3 Mar 2026, 09:00–09:30 (UTC)' }) text: string;
  @ApiProperty({ enum: SLACK_MESSAGE_STATUSES }) status: string;
  @ApiProperty({ nullable: true, type: String }) channelId: string | null;
  @ApiProperty({ type: 'integer' }) attempts: number;
  /** Slack's error (channel_not_found…), or why it was skipped (not_connected, notification_off, no_channel). */
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty({ nullable: true, type: String }) slackTs: string | null;
  @ApiProperty({ nullable: true, type: Date }) scheduledAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) sentAt: Date | null;
  @ApiProperty() createdAt: Date;
}
