import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { Database } from '../../db/database.js';
import type { AuthUser } from '../../common/auth/current-user.decorator.js';
import { DomainError, NotFoundError, validationError } from '../../common/errors/domain-error.js';
import { Clock } from '../../common/time/clock.js';
import { entityTag, requireIfMatch } from '../../common/http/entity-tag.js';
import { JsonText } from '../../common/http/json-text.js';
import { pageOf, type Page } from '../../common/http/pagination.js';
import { optionalWindow, requireWindow } from '../../common/http/window.js';
import { startOfDateIn } from '../../common/time/instants.js';
import { addDays } from '../../common/time/wall-clock.js';
import { nextOccurrences } from '../../engines/recurrence/recurrence.engine.js';
import { checkSeries, durationMinutesOf, resolveTiming, seriesOf, timingInputOf, timingMovedTo, withRecurrenceErrors } from './event-timing.js';
import { blocksTime, busyBlocks, type BusyBlock } from './event-busy.js';
import { calendarItems, EventViews, expandWindow, itemOf, listedViews, type CalendarItem } from './event-views.js';
import { EventsRepository, type EventFilters, type VisibleEvent } from './events.repository.js';
import { EventsWriter, type EventOrigin } from './events.writer.js';
import { toWrite, type Attendee, type EventRecord, type EventWrite } from './events.rows.js';
import { AttendeesRepository } from './attendees.repository.js';
import { rekeySeries } from './series-rekey.js';
import { TagsRepository } from './tags.repository.js';
import type { CreateEventDto, DuplicateEventDto, EventResponseDto, UpdateEventDto } from './dto/event.dto.js';
import type { ListEventsQueryDto, SearchQueryDto } from './dto/event-query.dto.js';

const TIME_FIELDS = ['startTime', 'endTime', 'timezone', 'isAllDay'] as const;

