import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error.js';
import { Database } from '../../db/database.js';
import { calentoIdOfUid } from '../../engines/ical/calendar-writer.js';
import { occurrenceExists } from '../../engines/recurrence/recurrence.engine.js';
import { seriesOf } from '../events/event-timing.js';
import { seriesOccurrence } from '../events/event-views.js';
import { sameTimeKey, toWrite, type EventRecord, type EventWrite } from '../events/events.rows.js';
import { EventsService } from '../events/events.service.js';
import { EventsWriter, type AttendeeInput } from '../events/events.writer.js';
import { EventLinksRepository } from './event-links.repository.js';
import { localOf, sameLocal, type GoogleEvent, type LocalItem } from './google-mapping.js';
import { googleOrigin, type CalendarSync, type EventLink, type SyncCounts } from './google-sync.rows.js';

/** What one run has done so far, and what it could not place yet. */
export interface ImportRun {
  sync: CalendarSync;
  calendarZone: string;
  /** The calendar's default reminders, for events that use them. */
  defaultReminders: Array<{ method?: string | null; minutes?: number | null }> | null;
  counts: SyncCounts;
  /** Google ids listed by this run (a full listing deletes the links it did not see). */
  seen: Set<string>;
  /** Overrides and cancelled occurrences whose series was not imported yet (a later page may hold it). */
  deferred: LocalItem[];
  /** Local events that won a merge and must be sent to Google when the run ends. */
  toPush: string[];
  /**
   * False for an event Calento itself just created at Google: it is new, and must not adopt a local event
   * that merely has the same title and times (that one stays the user's own).
   */
  match?: boolean;
  /**
   * Map every listed event anew, even one whose etag Calento has seen: the calendar's zone changed, and
   * all-day events (and timed ones without a zone of their own) were read in the old one.
   */
  remap?: boolean;
}

/** Series and single events first, then their occurrences: a page can list an override before its series. */
const ORDER: Record<LocalItem['kind'], number> = { deleted: 0, event: 1, override: 2, cancelledOccurrence: 3 };

/**
 * Applies Google's events to the local calendar, one listing page in one transaction, through the events
 * writer with the origin `google:<client calendar id>` (so the push-back subscriber does not send them back).
 * Idempotent: a page applied twice (a worker killed after its commit) finds its links and changes nothing.
 */
