import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { Database } from '../../db/database.js';
import type { AuthUser } from '../../common/auth/current-user.decorator.js';
import { DomainError, validationError } from '../../common/errors/domain-error.js';
import { pageOf, type Page } from '../../common/http/pagination.js';
import { parseInstant, startOfDateIn } from '../../common/time/instants.js';
import { addDays, instantToWallClock } from '../../common/time/wall-clock.js';
import { AttendeesRepository } from '../events/attendees.repository.js';
import { checkSeries, durationMinutesOf, seriesOf, withRecurrenceErrors } from '../events/event-timing.js';
import { EventNotifier } from '../events/event-notifier.js';
import { EventViews, expandWindow, itemOf, occurrenceEvent, type CalendarItem } from '../events/event-views.js';
import { EventsRepository } from '../events/events.repository.js';
import { toWrite, type EventRecord, type EventWrite } from '../events/events.rows.js';
import { EventsService } from '../events/events.service.js';
import { rekeySeries } from '../events/series-rekey.js';
import { TagsRepository } from '../events/tags.repository.js';
import type { EventResponseDto } from '../events/dto/event.dto.js';
import {
  lastOccurrenceEnd,
  normalizeOccurrenceId,
  occurrenceExists,
  splitSeriesAt,
  type SeriesDefinition,
} from './recurrence.engine.js';
import { formatInstantId } from './recurrence.rule.js';
import type { RequiredWindowQueryDto, SetRecurrenceDto, UpdateOccurrenceDto } from './dto/series.dto.js';

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
    @Inject(TagsRepository) private readonly tags: TagsRepository,
    @Inject(AttendeesRepository) private readonly attendees: AttendeesRepository,
    @Inject(EventViews) private readonly views: EventViews,
    @Inject(EventNotifier) private readonly notifier: EventNotifier,
  ) {}

  /** Occurrences of one series in a window (overrides in place of the occurrences they replace). */
  async occurrences(user: AuthUser, id: string, query: RequiredWindowQueryDto): Promise<Page<EventResponseDto>> {
    const window = windowOf(query);
    const visible = await this.eventsService.visible(user, id);
    if (!visible.event.recurrenceRule) throw new DomainError('NOT_A_SERIES');
    const overrides = await this.events.findOverrides([id]);
    const moved = overrides
      .filter((override) => override.startTime < window.to && override.endTime > window.from)
      .map((event) => ({ event, role: visible.role, myResponse: visible.myResponse }));
    const items = expandWindow([visible, ...moved], overrides, window, this.config.expansionMaxOccurrences);
    return this.page(items, query);
  }

  /** Every series occurrence of the caller in a window, across series. */
  async expandAll(user: AuthUser, query: RequiredWindowQueryDto): Promise<Page<EventResponseDto>> {
    const items = await this.eventsService.window(user, windowOf(query));
    return this.page(items.filter((item) => item.seriesId !== null), query);
  }

  /** Edit all: a new rule (and EXDATEs); a single event becomes a series. Orphaned exceptions are dropped. */
  async setRecurrence(user: AuthUser, id: string, dto: SetRecurrenceDto): Promise<EventResponseDto> {
    const event = await this.db.tx(async () => {
      const current = await this.eventsService.ownedForUpdate(user, id);
      if (current.seriesId) throw validationError([{ field: 'id', message: 'is an edited occurrence; change its series instead' }]);
      const draft = { ...current, recurrenceRule: dto.recurrenceRule, localStart: localStartOf(current), exdates: [] };
      const checked = checkSeries({ ...seriesOf(draft), exdates: dto.exdates ?? [] });
      const next: SeriesDefinition = { ...seriesOf({ ...draft, recurrenceRule: checked.rule }), exdates: checked.exdates };
      let exdates = checked.exdates;
      if (dto.exdates === undefined && current.recurrenceRule) {
        // Keep the current EXDATEs that are still occurrences of the new rule.
        exdates = current.exdates.filter((x) => occurrenceExists({ ...next, exdates: [] }, x));
      }
      const before = await this.notifier.snapshot(current);
      await this.dropOrphanOverrides(current.id, { ...next, exdates });
      const updated = await this.events.update(user.id, id, {
        ...toWrite(current),
        recurrenceRule: checked.rule,
        exdates,
        localStart: next.localStart,
        recurrenceEnd: lastOccurrenceEnd({ ...next, exdates }),
      });
      await this.notifier.changed(before, updated);
      return updated;
    });
    return this.views.one(itemOf({ event, role: 'owner', myResponse: null }));
  }

  /** Stops a series repeating: it becomes its first occurrence; overrides and EXDATEs go. */
  async removeRecurrence(user: AuthUser, id: string): Promise<EventResponseDto> {
    const event = await this.db.tx(async () => {
      const current = await this.eventsService.ownedForUpdate(user, id);
      if (!current.recurrenceRule) throw new DomainError('NOT_A_SERIES');
      const before = await this.notifier.snapshot(current);
      await this.events.deleteOverrides(current.id, 'all');
      const updated = await this.events.update(user.id, id, {
        ...toWrite(current),
        recurrenceRule: null,
        exdates: [],
        localStart: null,
        recurrenceEnd: null,
      });
      await this.notifier.changed(before, updated);
      return updated;
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
        await this.eventsService.update(user, master.id, dto);
        return master.id;
      }
      const base = override ?? occurrenceEvent(master, occurrenceId, ...occurrenceTimes(master, occurrenceId));
      const write: EventWrite = {
        ...this.eventsService.mergedWrite({ ...base, recurrenceRule: null }, dto),
        recurrenceRule: null,
        exdates: [],
        localStart: null,
        recurrenceEnd: null,
        seriesId: master.id,
        originalStart: occurrenceId,
        icalUid: null,
      };
      const saved = override ? await this.events.update(user.id, override.id, write) : await this.events.insert(user.id, write);
      await this.notifier.occurrenceChanged(master, occurrenceId, base, saved);
      return saved.id;
    });
    return this.eventsService.get(user, result);
  }

  async cancelOccurrence(user: AuthUser, id: string, rawOccurrenceId: string, scope: Scope): Promise<void> {
    await this.db.tx(async () => {
      const { master, occurrenceId, override } = await this.locate(user, id, rawOccurrenceId, { allowExcluded: true });
      const def = seriesOf(master);
      const before = await this.notifier.snapshot(master);
      if (scope === 'following') {
        if (isFirst(master, occurrenceId)) {
          await this.notifier.deleting(before, () => this.events.remove(user.id, master.id));
          return;
        }
        const { head } = withRecurrenceErrors(() => splitSeriesAt(def, occurrenceId));
        await this.deleteOverridesFrom(master.id, occurrenceId);
        await this.notifier.changed(before, await this.events.update(user.id, master.id, this.seriesWrite(master, head)));
        return;
      }
      await this.events.deleteOverrides(master.id, [occurrenceId]);
      if (!master.exdates.includes(occurrenceId)) {
        const exdates = [...master.exdates, occurrenceId].sort();
        const updated = await this.events.update(user.id, master.id, { ...toWrite(master), exdates });
        const occurrence = override ?? occurrenceEvent(master, occurrenceId, ...occurrenceTimes(master, occurrenceId));
        await this.notifier.occurrenceChanged(updated, occurrenceId, occurrence, null);
      }
    });
  }

  private async editFollowing(user: AuthUser, master: EventRecord, occurrenceId: string, dto: UpdateOccurrenceDto) {
    const { head, tail } = withRecurrenceErrors(() => splitSeriesAt(seriesOf(master), occurrenceId));
    const [start, end] = occurrenceTimes(master, occurrenceId);
    const tailRecord: EventRecord = {
      ...occurrenceEvent(master, occurrenceId, start, end),
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
    const before = await this.notifier.snapshot(master);
    const cut = await this.events.update(user.id, master.id, this.seriesWrite(master, head));
    const created = await this.events.insert(user.id, {
      ...write,
      exdates: rekeyed.exdates,
      recurrenceEnd: rekeyed.recurrenceEnd,
      seriesId: null,
      originalStart: null,
      icalUid: null,
    });
    for (const override of movedOverrides) {
      const next = rekeyed.map.get(override.originalStart as string);
      if (next) await this.events.moveOverride(override.id, created.id, next);
      else await this.events.deleteOverrides(master.id, [override.originalStart as string]);
    }
    await this.tags.copy(master.id, created.id);
    const guests = (await this.attendees.forEvents([master.id])).get(master.id) ?? [];
    if (guests.length) await this.attendees.replace(created.id, guests.map((g) => ({ email: g.email, name: g.name ?? undefined })));
    // Attendees get the cut series as an update and the new one as an invitation.
    await this.notifier.changed(before, cut);
    await this.notifier.created(created);
    return created.id;
  }

  /** The master (owned, locked), the normalized occurrence id, and its override if any. */
  private async locate(user: AuthUser, id: string, raw: string, options: { allowExcluded?: boolean } = {}) {
    const master = await this.eventsService.ownedForUpdate(user, id);
    if (!master.recurrenceRule) throw new DomainError('NOT_A_SERIES');
    const occurrenceId = normalizeOccurrenceId(raw, master.isAllDay);
    if (!occurrenceId) {
      const shape = master.isAllDay ? 'a date YYYY-MM-DD' : 'an ISO date-time such as 2026-03-09T14:00:00Z';
      throw validationError([{ field: 'occurrenceId', message: `must be ${shape}` }]);
    }
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
    await this.events.deleteOverrides(seriesId, later);
  }

  private async dropOrphanOverrides(seriesId: string, def: SeriesDefinition): Promise<void> {
    const bare = { ...def, exdates: [] };
    const orphans = (await this.events.findOverrides([seriesId]))
      .map((override) => override.originalStart as string)
      .filter((id) => !occurrenceExists(bare, id));
    await this.events.deleteOverrides(seriesId, orphans);
  }

  private async page(items: CalendarItem[], query: RequiredWindowQueryDto): Promise<Page<EventResponseDto>> {
    const { page, limit, offset } = pageOf(query);
    return { data: await this.views.many(items.slice(offset, offset + limit)), meta: { page, limit, total: items.length } };
  }
}

function windowOf(query: RequiredWindowQueryDto): { from: Date; to: Date } {
  const from = parseInstant(query.from);
  const to = parseInstant(query.to);
  if (from >= to) throw new DomainError('WINDOW_REQUIRED');
  return { from, to };
}

/** Where an occurrence is: its id is its original start (all-day: its date in the series zone). */
function occurrenceTimes(master: EventRecord, occurrenceId: string): [Date, Date] {
  const minutes = durationMinutesOf(master);
  if (master.isAllDay) {
    return [startOfDateIn(occurrenceId, master.timezone), startOfDateIn(addDays(occurrenceId, minutes / 1440), master.timezone)];
  }
  const start = new Date(occurrenceId);
  return [start, new Date(start.getTime() + minutes * 60_000)];
}

/** Is this the series' first occurrence (its start)? Canonical ids sort in time order as strings. */
function isFirst(master: EventRecord, occurrenceId: string): boolean {
  const first = master.isAllDay ? (master.startDate as string) : formatInstantId(master.startTime);
  return occurrenceId <= first;
}

function localStartOf(event: EventRecord): string {
  return event.localStart ?? (event.isAllDay ? (event.startDate as string) : instantToWallClock(event.startTime, event.timezone));
}
