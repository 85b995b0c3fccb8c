import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Param, Post, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, type AuthUser } from '../../common/auth/current-user.decorator.js';
import { Public } from '../../common/auth/public.decorator.js';
import { ApiAuth, ApiProblems } from '../../common/http/api-problems.decorator.js';
import { ApiRawBody } from '../../common/http/api-raw-body.decorator.js';
import { RateLimit } from '../../common/rate-limit/rate-limit.js';
import { UuidParam } from '../../common/validation/validation.js';
import { IcsImportService } from './ics-import.service.js';
import { FEED_PAST_DAYS, IcsService } from './ics.service.js';
import { FeedCreatedDto, FeedStatusDto, ImportIcsDto, ImportSummaryDto } from './dto/ics.dto.js';

const CALENDAR_CONTENT_TYPE = 'text/calendar; charset=utf-8';
// The 200 content is spelled out rather than set with @ApiProduces: produces would also relabel the
// problem+json error responses as text/calendar.
const calendarBody = { 'text/calendar': { schema: { type: 'string' as const } } };

/** iCalendar in and out: the secret subscription feed, single-event export and file import. */
@ApiTags('ics')
@Controller()
export class IcsController {
  constructor(
    @Inject(IcsService) private readonly ics: IcsService,
    @Inject(IcsImportService) private readonly importer: IcsImportService,
  ) {}

  @Post('calendar/feed')
  @ApiOperation({
    summary: 'Create or regenerate your secret feed URL',
    description: 'Returns the URL (and its token) once; only a hash is kept. A new URL makes the previous one stop working.',
  })
  @ApiCreatedResponse({ type: FeedCreatedDto })
  @ApiAuth()
  createFeed(@CurrentUser() user: AuthUser): Promise<FeedCreatedDto> {
    return this.ics.createFeed(user);
  }

  @Get('calendar/feed')
  @ApiOperation({ summary: 'Whether you have a feed URL', description: 'The URL itself cannot be shown again.' })
  @ApiOkResponse({ type: FeedStatusDto })
  @ApiAuth()
  feedStatus(@CurrentUser() user: AuthUser): Promise<FeedStatusDto> {
    return this.ics.feedStatus(user);
  }

  @Delete('calendar/feed')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Revoke your feed URL' })
  @ApiNoContentResponse({ description: 'Revoked; the URL answers 404 from now on.' })
  @ApiAuth('NOT_FOUND')
  revokeFeed(@CurrentUser() user: AuthUser): Promise<void> {
    return this.ics.revokeFeed(user);
  }

  @Get('calendar/feed/:token.ics')
  @Public()
  @RateLimit('public')
  @ApiOperation({
    summary: 'Subscribe to your calendar (iCalendar feed)',
    description:
      `No login: the secret token in the URL is the key. Your own events that end less than ${FEED_PAST_DAYS} days ` +
      'ago or later; series as RRULE with EXDATEs and their edited occurrences (RECURRENCE-ID).',
  })
  @ApiParam({ name: 'token', description: 'The token from POST /calendar/feed.' })
  @ApiOkResponse({ description: 'A VCALENDAR.', content: calendarBody })
  @ApiProblems('NOT_FOUND', 'RATE_LIMITED')
  async feed(@Param('token') token: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const body = await this.ics.feed(token);
    // Set here, not with @Header, so a 404 problem is not cached as if it were the calendar.
    void reply.header('content-type', CALENDAR_CONTENT_TYPE).header('cache-control', 'private, max-age=300');
    return body;
  }

  @Get('events/:id/ics')
  @ApiOperation({
    summary: 'Download an event as an .ics file',
    description: 'A series comes with its cancelled and edited occurrences. For the owner and for attendees.',
  })
  @ApiOkResponse({ description: 'A VCALENDAR with METHOD:PUBLISH, as an attachment.', content: calendarBody })
  @ApiAuth('INVALID_ID', 'NOT_FOUND')
  async eventIcs(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const file = await this.ics.eventCalendar(user, id);
    void reply
      .header('content-type', CALENDAR_CONTENT_TYPE)
      .header('cache-control', 'private, no-cache')
      .header('content-disposition', `attachment; filename="${file.filename}"`);
    return file.body;
  }

  @Post('calendar/import')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Import an iCalendar file',
    description:
      'JSON {"ics": "BEGIN:VCALENDAR…"}, or the file itself with Content-Type text/calendar (in the charset it declares, ' +
      'UTF-8 by default). Events are matched on ' +
      'UID, so importing the same file again changes nothing. A VEVENT that cannot be imported is listed under ' +
      'skipped with the reason; the rest are imported.',
  })
  @ApiRawBody('text/calendar', {
    type: 'string',
    description:
      'The .ics file as it is. UTF-8 unless Content-Type names another charset (text/calendar; charset=iso-8859-1); ' +
      'a leading byte order mark is skipped.',
    example: 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//EN\r\nBEGIN:VEVENT\r\n…\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n',
  })
  @ApiOkResponse({ type: ImportSummaryDto, description: 'What was created, updated, left unchanged, cancelled and skipped.' })
  @ApiAuth('VALIDATION_FAILED', 'INVALID_ICALENDAR', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'UNSUPPORTED_CHARSET')
  importCalendar(@CurrentUser() user: AuthUser, @Body() dto: ImportIcsDto): Promise<ImportSummaryDto> {
    return this.importer.importCalendar(user, dto.ics);
  }
}
