import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error.js';
import { startOfDateIn } from '../../common/time/instants.js';
import { addDays } from '../../common/time/wall-clock.js';
import { expandSeries, type Occurrence, type SeriesDefinition } from '../../engines/recurrence/recurrence.engine.js';
import { AttendeesRepository } from './attendees.repository.js';
import { durationMinutesOf, seriesOf, withRecurrenceErrors } from './event-timing.js';
import type { EventRecord, ResponseStatus, Tag } from './events.rows.js';
import { EventsRepository, type Role, type VisibleEvent } from './events.repository.js';
import { TagsRepository } from './tags.repository.js';
import type { EventResponseDto } from './dto/event.dto.js';

/** One thing on a calendar: a single event, a series, an override, or a virtual occurrence. */
export interface CalendarItem {
  event: EventRecord;
  role: Role;
  myResponse: ResponseStatus | null;
  calendar?: VisibleEvent['calendar'];
  tags?: VisibleEvent['tags'];
  attendees?: VisibleEvent['attendees'];
  /** Virtual occurrences and overrides: which occurrence of which series. */
  seriesId: string | null;
  occurrenceId: string | null;
  isOverride: boolean;
}

export function itemOf(visible: VisibleEvent): CalendarItem {
  return {
    ...visible,
    seriesId: visible.event.seriesId,
    occurrenceId: visible.event.originalStart,
    isOverride: visible.event.seriesId !== null,
  };
}

/**
 * Single events and overrides as they are, and each series as its occurrences (produced by
 * `occurrencesOf`: a window expansion, or the next N), minus the occurrences its overrides replace
 * (wherever those overrides were moved). More than `cap` items is refused, never cut.
 */
export function calendarItems(
  visible: VisibleEvent[],
  overrides: EventRecord[],
  occurrencesOf: (series: SeriesDefinition) => Occurrence[],
  cap = Number.POSITIVE_INFINITY,
): CalendarItem[] {
  const replaced = new Set(overrides.map((override) => `${override.seriesId}|${override.originalStart}`));
  const items: CalendarItem[] = [];
  for (const entry of visible) {
    if (!entry.event.recurrenceRule) {
      items.push(itemOf(entry));
    } else {
      for (const occurrence of withRecurrenceErrors(() => occurrencesOf(seriesOf(entry.event)), cap)) {
        if (replaced.has(`${entry.event.id}|${occurrence.occurrenceId}`)) continue;
        items.push({
          event: occurrenceEvent(entry.event, occurrence.occurrenceId, occurrence.start, occurrence.end),
          role: entry.role,
          myResponse: entry.myResponse,
          calendar: entry.calendar,
          tags: entry.tags,
          attendees: entry.attendees,
          seriesId: entry.event.id,
          occurrenceId: occurrence.occurrenceId,
          isOverride: false,
        });
      }
    }
    if (items.length > cap) throw new DomainError('EXPANSION_TOO_LARGE', { cap });
  }
  return items.sort((a, b) => a.event.startTime.getTime() - b.event.startTime.getTime() || a.event.id.localeCompare(b.event.id));
}

/** The calendar view of a window. */
export function expandWindow(
  visible: VisibleEvent[],
  overrides: EventRecord[],
  window: { from: Date; to: Date },
  cap: number,
): CalendarItem[] {
  return calendarItems(visible, overrides, (series) => expandSeries(series, window, { maxOccurrences: cap }), cap);
}

/** A series' record as one occurrence: same fields, that occurrence's times. */
export function occurrenceEvent(master: EventRecord, occurrenceId: string, start: Date, end: Date): EventRecord {
  const days = master.isAllDay
    ? Math.round((Date.parse(`${master.endDate}T00:00:00Z`) - Date.parse(`${master.startDate}T00:00:00Z`)) / 86_400_000)
    : 0;
  return {
    ...master,
    startTime: start,
    endTime: end,
    startDate: master.isAllDay ? occurrenceId : null,
    endDate: master.isAllDay ? addDays(occurrenceId, days) : null,
  };
}

