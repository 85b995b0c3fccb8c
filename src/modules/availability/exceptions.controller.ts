import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Patch, Post, Query } from '@nestjs/common';
import { CreatedAt, LOCATION_HEADER } from '../../common/http/created-location.js';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type AuthUser } from '../../common/auth/current-user.decorator.js';
import { ApiAuth } from '../../common/http/api-problems.decorator.js';
import { ApiPageResponse, type Page } from '../../common/http/pagination.js';
import { UuidParam } from '../../common/validation/validation.js';
import type { AvailabilityException } from './availability.rows.js';
import { AvailabilityService } from './availability.service.js';
import {
  CreateAvailabilityExceptionDto,
  AvailabilityExceptionResponseDto,
  ListAvailabilityExceptionsQueryDto,
  UpdateAvailabilityExceptionDto,
} from './dto/availability-exception.dto.js';

/** Dates that differ from the weekly rules: a day off, or other hours that day. */
@ApiTags('availability')
@Controller('availability/exceptions')
export class AvailabilityExceptionsController {
  constructor(@Inject(AvailabilityService) private readonly availability: AvailabilityService) {}

  @Post()
  @ApiOperation({
    summary: 'Add a date exception',
    description:
      'isUnavailable true: the date is off. false (or hours given): startTime-endTime replace the weekly hours that date; ' +
      'add several for several intervals. A day off and hours on the same date, or overlapping hours, are refused.',
  })
  @ApiCreatedResponse({ type: AvailabilityExceptionResponseDto, headers: LOCATION_HEADER })
  @CreatedAt('availability', 'exceptions')
  @ApiAuth('VALIDATION_FAILED', 'AVAILABILITY_OVERLAP')
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateAvailabilityExceptionDto): Promise<AvailabilityException> {
    return this.availability.createException(user, dto);
  }

  @Get()
  @ApiOperation({ summary: 'Your date exceptions', description: 'By date; from and to (dates, inclusive) narrow the list.' })
  @ApiPageResponse(AvailabilityExceptionResponseDto)
  @ApiAuth('VALIDATION_FAILED')
  list(@CurrentUser() user: AuthUser, @Query() query: ListAvailabilityExceptionsQueryDto): Promise<Page<AvailabilityException>> {
    return this.availability.listExceptions(user.id, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One date exception' })
  @ApiOkResponse({ type: AvailabilityExceptionResponseDto })
  @ApiAuth('INVALID_ID', 'NOT_FOUND')
  get(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<AvailabilityException> {
    return this.availability.getException(user.id, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a date exception', description: 'isUnavailable true clears the hours; reason null removes the reason.' })
  @ApiOkResponse({ type: AvailabilityExceptionResponseDto })
  @ApiAuth('VALIDATION_FAILED', 'INVALID_ID', 'NOT_FOUND', 'AVAILABILITY_OVERLAP')
  update(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @Body() dto: UpdateAvailabilityExceptionDto,
  ): Promise<AvailabilityException> {
    return this.availability.updateException(user.id, id, dto);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a date exception' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiAuth('INVALID_ID', 'NOT_FOUND')
  remove(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    return this.availability.removeException(user.id, id);
  }
}
