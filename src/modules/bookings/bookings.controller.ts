import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, type AuthUser } from '../../common/auth/current-user.decorator.js';
import { Public } from '../../common/auth/public.decorator.js';
import { idempotencyKeyOf } from '../../common/http/idempotency-key.js';
import { ApiAuth, ApiProblems } from '../../common/http/api-problems.decorator.js';
import { ApiPageResponse, type Page } from '../../common/http/pagination.js';
import { RateLimit } from '../../common/rate-limit/rate-limit.js';
import { UuidParam } from '../../common/validation/validation.js';
import { BookingsService } from './bookings.service.js';
import { SlotsQueryDto, SlotsResponseDto } from './dto/booking-link.dto.js';
import {
  BookingResponseDto,
  CancelBookingDto,
  CreateBookingDto,
  CreatedBookingDto,
  ListBookingsQueryDto,
  ManagedBookingDto,
  RescheduleDto,
} from './dto/booking.dto.js';

@ApiTags('bookings')
@Controller('bookings')
export class BookingsController {
  constructor(@Inject(BookingsService) private readonly bookings: BookingsService) {}

  @Public()
  @RateLimit('public')
  @Post()
  @ApiOperation({
    summary: 'Book a slot of a booking link',
    description:
      'Public. Re-checks the slot, creates the booking and the host event and queues both confirmation emails ' +
      'in one transaction. With an Idempotency-Key, a retried request returns the same booking.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Any printable string up to 255 characters.' })
  @ApiCreatedResponse({ type: CreatedBookingDto })
  @ApiProblems('VALIDATION_FAILED', 'SLOT_NOT_OFFERED', 'NOT_FOUND', 'BOOKING_SLOT_TAKEN', 'BOOKING_LIMIT_REACHED', 'IDEMPOTENCY_KEY_REUSED', 'RATE_LIMITED')
  async create(
    @Body() dto: CreateBookingDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CreatedBookingDto> {
    const result = await this.bookings.create(dto, idempotencyKeyOf(idempotencyKey));
    if (result.replayed) void reply.header('idempotent-replayed', 'true');
    return result.booking;
  }

  @Public()
  @RateLimit('public')
  @Get('manage/:token')
  @ApiOperation({ summary: 'A booking, for its booker', description: 'Public: the token from the confirmation is the credential.' })
  @ApiOkResponse({ type: ManagedBookingDto })
  @ApiProblems('NOT_FOUND', 'RATE_LIMITED')
  managed(@Param('token') token: string): Promise<ManagedBookingDto> {
    return this.bookings.getManaged(token);
  }

  @Public()
  @RateLimit('public')
  @Get('manage/:token/availability')
  @ApiOperation({
    summary: 'Times a booking can move to, for its booker',
    description:
      'Public: the token is the credential. The free slots of the booking\'s link in the window, as for new bookers, ' +
      'except that the booking itself (its time, buffers and place in the day and week limits) blocks nothing; ' +
      'slots have the booking\'s length, and its current start is left out.',
  })
  @ApiOkResponse({ type: SlotsResponseDto })
  @ApiProblems('VALIDATION_FAILED', 'WINDOW_REQUIRED', 'WINDOW_TOO_LARGE', 'NOT_FOUND', 'BOOKING_CANCELLED', 'BOOKING_LINK_GONE', 'RATE_LIMITED')
  moveSlots(@Param('token') token: string, @Query() query: SlotsQueryDto): Promise<SlotsResponseDto> {
    return this.bookings.moveSlotsManaged(token, query);
  }

  @Public()
  @RateLimit('public')
  @Post('manage/:token/cancel')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Cancel a booking as its booker', description: 'Frees the slot and emails both sides.' })
  @ApiOkResponse({ type: ManagedBookingDto })
  @ApiProblems('VALIDATION_FAILED', 'NOT_FOUND', 'BOOKING_CANCELLED', 'RATE_LIMITED')
  cancelManaged(@Param('token') token: string, @Body() dto: CancelBookingDto): Promise<ManagedBookingDto> {
    return this.bookings.cancelManaged(token, dto.reason ?? null);
  }

  @Public()
  @RateLimit('public')
  @Post('manage/:token/reschedule')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Move a booking as its booker', description: 'To another free slot; the old one is freed in the same transaction.' })
  @ApiOkResponse({ type: ManagedBookingDto })
  @ApiProblems('VALIDATION_FAILED', 'SLOT_NOT_OFFERED', 'NOT_FOUND', 'BOOKING_SLOT_TAKEN', 'BOOKING_LIMIT_REACHED', 'BOOKING_CANCELLED', 'RATE_LIMITED')
  rescheduleManaged(@Param('token') token: string, @Body() dto: RescheduleDto): Promise<ManagedBookingDto> {
    return this.bookings.rescheduleManaged(token, dto.start);
  }

  @Get()
  @ApiOperation({ summary: 'Bookings of your links', description: 'Filter by status and by a time window.' })
  @ApiPageResponse(BookingResponseDto)
  @ApiAuth('VALIDATION_FAILED')
  list(@CurrentUser() user: AuthUser, @Query() query: ListBookingsQueryDto): Promise<Page<BookingResponseDto>> {
    return this.bookings.listForHost(user, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One booking of your links' })
  @ApiOkResponse({ type: BookingResponseDto })
  @ApiAuth('INVALID_ID', 'NOT_FOUND')
  get(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<BookingResponseDto> {
    return this.bookings.getForHost(user, id);
  }

  @Post(':id/cancel')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Cancel a booking as the host', description: 'Frees the slot, cancels the event and emails both sides.' })
  @ApiOkResponse({ type: BookingResponseDto })
  @ApiAuth('VALIDATION_FAILED', 'INVALID_ID', 'NOT_FOUND', 'BOOKING_CANCELLED')
  cancel(@CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() dto: CancelBookingDto): Promise<BookingResponseDto> {
    return this.bookings.cancelForHost(user, id, dto.reason ?? null);
  }

  @Post(':id/reschedule')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Move a booking as the host', description: 'To a free slot of its link; the event moves with it.' })
  @ApiOkResponse({ type: BookingResponseDto })
  @ApiAuth('VALIDATION_FAILED', 'SLOT_NOT_OFFERED', 'INVALID_ID', 'NOT_FOUND', 'BOOKING_SLOT_TAKEN', 'BOOKING_LIMIT_REACHED', 'BOOKING_CANCELLED', 'BOOKING_LINK_GONE')
  reschedule(@CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() dto: RescheduleDto): Promise<BookingResponseDto> {
    return this.bookings.rescheduleForHost(user, id, dto.start);
  }
}
