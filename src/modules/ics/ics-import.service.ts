import { Inject, Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { Database } from '../../db/database.js';
import { DbConstraintError, DbInvalidInputError } from '../../db/pg-errors.js';
import type { AuthUser } from '../../common/auth/current-user.decorator.js';
import { DomainError, validationError } from '../../common/errors/domain-error.js';
import { wallClockToInstant } from '../../common/time/wall-clock.js';
import { flattenValidationErrors } from '../../common/validation/validation.js';
import { durationMinutesOf, seriesOf } from '../events/event-timing.js';
import { seriesOccurrence } from '../events/event-views.js';
import { toWrite, type EventRecord, type EventWrite } from '../events/events.rows.js';
import { EventsService } from '../events/events.service.js';
import { EventsWriter } from '../events/events.writer.js';
import { CreateEventDto } from '../events/dto/event.dto.js';
import { occurrenceExists, type SeriesDefinition } from '../../engines/recurrence/recurrence.engine.js';
import { formatInstantId } from '../../engines/recurrence/recurrence.rule.js';
import { parseCalendar, type EventInput, type IcsEvent, type IcsTime, type SkippedEvent } from '../../engines/ical/calendar-reader.js';
import type { ImportSummaryDto } from './dto/ics.dto.js';

type Outcome = 'created' | 'updated' | 'unchanged';

interface GroupResult {
  outcomes: Outcome[];
  cancelled: number;
  skipped: SkippedEvent[];
}

/** An occurrence of the file's series that it edits (an override row) or cancels (an EXDATE). */
interface PlannedInstances {
  exdates: string[];
  overrides: Map<string, EventWrite>;
  cancelled: number;
  skipped: SkippedEvent[];
}


const CALENDAR_UID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@calento$/i;

const ICS_NAMES: Record<string, string> = {
  title: 'SUMMARY',
  description: 'DESCRIPTION',
  location: 'LOCATION',
  startTime: 'DTSTART',
  endTime: 'DTEND',
  timezone: 'TZID',
  recurrenceRule: 'RRULE',
  exdates: 'EXDATE',
};

/**
 * Imports iCalendar files. Each UID is one event: a single event or series (upserted on the user's
 * (user_id, ical_uid)) plus its edited occurrences (upserted on (series_id, original_start)). A file
 * that contains the series says all there is about it: its EXDATEs and edited occurrences replace the
 * stored ones. The file wins for the fields it maps; color, reminders, attachments, tags and attendees
 * set in Calento stay. Re-importing a file changes nothing.
 */
@Injectable()
export class IcsImportService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(EventsService) private readonly eventsService: EventsService,
    @Inject(EventsWriter) private readonly writer: EventsWriter,
  ) {}

  async importCalendar(user: AuthUser, text: string): Promise<ImportSummaryDto> {
    const summary: ImportSummaryDto = { created: 0, updated: 0, unchanged: 0, cancelled: 0, skipped: [] };
    const groups = new Map<string, IcsEvent[]>();
    for (const entry of parseCalendar(text, user.timezone)) {
      if ('skipped' in entry) summary.skipped.push(entry.skipped);
      else groups.set(entry.event.uid, [...(groups.get(entry.event.uid) ?? []), entry.event]);
    }
    await this.db.tx(async () => {
      // One import of a user at a time: two imports of the same file would otherwise both find a UID new,
      // and the second, waiting on the first's insert, would report it skipped ("the database refused it").
      await this.db.query("SELECT pg_advisory_xact_lock(hashtextextended('ics-import:' || $1::text, 0))", [user.id]);
      for (const [uid, events] of groups) {
        try {
          // A savepoint per UID: an event the database refuses is skipped without undoing the others.
          const result = await this.db.tx(() => this.importUid(user, uid, events));
          for (const outcome of result.outcomes) summary[outcome] += 1;
          summary.cancelled += result.cancelled;
          summary.skipped.push(...result.skipped);
        } catch (error) {
          if (!isRefusal(error)) throw error;
          summary.skipped.push({ uid, reason: reasonOf(error) });
        }
      }
    });
    return summary;
  }

  private async importUid(user: AuthUser, uid: string, events: IcsEvent[]): Promise<GroupResult> {
    const masters = events.filter((event) => !event.recurrenceId);
    const skipped: SkippedEvent[] = masters
      .slice(1)
      .map(() => ({ uid, reason: 'another VEVENT with this UID and no RECURRENCE-ID comes first in the file' }));
    const instances = events.filter((event) => event.recurrenceId);
    const existing = (await this.eventsService.findByIcalUid(user.id, uid)) ?? (await this.ownExport(user, uid));
    const result = masters[0]
      ? await this.importSeries(user, uid, masters[0], instances, existing)
      : await this.importInstances(user, uid, instances, existing);
    return { ...result, skipped: [...skipped, ...result.skipped] };
  }

  /** The file has the event itself: upsert it, then make its edited occurrences exactly the file's. */
  private async importSeries(
    user: AuthUser,
    uid: string,
    master: IcsEvent,
    instances: IcsEvent[],
    existing: EventRecord | null,
  ): Promise<GroupResult> {
    const write: EventWrite = {
      ...this.writeOf(master.input as EventInput, user.timezone),
      ...(existing && keptFrom(existing)),
      // An event found by its Calento UID keeps publishing under that UID, with no ical_uid of its own.
      icalUid: existing ? existing.icalUid : uid,
    };
    const skipped: SkippedEvent[] = [];
    let planned: PlannedInstances | null = null;
    if (write.recurrenceRule) {
      const def = definitionOf(write);
      const exdates = master.exdates.map((time) => occurrenceIdOf(time, write)).filter((id) => occurrenceExists(def, id));
      planned = this.planInstances(uid, instances, write, def, exdates);
      write.exdates = planned.exdates;
      skipped.push(...planned.skipped);
    } else if (instances.length) {
      skipped.push(...instances.map(() => ({ uid, reason: 'RECURRENCE-ID on an event without RRULE' })));
    }

    let outcome: Outcome;
    let saved: EventRecord;
    if (!existing) {
      saved = await this.writer.create(user.id, write, { origin: 'ics' });
      outcome = 'created';
    } else if (sameWrite(toWrite(existing), write)) {
      saved = existing;
      outcome = 'unchanged';
    } else {
      saved = await this.writer.update(user.id, existing, write, { origin: 'ics' });
      outcome = 'updated';
    }

    const outcomes: Outcome[] = [];
    const stored = existing ? await this.eventsService.overridesOf([existing.id]) : [];
    const wanted = planned?.overrides ?? new Map<string, EventWrite>();
    // An edited occurrence the file no longer has goes back to what the series says.
    for (const override of stored.filter((candidate) => !wanted.has(candidate.originalStart as string))) {
      await this.writer.remove(user.id, override, { origin: 'ics' });
      if (outcome === 'unchanged') outcome = 'updated';
    }
    for (const [occurrenceId, overrideWrite] of wanted) {
      const current = stored.find((override) => override.originalStart === occurrenceId) ?? null;
      outcomes.push(await this.upsertOverride(user, saved, occurrenceId, overrideWrite, current));
    }
    return { outcomes: [outcome, ...outcomes], cancelled: planned?.cancelled ?? 0, skipped };
  }

  /** The file has only occurrences of a series already in the calendar: apply them, keep the rest. */
  private async importInstances(
    user: AuthUser,
    uid: string,
    instances: IcsEvent[],
    existing: EventRecord | null,
  ): Promise<GroupResult> {
    if (!existing?.recurrenceRule) {
      const reason = existing
        ? 'RECURRENCE-ID refers to an event that does not repeat'
        : 'RECURRENCE-ID without its series (no VEVENT with RRULE for this UID in the file or in your calendar)';
      return { outcomes: [], cancelled: 0, skipped: instances.map(() => ({ uid, reason })) };
    }
    const write = toWrite(existing);
    const planned = this.planInstances(uid, instances, write, seriesOf({ ...existing, exdates: [] }), existing.exdates);
    const stored = await this.eventsService.overridesOf([existing.id]);
    const outcomes: Outcome[] = [];
    let series = existing;
    if (planned.exdates.join() !== existing.exdates.join()) {
      // An occurrence cancelled now loses its edits (part of the series' change).
      await this.writer.deleteOverridesQuietly(existing.id, planned.exdates.filter((id) => !existing.exdates.includes(id)));
      series = await this.writer.update(user.id, existing, { ...write, exdates: planned.exdates }, { origin: 'ics' });
    }
    for (const [occurrenceId, overrideWrite] of planned.overrides) {
      const current = stored.find((override) => override.originalStart === occurrenceId) ?? null;
      outcomes.push(await this.upsertOverride(user, series, occurrenceId, overrideWrite, current));
    }
    return { outcomes, cancelled: planned.cancelled, skipped: planned.skipped };
  }

  /**
   * Sorts the occurrences the file names into cancellations (added to `exdates`) and edits (override
   * writes, validated now so a bad one is skipped before anything is stored). An occurrence both
   * excluded by EXDATE and edited keeps the edit.
   */
  private planInstances(
    uid: string,
    instances: IcsEvent[],
    series: EventWrite,
    def: SeriesDefinition,
    exdates: string[],
  ): PlannedInstances {
    const excluded = new Set(exdates);
    const overrides = new Map<string, EventWrite>();
    const skipped: SkippedEvent[] = [];
    let cancelled = 0;
    for (const instance of instances) {
      const recurrenceId = instance.recurrenceId as IcsTime;
      const occurrenceId = occurrenceIdOf(recurrenceId, series);
      if (overrides.has(occurrenceId)) {
        skipped.push({ uid, reason: `RECURRENCE-ID ${recurrenceId.wall} appears twice; the first one was imported` });
        continue;
      }
      if (!occurrenceExists(def, occurrenceId)) {
        skipped.push({ uid, reason: `RECURRENCE-ID ${recurrenceId.wall} is not an occurrence of the series` });
        continue;
      }
      if (instance.cancelled) {
        excluded.add(occurrenceId);
        cancelled += 1;
        continue;
      }
      try {
        // A new edited occurrence starts with its series' color, reminders and attachments.
        overrides.set(occurrenceId, { ...this.writeOf(instance.input as EventInput, series.timezone), ...keptFrom(series) });
        excluded.delete(occurrenceId);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        skipped.push({ uid, reason: `RECURRENCE-ID ${recurrenceId.wall}: ${reasonOf(error)}` });
      }
    }
    for (const occurrenceId of overrides.keys()) excluded.delete(occurrenceId);
    return { exdates: [...excluded].sort(), overrides, cancelled, skipped };
  }

  private async upsertOverride(
    user: AuthUser,
    series: EventRecord,
    occurrenceId: string,
    write: EventWrite,
    current: EventRecord | null,
  ): Promise<Outcome> {
    const full: EventWrite = { ...write, seriesId: series.id, originalStart: occurrenceId };
    if (!current) {
      await this.writer.editOccurrence(user.id, series, occurrenceId, null, seriesOccurrence(series, occurrenceId), full, 'ics');
      return 'created';
    }
    Object.assign(full, keptFrom(current));
    if (sameWrite(toWrite(current), full)) return 'unchanged';
    await this.writer.update(user.id, current, full, { origin: 'ics' });
    return 'updated';
  }

  /** An event of this user exported by Calento ("<id>@calento", see uidOf) and imported back. */
  private async ownExport(user: AuthUser, uid: string): Promise<EventRecord | null> {
    const id = CALENDAR_UID.exec(uid)?.[1];
    const found = id ? await this.eventsService.findOwned(user.id, id) : null;
    return found && found.seriesId === null && found.icalUid === null ? found : null;
  }

  /** The same checks as POST /events: the DTO's rules, then the event and recurrence rules. */
  private writeOf(input: EventInput, zone: string): EventWrite {
    const dto = plainToInstance(CreateEventDto, input);
    const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length) throw validationError(flattenValidationErrors(errors));
    return this.eventsService.writeFromInput(dto, zone);
  }
}

