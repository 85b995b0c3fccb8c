import { Body, Controller, Delete, Get, Headers, HttpCode, HttpStatus, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { CreatedAt, LOCATION_HEADER } from '../../common/http/created-location.js';
import { ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type AuthUser } from '../../common/auth/current-user.decorator.js';
import { ApiAuth } from '../../common/http/api-problems.decorator.js';
import { idempotencyKeyOf } from '../../common/http/idempotency-key.js';
import type { JsonText } from '../../common/http/json-text.js';
import { ApiPageResponse, type Page } from '../../common/http/pagination.js';
import { UuidParam } from '../../common/validation/validation.js';
import { CreateEventDto, EventResponseDto, UpdateEventDto } from '../events/dto/event.dto.js';
import { ClientCalendarEventsService } from './client-calendar-events.service.js';
import { ClientCalendarEventsQueryDto } from './dto/sync.dto.js';

const PROBLEMS = ['VALIDATION_FAILED', 'INVALID_ID', 'NOT_FOUND', 'CALENDAR_NOT_SYNCED', 'CLIENT_NEEDS_REAUTH', 'GOOGLE_REFUSED', 'GOOGLE_UNAVAILABLE'] as const;

@ApiTags('google-sync')
@Controller('clients/:id/calendars/:calendarId/events')
export class ClientCalendarEventsController {
  constructor(@Inject(ClientCalendarEventsService) private readonly events: ClientCalendarEventsService) {}

  @Get()
  @ApiOperation({ summary: "A synced client calendar's events in a window (as GET /events shows them)" })
  @ApiPageResponse(EventResponseDto)
  @ApiAuth(...PROBLEMS)
  list(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') clientId: string,
    @Param('calendarId') calendarId: string,
    @Query() query: ClientCalendarEventsQueryDto,
  ): Promise<Page<EventResponseDto> | JsonText<Page<EventResponseDto>>> {
    return this.events.list(user, clientId, calendarId, query);
  }

  @Post()
  @ApiOperation({
    summary: 'Create an event on the client calendar at Google, mirrored here',
    description:
      'With an Idempotency-Key, a retry (after a 502 or a lost answer) returns the event the first attempt made at Google instead of creating another. ' +
      'status "cancelled" is refused (400): delete with DELETE.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Any printable string up to 255 characters; the same key makes the same Google event.' })
  @ApiCreatedResponse({ type: EventResponseDto, headers: LOCATION_HEADER })
  @CreatedAt('events')
  @ApiAuth(...PROBLEMS, 'CALENDAR_NOT_SYNCABLE', 'UNKNOWN_TAG')
  create(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') clientId: string,
    @Param('calendarId') calendarId: string,
    @Body() dto: CreateEventDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
  ): Promise<EventResponseDto> {
    return this.events.create(user, clientId, calendarId, dto, idempotencyKeyOf(idempotencyKey));
  }

  @Put(':eventId')
  @ApiOperation({
    summary: 'Change an event of the client calendar at Google (If-Match), mirrored here',
    description: 'eventId is the local event id. 409 CHANGED_AT_GOOGLE when Google changed it since. status "cancelled" is refused (400): delete with DELETE.',
  })
  @ApiOkResponse({ type: EventResponseDto })
  @ApiAuth(...PROBLEMS, 'CALENDAR_NOT_SYNCABLE', 'CHANGED_AT_GOOGLE', 'UNKNOWN_TAG')
  update(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') clientId: string,
    @Param('calendarId') calendarId: string,
    @UuidParam('eventId') eventId: string,
    @Body() dto: UpdateEventDto,
  ): Promise<EventResponseDto> {
    return this.events.update(user, clientId, calendarId, eventId, dto);
  }

  @Delete(':eventId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete an event of the client calendar at Google, and here' })
  @ApiNoContentResponse()
  @ApiAuth(...PROBLEMS, 'CALENDAR_NOT_SYNCABLE', 'CHANGED_AT_GOOGLE')
  remove(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') clientId: string,
    @Param('calendarId') calendarId: string,
    @UuidParam('eventId') eventId: string,
  ): Promise<void> {
    return this.events.remove(user, clientId, calendarId, eventId);
  }
}
