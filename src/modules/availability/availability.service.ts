import { Inject, Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/current-user.decorator.js';
import { DomainError, validationError, type FieldError } from '../../common/errors/domain-error.js';
import { pageOf, type Page } from '../../common/http/pagination.js';
import { requireWindow } from '../../common/http/window.js';
import { Clock } from '../../common/time/clock.js';
import { dateIn, inCalendarYears, localIso, parseInstant, YEARS_MESSAGE } from '../../common/time/instants.js';
import { addDays } from '../../common/time/wall-clock.js';
import { Database } from '../../db/database.js';
import { AvailabilityRepository } from './availability.repository.js';
import {
  toDateException,
  toWeeklyRule,
  type AvailabilityException,
  type AvailabilityRule,
  type ExceptionWrite,
  type RuleWrite,
} from './availability.rows.js';
import { BusySources, type BusyInterval } from './busy-sources.js';
import { ExceptionsRepository } from './exceptions.repository.js';
import { computeSlots, mergeIntervals, workingIntervals, type DateException, type TimeInterval, type WeeklyRule } from '../../engines/slots/slots.engine.js';
import type { CreateAvailabilityExceptionDto, ListAvailabilityExceptionsQueryDto, UpdateAvailabilityExceptionDto } from './dto/availability-exception.dto.js';
import type {
  CheckAvailabilityDto,
  AvailabilityCheckReasonDto,
  AvailabilityCheckResponseDto,
  FreeBusyQueryDto,
  FreeBusyResponseDto,
  AvailabilitySlotsQueryDto,
  AvailabilitySlotsResponseDto,
} from './dto/availability-query.dto.js';
import type { CreateAvailabilityRuleDto, ReplaceAvailabilityScheduleDto, UpdateAvailabilityRuleDto } from './dto/availability-rule.dto.js';

/** The longest window free-busy, check and slots accept. */
export const MAX_WINDOW_DAYS = 62;
const DAY_MS = 86_400_000;
/**
 * Exceptions are loaded for the window's dates plus this many days either side: a local date in any
 * zone lies within a day of the UTC date, and the slot engine looks two dates beyond the window.
 */
const EXCEPTION_MARGIN_DAYS = 3;

@Injectable()
export class AvailabilityService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(AvailabilityRepository) private readonly rules: AvailabilityRepository,
    @Inject(ExceptionsRepository) private readonly exceptions: ExceptionsRepository,
    @Inject(BusySources) private readonly busySources: BusySources,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  // --- Weekly rules -----------------------------------------------------------------------------------

  listRules(userId: string): Promise<AvailabilityRule[]> {
    return this.rules.list(userId);
  }

  getRule(userId: string, id: string): Promise<AvailabilityRule> {
    return this.rules.get(userId, id);
  }

  createRule(user: AuthUser, dto: CreateAvailabilityRuleDto): Promise<AvailabilityRule> {
    const write: RuleWrite = {
      dayOfWeek: dto.dayOfWeek,
      startTime: dto.startTime,
      endTime: dto.endTime,
      timezone: dto.timezone ?? user.timezone,
      isActive: dto.isActive ?? true,
    };
    throwIfInvalid(hoursProblems(write.startTime, write.endTime, ''));
    return this.rules.insert(user.id, write);
  }

  async updateRule(userId: string, id: string, dto: UpdateAvailabilityRuleDto): Promise<AvailabilityRule> {
    const current = await this.rules.get(userId, id);
    const write: RuleWrite = {
      dayOfWeek: dto.dayOfWeek ?? current.dayOfWeek,
      startTime: dto.startTime ?? current.startTime,
      endTime: dto.endTime ?? current.endTime,
      timezone: dto.timezone ?? current.timezone,
      isActive: dto.isActive ?? current.isActive,
    };
    throwIfInvalid(hoursProblems(write.startTime, write.endTime, ''));
    return this.rules.update(userId, id, write);
  }

  removeRule(userId: string, id: string): Promise<void> {
    return this.rules.remove(userId, id);
  }

  /** Replaces every rule (inactive ones too) with the given week, in one transaction. */
  async replaceSchedule(user: AuthUser, dto: ReplaceAvailabilityScheduleDto): Promise<AvailabilityRule[]> {
    const problems = dto.rules.flatMap((rule, i) => hoursProblems(rule.startTime, rule.endTime, `rules[${i}].`));
    throwIfInvalid(problems);
    throwIfInvalid(overlapsWithin(dto.rules));
    const timezone = dto.timezone ?? user.timezone;
    return this.db.tx(async () => {
      await this.rules.lockSchedule(user.id);
      await this.rules.removeAll(user.id);
      await this.rules.insertMany(user.id, timezone, dto.rules);
      return this.rules.list(user.id);
    });
  }

  // --- Date exceptions --------------------------------------------------------------------------------

  async listExceptions(userId: string, query: ListAvailabilityExceptionsQueryDto): Promise<Page<AvailabilityException>> {
    const { page, limit, offset } = pageOf(query);
    const { items, total } = await this.exceptions.listPage(userId, query.from ?? null, query.to ?? null, limit, offset);
    return { data: items, meta: { page, limit, total } };
  }

  getException(userId: string, id: string): Promise<AvailabilityException> {
    return this.exceptions.get(userId, id);
  }

  createException(user: AuthUser, dto: CreateAvailabilityExceptionDto): Promise<AvailabilityException> {
    const write = resolveException(null, dto, user.timezone);
    return this.exceptions.insert(user.id, write);
  }

  async updateException(userId: string, id: string, dto: UpdateAvailabilityExceptionDto): Promise<AvailabilityException> {
    const current = await this.exceptions.get(userId, id);
    return this.exceptions.update(userId, id, resolveException(current, dto, current.timezone));
  }

  removeException(userId: string, id: string): Promise<void> {
    return this.exceptions.remove(userId, id);
  }

  // --- Computed views ---------------------------------------------------------------------------------

  /** The user's active weekly rules and all their exceptions, in the slot engine's shapes. */
  async scheduleOf(userId: string): Promise<{ rules: WeeklyRule[]; exceptions: DateException[] }> {
    const rules = await this.rules.listActive(userId);
    const exceptions = await this.exceptions.list(userId, null, null);
    return { rules: rules.map(toWeeklyRule), exceptions: exceptions.map(toDateException) };
  }

  async freeBusy(userId: string, query: FreeBusyQueryDto): Promise<FreeBusyResponseDto> {
    const window = requireWindow(query.from, query.to, { maxDays: MAX_WINDOW_DAYS });
    const raw = await this.busySources.busy(userId, window);
    const busy = mergeIntervals(raw).map((b) => ({
      start: new Date(Math.max(b.start.getTime(), window.from.getTime())),
      end: new Date(Math.min(b.end.getTime(), window.to.getTime())),
    }));
    return { from: window.from, to: window.to, busy, ...(query.details ? { sources: raw.map(busyView) } : {}) };
  }

  /**
   * Whether [start, end) lies inside one stretch of working hours and overlaps nothing busy. Past times
   * are answered too ("was I free then?"); only slots leave out the past.
   */
  async check(userId: string, dto: CheckAvailabilityDto): Promise<AvailabilityCheckResponseDto> {
    const asked = requireWindow(dto.start, dto.end, { maxDays: MAX_WINDOW_DAYS, fields: ['start', 'end'] });
    const interval = { start: asked.from, end: asked.to };
    const { rules, exceptions } = await this.scheduleAround(userId, asked);
    const busy = await this.busySources.busy(userId, asked);
    const weekly = rules.map(toWeeklyRule);
    const reasons: AvailabilityCheckReasonDto[] = [];

    if (!covers(workingIntervals(weekly, exceptions.map(toDateException), interval), interval)) {
      const touched = exceptions.filter((x) => touchesDate(interval, x.date, [x.timezone, ...weekly.map((r) => r.timezone)]));
      if (touched.length && covers(workingIntervals(weekly, [], interval), interval)) {
        const dates = [...new Set(touched.map((x) => x.date))].join(', ');
        reasons.push({ code: 'EXCEPTION', message: `An exception changes your hours on ${dates}.`, exceptions: touched });
      } else {
        reasons.push({ code: 'OUTSIDE_HOURS', message: 'Outside your working hours.' });
      }
    }
    if (busy.length) {
      const n = busy.length;
      reasons.push({ code: 'BUSY', message: `Overlaps ${n} busy interval${n === 1 ? '' : 's'}.`, conflicts: busy.map(busyView) });
    }
    return { available: reasons.length === 0, start: interval.start, end: interval.end, reasons };
  }

  /**
   * Bookable slots for the user themselves: working hours minus busy time, from now on, on a grid of
   * `duration` minutes that restarts at each working interval (and at midnight in the user's zone).
   */
  async slots(user: AuthUser, query: AvailabilitySlotsQueryDto): Promise<AvailabilitySlotsResponseDto> {
    const window = requireWindow(query.from, query.to, { maxDays: MAX_WINDOW_DAYS });
    const display = query.timezone ?? user.timezone;
    const { rules, exceptions } = await this.scheduleAround(user.id, window);
    // A slot may start just before `to` and run past it: its busy time counts too.
    const busy = await this.busySources.busy(user.id, { from: window.from, to: new Date(window.to.getTime() + query.duration * 60_000) });
    const slots = computeSlots({
      window: { start: window.from, end: window.to },
      now: this.clock.now(),
      durationMinutes: query.duration,
      bufferBeforeMinutes: 0,
      bufferAfterMinutes: 0,
      minimumNoticeMinutes: 0,
      bookingWindowDays: null,
      hostTimezone: user.timezone,
      existingBookings: [],
      busy,
      rules: rules.map(toWeeklyRule),
      exceptions: exceptions.map(toDateException),
    });
    return {
      from: window.from,
      to: window.to,
      duration: query.duration,
      timezone: display,
      slots: slots.map((slot) => ({ start: slot.start, end: slot.end, localStart: localIso(slot.start, display) })),
    };
  }

  /** Active rules and the exceptions that can matter for a window (see EXCEPTION_MARGIN_DAYS). */
  private async scheduleAround(
    userId: string,
    window: { from: Date; to: Date },
  ): Promise<{ rules: AvailabilityRule[]; exceptions: AvailabilityException[] }> {
    const rules = await this.rules.listActive(userId);
    const exceptions = await this.exceptions.list(
      userId,
      addDays(dateIn(window.from, 'UTC'), -EXCEPTION_MARGIN_DAYS),
      addDays(dateIn(window.to, 'UTC'), EXCEPTION_MARGIN_DAYS),
    );
    return { rules, exceptions };
  }
}