/** Fields a file does not carry: an update keeps what the user set in Calento. */
function keptFrom(event: EventWrite | EventRecord): Pick<EventWrite, 'color' | 'reminders' | 'attachments'> {
  return { color: event.color, reminders: event.reminders, attachments: event.attachments };
}

function definitionOf(write: EventWrite): SeriesDefinition {
  return {
    rule: write.recurrenceRule as string,
    timezone: write.timezone,
    isAllDay: write.isAllDay,
    localStart: write.localStart as string,
    durationMinutes: durationMinutesOf(write),
    exdates: [],
  };
}

/**
 * The Calento occurrence id an EXDATE or RECURRENCE-ID names: the date for an all-day series, else the
 * original start in UTC. A bare date on a timed series means that day's occurrence; a floating time is
 * read in the series' zone.
 */
function occurrenceIdOf(time: IcsTime, series: EventWrite): string {
  if (series.isAllDay) return time.wall.slice(0, 10);
  const localStart = series.localStart as string;
  if (time.isDate) return formatInstantId(wallClockToInstant(`${time.wall}T${localStart.slice(11)}`, series.timezone));
  return formatInstantId(time.exact ? time.instant : wallClockToInstant(time.wall, series.timezone));
}

function sameWrite(a: EventWrite, b: EventWrite): boolean {
  return (Object.keys(b) as (keyof EventWrite)[]).every((key) => JSON.stringify(a[key]) === JSON.stringify(b[key]));
}

/** Errors that mean "this event cannot be stored", as opposed to bugs. */
function isRefusal(error: unknown): error is DomainError | DbConstraintError | DbInvalidInputError {
  return error instanceof DomainError || error instanceof DbConstraintError || error instanceof DbInvalidInputError;
}

/** A skip reason in the file's own vocabulary: "DTEND must be after DTSTART". */
function reasonOf(error: DomainError | DbConstraintError | DbInvalidInputError): string {
  if (!(error instanceof DomainError)) return 'the database refused it';
  if (!error.fieldErrors.length) return error.message;
  return error.fieldErrors
    .map(({ field, message }) => `${ICS_NAMES[field] ?? field} ${message.replace(/\bstartTime\b/g, 'DTSTART')}`)
    .join('; ');
}
