import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { ChangeFeed } from '../changes/change-feed.service.js';
import type { DepartedUser } from '../changes/changes.rows.js';
import { AttendeesRepository } from './attendees.repository.js';
import { eventPayload, seriesZoneMoved, type EventChangeData, type EventChangeKind } from './event-changes.js';
import { seriesOccurrence } from './event-views.js';
import { EventsRepository } from './events.repository.js';
import { toWrite, type Attendee, type EventRecord, type EventWrite, type ResponseStatus } from './events.rows.js';
import { TagsRepository } from './tags.repository.js';

/** Who made a change: api, series (series-scoped edits), ics, booking, google:<client calendar id>. */
export type EventOrigin = 'api' | 'series' | 'ics' | 'booking' | `google:${string}`;

export interface AttendeeInput {
  email: string;
  name?: string;
  /** The guest's answer as another calendar holds it (Google); absent: the answer stays as it is here. */
  responseStatus?: ResponseStatus;
}

/** Fields attendees see of a series or event: a change to any of them is a new iTIP SEQUENCE. */
const SEEN_FIELDS = ['startTime', 'endTime', 'isAllDay', 'startDate', 'endDate', 'title', 'description', 'location', 'status', 'localStart', 'recurrenceRule', 'exdates'] as const;
/** The same for one occurrence. */
const SEEN_OCCURRENCE_FIELDS = ['startTime', 'endTime', 'isAllDay', 'startDate', 'endDate', 'title', 'description', 'location', 'status'] as const;
/** Stored fields as the API names them in a change's `fields` (the rule, its exceptions and local start are `recurrence`). */
const API_FIELDS: Record<keyof EventWrite, string | null> = {
  title: 'title',
  description: 'description',
  location: 'location',
  startTime: 'startTime',
  endTime: 'endTime',
  timezone: 'timezone',
  isAllDay: 'isAllDay',
  startDate: 'startDate',
  endDate: 'endDate',
  status: 'status',
  transparency: 'transparency',
  color: 'color',
  visibility: 'visibility',
  reminders: 'reminders',
  attachments: 'attachments',
  recurrenceRule: 'recurrence',
  exdates: 'recurrence',
  localStart: 'recurrence',
  recurrenceEnd: null,
  seriesId: null,
  originalStart: null,
  icalUid: null,
};

/**
 * The one writer of events, series, overrides, their attendees and tags. Every create, update and delete
 * — from the API, series edits, iCalendar imports, bookings and (later) Google — comes through here with
 * its origin, and appends exactly one change to the feed in the same transaction (see event-changes.ts
 * for what each change carries). It also keeps each event's iTIP SEQUENCE: bumped whenever attendees
 * would see a difference, on the series for changes of one occurrence.
 *
 * Steps of a larger series edit that are not themselves a change someone sees (overrides re-keyed when a
 * series moves, copied when it is edited as a whole, dropped with the occurrences a rule no longer has)
 * are the `…Quietly` methods: the edit's one change describes them.
 */