@Injectable()
export class GoogleImport {
  private readonly logger = new Logger('GoogleImport');

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(EventsService) private readonly events: EventsService,
    @Inject(EventsWriter) private readonly writer: EventsWriter,
    @Inject(EventLinksRepository) private readonly links: EventLinksRepository,
  ) {}

  async applyPage(run: ImportRun, items: GoogleEvent[], final: boolean): Promise<void> {
    const mapped = items
      .map((item) => localOf(item, run.calendarZone, run.defaultReminders))
      .sort((a, b) => ORDER[a.kind] - ORDER[b.kind]);
    for (const item of mapped) run.seen.add(item.googleId);
    await this.db.tx(async () => {
      const rest = await this.createNew(run, mapped);
      for (const item of rest) {
        if (!(await this.apply(run, item))) run.deferred.push(item);
      }
      if (final) await this.applyDeferred(run);
    });
  }

  /**
   * The bulk of a first import: events and series that are certainly new — no link yet, nothing local they
   * could match, no occurrences beyond their rule — created together through the writer's batch path (a few
   * multi-row statements per page instead of a dozen statements per event). Returns the items that need
   * the one-by-one path: links, matches, overrides, cancellations, deletions, extras.
   */
  private async createNew(run: ImportRun, mapped: LocalItem[]): Promise<LocalItem[]> {
    type NewEvent = Extract<LocalItem, { kind: 'event' }>;
    const { sync } = run;
    const simple = mapped.filter((item): item is NewEvent => item.kind === 'event' && item.extras.length === 0);
    if (simple.length < 2) return mapped;
    const links = await this.links.findManyByGoogle(sync.id, simple.map((item) => item.googleId));
    const unlinked = simple.filter((item) => !links.has(item.googleId));
    const taken = await this.events.existing(sync.userId, {
      icalUids: [...new Set(unlinked.flatMap((item) => (item.icalUid ? [item.icalUid] : [])))],
      ids: unlinked.flatMap((item) => calentoIdOfUid(item.icalUid) ?? []),
      sameTime: sync.strategy === 'export' ? [] : unlinked.map((item) => ({ title: item.write.title, startTime: item.write.startTime, endTime: item.write.endTime })),
    });
    // A candidate for a merge match goes the careful way (findMatch); so does a second listing of one id.
    const mayMatch = (item: NewEvent) =>
      sync.strategy !== 'export' &&
      run.match !== false &&
      ((item.icalUid !== null && taken.icalUids.has(item.icalUid)) ||
        taken.ids.has(calentoIdOfUid(item.icalUid) ?? '') ||
        taken.sameTime.has(sameTimeKey({ title: item.write.title, startTime: item.write.startTime, endTime: item.write.endTime })));
    const fresh: NewEvent[] = [];
    const ids = new Set<string>();
    const uids = new Set(taken.icalUids);
    for (const item of unlinked) {
      if (ids.has(item.googleId) || mayMatch(item)) continue;
      ids.add(item.googleId);
      fresh.push(item);
    }
    const created = await this.writer.createMany(
      sync.userId,
      fresh.map((item) => {
        // The same invitation can sit in two synced calendars: the second copy keeps no iCalUID of its own.
        const icalUid = item.icalUid && !uids.has(item.icalUid) ? item.icalUid : null;
        if (icalUid) uids.add(icalUid);
        return { write: { ...item.write, icalUid }, attendees: item.attendees };
      }),
      { origin: googleOrigin(sync) },
    );
    await this.links.insertMany(
      created.map((event, index) => ({ userId: sync.userId, syncId: sync.id, eventId: event.id, googleEventId: fresh[index].googleId, resource: fresh[index].resource })),
    );
    run.counts.imported += created.length;
    const done = new Set<LocalItem>(fresh);
    return mapped.filter((item) => !done.has(item));
  }

  /**
   * One Google event Calento itself just wrote there (POST /clients/:c/calendars/:cal/events): mirrored
   * like a listed one, and the local event's id returned.
   */
  async mirror(sync: CalendarSync, resource: GoogleEvent, calendarZone: string): Promise<string | null> {
    const run: ImportRun = { sync, calendarZone, defaultReminders: null, counts: { ...sync.counts }, seen: new Set(), deferred: [], toPush: [], match: false };
    await this.applyPage(run, [resource], true);
    return (await this.links.findByGoogle(sync.id, resource.id as string))?.eventId ?? null;
  }

  /**
   * Overrides whose series never came: kept as events of their own rather than dropped. A cancelled
   * instance whose series never came takes such a copy with it.
   */
  private async applyDeferred(run: ImportRun): Promise<void> {
    const pending = run.deferred.splice(0);
    for (const item of pending) {
      if (await this.apply(run, item)) continue;
      if (item.kind === 'override') await this.upsertEvent(run, asSingle(item));
      if (item.kind === 'cancelledOccurrence') await this.deleteMirrored(run, item.googleId);
    }
  }

  /** False when the item needs a series that is not here yet. */
  private async apply(run: ImportRun, item: LocalItem): Promise<boolean> {
    switch (item.kind) {
      case 'deleted':
        await this.deleteMirrored(run, item.googleId);
        return true;
      case 'event':
        await this.upsertEvent(run, item);
        return true;
      case 'override':
        return this.upsertOverride(run, item);
      case 'cancelledOccurrence':
        return this.cancelOccurrence(run, item);
    }
  }

  /** Google deleted an event or a series: the local copy goes, with the links of its occurrences. */
  async deleteMirrored(run: ImportRun, googleId: string): Promise<void> {
    const link = await this.links.findByGoogle(run.sync.id, googleId);
    if (!link) return;
    const event = link.eventId ? await this.events.findOwned(run.sync.userId, link.eventId) : null;
    if (event) {
      await this.writer.remove(run.sync.userId, event, { origin: googleOrigin(run.sync) });
      run.counts.deleted += 1;
    }
    await this.links.deleteBySeries(run.sync.id, googleId);
    await this.links.delete(link.id);
  }

  private async upsertEvent(run: ImportRun, item: Extract<LocalItem, { kind: 'event' }>): Promise<void> {
    const { sync } = run;
    const origin = googleOrigin(sync);
    const link = await this.links.findByGoogle(sync.id, item.googleId);
    if (link) {
      // Google sends back what Calento wrote (an echo), or lists an event again: nothing new.
      if (link.etag !== null && link.etag === item.etag && !run.remap) return;
      const current = link.eventId ? await this.events.findOwned(sync.userId, link.eventId) : null;
      if (!current) return; // deleted here; the deletion is on its way to Google
      // Local edits Google has not seen yet: the push job's If-Match fails and records the conflict.
      if (sync.strategy !== 'import' && current.updatedAt > link.updatedAt) return;
      await this.updateFromGoogle(run, current, item);
      await this.placeExtras(run, current.id, item);
      await this.links.setVersion(link.id, item.resource);
      return;
    }
    const match = await this.findMatch(run, item);
    if (match) {
      const googleNewer = item.updated === null || match.updatedAt <= item.updated || sync.strategy === 'import';
      if (googleNewer) await this.updateFromGoogle(run, match, item);
      else run.toPush.push(match.id);
      await this.links.upsert({ userId: sync.userId, syncId: sync.id, eventId: match.id, googleEventId: item.googleId, googleSeriesId: null, resource: item.resource });
      return;
    }
    // The same invitation can sit in two synced calendars: the second copy keeps no iCalUID of its own.
    const icalUid = item.icalUid && !(await this.events.findByIcalUid(sync.userId, item.icalUid)) ? item.icalUid : null;
    const created = await this.writer.create(sync.userId, { ...item.write, icalUid }, { origin, attendees: item.attendees });
    await this.placeExtras(run, created.id, item);
    await this.links.upsert({ userId: sync.userId, syncId: sync.id, eventId: created.id, googleEventId: item.googleId, googleSeriesId: null, resource: item.resource });
    run.counts.imported += 1;
  }

  /**
   * Occurrences Google has beyond the rule (RDATEs; a start that is not itself an occurrence of the rule):
   * kept as overrides of the series at their own start, so none is dropped.
   */
  private async placeExtras(run: ImportRun, seriesId: string, item: Extract<LocalItem, { kind: 'event' }>): Promise<void> {
    if (item.extras.length === 0) return;
    const master = await this.events.findOwned(run.sync.userId, seriesId);
    if (!master?.recurrenceRule) return;
    const existing = new Set((await this.events.overridesOf([master.id])).map((event) => event.originalStart));
    for (const extra of item.extras) {
      if (existing.has(extra.originalStart)) continue;
      const write: EventWrite = { ...toWrite(master), startTime: extra.startTime, endTime: extra.endTime, startDate: extra.startDate, endDate: extra.endDate };
      const before = { ...master, startTime: extra.startTime, endTime: extra.endTime, startDate: extra.startDate, endDate: extra.endDate };
      await this.writer.editOccurrence(run.sync.userId, master, extra.originalStart, null, before, write, googleOrigin(run.sync));
    }
  }

  private async updateFromGoogle(run: ImportRun, current: EventRecord, item: Extract<LocalItem, { kind: 'event' | 'override' }>): Promise<void> {
    const write: EventWrite = { ...item.write, icalUid: current.icalUid };
    // Guests added, removed or answering at Google change nothing else of the event, and still arrive.
    if (sameLocal(toWrite(current), write) && sameGuests(await this.events.attendeesOf(current.id), item.attendees)) return;
    await this.writer.update(run.sync.userId, current, write, { origin: googleOrigin(run.sync), attendees: item.attendees });
    run.counts.updated += 1;
  }

  /**
   * An existing local event Google's event stands for (merge, and import, never duplicate): the one with
   * its iCalUID (or the Calento event it was exported from, `<id>@calento`), else one with the same title,
   * start and end. Events already linked to a Google event are not candidates.
   */
  private async findMatch(run: ImportRun, item: Extract<LocalItem, { kind: 'event' }>): Promise<EventRecord | null> {
    if (run.sync.strategy === 'export' || run.match === false) return null;
    const userId = run.sync.userId;
    const candidates: EventRecord[] = [];
    if (item.icalUid) {
      const calentoId = calentoIdOfUid(item.icalUid);
      const byUid = calentoId ? await this.events.findOwned(userId, calentoId) : await this.events.findByIcalUid(userId, item.icalUid);
      if (byUid && byUid.seriesId === null) candidates.push(byUid);
    }
    if (candidates.length === 0) {
      candidates.push(...(await this.events.findSameTime(userId, item.write.title, item.write.startTime, item.write.endTime)));
    }
    if (candidates.length === 0) return null;
    const linked = new Set((await this.links.findManyByEvent(candidates.map((event) => event.id))).map((link) => link.eventId));
    return candidates.find((event) => !linked.has(event.id)) ?? null;
  }

  /**
   * The local series a Google instance belongs to; `'gone'` when the series was linked and has been deleted
   * here (its deletion is on its way to Google, or Google has not listed it yet); null when Calento does
   * not have it (not yet in this listing, or not a series here).
   */
  private async seriesFor(run: ImportRun, seriesGoogleId: string): Promise<{ link: EventLink; master: EventRecord } | 'gone' | null> {
    const link = await this.links.findByGoogle(run.sync.id, seriesGoogleId);
    if (!link?.eventId) return null;
    const master = await this.events.findOwned(run.sync.userId, link.eventId);
    if (!master) return 'gone';
    return master.recurrenceRule ? { link, master } : null;
  }

  private async upsertOverride(run: ImportRun, item: Extract<LocalItem, { kind: 'override' }>): Promise<boolean> {
    const { sync } = run;
    const series = await this.seriesFor(run, item.seriesGoogleId);
    // An instance of a series deleted here (a listing older than the deletion) is not brought back as an event.
    if (series === 'gone') return true;
    if (!series) return false;
    const link = await this.links.findByGoogle(sync.id, item.googleId);
    if (link && link.etag !== null && link.etag === item.etag && !run.remap) return true;
    const override = (await this.events.overridesOf([series.master.id])).find((event) => event.originalStart === item.occurrenceId) ?? null;
    if (override && link && sync.strategy !== 'import' && override.updatedAt > link.updatedAt) return true;
    const before = override ?? seriesOccurrence(series.master, item.occurrenceId);
    try {
      const saved = await this.writer.editOccurrence(sync.userId, series.master, item.occurrenceId, override, before, item.write, googleOrigin(sync));
      await this.links.upsert({ userId: sync.userId, syncId: sync.id, eventId: saved.id, googleEventId: item.googleId, googleSeriesId: item.seriesGoogleId, resource: item.resource });
      run.counts.updated += 1;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      // Google's instance is not an occurrence of the series as Calento expands it: keep it as an event.
      this.logger.warn({ syncId: sync.id, googleId: item.googleId, code: error.code }, 'Google instance kept as a single event');
      await this.upsertEvent(run, asSingle(item));
    }
    return true;
  }

  private async cancelOccurrence(run: ImportRun, item: Extract<LocalItem, { kind: 'cancelledOccurrence' }>): Promise<boolean> {
    const { sync } = run;
    const series = await this.seriesFor(run, item.seriesGoogleId);
    if (series === 'gone') return true;
    if (!series) return false;
    const link = await this.links.findByGoogle(sync.id, item.googleId);
    if (series.master.exdates.includes(item.occurrenceId)) {
      if (link) await this.links.delete(link.id);
      return true;
    }
    const override = (await this.events.overridesOf([series.master.id])).find((event) => event.originalStart === item.occurrenceId) ?? null;
    if (occurrenceExists(seriesOf(series.master), item.occurrenceId)) {
      const before = override ?? seriesOccurrence(series.master, item.occurrenceId);
      await this.writer.cancelOccurrence(sync.userId, series.master, item.occurrenceId, before, googleOrigin(sync));
      run.counts.deleted += 1;
    } else if (override) {
      // An occurrence beyond the rule (an RDATE, an off-rule start) is an override of its own: it goes.
      await this.writer.remove(sync.userId, override, { origin: googleOrigin(sync) });
      run.counts.deleted += 1;
    }
    // Otherwise a cancelled instance the rule does not have (kept by Google after the series moved): nothing to do.
    if (link) await this.links.delete(link.id);
    return true;
  }
}

/** The same guests with the same names and answers (in any order). */
function sameGuests(here: Array<{ email: string; name: string | null; responseStatus: string }>, google: AttendeeInput[]): boolean {
  const key = (list: Array<{ email: string; name?: string | null; responseStatus?: string }>) =>
    list.map((a) => `${a.email.toLowerCase()}|${a.name ?? ''}|${a.responseStatus ?? 'needsAction'}`).sort().join('\n');
  return key(here) === key(google);
}

/** An occurrence whose series Calento does not have (or cannot expand to it), kept as an event of its own. */
function asSingle(item: Extract<LocalItem, { kind: 'override' }>): Extract<LocalItem, { kind: 'event' }> {
  const { seriesGoogleId: _series, occurrenceId: _occurrence, ...rest } = item;
  return { ...rest, kind: 'event', icalUid: null, extras: [], write: { ...item.write, seriesId: null, originalStart: null } };
}