function hoursProblems(startTime: string, endTime: string, prefix: string): FieldError[] {
  return endTime > startTime ? [] : [{ field: `${prefix}endTime`, message: 'must be after startTime' }];
}

function throwIfInvalid(problems: FieldError[]): void {
  if (problems.length) throw validationError(problems);
}

/** Rules of one PUT that overlap an earlier rule of the same day; touching is fine. */
function overlapsWithin(rules: Array<{ dayOfWeek: number; startTime: string; endTime: string }>): FieldError[] {
  const problems: FieldError[] = [];
  rules.forEach((rule, i) => {
    const other = rules.findIndex(
      (earlier, j) => j < i && earlier.dayOfWeek === rule.dayOfWeek && earlier.startTime < rule.endTime && rule.startTime < earlier.endTime,
    );
    if (other >= 0) problems.push({ field: `rules[${i}]`, message: `overlaps rules[${other}] on the same day` });
  });
  return problems;
}

/**
 * The stored shape of an exception after create (current = null) or PATCH. Without isUnavailable,
 * hours make the date available with those hours; a day off has no hours.
 */
function resolveException(
  current: AvailabilityException | null,
  dto: CreateAvailabilityExceptionDto | UpdateAvailabilityExceptionDto,
  defaultZone: string,
): ExceptionWrite {
  const hoursGiven = dto.startTime !== undefined || dto.endTime !== undefined;
  const isUnavailable = dto.isUnavailable ?? (hoursGiven ? false : (current?.isUnavailable ?? true));
  const date = (dto.date ?? current?.date) as string;
  // The DTO lets 3000-01-01 through as an end date; an exception date is a whole day, so it must be inside.
  if (!inCalendarYears(Number(date.slice(0, 4)))) throw validationError([{ field: 'date', message: YEARS_MESSAGE }]);
  const base = {
    date,
    timezone: dto.timezone ?? defaultZone,
    reason: dto.reason === undefined ? (current?.reason ?? null) : dto.reason,
  };
  if (isUnavailable) {
    if (hoursGiven) {
      throw validationError(
        (['startTime', 'endTime'] as const)
          .filter((field) => dto[field] !== undefined)
          .map((field) => ({ field, message: 'must be left out when isUnavailable is true' })),
      );
    }
    return { ...base, isUnavailable, startTime: null, endTime: null };
  }
  const startTime = dto.startTime ?? current?.startTime ?? null;
  const endTime = dto.endTime ?? current?.endTime ?? null;
  const missing = [
    ...(startTime === null ? [{ field: 'startTime', message: 'is required when isUnavailable is false' }] : []),
    ...(endTime === null ? [{ field: 'endTime', message: 'is required when isUnavailable is false' }] : []),
  ];
  throwIfInvalid(missing);
  throwIfInvalid(hoursProblems(startTime as string, endTime as string, ''));
  return { ...base, isUnavailable, startTime, endTime };
}

function covers(working: TimeInterval[], interval: TimeInterval): boolean {
  return working.some((w) => w.start.getTime() <= interval.start.getTime() && interval.end.getTime() <= w.end.getTime());
}

/** Whether the interval touches the local date `date` in any of the zones. */
function touchesDate(interval: TimeInterval, date: string, zones: string[]): boolean {
  const lastInstant = new Date(interval.end.getTime() - 1);
  return [...new Set(zones)].some((zone) => dateIn(interval.start, zone) <= date && date <= dateIn(lastInstant, zone));
}

function busyView(b: BusyInterval): BusyInterval {
  return {
    start: b.start,
    end: b.end,
    source: b.source,
    ...(b.id !== undefined ? { id: b.id } : {}),
    ...(b.title !== undefined ? { title: b.title } : {}),
  };
}