@Injectable()
export class EventsWriter {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(EventsRepository) private readonly events: EventsRepository,
    @Inject(AttendeesRepository) private readonly attendees: AttendeesRepository,
    @Inject(TagsRepository) private readonly tags: TagsRepository,
    @Inject(ChangeFeed) private readonly feed: ChangeFeed,
  ) {}

  /** A new single event or series. */
  create(
    userId: string,
    write: EventWrite,
    options: { origin: EventOrigin; attendees?: AttendeeInput[]; tagIds?: string[]; copyTagsFrom?: string; copyAnswersFrom?: string },
  ): Promise<EventRecord> {
    return this.db.tx(async () => {
      const created = await this.events.insert(userId, { ...write, seriesId: null, originalStart: null }, options.origin);
      if (options.tagIds?.length) await this.tags.setForEvent(userId, created.id, options.tagIds);
      if (options.copyTagsFrom) await this.tags.copy(options.copyTagsFrom, created.id);
      if (options.attendees?.length) await this.replaceAttendees(created.id, options.attendees);
      if (options.attendees?.length && options.copyAnswersFrom) await this.attendees.copyAnswers(options.copyAnswersFrom, created.id);
      const attendees = options.attendees?.length ? await this.attendeesOf(created.id) : [];
      // Guests and tags live in their own tables, so fieldsOf cannot see them; a consumer keying on
      // `attendees` (to send invitations, say) must find it on the change that brought the guests.
      const fields = fieldsOf(null, created);
      if (attendees.length) fields.push('attendees');
      if (options.tagIds?.length || options.copyTagsFrom) {
        if ((await this.tags.forEvents([created.id])).get(created.id)?.length) fields.push('tags');
      }
      await this.append('event.created', options.origin, created, fields, {
        before: null,
        after: eventPayload(created, attendees),
      });
      return created;
    });
  }

  /**
   * Many new single events or series from one origin (an import page): what `create` does for each —
   * the rows, their attendees, one `event.created` change apiece — in a handful of multi-row statements
   * inside one transaction instead of a savepoint and five statements per event.
   */
  createMany(userId: string, items: Array<{ write: EventWrite; attendees?: AttendeeInput[] }>, options: { origin: EventOrigin }): Promise<EventRecord[]> {
    if (items.length === 0) return Promise.resolve([]);
    return this.db.tx(async () => {
      const created = await this.events.insertMany(
        userId,
        items.map((item) => ({ ...item.write, seriesId: null, originalStart: null })),
        options.origin,
      );
      const attendees = await this.attendees.insertMany(
        created.flatMap((event, index) => dedupeAttendees(items[index].attendees ?? []).map((attendee) => ({ eventId: event.id, ...attendee }))),
      );
      await this.feed.appendMany<EventChangeData>(
        created.map((event) => {
          const guests = attendees.get(event.id) ?? [];
          return {
            kind: 'event.created',
            userId: event.userId,
            origin: options.origin,
            eventId: event.id,
            seriesId: null,
            occurrenceId: null,
            fields: guests.length ? [...fieldsOf(null, event), 'attendees'] : fieldsOf(null, event),
            data: { before: null, after: eventPayload(event, guests) },
          };
        }),
      );
      return created;
    });
  }

  /**
   * Changes an event, a series (edit all) or an override (one occurrence) to `write`; attendees and tags
   * when given (a series' attendees are those of all its occurrences). No change, no change row.
   */
  update(
    userId: string,
    current: EventRecord,
    write: EventWrite,
    options: { origin: EventOrigin; attendees?: AttendeeInput[]; tagIds?: string[] },
  ): Promise<EventRecord> {
    return this.db.tx(async () => {
      if (current.seriesId && current.originalStart) {
        const master = await this.events.get(userId, current.seriesId);
        return this.changeOccurrence(userId, master, current.originalStart, current, write, current, options.origin);
      }
      const attendeesBefore = await this.attendeesOf(current.id);
      let attendeesAfter = attendeesBefore;
      if (options.attendees) {
        await this.replaceAttendees(current.id, options.attendees);
        attendeesAfter = await this.attendeesOf(current.id);
      }
      const guestsChanged = guestList(attendeesBefore) !== guestList(attendeesAfter);
      // Answers alone (a guest accepting at Google) are a change of the attendees, not one attendees must be told of.
      const answersChanged = answerList(attendeesBefore) !== answerList(attendeesAfter);
      const tagsChanged = options.tagIds ? await this.replaceTags(userId, current.id, options.tagIds) : false;
      const fields = fieldsOf(current, { ...current, ...write });
      if (guestsChanged || answersChanged) fields.push('attendees');
      if (tagsChanged) fields.push('tags');
      if (fields.length === 0) return current;
      const seen = guestsChanged || differs(current, write, SEEN_FIELDS) || zoneMoved(current, { ...current, ...write });
      const updated = await this.events.update(userId, current.id, write, seen);
      await this.append('event.updated', options.origin, updated, fields, {
        before: eventPayload(current, attendeesBefore),
        after: eventPayload(updated, attendeesAfter),
      });
      return updated;
    });
  }

  /**
   * Deletes an event or a series (its overrides go with it). Deleting an override puts its occurrence
   * back as the series has it: an `event.updated` of that occurrence.
   */
  remove(userId: string, current: EventRecord, options: { origin: EventOrigin; departedOwner?: DepartedUser }): Promise<void> {
    return this.db.tx(async () => {
      if (current.seriesId && current.originalStart) {
        const master = await this.events.get(userId, current.seriesId);
        await this.events.remove(userId, current.id);
        const restored = seriesOccurrence(master, current.originalStart);
        const seen = differs(current, restored, SEEN_OCCURRENCE_FIELDS);
        if (seen) await this.events.bumpSequence(master.id);
        const series = seen ? await this.events.get(userId, master.id) : master;
        const attendees = await this.attendeesOf(master.id);
        const occurrence = { seriesId: master.id, occurrenceId: current.originalStart };
        await this.append('event.updated', options.origin, series, fieldsOf(current, restored), {
          before: eventPayload(current, attendees, occurrence),
          after: eventPayload({ ...restored, sequence: series.sequence }, attendees, occurrence),
          series: eventPayload(series, attendees),
        }, occurrence);
        return;
      }
      const attendees = await this.attendeesOf(current.id);
      await this.events.remove(userId, current.id);
      const data: EventChangeData = { before: eventPayload(current, attendees), after: null };
      if (options.departedOwner) data.departedOwner = options.departedOwner;
      await this.append('event.deleted', options.origin, current, [], data);
    });
  }

  /**
   * Edits one occurrence of a series: its override is created or changed to `write` (which the caller
   * built from `before`, the occurrence as it is now).
   */
  editOccurrence(
    userId: string,
    master: EventRecord,
    occurrenceId: string,
    override: EventRecord | null,
    before: EventRecord,
    write: EventWrite,
    origin: EventOrigin,
  ): Promise<EventRecord> {
    return this.db.tx(() => this.changeOccurrence(userId, master, occurrenceId, override, write, before, origin));
  }

  /** Cancels one occurrence of a series (an EXDATE; its override, if any, goes). Already cancelled: nothing. */
  cancelOccurrence(userId: string, master: EventRecord, occurrenceId: string, before: EventRecord, origin: EventOrigin): Promise<void> {
    return this.db.tx(async () => {
      await this.events.deleteOverrides(master.id, [occurrenceId]);
      if (master.exdates.includes(occurrenceId)) return;
      const exdates = [...master.exdates, occurrenceId].sort();
      const series = await this.events.update(userId, master.id, { ...toWrite(master), exdates }, true);
      const attendees = await this.attendeesOf(master.id);
      const occurrence = { seriesId: master.id, occurrenceId };
      await this.append('event.deleted', origin, series, [], {
        before: eventPayload({ ...before, sequence: series.sequence }, attendees, occurrence),
        after: null,
        series: eventPayload(series, attendees),
      }, occurrence);
    });
  }

  /** An attendee's answer (RSVP), recorded on the series or event they were invited to. */
  respond(root: EventRecord, email: string, response: ResponseStatus): Promise<boolean> {
    return this.db.tx(async () => {
      const before = await this.attendeesOf(root.id);
      if (!(await this.attendees.respond(root.id, email, response))) return false;
      const after = await this.attendeesOf(root.id);
      await this.append('event.updated', 'api', root, ['attendees'], { before: eventPayload(root, before), after: eventPayload(root, after) });
      return true;
    });
  }

  attachTag(userId: string, event: EventRecord, tagId: string): Promise<void> {
    return this.db.tx(async () => {
      await this.tags.attach(event.id, tagId);
      await this.tagsChanged(event);
    });
  }

  detachTag(userId: string, event: EventRecord, tagId: string): Promise<boolean> {
    return this.db.tx(async () => {
      if (!(await this.tags.detach(event.id, tagId))) return false;
      await this.tagsChanged(event);
      return true;
    });
  }

  /** A step of a larger series edit: re-points an override to another series or occurrence id. */
  moveOverrideQuietly(overrideId: string, seriesId: string, occurrenceId: string): Promise<void> {
    return this.events.moveOverride(overrideId, seriesId, occurrenceId);
  }

  /** A step of a larger series edit: drops the overrides of these occurrences (or all). */
  deleteOverridesQuietly(seriesId: string, occurrenceIds: string[] | 'all'): Promise<void> {
    return this.events.deleteOverrides(seriesId, occurrenceIds);
  }

  /** A step of a larger series edit: rewrites an override (fields copied from its series). */
  async rewriteOverrideQuietly(userId: string, override: EventRecord, write: EventWrite): Promise<void> {
    await this.events.update(userId, override.id, write);
  }

  private async changeOccurrence(
    userId: string,
    master: EventRecord,
    occurrenceId: string,
    override: EventRecord | null,
    write: EventWrite,
    before: EventRecord,
    origin: EventOrigin,
  ): Promise<EventRecord> {
    const full: EventWrite = { ...write, seriesId: master.id, originalStart: occurrenceId, recurrenceRule: null, exdates: [], localStart: null, recurrenceEnd: null };
    const fields = fieldsOf(before, { ...before, ...full });
    if (override && fields.length === 0) return override;
    const saved = override ? await this.events.update(userId, override.id, full) : await this.events.insert(userId, full, origin);
    const seen = differs(before, saved, SEEN_OCCURRENCE_FIELDS);
    if (seen) await this.events.bumpSequence(master.id);
    const series = seen ? await this.events.get(userId, master.id) : master;
    const attendees = await this.attendeesOf(master.id);
    const occurrence = { seriesId: master.id, occurrenceId };
    await this.append('event.updated', origin, saved, fields, {
      before: eventPayload({ ...before, sequence: master.sequence }, attendees, occurrence),
      after: eventPayload({ ...saved, sequence: series.sequence }, attendees, occurrence),
      series: eventPayload(series, attendees),
    }, occurrence);
    return saved;
  }

  private async tagsChanged(event: EventRecord): Promise<void> {
    const attendees = await this.attendeesOf(event.seriesId ?? event.id);
    const payload = eventPayload(event, attendees);
    await this.append('event.updated', 'api', event, ['tags'], { before: payload, after: payload });
  }

  /** The attendee list made exactly `list`, with the answers it carries (people who stay keep theirs otherwise). */
  private async replaceAttendees(eventId: string, list: AttendeeInput[]): Promise<void> {
    const unique = dedupeAttendees(list);
    await this.attendees.replace(eventId, unique);
    const answers = unique.flatMap((attendee) => (attendee.responseStatus ? [{ email: attendee.email, responseStatus: attendee.responseStatus }] : []));
    await this.attendees.setAnswers(eventId, answers);
  }

  /** True when the event's tags are now different. */
  private async replaceTags(userId: string, eventId: string, tagIds: string[]): Promise<boolean> {
    const before = ((await this.tags.forEvents([eventId])).get(eventId) ?? []).map((tag) => tag.id).sort().join();
    await this.tags.setForEvent(userId, eventId, tagIds);
    const after = ((await this.tags.forEvents([eventId])).get(eventId) ?? []).map((tag) => tag.id).sort().join();
    return before !== after;
  }

  private async attendeesOf(eventId: string): Promise<Attendee[]> {
    return (await this.attendees.forEvents([eventId])).get(eventId) ?? [];
  }

  private async append(
    kind: EventChangeKind,
    origin: EventOrigin,
    event: EventRecord,
    fields: string[],
    data: EventChangeData,
    occurrence: { seriesId: string; occurrenceId: string } | null = null,
  ): Promise<void> {
    await this.feed.append<EventChangeData>({
      kind,
      userId: event.userId,
      origin,
      eventId: event.id,
      seriesId: occurrence?.seriesId ?? null,
      occurrenceId: occurrence?.occurrenceId ?? null,
      fields,
      data,
    });
  }
}