/** The occurrence `occurrenceId` of a series as the series has it (no override applied). */
export function seriesOccurrence(master: EventRecord, occurrenceId: string): EventRecord {
  const minutes = durationMinutesOf(master);
  if (master.isAllDay) {
    const start = startOfDateIn(occurrenceId, master.timezone);
    const end = startOfDateIn(addDays(occurrenceId, minutes / 1440), master.timezone);
    return occurrenceEvent(master, occurrenceId, start, end);
  }
  const start = new Date(occurrenceId);
  return occurrenceEvent(master, occurrenceId, start, new Date(start.getTime() + minutes * 60_000));
}

@Injectable()
export class EventViews {
  constructor(
    @Inject(TagsRepository) private readonly tags: TagsRepository,
    @Inject(AttendeesRepository) private readonly attendees: AttendeesRepository,
    @Inject(EventsRepository) private readonly events: EventsRepository,
  ) {}

  async one(item: CalendarItem): Promise<EventResponseDto> {
    return (await this.many([item]))[0];
  }

  /**
   * Response DTOs. Items from the list queries carry their tags and attendees; for the others they are
   * loaded in two queries. Overrides and occurrences show their series' tags and attendees.
   */
  async many(items: CalendarItem[]): Promise<EventResponseDto[]> {
    await this.loadCalendars(items);
    const missing = [...new Set(items.filter((item) => !item.tags || !item.attendees).map((item) => item.event.seriesId ?? item.event.id))];
    if (missing.length === 0) return items.map((item) => viewOf(item, item.tags ?? [], item.attendees ?? []));
    const [tags, attendees] = await Promise.all([this.tags.forEvents(missing), this.attendees.forEvents(missing)]);
    return items.map((item) => {
      const source = item.event.seriesId ?? item.event.id;
      return viewOf(
        item,
        item.tags ?? (tags.get(source) ?? []).map((tag: Tag) => ({ id: tag.id, name: tag.name, color: tag.color })),
        item.attendees ?? attendees.get(source) ?? [],
      );
    });
  }

  /** The mirrored-from calendar of owned items that came without it (created, changed, overrides). */
  private async loadCalendars(items: CalendarItem[]): Promise<void> {
    const pending = items.filter((item) => item.calendar === undefined);
    if (pending.length === 0) return;
    const owned = [...new Set(pending.filter((item) => item.role === 'owner').map((item) => item.event.id))];
    const found = await this.events.calendarsOf(owned);
    for (const item of pending) item.calendar = item.role === 'owner' ? (found.get(item.event.id) ?? null) : null;
  }
}

/**
 * Rows of the list queries (tags and attendees loaded with them) straight to their response: the hot
 * read path builds one object per event, not an item and then a view.
 */
export function listedViews(visible: VisibleEvent[]): EventResponseDto[] {
  return visible.map((entry) => viewOf(entry, entry.tags ?? [], entry.attendees ?? []));
}

/** The one place an event becomes its response shape (field order is the API's). */
function viewOf(
  item: VisibleEvent | CalendarItem,
  tags: NonNullable<CalendarItem['tags']>,
  attendees: NonNullable<CalendarItem['attendees']>,
): EventResponseDto {
  const event = item.event;
  // A listed event is never an occurrence: where it sits comes from the event itself.
  const placed = 'isOverride' in item;
  return {
    id: event.id,
    title: event.title,
    description: event.description,
    location: event.location,
    startTime: event.startTime,
    endTime: event.endTime,
    timezone: event.timezone,
    isAllDay: event.isAllDay,
    startDate: event.startDate,
    endDate: event.endDate,
    status: event.status,
    transparency: event.transparency,
    color: event.color,
    visibility: event.visibility,
    reminders: event.reminders,
    attachments: event.attachments,
    recurrence: event.recurrenceRule ? { rule: event.recurrenceRule, exdates: event.exdates } : null,
    seriesId: placed ? item.seriesId : event.seriesId,
    occurrenceId: placed ? item.occurrenceId : event.originalStart,
    isOverride: placed ? item.isOverride : event.seriesId !== null,
    tags,
    attendees,
    role: item.role,
    readOnly: item.role !== 'owner',
    myResponse: item.myResponse,
    calendar: item.calendar ?? null,
    createdAt: event.createdAt,
    updatedAt: event.updatedAt,
  };
}