import { Inject, Injectable, Logger } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { uidOf } from '../../engines/ical/calendar-writer.js';
import { eventPayload } from '../events/event-changes.js';
import type { EventRecord } from '../events/events.rows.js';
import { EventsService } from '../events/events.service.js';
import { EventsWriter } from '../events/events.writer.js';
import { googleFailure } from '../clients/google-api.js';
import { GoogleTokensService, type AuthorizedGoogle } from '../clients/google-tokens.service.js';
import { CalendarSyncsRepository } from './calendar-syncs.repository.js';
import { ConflictsRepository } from './conflicts.repository.js';
import { EventLinksRepository } from './event-links.repository.js';
import { PushBacklogRepository } from './push-backlog.repository.js';
import { EVENT_WRITE, googleBodyOf, instanceIdOf, localOf, sameLocal, type GoogleEvent } from './google-mapping.js';
import { googleOrigin, type CalendarSync, type EventLink } from './google-sync.rows.js';
import { toWrite } from '../events/events.rows.js';

/** The local change a push job sends: the job reads the event as it is now, so repeated jobs converge. */
export interface PushRequest {
  syncId: string;
  /** The event, series or override that changed (a virtual occurrence: its series). */
  eventId: string | null;
  /** Set for one occurrence of a series. */
  seriesId: string | null;
  occurrenceId: string | null;
  /** API names of the fields the change touched; empty: everything (created, or unknown). */
  fields: string[];
}

export type PushOutcome = 'created' | 'updated' | 'deleted' | 'merged' | 'conflict' | 'skipped' | 'kept';

/** Which Google keys carry each field the API names in a change. */
const GOOGLE_KEYS: Record<string, string[]> = {
  title: ['summary'],
  description: ['description'],
  location: ['location'],
  startTime: ['start', 'end'],
  endTime: ['start', 'end'],
  timezone: ['start', 'end'],
  isAllDay: ['start', 'end'],
  startDate: ['start', 'end'],
  endDate: ['start', 'end'],
  status: ['status'],
  transparency: ['transparency'],
  visibility: ['visibility'],
  // The exact colour and the full reminder list ride in extendedProperties.private (SHADOW_KEYS).
  color: ['colorId', 'extendedProperties'],
  reminders: ['reminders', 'extendedProperties'],
  attachments: ['attachments'],
  recurrence: ['recurrence', 'start', 'end'],
  attendees: ['attendees'],
};

/**
 * Keys Google merges rather than replaces on a patch (extendedProperties.private key by key): both sides
 * changing one is no conflict.
 */
const MERGED_KEYS = new Set(['extendedProperties']);

/**
 * Sends local changes of linked events to Google (merge and export syncs), with If-Match on the etag
 * Calento last saw. A 412 means Google's copy changed meanwhile: when the two changes touch different
 * fields they are merged (Calento patches only its fields, then takes Google's result); when they touch
 * the same field a conflict is recorded for the user to resolve (GET /calendar/sync/conflicts).
 */
