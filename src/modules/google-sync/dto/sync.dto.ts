import { ApiProperty, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, IsUUID, MaxLength, MinLength, ValidateIf, ValidateNested } from 'class-validator';
import { UpdateEventDto } from '../../events/dto/event.dto.js';
import { ListEventsQueryDto } from '../../events/dto/event-query.dto.js';
import { PageMetaDto, PageQueryDto } from '../../../common/http/pagination.js';
import { SYNC_STATES, SYNC_STRATEGIES, type SyncState, type SyncStrategy } from '../google-sync.rows.js';

export class CalendarRefDto {
  /** The Calento client whose Google account holds the calendar. */
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  clientId: string;

  /** Google's calendar id, as `GET /clients/:id/calendars` lists it. */
  @ApiProperty({ example: 'ops@acme.example', maxLength: 1024 })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  calendarId: string;
}

export class InitialSyncDto extends CalendarRefDto {
  /**
   * merge: both ways; Google's events are matched to yours by iCalUID, then by title and time (no
   * duplicates), and your own events are sent to this calendar. import: Google → Calento only.
   * export: Calento → Google only.
   */
  @ApiProperty({ enum: SYNC_STRATEGIES, example: 'merge' })
  @IsIn(SYNC_STRATEGIES)
  strategy: SyncStrategy;
}

export class ToggleSyncDto extends CalendarRefDto {
  @ApiProperty()
  @IsBoolean()
  enabled: boolean;
}

export class DisconnectSyncDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  clientId: string;
}

export class SyncStatusQueryDto {
  @ApiProperty({ required: false, format: 'uuid' })
  @IsOptional()
  @IsUUID()
  clientId?: string;
}

export class SyncCountsDto {
  /** Google events created here. */
  @ApiProperty({ type: 'integer' }) imported: number;
  @ApiProperty({ type: 'integer' }) updated: number;
  @ApiProperty({ type: 'integer' }) deleted: number;
  /** Your events sent to Google. */
  @ApiProperty({ type: 'integer' }) exported: number;
  @ApiProperty({ type: 'integer' }) conflicts: number;
  @ApiProperty({ type: 'integer' }) fullSyncs: number;
}

export class SyncPushDto {
  /** Google notifies Calento of changes; false: the calendar is polled every GOOGLE_SYNC_POLL_MINUTES. */
  @ApiProperty() active: boolean;
  @ApiProperty({ nullable: true, type: Date }) expiresAt: Date | null;
}

export class SyncStatusDto {
  @ApiProperty({ format: 'uuid' }) clientId: string;
  @ApiProperty() calendarId: string;
  @ApiProperty() summary: string;
  @ApiProperty({ enum: SYNC_STRATEGIES }) strategy: SyncStrategy;
  @ApiProperty() enabled: boolean;
  /** queued: a run is due; syncing: running; idle: up to date; error: the last run failed (retried); paused: off, or the client needs authorizing again. */
  @ApiProperty({ enum: SYNC_STATES }) state: SyncState;
  @ApiProperty({ nullable: true, type: Date }) lastSyncedAt: Date | null;
  /** The last failure in words. */
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty({ nullable: true, type: Date }) lastErrorAt: Date | null;
  @ApiProperty({ type: SyncCountsDto }) counts: SyncCountsDto;
  @ApiProperty({ type: SyncPushDto }) push: SyncPushDto;
}

export class SyncStatusListDto {
  @ApiProperty({ type: [SyncStatusDto] }) data: SyncStatusDto[];
}

export class ConflictQueryDto extends PageQueryDto {
  /** open (default) or resolved. */
  @ApiProperty({ required: false, enum: ['open', 'resolved'], default: 'open' })
  @IsOptional()
  @IsIn(['open', 'resolved'])
  status?: 'open' | 'resolved';
}

export class ConflictDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) clientId: string;
  @ApiProperty() calendarId: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) eventId: string | null;
  @ApiProperty() googleEventId: string;
  /** Your version (the event as the API shows it in change payloads). */
  @ApiProperty({ type: Object }) local: Record<string, unknown>;
  /** Google's version (a Calendar v3 events resource). */
  @ApiProperty({ type: Object }) google: Record<string, unknown>;
  /** Google fields both sides changed (summary, start, end, location…). */
  @ApiProperty({ type: [String] }) fields: string[];
  @ApiProperty({ enum: ['open', 'resolved'] }) status: 'open' | 'resolved';
  @ApiProperty({ nullable: true, enum: ['local', 'google', 'merged'] }) resolution: 'local' | 'google' | 'merged' | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty({ nullable: true, type: Date }) resolvedAt: Date | null;
}

export class ConflictPageDto {
  @ApiProperty({ type: [ConflictDto] }) data: ConflictDto[];
  @ApiProperty({ type: PageMetaDto }) meta: PageMetaDto;
}

export class ResolveConflictDto {
  /** local: your version goes to Google; google: Google's version replaces yours; merged: `event` is written to both. */
  @ApiProperty({ enum: ['local', 'google', 'merged'] })
  @IsIn(['local', 'google', 'merged'])
  resolution: 'local' | 'google' | 'merged';

  /** With `merged`: the fields to write (as in PATCH /events/:id); the rest stays as yours. */
  @ApiProperty({ required: false, type: () => UpdateEventDto })
  @ValidateIf((dto: ResolveConflictDto) => dto.resolution === 'merged' || dto.event !== undefined)
  @IsObject()
  @ValidateNested()
  @Type(() => UpdateEventDto)
  event?: UpdateEventDto;
}

/** GET /clients/:id/calendars/:calendarId/events: GET /events' query; the client and calendar come from the path. */
export class ClientCalendarEventsQueryDto extends OmitType(ListEventsQueryDto, ['clientId', 'calendarId'] as const) {}
