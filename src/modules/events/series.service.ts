import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { Database } from '../../db/database.js';
import type { AuthUser } from '../../common/auth/current-user.decorator.js';
import { DomainError, validationError } from '../../common/errors/domain-error.js';
import { pageOf, type Page } from '../../common/http/pagination.js';
import { requireWindow } from '../../common/http/window.js';
import { instantToWallClock } from '../../common/time/wall-clock.js';
import { AttendeesRepository } from './attendees.repository.js';
import { EventsWriter } from './events.writer.js';
import { checkSeries, seriesOf, timingMovedTo, withRecurrenceErrors } from './event-timing.js';
import { EventViews, expandWindow, itemOf, seriesOccurrence, type CalendarItem } from './event-views.js';
import { EventsRepository } from './events.repository.js';
import { toWrite, type EventRecord, type EventWrite } from './events.rows.js';
import { EventsService } from './events.service.js';
import { rekeySeries } from './series-rekey.js';
import type { EventResponseDto } from './dto/event.dto.js';
import {
  lastOccurrenceEnd,
  nextOccurrences,
  normalizeOccurrenceId,
  occurrenceExists,
  splitSeriesAt,
  type SeriesDefinition,
} from '../../engines/recurrence/recurrence.engine.js';
import { formatInstantId } from '../../engines/recurrence/recurrence.rule.js';
import type { RequiredWindowPageQueryDto } from '../../common/http/window-query.dto.js';
import type { SetRecurrenceDto, UpdateOccurrenceDto } from './dto/series.dto.js';

type Scope = 'single' | 'following';

/**
 * Series edits with Google Calendar's semantics: edit all (PATCH the series, PUT its rule), edit or
 * cancel one occurrence (an override row, or an EXDATE), and "this and following" (the series is cut
 * before the occurrence and a new one starts there: no occurrence duplicated or lost).
 */