@Injectable()
export class GooglePush {
  private readonly logger = new Logger('GooglePush');

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(EventsService) private readonly events: EventsService,
    @Inject(EventsWriter) private readonly writer: EventsWriter,
    @Inject(GoogleTokensService) private readonly tokens: GoogleTokensService,
    @Inject(CalendarSyncsRepository) private readonly syncs: CalendarSyncsRepository,
    @Inject(EventLinksRepository) private readonly links: EventLinksRepository,
    @Inject(ConflictsRepository) private readonly conflicts: ConflictsRepository,
    @Inject(PushBacklogRepository) private readonly backlog: PushBacklogRepository,
  ) {}

  async push(request: PushRequest): Promise<PushOutcome> {
    const sync = await this.syncs.find(request.syncId);
    if (!sync || sync.strategy === 'import') return 'skipped';
    // A paused sync keeps the change for when it resumes (GoogleSyncService sends it again then).
    if ((!sync.enabled || sync.state === 'paused') && (await this.backlog.parkIfPaused(request))) return 'kept';
    try {
      return await this.tokens.call(sync.clientId, async (google) => {
        if (request.seriesId && request.occurrenceId) return this.pushOccurrence(google, sync, request.seriesId, request.occurrenceId, request.fields);
        if (!request.eventId) return 'skipped';
        return this.pushEvent(google, sync, request.eventId, request.fields);
      });
    } catch (error) {
      // Google refused the grant during this push: the syncs were paused in that same transaction, so keep it.
      if ((error as { code?: unknown }).code === 'CLIENT_NEEDS_REAUTH' && (await this.backlog.parkIfPaused(request))) return 'kept';
      throw error;
    }
  }

  /** An event or series: created, changed or deleted at Google as it is here now. */
  private async pushEvent(google: AuthorizedGoogle, sync: CalendarSync, eventId: string, fields: string[]): Promise<PushOutcome> {
    const event = await this.events.findOwned(sync.userId, eventId);
    const link = await this.links.findByEvent(eventId);
    if (link && link.syncId !== sync.id) return 'skipped';
    if (!event) {
      if (!link) return 'skipped';
      // The link stays until a listing shows the deletion (GoogleImport.deleteMirrored, or a full listing
      // that no longer has the event): a listing fetched before this DELETE and applied after it then finds
      // the local event gone instead of nothing, and does not bring it back.
      await this.deleteAtGoogle(google, sync, link.googleEventId, link.etag);
      return 'deleted';
    }
    const overrides = event.recurrenceRule ? await this.events.overridesOf([event.id]) : [];
    const body = googleBodyOf(event, await this.events.attendeesOf(event.id), null, overrides);
    if (!link) {
      const inserted = await this.insert(google, sync, event.id, { ...body, iCalUID: uidOf(event) });
      await this.links.upsert({ userId: sync.userId, syncId: sync.id, eventId: event.id, googleEventId: inserted.id as string, googleSeriesId: null, resource: inserted });
      await this.pushOverrides(google, sync, event, inserted.id as string);
      return 'created';
    }
    return this.patch(google, sync, event, link, body, fields);
  }

  /** The overrides of a series just created at Google: each becomes a change of its instance. */
  private async pushOverrides(google: AuthorizedGoogle, sync: CalendarSync, master: EventRecord, googleSeriesId: string): Promise<void> {
    if (!master.recurrenceRule) return;
    const attendees = await this.events.attendeesOf(master.id);
    for (const override of await this.events.overridesOf([master.id])) {
      const instanceId = instanceIdOf(googleSeriesId, override.originalStart as string, master.isAllDay);
      const saved = await this.call(() => google.calendar.events.patch({ ...EVENT_WRITE, calendarId: sync.calendarId, eventId: instanceId, requestBody: googleBodyOf(override, attendees, master) }));
      await this.links.upsert({ userId: sync.userId, syncId: sync.id, eventId: override.id, googleEventId: instanceId, googleSeriesId, resource: saved });
    }
  }

  /** One occurrence: its override sent to the instance, or the instance cancelled. */
  private async pushOccurrence(google: AuthorizedGoogle, sync: CalendarSync, seriesId: string, occurrenceId: string, fields: string[]): Promise<PushOutcome> {
    const masterLink = await this.links.findByEvent(seriesId);
    const master = await this.events.findOwned(sync.userId, seriesId);
    if (!masterLink || masterLink.syncId !== sync.id || !master) return 'skipped';
    const instanceId = instanceIdOf(masterLink.googleEventId, occurrenceId, master.isAllDay);
    const link = await this.links.findByGoogle(sync.id, instanceId);
    if (master.exdates.includes(occurrenceId)) {
      await this.deleteAtGoogle(google, sync, instanceId, link?.etag ?? null);
      if (link) await this.links.delete(link.id);
      return 'deleted';
    }
    const override = (await this.events.overridesOf([master.id])).find((event) => event.originalStart === occurrenceId);
    const attendees = await this.events.attendeesOf(master.id);
    if (!override) {
      // Put back as the series has it: the instance takes the series' fields again.
      const body = googleBodyOf(master, attendees, null);
      await this.call(() =>
        google.calendar.events.patch({ ...EVENT_WRITE, calendarId: sync.calendarId, eventId: instanceId, requestBody: { summary: body.summary, description: body.description, location: body.location } }),
      );
      if (link) await this.links.delete(link.id);
      return 'updated';
    }
    const body = googleBodyOf(override, attendees, master);
    if (!link) {
      // The instance holds the series' fields until now: send what this change touched, over the series' guests.
      const touched = touchedKeys(fields, body);
      if (touched.size === 0) return 'skipped';
      const requestBody = withGoogleGuests(pick(body, touched, ['originalStartTime']), masterLink.snapshot);
      const saved = await this.call(() => google.calendar.events.patch({ ...EVENT_WRITE, calendarId: sync.calendarId, eventId: instanceId, requestBody }));
      await this.links.upsert({ userId: sync.userId, syncId: sync.id, eventId: override.id, googleEventId: instanceId, googleSeriesId: masterLink.googleEventId, resource: saved });
      return 'updated';
    }
    return this.patch(google, sync, override, link, body, fields);
  }

  /**
   * PATCH with If-Match. On 412: Google's current copy is read; fields only Google changed are kept
   * (Calento patches just its own fields and takes the result), fields both changed become a conflict.
   */
  private async patch(google: AuthorizedGoogle, sync: CalendarSync, event: EventRecord, link: EventLink, body: GoogleEvent, fields: string[]): Promise<PushOutcome> {
    const { googleEventId, etag } = link;
    // Only the keys this change touched go (all of them when the change is unknown): a patch of the whole
    // body would overwrite what Calento does not model or keeps shorter — rooms, the owner's own guest
    // entry, guests' answers, default reminders, a description past 10,000 characters.
    const ours = touchedKeys(fields, body);
    if (ours.size === 0) return 'skipped';
    try {
      const requestBody = withGoogleGuests(pick(body, ours), link.snapshot);
      const saved = await this.call(() =>
        google.calendar.events.patch({ ...EVENT_WRITE, calendarId: sync.calendarId, eventId: googleEventId, requestBody }, etag ? { headers: { 'If-Match': etag } } : {}),
      );
      await this.links.setVersion(link.id, saved);
      return 'updated';
    } catch (error) {
      const status = googleFailure(error).status;
      // Deleted at Google meanwhile: the next incremental sync deletes the local copy.
      if (status === 404 || status === 410) return 'skipped';
      if (status !== 412) throw error;
    }
    const current = await this.call(() => google.calendar.events.get({ calendarId: sync.calendarId, eventId: googleEventId }));
    // Deleted at Google: the etag changed with the deletion, so the 412 came before a 410 would. Patching
    // the cancelled copy would bring it back with this edit; the deletion wins, as with a 410.
    if (current.status === 'cancelled') return 'skipped';
    // Three-way: what Google changed since the version Calento last saw, against what this change touched.
    const theirs = changedKeys(current, link.snapshot ?? {}, Object.keys(body));
    const both = [...theirs].filter((key) => ours.has(key) && !MERGED_KEYS.has(key));
    if (both.length > 0) {
      await this.recordConflict(sync, event, googleEventId, current, both);
      return 'conflict';
    }
    const partial = withGoogleGuests(pick(body, ours), current as Record<string, unknown>);
    const merged = await this.call(() =>
      google.calendar.events.patch({ ...EVENT_WRITE, calendarId: sync.calendarId, eventId: googleEventId, requestBody: partial }, { headers: { 'If-Match': current.etag ?? '' } }),
    );
    await this.db.tx(async () => {
      await this.applyLocally(sync, event, merged);
      await this.links.setVersion(link.id, merged);
    });
    return 'merged';
  }

  /** Google's version of an event, written locally (as a Google change: not sent back). */
  async applyLocally(sync: CalendarSync, event: EventRecord, resource: GoogleEvent): Promise<void> {
    const item = localOf(resource, event.timezone);
    if (item.kind !== 'event' && item.kind !== 'override') return;
    const write = { ...item.write, icalUid: event.icalUid };
    if (sameLocal(toWrite(event), write)) return;
    if (event.seriesId && event.originalStart) {
      const master = await this.events.findOwned(sync.userId, event.seriesId);
      if (!master) return;
      await this.writer.editOccurrence(sync.userId, master, event.originalStart, event, event, { ...write, seriesId: master.id, originalStart: event.originalStart }, googleOrigin(sync));
      return;
    }
    await this.writer.update(sync.userId, event, write, { origin: googleOrigin(sync), attendees: item.attendees });
  }

  private async recordConflict(sync: CalendarSync, event: EventRecord, googleEventId: string, current: GoogleEvent, fields: string[]): Promise<void> {
    const attendees = await this.events.attendeesOf(event.seriesId ?? event.id);
    await this.db.tx(async () => {
      const { created } = await this.conflicts.record({
        userId: sync.userId,
        syncId: sync.id,
        eventId: event.id,
        googleEventId,
        local: eventPayload(event, attendees),
        google: current,
        fields,
      });
      if (created) {
        const fresh = await this.syncs.find(sync.id);
        if (fresh) await this.syncs.setCounts(sync.id, { ...fresh.counts, conflicts: fresh.counts.conflicts + 1 });
      }
    });
    this.logger.warn({ syncId: sync.id, eventId: event.id, fields }, 'Google sync conflict recorded');
  }

  /**
   * Inserts with an id derived from the local event's (UUID hex is valid base32hex): a retried insert
   * whose first attempt reached Google gets 409 `duplicate` and finds its own copy under that id.
   */
  private async insert(google: AuthorizedGoogle, sync: CalendarSync, localId: string, body: GoogleEvent): Promise<GoogleEvent> {
    const id = localId.replace(/-/g, '');
    try {
      return await this.call(() => google.calendar.events.insert({ ...EVENT_WRITE, calendarId: sync.calendarId, requestBody: { ...body, id } }));
    } catch (error) {
      if (googleFailure(error).status !== 409) throw error;
      const existing = await this.call(() => google.calendar.events.get({ calendarId: sync.calendarId, eventId: id }));
      if (existing.status !== 'cancelled') return existing;
      // The id was used by a copy deleted since (ids are never reused): Google picks a new one.
      return this.call(() => google.calendar.events.insert({ ...EVENT_WRITE, calendarId: sync.calendarId, requestBody: body }));
    }
  }

  private async deleteAtGoogle(google: AuthorizedGoogle, sync: CalendarSync, googleEventId: string, etag: string | null): Promise<void> {
    try {
      await google.calendar.events.delete({ calendarId: sync.calendarId, eventId: googleEventId }, etag ? { headers: { 'If-Match': etag } } : {});
    } catch (error) {
      const status = googleFailure(error).status;
      // Gone already; or changed at Google since: the deletion stands (deleting wins over an edit).
      if (status === 404 || status === 410) return;
      if (status === 412) {
        await this.deleteAtGoogle(google, sync, googleEventId, null);
        return;
      }
      throw error;
    }
  }

  private async call<T>(fn: () => Promise<{ data: T }>): Promise<T> {
    return (await fn()).data;
  }

  /**
   * A conflict resolved as "keep local" or "merged": the local version of the `forced` Google keys (the
   * conflicting ones, and what a merged resolution set) goes onto Google. What Google alone changed since
   * Calento last saw the event is not undone but taken here, as a 412 merge does; the rest is sent as it is
   * here (unchanged on either side, or changed only here). If-Match: a change at Google meanwhile fails the
   * resolution, to be tried again.
   */
  async overwrite(sync: CalendarSync, event: EventRecord, googleEventId: string, forced: string[]): Promise<void> {
    const master = event.seriesId ? await this.events.findOwned(sync.userId, event.seriesId) : null;
    const overrides = event.recurrenceRule ? await this.events.overridesOf([event.id]) : [];
    const body = googleBodyOf(event, await this.events.attendeesOf(event.seriesId ?? event.id), master, overrides);
    await this.tokens.call(sync.clientId, async (google) => {
      const link = await this.links.findByGoogle(sync.id, googleEventId);
      const current = await this.call(() => google.calendar.events.get({ calendarId: sync.calendarId, eventId: googleEventId }));
      const theirs = [...changedKeys(current, link?.snapshot ?? {}, Object.keys(body))].filter((key) => !forced.includes(key));
      const partial = withGoogleGuests(Object.fromEntries(Object.entries(body).filter(([key]) => !theirs.includes(key))), current as Record<string, unknown>);
      const saved = await this.call(() =>
        google.calendar.events.patch({ ...EVENT_WRITE, calendarId: sync.calendarId, eventId: googleEventId, requestBody: partial }, { headers: { 'If-Match': current.etag ?? '' } }),
      );
      await this.db.tx(async () => {
        if (theirs.length) await this.applyLocally(sync, event, saved);
        if (link) await this.links.setVersion(link.id, saved);
      });
    });
  }

  /** Google's current version of one event, and the link updated to it (a conflict resolved as "keep Google"). */
  async takeGoogle(sync: CalendarSync, event: EventRecord, googleEventId: string): Promise<void> {
    const current = await this.tokens.call(sync.clientId, (google) => this.call(() => google.calendar.events.get({ calendarId: sync.calendarId, eventId: googleEventId })));
    await this.db.tx(async () => {
      await this.applyLocally(sync, event, current);
      const link = await this.links.findByGoogle(sync.id, googleEventId);
      if (link) await this.links.setVersion(link.id, current);
    });
  }
}

