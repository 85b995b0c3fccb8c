import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { CreatedAt, LOCATION_HEADER } from '../../common/http/created-location.js';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type AuthUser } from '../../common/auth/current-user.decorator.js';
import { validationError } from '../../common/errors/domain-error.js';
import { ApiAuth } from '../../common/http/api-problems.decorator.js';
import { ApiPageResponse, type Page } from '../../common/http/pagination.js';
import { UuidParam } from '../../common/validation/validation.js';
import { ClientCalendarsService } from './client-calendars.service.js';
import { ClientsService } from './clients.service.js';
import { CalendarListResponseDto, CalendarResponseDto, UpdateCalendarDto } from './dto/calendar.dto.js';
import { ClientQueryDto, ClientResponseDto, CreateClientDto, UpdateClientDto } from './dto/client.dto.js';

/** A Google calendar id from the path (decoded: `%40` is `@`, `%23` is `#`). */
function calendarIdOf(raw: string): string {
  if (raw.length === 0 || raw.length > 1024) {
    throw validationError([{ field: 'calendarId', message: 'must be a Google calendar id of 1-1024 characters' }]);
  }
  return raw;
}

@ApiTags('clients')
@Controller('clients')
export class ClientsController {
  constructor(
    @Inject(ClientsService) private readonly clients: ClientsService,
    @Inject(ClientCalendarsService) private readonly calendars: ClientCalendarsService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Create a client',
    description: 'A named, coloured group (e.g. "Acme Corp"); connect its Google account with POST /oauth, then POST /oauth/:id/authorize.',
  })
  @ApiCreatedResponse({ type: ClientResponseDto, headers: LOCATION_HEADER })
  @CreatedAt('clients')
  @ApiAuth('VALIDATION_FAILED', 'CLIENT_NAME_TAKEN')
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateClientDto): Promise<ClientResponseDto> {
    return this.clients.create(user, dto);
  }

  @Get()
  @ApiOperation({ summary: 'Your clients, by name', description: 'Filter by connection status with ?status=.' })
  @ApiPageResponse(ClientResponseDto)
  @ApiAuth('VALIDATION_FAILED')
  list(@CurrentUser() user: AuthUser, @Query() query: ClientQueryDto): Promise<Page<ClientResponseDto>> {
    return this.clients.list(user, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One client, with its connection status and account' })
  @ApiOkResponse({ type: ClientResponseDto })
  @ApiAuth('INVALID_ID', 'NOT_FOUND')
  get(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<ClientResponseDto> {
    return this.clients.get(user, id);
  }

  @Put(':id')
  @ApiOperation({ summary: 'Rename, recolour or describe a client', description: 'Fields left out keep their value.' })
  @ApiOkResponse({ type: ClientResponseDto })
  @ApiAuth('VALIDATION_FAILED', 'INVALID_ID', 'NOT_FOUND', 'CLIENT_NAME_TAKEN')
  update(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @Body() dto: UpdateClientDto,
  ): Promise<ClientResponseDto> {
    return this.clients.update(user, id, dto);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Delete a client',
    description: 'Removes its OAuth credentials, tokens and calendars; the Google token is revoked (best effort).',
  })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiAuth('INVALID_ID', 'NOT_FOUND')
  remove(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    return this.clients.remove(user, id);
  }

  @Get(':id/calendars')
  @ApiOperation({
    summary: "The client's Google calendars",
    description:
      "Read from Google's calendar list (then stored) when the client is connected; otherwise, or when Google " +
      'cannot be reached, the stored list with meta.live = false.',
  })
  @ApiOkResponse({ type: CalendarListResponseDto })
  @ApiAuth('INVALID_ID', 'NOT_FOUND')
  listCalendars(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<CalendarListResponseDto> {
    return this.calendars.list(user, id);
  }

  @Patch(':id/calendars/:calendarId')
  @ApiOperation({
    summary: 'Change whether a calendar counts as busy, or receives new bookings',
    description: 'destination: true moves your one booking destination (across all clients) to this calendar.',
  })
  @ApiParam({ name: 'calendarId', description: "Google's calendar id, URL-encoded", example: 'en.usa%23holiday%40group.v.calendar.google.com' })
  @ApiOkResponse({ type: CalendarResponseDto })
  @ApiAuth('VALIDATION_FAILED', 'INVALID_ID', 'NOT_FOUND', 'CALENDAR_NOT_WRITABLE', 'DESTINATION_TAKEN')
  updateCalendar(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @Param('calendarId') calendarId: string,
    @Body() dto: UpdateCalendarDto,
  ): Promise<CalendarResponseDto> {
    return this.calendars.update(user, id, calendarIdOf(calendarId), dto);
  }
}
