import { Body, Controller, Delete, Get, Headers, HttpCode, HttpStatus, Inject, Patch, Post, Query, UseInterceptors } from '@nestjs/common';
import { CreatedAt, LOCATION_HEADER } from '../../common/http/created-location.js';
import { ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type AuthUser } from '../../common/auth/current-user.decorator.js';
import { ApiAuth } from '../../common/http/api-problems.decorator.js';
import { EntityTagInterceptor, ETAG_HEADER, IF_MATCH_HEADER } from '../../common/http/entity-tag.js';
import type { JsonText } from '../../common/http/json-text.js';
import { ApiPageResponse, type Page } from '../../common/http/pagination.js';
import { UuidParam } from '../../common/validation/validation.js';
import { EventsService } from './events.service.js';
import { CreateEventDto, DuplicateEventDto, EventResponseDto, RsvpDto, UpdateEventDto } from './dto/event.dto.js';
import { ListEventsQueryDto, SearchQueryDto, UpcomingQueryDto } from './dto/event-query.dto.js';

@ApiTags('events')
@Controller('events')
export class EventsController {
  constructor(@Inject(EventsService) private readonly events: EventsService) {}

  @Post()
  @ApiOperation({
    summary: 'Create an event or a recurring series',
    description: 'Timed events take ISO 8601 instants with offsets; all-day events take dates (end exclusive).',
  })
  @ApiCreatedResponse({ type: EventResponseDto, headers: { ...ETAG_HEADER, ...LOCATION_HEADER } })
  @CreatedAt('events')
  @ApiAuth('VALIDATION_FAILED', 'INVALID_RECURRENCE', 'UNKNOWN_TAG')
  @UseInterceptors(EntityTagInterceptor)
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateEventDto): Promise<EventResponseDto> {
    return this.events.create(user, dto);
  }

  @Get()
  @ApiOperation({
    summary: 'List events',
    description:
      'Your events and the ones you are invited to. Window (overlap), full-text q, tag and status filters, ' +
      'sorting and pages. expand=true (with from and to) returns series occurrences merged with single events.',
  })
  @ApiPageResponse(EventResponseDto)
  @ApiAuth('VALIDATION_FAILED', 'WINDOW_REQUIRED', 'EXPANSION_TOO_LARGE')
  list(@CurrentUser() user: AuthUser, @Query() query: ListEventsQueryDto): Promise<Page<EventResponseDto> | JsonText<Page<EventResponseDto>>> {
    return this.events.list(user, query);
  }

  @Get('search')
  @ApiOperation({ summary: 'Search events by relevance', description: 'Title matches rank above location, then description.' })
  @ApiPageResponse(EventResponseDto)
  @ApiAuth('VALIDATION_FAILED')
  search(@CurrentUser() user: AuthUser, @Query() query: SearchQueryDto): Promise<Page<EventResponseDto>> {
    return this.events.search(user, query);
  }

  @Get('upcoming')
  @ApiOperation({ summary: 'The next events', description: 'Series occurrences included; cancelled events left out.' })
  @ApiOkResponse({ type: [EventResponseDto] })
  @ApiAuth('VALIDATION_FAILED')
  upcoming(@CurrentUser() user: AuthUser, @Query() query: UpcomingQueryDto): Promise<EventResponseDto[]> {
    return this.events.upcoming(user, query.limit ?? 10);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One event' })
  @ApiOkResponse({ type: EventResponseDto, headers: ETAG_HEADER })
  @ApiAuth('INVALID_ID', 'NOT_FOUND')
  @UseInterceptors(EntityTagInterceptor)
  get(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<EventResponseDto> {
    return this.events.get(user, id);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change an event (a series: every occurrence)',
    description: 'Moving a series moves its cancelled and edited occurrences with it; ones that no longer fit are dropped.',
  })
  @ApiOkResponse({ type: EventResponseDto, headers: ETAG_HEADER })
  @ApiHeader(IF_MATCH_HEADER)
  @ApiAuth('VALIDATION_FAILED', 'INVALID_ID', 'NOT_FOUND', 'EVENT_READ_ONLY', 'INVALID_RECURRENCE', 'UNKNOWN_TAG', 'PRECONDITION_FAILED')
  @UseInterceptors(EntityTagInterceptor)
  update(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @Body() dto: UpdateEventDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<EventResponseDto> {
    return this.events.update(user, id, dto, 'api', ifMatch);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete an event (a series: all of it)' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiHeader(IF_MATCH_HEADER)
  @ApiAuth('VALIDATION_FAILED', 'INVALID_ID', 'NOT_FOUND', 'EVENT_READ_ONLY', 'PRECONDITION_FAILED')
  remove(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<void> {
    return this.events.remove(user, id, 'api', ifMatch);
  }

  @Post(':id/duplicate')
  @ApiOperation({ summary: 'Copy an event or series', description: 'Tags are copied, attendees are not.' })
  @ApiCreatedResponse({ type: EventResponseDto, headers: LOCATION_HEADER })
  @CreatedAt('events')
  @ApiAuth('VALIDATION_FAILED', 'INVALID_ID', 'NOT_FOUND', 'EVENT_READ_ONLY')
  duplicate(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @Body() dto: DuplicateEventDto,
  ): Promise<EventResponseDto> {
    return this.events.duplicate(user, id, dto);
  }

  @Post(':id/rsvp')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Answer an invitation', description: 'For attendees; the owner sees each answer.' })
  @ApiOkResponse({ type: EventResponseDto })
  @ApiAuth('VALIDATION_FAILED', 'INVALID_ID', 'NOT_FOUND', 'NOT_AN_ATTENDEE')
  rsvp(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @Body() dto: RsvpDto,
  ): Promise<EventResponseDto> {
    return this.events.rsvp(user, id, dto.response);
  }

  @Post(':id/tags/:tagId')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Put a tag on an event' })
  @ApiOkResponse({ type: EventResponseDto })
  @ApiAuth('INVALID_ID', 'NOT_FOUND', 'EVENT_READ_ONLY')
  attachTag(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @UuidParam('tagId') tagId: string,
  ): Promise<EventResponseDto> {
    return this.events.attachTag(user, id, tagId);
  }

  @Delete(':id/tags/:tagId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Take a tag off an event' })
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiAuth('INVALID_ID', 'NOT_FOUND', 'EVENT_READ_ONLY')
  detachTag(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @UuidParam('tagId') tagId: string,
  ): Promise<void> {
    return this.events.detachTag(user, id, tagId);
  }
}