/** The Google keys that carry the API fields named (`title` → `summary`, `startTime` → `start`, `end`). */
export function googleKeysOf(fields: string[]): string[] {
  return [...new Set(fields.flatMap((field) => GOOGLE_KEYS[field] ?? []))];
}

/** The Google keys a change of these API fields touches; every key of the body when the change is unknown. */
function touchedKeys(fields: string[], body: GoogleEvent): Set<string> {
  return fields.length ? new Set(googleKeysOf(fields)) : new Set(Object.keys(body));
}

function pick(body: GoogleEvent, keys: Set<string>, always: string[] = []): GoogleEvent {
  return Object.fromEntries(Object.entries(body).filter(([key]) => keys.has(key) || always.includes(key))) as GoogleEvent;
}

type GoogleAttendee = NonNullable<GoogleEvent['attendees']>[number];

/**
 * Calento's guest list laid over Google's copy: Calento leaves out the calendar's owner (`self`) and rooms
 * (`resource`) and keeps no `optional`, `comment` or `organizer`, and guests answer at Google. So the
 * owner's entry and rooms stay, a guest who stays keeps Google's entry (a new display name aside), and
 * only new guests take Calento's.
 */
function withGoogleGuests(body: GoogleEvent, base: Record<string, unknown> | null | undefined): GoogleEvent {
  if (!body.attendees || !base || !Array.isArray(base.attendees)) return body;
  const theirs = (base.attendees as GoogleAttendee[]).filter((a) => a && typeof a.email === 'string');
  const byEmail = new Map(theirs.map((a) => [(a.email as string).toLowerCase(), a]));
  const kept = theirs.filter((a) => a.self || a.resource);
  const guests = body.attendees.map((a) => {
    const google = byEmail.get((a.email ?? '').toLowerCase());
    if (!google || google.self || google.resource) return a;
    return { ...google, ...(a.displayName ? { displayName: a.displayName } : {}) };
  });
  const listed = new Set(guests.map((a) => (a.email ?? '').toLowerCase()));
  return { ...body, attendees: [...kept.filter((a) => !listed.has((a.email as string).toLowerCase())), ...guests] };
}

/** Which of `keys` differ between Google's current copy and the one Calento last saw. */
function changedKeys(current: GoogleEvent, seen: Record<string, unknown>, keys: string[]): Set<string> {
  const changed = new Set<string>();
  for (const key of keys) {
    if (key === 'iCalUID') continue;
    const now = JSON.stringify(normalized((current as Record<string, unknown>)[key]));
    if (now !== JSON.stringify(normalized(seen[key]))) changed.add(key);
  }
  return changed;
}

function normalized(value: unknown): unknown {
  if (value === undefined || value === null || value === '') return null;
  if (Array.isArray(value)) return value.map(normalized);
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined && v !== null)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, normalized(v)]),
    );
  }
  return value;
}
