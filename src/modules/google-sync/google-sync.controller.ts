import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type AuthUser } from '../../common/auth/current-user.decorator.js';
import { ApiAuth } from '../../common/http/api-problems.decorator.js';
import { ApiPageResponse, type Page } from '../../common/http/pagination.js';
import { UuidParam } from '../../common/validation/validation.js';
import {
  ConflictDto,
  ConflictQueryDto,
  DisconnectSyncDto,
  InitialSyncDto,
  ResolveConflictDto,
  SyncStatusDto,
  SyncStatusListDto,
  SyncStatusQueryDto,
  ToggleSyncDto,
} from './dto/sync.dto.js';
import { GoogleSyncService } from './google-sync.service.js';

@ApiTags('google-sync')
@Controller('calendar/sync')
export class GoogleSyncController {
  constructor(@Inject(GoogleSyncService) private readonly sync: GoogleSyncService) {}

  @Post('initial')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Start syncing a Google calendar of a client',
    description:
      'merge: both ways, matching existing events by iCalUID, then title and time; import: Google → Calento; export: Calento → Google. The sync runs in the background; read GET /calendar/sync/status. Asking again with another strategy starts over with a full sync.',
  })
  @ApiAcceptedResponse({ type: SyncStatusDto })
  @ApiAuth('VALIDATION_FAILED', 'NOT_FOUND', 'CLIENT_NOT_CONNECTED', 'CLIENT_NEEDS_REAUTH', 'CALENDAR_NOT_SYNCABLE', 'GOOGLE_UNAVAILABLE')
  initial(@CurrentUser() user: AuthUser, @Body() dto: InitialSyncDto): Promise<SyncStatusDto> {
    return this.sync.initial(user, dto);
  }

  @Get('status')
  @ApiOperation({ summary: 'Where each synced calendar stands: state, last sync, counts, last error, push channel' })
  @ApiOkResponse({ type: SyncStatusListDto })
  @ApiAuth('VALIDATION_FAILED', 'NOT_FOUND')
  status(@CurrentUser() user: AuthUser, @Query() query: SyncStatusQueryDto): Promise<SyncStatusListDto> {
    return this.sync.status(user, query.clientId);
  }

  @Post('toggle')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Turn a calendar sync off (its push channel is stopped) or on again (a sync runs)' })
  @ApiOkResponse({ type: SyncStatusDto })
  @ApiAuth('VALIDATION_FAILED', 'NOT_FOUND', 'CLIENT_NOT_CONNECTED', 'CLIENT_NEEDS_REAUTH')
  toggle(@CurrentUser() user: AuthUser, @Body() dto: ToggleSyncDto): Promise<SyncStatusDto> {
    return this.sync.toggle(user, dto);
  }

  @Post('disconnect')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: "Disconnect a client's Google account",
    description: 'Stops its push channels, forgets (and revokes) its tokens and turns its syncs off. Events already synced stay in your calendar.',
  })
  @ApiNoContentResponse()
  @ApiAuth('VALIDATION_FAILED', 'NOT_FOUND')
  disconnect(@CurrentUser() user: AuthUser, @Body() dto: DisconnectSyncDto): Promise<void> {
    return this.sync.disconnect(user, dto.clientId);
  }

  @Get('conflicts')
  @ApiOperation({ summary: 'Changes made both here and at Google to the same fields of an event, newest first' })
  @ApiPageResponse(ConflictDto)
  @ApiAuth('VALIDATION_FAILED')
  conflicts(@CurrentUser() user: AuthUser, @Query() query: ConflictQueryDto): Promise<Page<ConflictDto>> {
    return this.sync.conflictsOf(user, query);
  }

  @Post('conflicts/:id/resolve')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Resolve a conflict: keep yours, keep Google’s, or write a merged version to both' })
  @ApiOkResponse({ type: ConflictDto })
  @ApiAuth('VALIDATION_FAILED', 'INVALID_ID', 'NOT_FOUND', 'CONFLICT_RESOLVED', 'CLIENT_NEEDS_REAUTH', 'GOOGLE_UNAVAILABLE')
  resolve(@CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() dto: ResolveConflictDto): Promise<ConflictDto> {
    return this.sync.resolve(user, id, dto);
  }
}
