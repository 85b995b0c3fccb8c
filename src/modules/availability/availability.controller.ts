import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Patch, Post, Put, Query } from '@nestjs/common';
import { CreatedAt, LOCATION_HEADER } from '../../common/http/created-location.js';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type AuthUser } from '../../common/auth/current-user.decorator.js';
import { ApiAuth } from '../../common/http/api-problems.decorator.js';
import { UuidParam } from '../../common/validation/validation.js';
import type { AvailabilityRule } from './availability.rows.js';
import { AvailabilityService } from './availability.service.js';
import {
  CheckAvailabilityDto,
  AvailabilityCheckResponseDto,
  FreeBusyQueryDto,
  FreeBusyResponseDto,
  AvailabilitySlotsQueryDto,
  AvailabilitySlotsResponseDto,
} from './dto/availability-query.dto.js';
import { CreateAvailabilityRuleDto, ReplaceAvailabilityScheduleDto, AvailabilityRuleResponseDto, UpdateAvailabilityRuleDto } from './dto/availability-rule.dto.js';

/** Weekly working hours, and what they, the exceptions and the calendar add up to. */
@ApiTags('availability')
@Controller('availability')
export class AvailabilityController {
  constructor(@Inject(AvailabilityService) private readonly availability: AvailabilityService) {}

  @Get()
  @ApiOperation({ summary: 'Your weekly rules', description: 'Active and inactive, by weekday (0 = Sunday) and start.' })
  @ApiOkResponse({ type: [AvailabilityRuleResponseDto] })
  @ApiAuth()
  list(@CurrentUser() user: AuthUser): Promise<AvailabilityRule[]> {
    return this.availability.listRules(user.id);
  }

  @Post()
  @ApiOperation({
    summary: 'Add a weekly rule',
    description: 'Hours of one weekday in an IANA zone (default yours). Active hours of one day and zone may touch but not overlap.',
  })
  @ApiCreatedResponse({ type: AvailabilityRuleResponseDto, headers: LOCATION_HEADER })
  @CreatedAt('availability')
  @ApiAuth('VALIDATION_FAILED', 'AVAILABILITY_OVERLAP')
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateAvailabilityRuleDto): Promise<AvailabilityRule> {
    return this.availability.createRule(user, dto);
  }

  @Put('schedule')
  @ApiOperation({
    summary: 'Replace your whole week',
    description: 'Every rule (inactive ones too) is replaced by these, in one zone, atomically. An empty list removes all hours.',
  })
  @ApiOkResponse({ type: [AvailabilityRuleResponseDto] })
  @ApiAuth('VALIDATION_FAILED', 'AVAILABILITY_OVERLAP')
  replaceSchedule(@CurrentUser() user: AuthUser, @Body() dto: ReplaceAvailabilityScheduleDto): Promise<AvailabilityRule[]> {
    return this.availability.replaceSchedule(user, dto);
  }

  @Get('free-busy')
  @ApiOperation({
    summary: 'Your busy time in a window',
    description:
      'Merged busy intervals from your busy events (series occurrences and edited occurrences included; free and cancelled ' +
      'events left out), accepted invitations and confirmed bookings, whatever the density of your series. details=true adds ' +
      'each interval with its source; a series comes as the merged spans of its occurrences.',
  })
  @ApiOkResponse({ type: FreeBusyResponseDto })
  @ApiAuth('VALIDATION_FAILED', 'WINDOW_REQUIRED', 'WINDOW_TOO_LARGE')
  freeBusy(@CurrentUser() user: AuthUser, @Query() query: FreeBusyQueryDto): Promise<FreeBusyResponseDto> {
    return this.availability.freeBusy(user.id, query);
  }

  @Post('check')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Are you available for this time?',
    description: 'available, or the reasons: OUTSIDE_HOURS, EXCEPTION (a date exception changed the hours), BUSY (with the conflicts).',
  })
  @ApiOkResponse({ type: AvailabilityCheckResponseDto })
  @ApiAuth('VALIDATION_FAILED', 'WINDOW_TOO_LARGE')
  check(@CurrentUser() user: AuthUser, @Body() dto: CheckAvailabilityDto): Promise<AvailabilityCheckResponseDto> {
    return this.availability.check(user.id, dto);
  }

  @Get('slots')
  @ApiOperation({
    summary: 'Your free slots in a window',
    description: 'Slots of `duration` minutes inside your hours, clear of busy time, from now on. timezone only sets localStart.',
  })
  @ApiOkResponse({ type: AvailabilitySlotsResponseDto })
  @ApiAuth('VALIDATION_FAILED', 'WINDOW_REQUIRED', 'WINDOW_TOO_LARGE')
  slots(@CurrentUser() user: AuthUser, @Query() query: AvailabilitySlotsQueryDto): Promise<AvailabilitySlotsResponseDto> {
    return this.availability.slots(user, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One weekly rule' })
  @ApiOkResponse({ type: AvailabilityRuleResponseDto })
  @ApiAuth('INVALID_ID', 'NOT_FOUND')
  get(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<AvailabilityRule> {
    return this.availability.getRule(user.id, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a weekly rule', description: 'Also (de)activates it with isActive.' })
  @ApiOkResponse({ type: AvailabilityRuleResponseDto })
  @ApiAuth('VALIDATION_FAILED', 'INVALID_ID', 'NOT_FOUND', 'AVAILABILITY_OVERLAP')
  update(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @Body() dto: UpdateAvailabilityRuleDto,
  ): Promise<AvailabilityRule> {
    return this.availability.updateRule(user.id, id, dto);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a weekly rule' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiAuth('INVALID_ID', 'NOT_FOUND')
  remove(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    return this.availability.removeRule(user.id, id);
  }
}