@Injectable()
export class EventsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Database) private readonly db: Database,
    @Inject(EventsRepository) private readonly events: EventsRepository,
    @Inject(TagsRepository) private readonly tags: TagsRepository,
    @Inject(EventViews) private readonly views: EventViews,
    @Inject(EventsWriter) private readonly writer: EventsWriter,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(AttendeesRepository) private readonly attendees: AttendeesRepository,
  ) {}

  async create(user: AuthUser, dto: CreateEventDto): Promise<EventResponseDto> {
    const write = this.writeFromInput(dto, user.timezone);
    const event = await this.writer.create(user.id, write, { origin: 'api', tagIds: dto.tagIds, attendees: dto.attendees });
    return this.views.one(itemOf({ event, role: 'owner', myResponse: null }));
  }

  async get(user: AuthUser, id: string): Promise<EventResponseDto> {
    return this.views.one(itemOf(await this.visible(user, id)));
  }

  async list(user: AuthUser, query: ListEventsQueryDto): Promise<Page<EventResponseDto> | JsonText<Page<EventResponseDto>>> {
    const { page, limit, offset } = pageOf(query);
    const { from, to } = query.expand ? requireWindow(query.from, query.to) : optionalWindow(query.from, query.to);
    const filters = { from, to, q: query.q, tagId: query.tagId, status: query.status, clientId: query.clientId, calendarId: query.calendarId };
    if (from && to && query.expand) {
      const items = await this.window(user, { ...filters, from, to }, query.sort, query.order);
      return {
        data: await this.views.many(items.slice(offset, offset + limit)),
        meta: { page, limit, total: items.length },
      };
    }
    // The hot read path: PostgreSQL writes the page's JSON (see EventsRepository.listPageJson).
    const { data, total } = await this.events.listPageJson(
      user.id,
      user.email,
      filters,
      query.sort ?? 'startTime',
      query.order ?? 'asc',
      limit,
      offset,
    );
    return new JsonText(`{"data":${data},"meta":${JSON.stringify({ page, limit, total })}}`);
  }

  /** Every single event, override and series occurrence the caller sees in [from, to). */
  async window(
    user: AuthUser,
    filters: EventFilters & { from: Date; to: Date },
    sort: 'startTime' | 'endTime' | 'title' | 'createdAt' = 'startTime',
    order: 'asc' | 'desc' = 'asc',
  ): Promise<CalendarItem[]> {
    const visible = await this.events.findForWindow(user.id, user.email, filters);
    const seriesIds = visible.filter((entry) => entry.event.recurrenceRule).map((entry) => entry.event.id);
    const overrides = await this.events.findOverrides(seriesIds);
    const items = expandWindow(visible, overrides, filters, this.config.expansionMaxOccurrences);
    return sortItems(items, sort, order);
  }

  /**
   * What the user has on one local date of their zone (daily summaries): timed items overlapping that
   * day, and all-day items whose dates include it. An all-day item is on its dates in every zone, so it
   * is chosen by date, not by instants: read in its own zone, the day before or after can overlap the
   * user's day, and the item of that very date may not overlap it at all (a zone 26 hours apart).
   */
  async onLocalDate(user: AuthUser, localDate: string): Promise<CalendarItem[]> {
    const from = startOfDateIn(localDate, user.timezone);
    const to = startOfDateIn(addDays(localDate, 1), user.timezone);
    const wide = { from: startOfDateIn(addDays(localDate, -2), user.timezone), to: startOfDateIn(addDays(localDate, 3), user.timezone) };
    return (await this.window(user, wide)).filter(({ event }) =>
      event.isAllDay && event.startDate && event.endDate
        ? event.startDate <= localDate && localDate < event.endDate
        : event.startTime < to && (event.endTime > from || event.startTime >= from),
    );
  }

  /**
   * The caller's busy time overlapping [from, to): their busy events and accepted invitations, edited
   * occurrences in place of the ones they replace, free and cancelled ones left out (see blocksTime).
   * Series come as merged spans, so no series is too dense for any window: never EXPANSION_TOO_LARGE.
   */
  async busy(user: AuthUser, window: { from: Date; to: Date }, googleSources?: 'exclude' | string[]): Promise<BusyBlock[]> {
    const visible = await this.events.findBusyInWindow(user.id, user.email, { ...window, googleSources });
    const seriesIds = visible.filter((entry) => entry.event.recurrenceRule && blocksTime(entry)).map((entry) => entry.event.id);
    return busyBlocks(visible, await this.events.findReplacedOccurrences(seriesIds), window);
  }

  async search(user: AuthUser, query: SearchQueryDto): Promise<Page<EventResponseDto>> {
    const { page, limit, offset } = pageOf(query);
    const { items, total } = await this.events.search(user.id, user.email, query.q, limit, offset);
    return { data: listedViews(items), meta: { page, limit, total } };
  }

  /** The next `limit` things on the caller's calendar, series occurrences included. */
  async upcoming(user: AuthUser, limit: number): Promise<EventResponseDto[]> {
    const now = this.clock.now();
    const visible = await this.events.findUpcoming(user.id, user.email, now, limit);
    const series = visible.filter((entry) => entry.event.recurrenceRule);
    const overrides = await this.events.findOverrides(series.map((entry) => entry.event.id));
    // `limit` more than the overrides can replace is always enough occurrences to fill the list.
    const wanted = limit + overrides.length;
    const items = calendarItems(visible, overrides, (def) => nextOccurrences(def, now, wanted));
    return this.views.many(sortItems(items, 'startTime', 'asc').slice(0, limit));
  }

  /** `ifMatch`: the client's If-Match header, checked against the event as it is once locked (412 if changed). */
  async update(user: AuthUser, id: string, dto: UpdateEventDto, origin: EventOrigin = 'api', ifMatch?: string): Promise<EventResponseDto> {
    const event = await this.db.tx(async () => {
      const current = await this.ownedForUpdate(user, id);
      await this.requireUnchanged(user, id, ifMatch);
      if (current.seriesId && origin === 'api') refuseSeriesFields(current, dto);
      const write = this.mergedWrite(current, dto);
      if (current.recurrenceRule && TIME_FIELDS.some((field) => dto[field] !== undefined)) {
        // The series moves: its exceptions move with it by the same wall-clock shift, or go.
        const overrides = await this.events.findOverrides([current.id]);
        const rekeyed = withRecurrenceErrors(() =>
          rekeySeries(
            seriesOf(current),
            seriesOf({ ...current, ...write }),
            overrides.map((override) => override.originalStart as string),
          ),
        );
        write.exdates = rekeyed.exdates;
        write.recurrenceEnd = rekeyed.recurrenceEnd;
        for (const override of overrides) {
          const next = rekeyed.map.get(override.originalStart as string);
          if (next) await this.writer.moveOverrideQuietly(override.id, current.id, next);
          else await this.writer.deleteOverridesQuietly(current.id, [override.originalStart as string]);
        }
      }
      if (current.recurrenceRule) await this.copyToOverrides(user, current.id, dto);
      return this.writer.update(user.id, current, write, { origin, tagIds: dto.tagIds, attendees: dto.attendees });
    });
    return this.views.one(itemOf({ event, role: 'owner', myResponse: null }));
  }

  async remove(user: AuthUser, id: string, origin: EventOrigin = 'api', ifMatch?: string): Promise<void> {
    await this.db.tx(async () => {
      const current = await this.ownedForUpdate(user, id);
      await this.requireUnchanged(user, id, ifMatch);
      await this.writer.remove(user.id, current, { origin });
    });
  }

  /** Within the write's transaction, after the row is locked: the tag is of what GET /events/:id reads now. */
  private requireUnchanged(user: AuthUser, id: string, ifMatch: string | undefined): Promise<void> {
    return requireIfMatch(ifMatch, async () => entityTag(await this.get(user, id)));
  }

  /**
   * Copies an event (or a whole series) into the caller's calendar, tags included; attendees are not
   * copied, so nobody is invited twice. With startTime the copy moves there, keeping its length; a moved
   * series copy drops the original's cancelled occurrences, which belong to other dates.
   */
  async duplicate(user: AuthUser, id: string, dto: DuplicateEventDto): Promise<EventResponseDto> {
    const source = await this.ownedForUpdate(user, id);
    const { startTime, endTime } = dto.startTime ? timingMovedTo(source, dto.startTime, 'startTime') : timingInputOf(source);
    const isSeries = source.recurrenceRule !== null;
    const write = this.writeFromInput(
      {
        title: source.title,
        description: source.description ?? undefined,
        location: source.location ?? undefined,
        startTime,
        endTime,
        timezone: source.timezone,
        isAllDay: source.isAllDay,
        status: source.status,
        transparency: source.transparency,
        color: source.color ?? undefined,
        visibility: source.visibility,
        reminders: source.reminders,
        attachments: source.attachments,
        recurrenceRule: source.recurrenceRule ?? undefined,
        exdates: isSeries && !dto.startTime ? source.exdates : undefined,
      },
      source.timezone,
    );
    const copy = await this.writer.create(user.id, write, { origin: 'api', copyTagsFrom: source.seriesId ?? source.id });
    return this.views.one(itemOf({ event: copy, role: 'owner', myResponse: null }));
  }

  async rsvp(user: AuthUser, id: string, response: 'accepted' | 'declined' | 'tentative'): Promise<EventResponseDto> {
    const visible = await this.visible(user, id);
    const root = visible.event.seriesId ? (await this.events.findRoot(visible.event.seriesId)) ?? visible.event : visible.event;
    if (!(await this.writer.respond(root, user.email, response))) throw new DomainError('NOT_AN_ATTENDEE');
    return this.get(user, id);
  }

  async attachTag(user: AuthUser, id: string, tagId: string): Promise<EventResponseDto> {
    const event = await this.ownedForUpdate(user, id);
    await this.tagOf(user, tagId);
    await this.writer.attachTag(user.id, event, tagId);
    return this.get(user, id);
  }

  async detachTag(user: AuthUser, id: string, tagId: string): Promise<void> {
    const event = await this.ownedForUpdate(user, id);
    await this.tagOf(user, tagId);
    if (!(await this.writer.detachTag(user.id, event, tagId))) throw new NotFoundError('tag on this event');
  }

  /** Reads for other modules (ICS, bookings, reminders): they never touch the events tables themselves. */
  findOwned(userId: string, id: string): Promise<EventRecord | null> {
    return this.events.find(userId, id);
  }

  findByIcalUid(userId: string, uid: string): Promise<EventRecord | null> {
    return this.events.findByIcalUid(userId, uid);
  }

  /** The user's single events and series with exactly this title, start and end (a sync matching Google's events). */
  findSameTime(userId: string, title: string, startTime: Date, endTime: Date): Promise<EventRecord[]> {
    return this.events.findSameTime(userId, title, startTime, endTime);
  }

  /** Which iCalUIDs, ids and title+start+end keys (`sameTimeKey`) already stand for one of the user's events. */
  existing(
    userId: string,
    probe: { icalUids: string[]; ids: string[]; sameTime: Array<{ title: string; startTime: Date; endTime: Date }> },
  ): Promise<{ icalUids: Set<string>; ids: Set<string>; sameTime: Set<string> }> {
    return this.events.existing(userId, probe);
  }

  /** The user's single events and series created by one origin (a Google calendar's mirrored events). */
  bySource(userId: string, source: string): Promise<EventRecord[]> {
    return this.events.findBySource(userId, source);
  }

  /** Attendees of a single event or series (an override's are its series'). */
  async attendeesOf(eventId: string): Promise<Attendee[]> {
    return (await this.attendees.forEvents([eventId])).get(eventId) ?? [];
  }

  overridesOf(seriesIds: string[]): Promise<EventRecord[]> {
    return this.events.findOverrides(seriesIds);
  }

  /** A single event or series, share-locked until the transaction ends (see EventsRepository.findRootShared). */
  rootForReminders(id: string): Promise<EventRecord | null> {
    return this.events.findRootShared(id);
  }

  rootsWithEmailReminders(from: Date, to: Date, horizonEnd: Date): Promise<string[]> {
    return this.events.findRootsWithReminders('email', from, to, horizonEnd);
  }

  /** Single events and series with a `slack` reminder that may fall due before horizonEnd (see rootsWithEmailReminders). */
  rootsWithSlackReminders(from: Date, to: Date, horizonEnd: Date): Promise<string[]> {
    return this.events.findRootsWithReminders('slack', from, to, horizonEnd);
  }

  /** The user's own single events and series still visible after `since`, with the overrides of those series. */
  async ownSince(userId: string, since: Date): Promise<EventRecord[]> {
    const roots = await this.events.ownRootsSince(userId, since);
    const overrides = await this.events.findOverrides(roots.filter((event) => event.recurrenceRule).map((event) => event.id));
    return [...roots, ...overrides];
  }

  /** Loads an event the caller can see; another user's event is a 404, like one that does not exist. */
  async visible(user: AuthUser, id: string): Promise<VisibleEvent> {
    const found = await this.events.findVisible(user.id, user.email, id);
    if (!found) throw new NotFoundError('event');
    return found;
  }

  /** An event the caller owns, locked for change; an invitee gets 403, anyone else 404. */
  async ownedForUpdate(user: AuthUser, id: string): Promise<EventRecord> {
    const visible = await this.visible(user, id);
    if (visible.role !== 'owner') throw new DomainError('EVENT_READ_ONLY');
    if (!this.db.inTransaction) return visible.event;
    // An override's series is locked first, the order every series change takes (no deadlock).
    if (visible.event.seriesId) await this.events.getForUpdate(user.id, visible.event.seriesId);
    return this.events.getForUpdate(user.id, id);
  }

  /** The stored columns for a new event from API input (create, duplicate, import). */
  writeFromInput(dto: CreateEventDto, defaultZone: string): EventWrite {
    const timezone = dto.timezone ?? defaultZone;
    const isAllDay = dto.isAllDay ?? false;
    const timing = resolveTiming({ startTime: dto.startTime, endTime: dto.endTime, timezone, isAllDay });
    if (dto.exdates?.length && !dto.recurrenceRule) {
      throw validationError([{ field: 'exdates', message: 'needs a recurrenceRule' }]);
    }
    const series = dto.recurrenceRule
      ? checkSeries({
          rule: dto.recurrenceRule,
          timezone,
          isAllDay,
          localStart: timing.localStart,
          durationMinutes: durationMinutesOf({ ...timing, isAllDay }),
          exdates: dto.exdates,
        })
      : null;
    return {
      title: dto.title,
      description: dto.description ?? null,
      location: dto.location ?? null,
      startTime: timing.startTime,
      endTime: timing.endTime,
      timezone,
      isAllDay,
      startDate: timing.startDate,
      endDate: timing.endDate,
      status: dto.status ?? 'confirmed',
      transparency: dto.transparency ?? 'busy',
      color: dto.color ?? null,
      visibility: dto.visibility ?? 'default',
      reminders: dto.reminders ?? [],
      attachments: dto.attachments ?? [],
      recurrenceRule: series?.rule ?? null,
      exdates: series?.exdates ?? [],
      localStart: series ? timing.localStart : null,
      recurrenceEnd: series?.recurrenceEnd ?? null,
      seriesId: null,
      originalStart: null,
      icalUid: null,
    };
  }

  /** A stored event with a PATCH applied; times are re-resolved when any time field changes. */
  mergedWrite(current: EventRecord, dto: UpdateEventDto): EventWrite {
    const write = toWrite(current);
    const timing = timingInputOf(current);
    const changesTime = TIME_FIELDS.some((field) => dto[field] !== undefined);
    if (changesTime) {
      if (dto.isAllDay !== undefined && dto.isAllDay !== current.isAllDay && (!dto.startTime || !dto.endTime)) {
        throw validationError([
          { field: dto.startTime ? 'endTime' : 'startTime', message: 'is required when isAllDay changes' },
        ]);
      }
      const resolved = resolveTiming({
        startTime: dto.startTime ?? timing.startTime,
        endTime: dto.endTime ?? timing.endTime,
        timezone: dto.timezone ?? timing.timezone,
        isAllDay: dto.isAllDay ?? timing.isAllDay,
      });
      const timezone = dto.timezone ?? timing.timezone;
      const isAllDay = dto.isAllDay ?? timing.isAllDay;
      // A series whose start stays put keeps the wall clock it repeats at: inside a DST gap (02:30 that
      // happens at 03:30) the start instant's wall clock is not the rule's, and a new end must not move it.
      const startStays =
        timezone === current.timezone && isAllDay === current.isAllDay && resolved.startTime.getTime() === current.startTime.getTime();
      Object.assign(write, {
        startTime: resolved.startTime,
        endTime: resolved.endTime,
        startDate: resolved.startDate,
        endDate: resolved.endDate,
        timezone,
        isAllDay,
        localStart: current.recurrenceRule ? (startStays && current.localStart ? current.localStart : resolved.localStart) : null,
      });
    }
    for (const field of ['title', 'description', 'location', 'status', 'transparency', 'color', 'visibility', 'reminders', 'attachments'] as const) {
      if (dto[field] !== undefined) (write as unknown as Record<string, unknown>)[field] = dto[field];
    }
    return write;
  }

  /**
   * "Edit all": fields other than time also change on the series' overrides (with `only`, on the
   * overrides of those occurrences: "this and following" from an edited occurrence changes that one).
   */
  async copyToOverrides(user: AuthUser, seriesId: string, dto: UpdateEventDto, only?: string[]): Promise<void> {
    const fields = (['title', 'description', 'location', 'status', 'transparency', 'color', 'visibility', 'reminders', 'attachments'] as const).filter(
      (field) => dto[field] !== undefined,
    );
    if (fields.length === 0) return;
    const overrides = await this.events.findOverrides([seriesId]);
    for (const override of overrides.filter((o) => !only || only.includes(o.originalStart as string))) {
      const write = toWrite(override);
      for (const field of fields) (write as unknown as Record<string, unknown>)[field] = dto[field];
      await this.writer.rewriteOverrideQuietly(user.id, override, write);
    }
  }

  /** UNKNOWN_TAG unless every id is one of the user's tags: for writes made elsewhere first (at Google). */
  async checkTags(user: AuthUser, tagIds: string[] | undefined): Promise<void> {
    if (tagIds?.length && !(await this.tags.ownsAll(user.id, tagIds))) throw new DomainError('UNKNOWN_TAG');
  }

  private async tagOf(user: AuthUser, tagId: string) {
    return this.tags.get(user.id, tagId);
  }
}