function answerList(attendees: Attendee[]): string {
  return attendees.map((attendee) => `${attendee.email.toLowerCase()}|${attendee.responseStatus}`).sort().join('\n');
}

function dedupeAttendees(list: AttendeeInput[]): AttendeeInput[] {
  return [...new Map(list.map((attendee) => [attendee.email.toLowerCase(), attendee])).values()];
}

function guestList(attendees: Attendee[]): string {
  return attendees.map((attendee) => `${attendee.email.toLowerCase()}|${attendee.name ?? ''}`).sort().join('\n');
}

function differs(before: object, after: object, fields: readonly string[]): boolean {
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  return fields.some((field) => field in b && JSON.stringify(a[field]) !== JSON.stringify(b[field]));
}

/** The API names of the fields that differ (all set fields of a new event). */
function fieldsOf(before: EventRecord | null, after: EventWrite | EventRecord): string[] {
  const names = new Set<string>();
  for (const [key, name] of Object.entries(API_FIELDS) as Array<[keyof EventWrite, string | null]>) {
    if (!name) continue;
    const value = (after as Record<string, unknown>)[key];
    if (before === null ? value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0) : JSON.stringify((before as unknown as Record<string, unknown>)[key]) !== JSON.stringify(value)) {
      names.add(name);
    }
  }
  return [...names];
}

/** seriesZoneMoved for a record and what is written over it. */
function zoneMoved(before: EventRecord, after: EventRecord | EventWrite): boolean {
  return seriesZoneMoved(before, { repeats: Boolean(after.recurrenceRule), isAllDay: after.isAllDay, timezone: after.timezone });
}
