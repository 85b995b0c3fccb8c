import { describe, expect, it } from '@jest/globals';
import { plainToInstance, Type } from 'class-transformer';
import { validate } from 'class-validator';
import { PageQueryDto } from '../../src/common/http/pagination.js';
import { compileConversion, queryPlanFor } from '../../src/common/validation/query-plan.js';
import { RequiredWindowPageQueryDto } from '../../src/common/http/window-query.dto.js';
import { ListAvailabilityExceptionsQueryDto } from '../../src/modules/availability/dto/availability-exception.dto.js';
import { ListBookingsQueryDto } from '../../src/modules/bookings/dto/booking.dto.js';
import { ClientQueryDto } from '../../src/modules/clients/dto/client.dto.js';
import { ListEmailsQueryDto } from '../../src/modules/email/dto/email-notification.dto.js';
import { ScopeQueryDto } from '../../src/modules/events/dto/series.dto.js';
import { ConflictQueryDto, SyncStatusQueryDto } from '../../src/modules/google-sync/dto/sync.dto.js';
import { SlackMessagesQueryDto } from '../../src/modules/slack/dto/slack.dto.js';
import { DeliveryQueryDto } from '../../src/modules/webhooks/dto/webhook.dto.js';
import { createValidationPipe } from '../../src/common/validation/validation.js';
import { AvailabilitySlotsQueryDto, FreeBusyQueryDto } from '../../src/modules/availability/dto/availability-query.dto.js';
import { SlotsQueryDto } from '../../src/modules/bookings/dto/booking-link.dto.js';
import { ListEventsQueryDto, SearchQueryDto, UpcomingQueryDto } from '../../src/modules/events/dto/event-query.dto.js';

type Dto = new () => object;

/** What class-validator itself says, with the options of the app's ValidationPipe. */
async function classValidatorAccepts(metatype: Dto, query: Record<string, unknown>): Promise<{ ok: boolean; entity: object }> {
  const entity = plainToInstance(metatype, { ...query });
  const errors = await validate(entity, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  return { ok: errors.length === 0, entity };
}

const instants = ['2026-03-01T00:00:00Z', '2026-03-08T00:00:00+01:00', '2026-02-30T00:00:00Z', '2026-03-01', 'yesterday', '', '2026-03-01T24:00:00Z'];
const numbers = ['1', '50', '200', '201', '0', '-1', '1.5', 'abc', '', ' 7', '1e2', '0x10'];
const samples: Record<string, string[]> = {
  from: instants,
  to: instants,
  limit: numbers,
  page: numbers,
  q: ['standup', 'x', '', 'x'.repeat(201)],
  status: ['confirmed', 'cancelled', 'maybe'],
  sort: ['startTime', 'title', 'nope'],
  order: ['asc', 'desc', 'up'],
  expand: ['true', 'false', '1', 'yes'],
  details: ['true', 'false', 'no'],
  tagId: ['5f0c8a2e-8f3b-4c1d-9a7e-2b6d4e8f1a3c', 'not-a-uuid'],
  timezone: ['Europe/Berlin', 'UTC', 'Mars/Olympus', '+02:00'],
  duration: ['30', '60', '4', '1441', 'x'],
};

/**
 * Deterministic pseudo-random queries over `fields` (the first two samples of each are valid and drawn
 * half of the time), with an unknown field now and then.
 */
function* queries(fields: string[], count: number): Generator<Record<string, unknown>> {
  let seed = 7;
  const next = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return Math.floor(seed / 7) % n;
  };
  for (let i = 0; i < count; i++) {
    const query: Record<string, unknown> = Object.create(null);
    for (const field of fields) {
      const values = samples[field];
      if (next(2) === 0) query[field] = values[next(2) === 0 ? next(2) : next(values.length)];
    }
    if (next(10) === 0) query.unknown = '1';
    yield query;
  }
}