/**
 * An edited occurrence (override) changes like one occurrence does (PUT /events/:id/occurrences/:occurrenceId):
 * its zone, all-day kind, guests and tags are its series'. Taken here they were stored where nothing reads
 * them (guests, tags), or made an all-day occurrence of a timed series, which no calendar app can match to it.
 */
function refuseSeriesFields(current: EventRecord, dto: UpdateEventDto): void {
  const belongs = 'belongs to the series; change the series, or the occurrence through PUT /events/{seriesId}/occurrences/{occurrenceId}';
  const errors = [];
  if (dto.timezone !== undefined && dto.timezone !== current.timezone) errors.push({ field: 'timezone', message: belongs });
  if (dto.isAllDay !== undefined && dto.isAllDay !== current.isAllDay) errors.push({ field: 'isAllDay', message: belongs });
  if (dto.attendees !== undefined) errors.push({ field: 'attendees', message: belongs });
  if (dto.tagIds !== undefined) errors.push({ field: 'tagIds', message: belongs });
  if (errors.length) throw validationError(errors);
}

function sortItems(items: CalendarItem[], sort: 'startTime' | 'endTime' | 'title' | 'createdAt', order: 'asc' | 'desc') {
  const sign = order === 'desc' ? -1 : 1;
  const key = (item: CalendarItem): number | string =>
    sort === 'title' ? item.event.title.toLowerCase() : item.event[sort].getTime();
  return [...items].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return (x < y ? -1 : x > y ? 1 : a.event.startTime.getTime() - b.event.startTime.getTime()) * sign;
  });
}
