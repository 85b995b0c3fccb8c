/** Row shapes of the availability tables and their camelCase records. Times travel as 'HH:mm'. */
import type { DateException, WeeklyRule } from '../../engines/slots/slots.engine.js';

export interface AvailabilityRuleRow {
  id: string;
  user_id: string;
  day_of_week: number;
  start_time: string;
  end_time: string;
  timezone: string;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface AvailabilityRule {
  id: string;
  dayOfWeek: number;
  startTime: string;
  endTime: string;
  timezone: string;
  isActive: boolean;
  createdAt: Date;
  updatedAt: Date;
}

// to_char keeps '24:00' (a time PostgreSQL accepts) and drops the seconds the API never uses.
export const ruleColumns = `id, user_id, day_of_week, to_char(start_time, 'HH24:MI') AS start_time,
  to_char(end_time, 'HH24:MI') AS end_time, timezone, is_active, created_at, updated_at`;

export function toRule(row: AvailabilityRuleRow): AvailabilityRule {
  return {
    id: row.id,
    dayOfWeek: row.day_of_week,
    startTime: row.start_time,
    endTime: row.end_time,
    timezone: row.timezone,
    isActive: row.is_active,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The columns a rule write sets. */
export interface RuleWrite {
  dayOfWeek: number;
  startTime: string;
  endTime: string;
  timezone: string;
  isActive: boolean;
}

export function toWeeklyRule(rule: AvailabilityRule): WeeklyRule {
  return { dayOfWeek: rule.dayOfWeek, startTime: rule.startTime, endTime: rule.endTime, timezone: rule.timezone };
}

export interface AvailabilityExceptionRow {
  id: string;
  user_id: string;
  date: string;
  is_unavailable: boolean;
  start_time: string | null;
  end_time: string | null;
  timezone: string;
  reason: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface AvailabilityException {
  id: string;
  date: string;
  isUnavailable: boolean;
  startTime: string | null;
  endTime: string | null;
  timezone: string;
  reason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const exceptionColumns = `id, user_id, date::text AS date, is_unavailable, to_char(start_time, 'HH24:MI') AS start_time,
  to_char(end_time, 'HH24:MI') AS end_time, timezone, reason, created_at, updated_at`;

export function toException(row: AvailabilityExceptionRow): AvailabilityException {
  return {
    id: row.id,
    date: row.date,
    isUnavailable: row.is_unavailable,
    startTime: row.start_time,
    endTime: row.end_time,
    timezone: row.timezone,
    reason: row.reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The columns an exception write sets; hours are null on a day off. */
export interface ExceptionWrite {
  date: string;
  isUnavailable: boolean;
  startTime: string | null;
  endTime: string | null;
  timezone: string;
  reason: string | null;
}

export function toDateException(exception: AvailabilityException): DateException {
  return {
    date: exception.date,
    isUnavailable: exception.isUnavailable,
    startTime: exception.startTime ?? undefined,
    endTime: exception.endTime ?? undefined,
    timezone: exception.timezone,
  };
}