@Injectable()
export class SeriesService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Database) private readonly db: Database,
    @Inject(EventsRepository) private readonly events: EventsRepository,
    @Inject(EventsService) private readonly eventsService: EventsService,
    @Inject(AttendeesRepository) private readonly attendees: AttendeesRepository,
    @Inject(EventViews) private readonly views: EventViews,
    @Inject(EventsWriter) private readonly writer: EventsWriter,
  ) {}

  /** Occurrences of one series in a window (overrides in place of the occurrences they replace). */
  async occurrences(user: AuthUser, id: string, query: RequiredWindowPageQueryDto): Promise<Page<EventResponseDto>> {
    const window = requireWindow(query.from, query.to);
    const visible = await this.eventsService.visible(user, id);
    if (!visible.event.recurrenceRule) throw new DomainError('NOT_A_SERIES');
    const overrides = await this.events.findOverrides([id]);
    const moved = overrides
      .filter((override) => override.startTime < window.to && override.endTime > window.from)
      .map((event) => ({ event, role: visible.role, myResponse: visible.myResponse }));
    const items = expandWindow([visible, ...moved], overrides, window, this.config.expansionMaxOccurrences);
    return this.page(items, query);
  }

  /**
   * One occurrence by its id, as the calendar shows it: its override when edited (wherever it was moved),
   * else the series' occurrence. A cancelled occurrence, or one the rule does not have, is a 404.
   */
  async occurrence(user: AuthUser, id: string, rawOccurrenceId: string): Promise<EventResponseDto> {
    const visible = await this.eventsService.visible(user, id);
    const master = visible.event;
    if (!master.recurrenceRule) throw new DomainError('NOT_A_SERIES');
    const occurrenceId = occurrenceIdOf(master, rawOccurrenceId);
    const viewer = { role: visible.role, myResponse: visible.myResponse };
    const override = await this.events.findOverride(master.id, occurrenceId);
    if (override) return this.views.one(itemOf({ event: override, ...viewer }));
    if (master.exdates.includes(occurrenceId) || !occurrenceExists(seriesOf(master), occurrenceId)) {
      throw new DomainError('UNKNOWN_OCCURRENCE', { occurrenceId });
    }
    const event = seriesOccurrence(master, occurrenceId);
    return this.views.one({ event, ...viewer, calendar: visible.calendar, seriesId: master.id, occurrenceId, isOverride: false });
  }

  /** Every series occurrence of the caller in a window, across series. */
  async expandAll(user: AuthUser, query: RequiredWindowPageQueryDto): Promise<Page<EventResponseDto>> {
    const items = await this.eventsService.window(user, requireWindow(query.from, query.to));
    return this.page(items.filter((item) => item.seriesId !== null), query);
  }

  /** Edit all: a new rule (and EXDATEs); a single event becomes a series. Orphaned exceptions are dropped. */
  async setRecurrence(user: AuthUser, id: string, dto: SetRecurrenceDto): Promise<EventResponseDto> {
    const event = await this.db.tx(async () => {
      const found = await this.eventsService.ownedForUpdate(user, id);
      if (found.seriesId) throw validationError([{ field: 'id', message: 'is an edited occurrence; change its series instead' }]);
      // A new start (and end) comes with the rule: the series as it will be, before the rule is checked on it.
      const current = dto.startTime === undefined && dto.endTime === undefined ? found : this.movedSeries(found, dto);
      const draft = { ...current, recurrenceRule: dto.recurrenceRule, localStart: localStartOf(current), exdates: [] };
      const checked = checkSeries({ ...seriesOf(draft), exdates: dto.exdates ?? [] });
      const next: SeriesDefinition = { ...seriesOf({ ...draft, recurrenceRule: checked.rule }), exdates: checked.exdates };
      let exdates = checked.exdates;
      if (dto.exdates === undefined && current.recurrenceRule) {
        // Keep the current EXDATEs that are still occurrences of the new rule.
        exdates = current.exdates.filter((x) => occurrenceExists({ ...next, exdates: [] }, x));
      }
      await this.dropOrphanOverrides(current.id, { ...next, exdates });
      return this.writer.update(
        user.id,
        found,
        { ...toWrite(current), recurrenceRule: checked.rule, exdates, localStart: next.localStart, recurrenceEnd: lastOccurrenceEnd({ ...next, exdates }) },
        { origin: 'series' },
      );
    });
    return this.views.one(itemOf({ event, role: 'owner', myResponse: null }));
  }

  /** The event with PUT /recurrence's startTime and endTime applied (startTime alone keeps the length). */
  private movedSeries(event: EventRecord, dto: SetRecurrenceDto): EventRecord {
    const times = dto.startTime !== undefined && dto.endTime === undefined ? timingMovedTo(event, dto.startTime, 'startTime') : dto;
    // As a series, so the write carries the wall clock the series will repeat at.
    const write = this.eventsService.mergedWrite({ ...event, recurrenceRule: dto.recurrenceRule }, { startTime: times.startTime, endTime: times.endTime });
    return { ...event, ...write };
  }

  /**
   * Stops a series repeating: it becomes its first occurrence as the calendar shows it. A cancelled
   * occurrence is not brought back, so that is the first one not cancelled; if it was edited, the edit
   * (times, title, status…) is what stays. The other overrides and the EXDATEs go with the rule.
   */
  async removeRecurrence(user: AuthUser, id: string): Promise<EventResponseDto> {
    const event = await this.db.tx(async () => {
      const current = await this.eventsService.ownedForUpdate(user, id);
      if (!current.recurrenceRule) throw new DomainError('NOT_A_SERIES');
      // An occurrence starts at or after the series start; a moment before it also catches a zero-length one.
      const [first] = withRecurrenceErrors(() => nextOccurrences(seriesOf(current), new Date(current.startTime.getTime() - 1), 1));
      if (!first) throw new DomainError('SERIES_ALL_CANCELLED');
      const kept = (await this.events.findOverride(current.id, first.occurrenceId)) ?? seriesOccurrence(current, first.occurrenceId);
      await this.writer.deleteOverridesQuietly(current.id, 'all');
      return this.writer.update(
        user.id,
        current,
        {
          ...toWrite(kept),
          // The event keeps the series' identity: its zone, kind and UID, with no series left to belong to.
          timezone: current.timezone,
          isAllDay: current.isAllDay,
          icalUid: current.icalUid,
          seriesId: null,
          originalStart: null,
          recurrenceRule: null,
          exdates: [],
          localStart: null,
          recurrenceEnd: null,
        },
        { origin: 'series' },
      );
    });
    return this.views.one(itemOf({ event, role: 'owner', myResponse: null }));
  }

  async editOccurrence(user: AuthUser, id: string, rawOccurrenceId: string, dto: UpdateOccurrenceDto, scope: Scope) {
    const result = await this.db.tx(async () => {
      const { master, occurrenceId, override } = await this.locate(user, id, rawOccurrenceId);
      if (scope === 'following' && !isFirst(master, occurrenceId)) {
        return this.editFollowing(user, master, occurrenceId, dto);
      }
      if (scope === 'following') {
        // "This and following" from the first occurrence is the whole series.
        await this.eventsService.update(user, master.id, dto, 'series');
        return master.id;
      }
      const base = override ?? seriesOccurrence(master, occurrenceId);
      const write: EventWrite = { ...this.eventsService.mergedWrite({ ...base, recurrenceRule: null }, dto), icalUid: null };
      const saved = await this.writer.editOccurrence(user.id, master, occurrenceId, override, base, write, 'series');
      return saved.id;
    });
    return this.eventsService.get(user, result);
  }

  async cancelOccurrence(user: AuthUser, id: string, rawOccurrenceId: string, scope: Scope): Promise<void> {
    await this.db.tx(async () => {
      const { master, occurrenceId, override } = await this.locate(user, id, rawOccurrenceId, { allowExcluded: true });
      if (scope === 'following') {
        if (isFirst(master, occurrenceId)) {
          await this.writer.remove(user.id, master, { origin: 'series' });
          return;
        }
        // A cancelled occurrence is still a place to end the series: split as if it were not cancelled.
        const series = seriesOf(master);
        const uncancelled = { ...series, exdates: (series.exdates ?? []).filter((x) => x !== occurrenceId) };
        const { head } = withRecurrenceErrors(() => splitSeriesAt(uncancelled, occurrenceId));
        await this.deleteOverridesFrom(master.id, occurrenceId);
        await this.writer.update(user.id, master, this.seriesWrite(master, head), { origin: 'series' });
        return;
      }
      await this.writer.cancelOccurrence(user.id, master, occurrenceId, override ?? seriesOccurrence(master, occurrenceId), 'series');
    });
  }

  private async editFollowing(user: AuthUser, master: EventRecord, occurrenceId: string, dto: UpdateOccurrenceDto) {
    const { head, tail } = withRecurrenceErrors(() => splitSeriesAt(seriesOf(master), occurrenceId));
    const tailRecord: EventRecord = {
      ...seriesOccurrence(master, occurrenceId),
      recurrenceRule: tail.rule,
      exdates: tail.exdates ?? [],
      localStart: tail.localStart,
      icalUid: null,
    };
    const write = this.eventsService.mergedWrite(tailRecord, dto);
    const movedOverrides = (await this.events.findOverrides([master.id])).filter(
      (override) => (override.originalStart as string) >= occurrenceId,
    );
    const rekeyed = withRecurrenceErrors(() =>
      rekeySeries(seriesOf(tailRecord), seriesOf({ ...tailRecord, ...write }), movedOverrides.map((o) => o.originalStart as string)),
    );
    // Attendees get the cut series as an update and the new one as an invitation: two changes. The new
    // series keeps their answers, as any edit of a series or event does.
    await this.writer.update(user.id, master, this.seriesWrite(master, head), { origin: 'series' });
    const guests = (await this.attendees.forEvents([master.id])).get(master.id) ?? [];
    const created = await this.writer.create(
      user.id,
      { ...write, exdates: rekeyed.exdates, recurrenceEnd: rekeyed.recurrenceEnd, seriesId: null, originalStart: null, icalUid: null },
      {
        origin: 'series',
        copyTagsFrom: master.id,
        copyAnswersFrom: master.id,
        attendees: guests.map((g) => ({ email: g.email, name: g.name ?? undefined })),
      },
    );
    for (const override of movedOverrides) {
      const next = rekeyed.map.get(override.originalStart as string);
      if (next) await this.writer.moveOverrideQuietly(override.id, created.id, next);
      else await this.writer.deleteOverridesQuietly(master.id, [override.originalStart as string]);
    }
    // The occurrence the edit starts at ("this") shows the fields it changes even when it was edited
    // before; later edited occurrences keep their own edits.
    const first = rekeyed.map.get(occurrenceId);
    if (first) await this.eventsService.copyToOverrides(user, created.id, dto, [first]);
    return created.id;
  }

  /** The master (owned, locked), the normalized occurrence id, and its override if any. */
  private async locate(user: AuthUser, id: string, raw: string, options: { allowExcluded?: boolean } = {}) {
    const master = await this.eventsService.ownedForUpdate(user, id);
    if (!master.recurrenceRule) throw new DomainError('NOT_A_SERIES');
    const occurrenceId = occurrenceIdOf(master, raw);
    const override = await this.events.findOverride(master.id, occurrenceId);
    const excluded = master.exdates.includes(occurrenceId);
    const exists = override !== null || (!excluded && occurrenceExists(seriesOf(master), occurrenceId));
    if (!exists && !(options.allowExcluded && excluded)) throw new DomainError('UNKNOWN_OCCURRENCE', { occurrenceId });
    return { master, occurrenceId, override };
  }

  private seriesWrite(master: EventRecord, def: SeriesDefinition): EventWrite {
    return {
      ...toWrite(master),
      recurrenceRule: def.rule,
      exdates: def.exdates ?? [],
      recurrenceEnd: lastOccurrenceEnd(def),
    };
  }

  private async deleteOverridesFrom(seriesId: string, occurrenceId: string): Promise<void> {
    const later = (await this.events.findOverrides([seriesId]))
      .map((override) => override.originalStart as string)
      .filter((id) => id >= occurrenceId);
    await this.writer.deleteOverridesQuietly(seriesId, later);
  }

  /** Drops the overrides of occurrences the new definition does not have, or cancels (an EXDATE replaces an edit). */
  private async dropOrphanOverrides(seriesId: string, def: SeriesDefinition): Promise<void> {
    const bare = { ...def, exdates: [] };
    const cancelled = new Set(def.exdates ?? []);
    const orphans = (await this.events.findOverrides([seriesId]))
      .map((override) => override.originalStart as string)
      .filter((id) => cancelled.has(id) || !occurrenceExists(bare, id));
    await this.writer.deleteOverridesQuietly(seriesId, orphans);
  }

  private async page(items: CalendarItem[], query: RequiredWindowPageQueryDto): Promise<Page<EventResponseDto>> {
    const { page, limit, offset } = pageOf(query);
    return { data: await this.views.many(items.slice(offset, offset + limit)), meta: { page, limit, total: items.length } };
  }
}


/** The canonical occurrence id of a path parameter; a malformed one is a 400 naming occurrenceId. */
function occurrenceIdOf(master: EventRecord, raw: string): string {
  const occurrenceId = normalizeOccurrenceId(raw, master.isAllDay);
  if (!occurrenceId) {
    const shape = master.isAllDay ? 'a date YYYY-MM-DD' : 'an ISO date-time such as 2026-03-09T14:00:00Z';
    throw validationError([{ field: 'occurrenceId', message: `must be ${shape}` }]);
  }
  return occurrenceId;
}

/** Is this the series' first occurrence (its start)? Canonical ids sort in time order as strings. */
function isFirst(master: EventRecord, occurrenceId: string): boolean {
  const first = master.isAllDay ? (master.startDate as string) : formatInstantId(master.startTime);
  return occurrenceId <= first;
}

function localStartOf(event: EventRecord): string {
  return event.localStart ?? (event.isAllDay ? (event.startDate as string) : instantToWallClock(event.startTime, event.timezone));
}
