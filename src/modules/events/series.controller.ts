import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Param, Put, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type AuthUser } from '../../common/auth/current-user.decorator.js';
import { ApiAuth } from '../../common/http/api-problems.decorator.js';
import { ApiPageResponse, type Page } from '../../common/http/pagination.js';
import { UuidParam } from '../../common/validation/validation.js';
import { EventResponseDto } from './dto/event.dto.js';
import { SeriesService } from './series.service.js';
import { RequiredWindowPageQueryDto } from '../../common/http/window-query.dto.js';
import { ScopeQueryDto, SetRecurrenceDto, UpdateOccurrenceDto } from './dto/series.dto.js';

const occurrenceParam = ApiParam({
  name: 'occurrenceId',
  description: 'The occurrence\'s original start (e.g. 2026-03-09T14:00:00Z), or its date for all-day series.',
  example: '2026-03-09T14:00:00Z',
});

@ApiTags('recurrence')
@Controller('events/:id')
export class SeriesController {
  constructor(@Inject(SeriesService) private readonly series: SeriesService) {}

  @Get('occurrences')
  @ApiOperation({ summary: 'Occurrences of a series in a window', description: 'Edited occurrences appear in place of the originals.' })
  @ApiPageResponse(EventResponseDto)
  @ApiAuth('VALIDATION_FAILED', 'WINDOW_REQUIRED', 'INVALID_ID', 'NOT_FOUND', 'NOT_A_SERIES', 'EXPANSION_TOO_LARGE')
  occurrences(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @Query() query: RequiredWindowPageQueryDto,
  ): Promise<Page<EventResponseDto>> {
    return this.series.occurrences(user, id, query);
  }

  @Put('recurrence')
  @ApiOperation({
    summary: 'Set the rule of a series (edit all)',
    description:
      'A single event becomes a series. With startTime (and endTime) the series moves there in the same request, as a change of ' +
      'weekdays needs. Cancelled and edited occurrences that no longer fit the rule are dropped.',
  })
  @ApiOkResponse({ type: EventResponseDto })
  @ApiAuth('VALIDATION_FAILED', 'INVALID_RECURRENCE', 'INVALID_ID', 'NOT_FOUND', 'EVENT_READ_ONLY')
  setRecurrence(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @Body() dto: SetRecurrenceDto,
  ): Promise<EventResponseDto> {
    return this.series.setRecurrence(user, id, dto);
  }

  @Delete('recurrence')
  @ApiOperation({
    summary: 'Stop repeating',
    description:
      'The series becomes its first occurrence as the calendar shows it: the first one not cancelled, with its edits. ' +
      'Every other occurrence, override and cancellation goes. 409 when every occurrence is cancelled.',
  })
  @ApiOkResponse({ type: EventResponseDto })
  @ApiAuth('INVALID_ID', 'NOT_FOUND', 'NOT_A_SERIES', 'SERIES_ALL_CANCELLED', 'EVENT_READ_ONLY')
  removeRecurrence(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<EventResponseDto> {
    return this.series.removeRecurrence(user, id);
  }

  @Get('occurrences/:occurrenceId')
  @occurrenceParam
  @ApiOperation({
    summary: 'One occurrence of a series',
    description: 'As the calendar shows it: the edited occurrence (override) if there is one. A cancelled occurrence is 404.',
  })
  @ApiOkResponse({ type: EventResponseDto })
  @ApiAuth('VALIDATION_FAILED', 'INVALID_ID', 'NOT_FOUND', 'NOT_A_SERIES', 'UNKNOWN_OCCURRENCE')
  occurrence(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @Param('occurrenceId') occurrenceId: string,
  ): Promise<EventResponseDto> {
    return this.series.occurrence(user, id, occurrenceId);
  }

  @Put('occurrences/:occurrenceId')
  @occurrenceParam
  @ApiOperation({
    summary: 'Edit one occurrence, or this and following',
    description: 'scope=single stores an override of that occurrence; scope=following splits the series there.',
  })
  @ApiOkResponse({ type: EventResponseDto })
  @ApiAuth('VALIDATION_FAILED', 'INVALID_ID', 'NOT_FOUND', 'NOT_A_SERIES', 'UNKNOWN_OCCURRENCE', 'EVENT_READ_ONLY')
  editOccurrence(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @Param('occurrenceId') occurrenceId: string,
    @Query() query: ScopeQueryDto,
    @Body() dto: UpdateOccurrenceDto,
  ): Promise<EventResponseDto> {
    return this.series.editOccurrence(user, id, occurrenceId, dto, query.scope ?? 'single');
  }

  @Delete('occurrences/:occurrenceId')
  @occurrenceParam
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Cancel one occurrence, or this and following',
    description: 'scope=single adds an EXDATE (idempotent); scope=following ends the series before it.',
  })
  @ApiNoContentResponse({ description: 'Cancelled.' })
  @ApiAuth('VALIDATION_FAILED', 'INVALID_ID', 'NOT_FOUND', 'NOT_A_SERIES', 'UNKNOWN_OCCURRENCE', 'EVENT_READ_ONLY')
  cancelOccurrence(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @Param('occurrenceId') occurrenceId: string,
    @Query() query: ScopeQueryDto,
  ): Promise<void> {
    return this.series.cancelOccurrence(user, id, occurrenceId, query.scope ?? 'single');
  }
}

@ApiTags('recurrence')
@Controller('calendar/recurring')
export class RecurringController {
  constructor(@Inject(SeriesService) private readonly series: SeriesService) {}

  @Get('expand')
  @ApiOperation({ summary: 'All your series occurrences in a window', description: 'Paginated; refuses windows over the occurrence cap.' })
  @ApiPageResponse(EventResponseDto)
  @ApiAuth('VALIDATION_FAILED', 'WINDOW_REQUIRED', 'EXPANSION_TOO_LARGE')
  expand(@CurrentUser() user: AuthUser, @Query() query: RequiredWindowPageQueryDto): Promise<Page<EventResponseDto>> {
    return this.series.expandAll(user, query);
  }
}
