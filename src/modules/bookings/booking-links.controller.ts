import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type AuthUser } from '../../common/auth/current-user.decorator.js';
import { Public } from '../../common/auth/public.decorator.js';
import { ApiAuth, ApiProblems } from '../../common/http/api-problems.decorator.js';
import { ApiPageResponse, PageQueryDto, type Page } from '../../common/http/pagination.js';
import { RateLimit } from '../../common/rate-limit/rate-limit.js';
import { UuidParam } from '../../common/validation/validation.js';
import { BookingLinksService } from './booking-links.service.js';
import {
  BookingLinkResponseDto,
  CreateBookingLinkDto,
  PublicBookingLinkResponseDto,
  SlotsQueryDto,
  SlotsResponseDto,
  UpdateBookingLinkDto,
} from './dto/booking-link.dto.js';

@ApiTags('booking links')
@Controller('booking-links')
export class BookingLinksController {
  constructor(@Inject(BookingLinksService) private readonly links: BookingLinksService) {}

  @Post()
  @ApiOperation({ summary: 'Publish a booking link', description: 'Slugs are unique across Calento.' })
  @ApiCreatedResponse({ type: BookingLinkResponseDto })
  @ApiAuth('VALIDATION_FAILED', 'SLUG_TAKEN')
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateBookingLinkDto): Promise<BookingLinkResponseDto> {
    return this.links.create(user, dto);
  }

  @Get()
  @ApiOperation({ summary: 'Your booking links' })
  @ApiPageResponse(BookingLinkResponseDto)
  @ApiAuth('VALIDATION_FAILED')
  list(@CurrentUser() user: AuthUser, @Query() query: PageQueryDto): Promise<Page<BookingLinkResponseDto>> {
    return this.links.list(user, query);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a booking link' })
  @ApiOkResponse({ type: BookingLinkResponseDto })
  @ApiAuth('VALIDATION_FAILED', 'INVALID_ID', 'NOT_FOUND', 'SLUG_TAKEN')
  update(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @Body() dto: UpdateBookingLinkDto,
  ): Promise<BookingLinkResponseDto> {
    return this.links.update(user, id, dto);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a booking link', description: 'Its bookings stay, and so do their manage links.' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiAuth('INVALID_ID', 'NOT_FOUND')
  remove(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    return this.links.remove(user, id);
  }

  @Public()
  @RateLimit('public')
  @Get(':slug')
  @ApiOperation({ summary: 'Public details of a booking link', description: 'No authentication; rate limited.' })
  @ApiOkResponse({ type: PublicBookingLinkResponseDto })
  @ApiProblems('NOT_FOUND', 'RATE_LIMITED')
  details(@Param('slug') slug: string): Promise<PublicBookingLinkResponseDto> {
    return this.links.publicDetails(slug);
  }

  @Public()
  @RateLimit('public')
  @Get(':slug/availability')
  @ApiOperation({
    summary: 'Free slots of a booking link',
    description: "Slots honour the host's hours, exceptions, busy time, buffers, notice, window and limits; each start is also given in the booker's zone.",
  })
  @ApiOkResponse({ type: SlotsResponseDto })
  @ApiProblems('VALIDATION_FAILED', 'WINDOW_REQUIRED', 'WINDOW_TOO_LARGE', 'NOT_FOUND', 'RATE_LIMITED')
  availability(@Param('slug') slug: string, @Query() query: SlotsQueryDto): Promise<SlotsResponseDto> {
    return this.links.slots(slug, query);
  }
}