describe('compiled query plans', () => {
  const page = ['page', 'limit'];
  const dtos: [string, Dto, string[]][] = [
    ['ListEventsQueryDto', ListEventsQueryDto, [...page, 'from', 'to', 'q', 'tagId', 'status', 'sort', 'order', 'expand']],
    ['SlotsQueryDto', SlotsQueryDto, ['from', 'to', 'timezone']],
    ['FreeBusyQueryDto', FreeBusyQueryDto, ['from', 'to', 'details']],
    ['AvailabilitySlotsQueryDto', AvailabilitySlotsQueryDto, ['from', 'to', 'duration', 'timezone']],
    ['SearchQueryDto', SearchQueryDto, [...page, 'q']],
    ['PageQueryDto', PageQueryDto, page],
  ];

  it.each(dtos)('%s: accepts exactly what class-validator accepts, and builds the same object', async (_name, metatype, fields) => {
    const plan = queryPlanFor(metatype);
    expect(plan).not.toBeNull();
    let accepted = 0;
    let refused = 0;
    for (const query of queries(fields, 1500)) {
      const expected = await classValidatorAccepts(metatype, query);
      const fast = plan!(query);
      if (expected.ok) {
        expect(fast).toBeInstanceOf(metatype);
        expect({ ...fast }).toEqual({ ...expected.entity });
        accepted += 1;
      } else {
        expect(fast).toBeUndefined();
        refused += 1;
      }
    }
    // The samples must exercise both sides for the comparison to mean anything.
    expect(accepted).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(20);
  });

  it('leaves repeated keys, prototype keys and non-objects to the ValidationPipe', () => {
    const plan = queryPlanFor(ListEventsQueryDto)!;
    expect(plan({ from: ['2026-03-01T00:00:00Z', '2026-03-02T00:00:00Z'] })).toBeUndefined();
    expect(plan(JSON.parse('{"__proto__":"x"}'))).toBeUndefined();
    expect(plan({ constructor: 'x' })).toBeUndefined();
    expect(plan(null)).toBeUndefined();
    expect(plan([])).toBeUndefined();
    expect(plan({ limit: '10' })).toEqual(Object.assign(new ListEventsQueryDto(), { limit: 10 }));
  });

  it('is not built for a class with nothing to check', () => {
    class Empty {}
    expect(queryPlanFor(Empty)).toBeNull();
  });

  it('the pipe answers the same 400 for a refused query as without a plan', async () => {
    const pipe = createValidationPipe();
    const metadata = { type: 'query' as const, metatype: ListEventsQueryDto, data: undefined };
    await expect(pipe.transform({ from: 'yesterday', limit: '0', extra: '1' }, metadata)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      fieldErrors: [
        { field: 'extra', message: 'is not an allowed field' },
        { field: 'limit', message: 'must not be less than 1' },
        { field: 'from', message: 'must be an ISO 8601 date-time with an offset, e.g. 2026-03-09T09:00:00-05:00' },
      ],
    });
    const accepted = await pipe.transform({ from: '2026-03-01T00:00:00Z', limit: '50' }, metadata);
    expect(accepted).toBeInstanceOf(ListEventsQueryDto);
    expect(accepted).toMatchObject({ from: '2026-03-01T00:00:00Z', limit: 50 });
  });

  // Every query DTO a controller takes: where the conversion compiles, it must build what
  // plainToInstance builds (values, types and key order) for any query of strings.
  const allQueryDtos: [string, Dto][] = Object.entries({
    ListEventsQueryDto, SearchQueryDto, UpcomingQueryDto, PageQueryDto, RequiredWindowPageQueryDto, SlotsQueryDto,
    FreeBusyQueryDto, AvailabilitySlotsQueryDto, ListAvailabilityExceptionsQueryDto, ListBookingsQueryDto, ClientQueryDto,
    ListEmailsQueryDto, ScopeQueryDto, ConflictQueryDto, SyncStatusQueryDto, SlackMessagesQueryDto, DeliveryQueryDto,
  });

  it.each(allQueryDtos)('%s: the compiled conversion builds what plainToInstance builds', (_name, metatype) => {
    const fields = Object.keys(samples);
    const convert = compileConversion(metatype, fields);
    expect(convert).not.toBeNull();
    for (const query of queries(fields, 400)) {
      const strings = { ...query } as Record<string, string>;
      const fast = convert!(strings);
      const expected = plainToInstance(metatype, strings);
      expect(fast).toBeInstanceOf(metatype);
      expect(Object.entries(fast)).toEqual(Object.entries(expected));
    }
  });

  it('leaves a class with something it does not model to plainToInstance', () => {
    class Nested {
      @Type(() => PageQueryDto)
      inner?: PageQueryDto;
    }
    expect(compileConversion(Nested, ['inner'])).toBeNull();
  });
});
