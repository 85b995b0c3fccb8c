import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error.js';
import { Clock } from '../../common/time/clock.js';
import { Database } from '../../db/database.js';
import { googleFailure, isRateLimited } from '../clients/google-api.js';
import { GoogleTokensService } from '../clients/google-tokens.service.js';
import { EventsService } from '../events/events.service.js';
import { JobsService } from '../jobs/jobs.service.js';
import { CalendarSyncsRepository } from './calendar-syncs.repository.js';
import { EventLinksRepository } from './event-links.repository.js';
import { GoogleChannels } from './google-channels.js';
import { GoogleImport, type ImportRun } from './google-import.js';
import type { GoogleEvent } from './google-mapping.js';
import { GOOGLE_PUSH_JOB } from './google-sync.kinds.js';
import type { PushRequest } from './google-push.js';
import { type CalendarSync, type SyncCounts } from './google-sync.rows.js';
import { SyncLogRepository } from './sync-log.repository.js';

/** Google's largest page: fewer round trips for a first sync of a big calendar. */
const PAGE_SIZE = 2500;
/** Own events exported by a first merge or export sync: those ending after this long ago. */
const EXPORT_LOOKBACK_MS = 30 * 86_400_000;
/** A listing this long is a loop, not a calendar (2,500 × 400 = a million events). */
const MAX_PAGES = 400;

interface Listed {
  syncToken: string | null;
  calendarZone: string | null;
}

/** An incremental listing reports another calendar zone than the last listing: the run lists everything again. */
class ZoneChanged extends Error {
  constructor(readonly zone: string) {
    super(`the calendar's time zone is now ${zone}`);
  }
}

/** Why a run stopped without finishing: retried by the job queue unless `permanent`. */
export class SyncFailure extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'SyncFailure';
  }
}

/**
 * One sync run of one calendar: list Google's changes (everything on a first or forced full sync, else
 * from the stored syncToken), apply them page by page, store the new syncToken only after the last page
 * committed, and on a first merge/export sync send the user's own events to Google. A 410 from Google
 * (token too old) turns the run into a full listing; events Google no longer lists lose their local copy.
 */
@Injectable()
export class GoogleSyncRunner {
  private readonly logger = new Logger('GoogleSync');

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(GoogleTokensService) private readonly tokens: GoogleTokensService,
    @Inject(EventsService) private readonly events: EventsService,
    @Inject(JobsService) private readonly jobs: JobsService,
    @Inject(CalendarSyncsRepository) private readonly syncs: CalendarSyncsRepository,
    @Inject(EventLinksRepository) private readonly links: EventLinksRepository,
    @Inject(SyncLogRepository) private readonly log: SyncLogRepository,
    @Inject(GoogleImport) private readonly importer: GoogleImport,
    @Inject(GoogleChannels) private readonly channels: GoogleChannels,
  ) {}

  async run(syncId: string): Promise<void> {
    const sync = await this.syncs.find(syncId);
    if (!sync || !sync.enabled || sync.state === 'paused') return;
    await this.syncs.markRunning(sync.id);
    const full = sync.fullSyncDue || sync.syncToken === null;
    const kind = sync.strategy === 'export' ? 'export' : full ? 'full' : 'incremental';
    const startedAt = this.clock.now();
    const logId = await this.log.start(sync.userId, sync.id, kind, startedAt);
    const counts: SyncCounts = { ...sync.counts };
    const before = { ...counts };
    try {
      let listed: Listed = { syncToken: sync.syncToken, calendarZone: null };
      if (sync.strategy !== 'export') listed = await this.listAndApply(sync, full, counts, startedAt);
      if (sync.strategy !== 'import' && full) await this.exportOwnEvents(sync, counts);
      // Before the run reports idle, so a finished sync shows whether pushes come (a failure means polling).
      if (sync.strategy !== 'export' && !sync.channel) await this.channels.open(sync.id);
      await this.syncs.markSynced(sync.id, listed.syncToken, this.clock.now(), counts, listed.calendarZone);
      await this.log.finish(logId, 'succeeded', this.clock.now(), difference(counts, before));
    } catch (error) {
      const failure = this.describe(error);
      await this.db.tx(async () => {
        await this.syncs.setCounts(sync.id, counts);
        await this.syncs.markFailed(sync.id, failure.message, this.clock.now(), failure.permanent ? 'paused' : 'error');
        await this.log.finish(logId, 'failed', this.clock.now(), difference(counts, before), failure.message);
      });
      throw failure;
    }
  }

  /** Returns the syncToken to resume from next time, and the calendar's zone as listed. */
  private async listAndApply(sync: CalendarSync, fullAsked: boolean, counts: SyncCounts, startedAt: Date): Promise<Listed> {
    let full = fullAsked;
    let remap = false;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        return await this.listOnce(sync, full, remap, counts, startedAt);
      } catch (error) {
        if (error instanceof ZoneChanged && attempt === 0) {
          // Every event read in the old zone (all-day ones, timed ones without a zone) must be read again,
          // and Google lists no change for them: list everything and map each event anew.
          this.logger.log({ syncId: sync.id, from: sync.calendarZone, to: error.zone }, "The calendar's time zone changed at Google: listing it again");
          await this.syncs.requireFullSync(sync.id);
          full = true;
          remap = true;
          continue;
        }
        const failure = googleFailure(error);
        if (failure.status !== 410 || attempt > 0) throw error;
        // fullSyncRequired: the token (or a page token) is no longer valid. List everything again.
        this.logger.log({ syncId: sync.id }, 'Google asked for a full sync (410)');
        await this.syncs.requireFullSync(sync.id);
        full = true;
      }
    }
    throw new Error('unreachable');
  }

  private async listOnce(sync: CalendarSync, full: boolean, remap: boolean, counts: SyncCounts, startedAt: Date): Promise<Listed> {
    const run: ImportRun = { sync, calendarZone: 'UTC', defaultReminders: null, counts, seen: new Set(), deferred: [], toPush: [], remap };
    if (full) counts.fullSyncs += 1;
    const list = (pageToken?: string) =>
      this.tokens.call(sync.clientId, (google) =>
        google.calendar.events.list({
          calendarId: sync.calendarId,
          maxResults: PAGE_SIZE,
          singleEvents: false,
          ...(full ? {} : { syncToken: sync.syncToken as string, showDeleted: true }),
          ...(pageToken ? { pageToken } : {}),
        }),
      );
    let next = list();
    for (let page = 0; page < MAX_PAGES; page++) {
      const { data } = await next;
      if (data.timeZone) run.calendarZone = data.timeZone;
      // Before anything of an incremental listing is applied in the new zone.
      if (!full && data.timeZone && sync.calendarZone && data.timeZone !== sync.calendarZone) throw new ZoneChanged(data.timeZone);
      if (data.defaultReminders) run.defaultReminders = data.defaultReminders;
      const final = !data.nextPageToken;
      // The next page is fetched while this one is applied (Google's answer and the database work overlap);
      // a failure of that fetch surfaces when the loop awaits it, never as an unhandled rejection.
      if (!final) {
        next = list(data.nextPageToken as string);
        next.catch(() => undefined);
      }
      await this.importer.applyPage(run, (data.items ?? []) as GoogleEvent[], final);
      if (!final) continue;
      if (full) await this.forgetUnlisted(run, startedAt);
      await this.queuePushes(sync, run.toPush);
      return { syncToken: data.nextSyncToken ?? null, calendarZone: data.timeZone ?? null };
    }
    throw new SyncFailure(`Google listed more than ${MAX_PAGES} pages`, false);
  }

  /** A full listing is the whole calendar: linked events it did not list were deleted at Google. */
  private async forgetUnlisted(run: ImportRun, startedAt: Date): Promise<void> {
    const stale = (await this.links.listNotIn(run.sync.id, [...run.seen])).filter((link) => link.updatedAt < startedAt && link.googleSeriesId === null);
    for (const link of stale) await this.db.tx(() => this.importer.deleteMirrored(run, link.googleEventId));
  }

  /** First merge/export sync: the user's own events (not mirrored from Google, not linked yet) go to Google. */
  private async exportOwnEvents(sync: CalendarSync, counts: SyncCounts): Promise<void> {
    const since = new Date(this.clock.now().getTime() - EXPORT_LOOKBACK_MS);
    const own = (await this.events.ownSince(sync.userId, since)).filter((event) => event.seriesId === null && !event.source.startsWith('google:'));
    if (own.length === 0) return;
    const linked = new Set((await this.links.findManyByEvent(own.map((event) => event.id))).map((link) => link.eventId));
    const toExport = own.filter((event) => !linked.has(event.id)).map((event) => event.id);
    await this.queuePushes(sync, toExport);
    counts.exported += toExport.length;
  }

  private async queuePushes(sync: CalendarSync, eventIds: string[]): Promise<void> {
    if (eventIds.length === 0) return;
    await this.db.tx(async () => {
      for (const eventId of eventIds) {
        await this.jobs.enqueue<PushRequest>(GOOGLE_PUSH_JOB, { syncId: sync.id, eventId, seriesId: null, occurrenceId: null, fields: [] }, { userId: sync.userId });
      }
    });
  }

  private describe(error: unknown): SyncFailure {
    if (error instanceof SyncFailure) return error;
    if (error instanceof DomainError) {
      const permanent = error.code === 'CLIENT_NEEDS_REAUTH' || error.code === 'CLIENT_NOT_CONNECTED' || error.code === 'NOT_FOUND';
      return new SyncFailure(error.message, permanent);
    }
    const failure = googleFailure(error);
    if (failure.status === null) return new SyncFailure(`Google could not be reached (${(error as Error).message})`, false);
    if (isRateLimited(failure) || failure.status >= 500) return new SyncFailure(`Google answered ${failure.status} ${failure.reason ?? ''}`.trim(), false);
    if (failure.status === 404) return new SyncFailure('Google no longer has this calendar (404)', true);
    if (failure.status === 403) return new SyncFailure(`Google refused access to this calendar (403 ${failure.reason ?? ''})`.trim(), true);
    return new SyncFailure(`Google answered ${failure.status} ${failure.reason ?? ''}`.trim(), false);
  }
}

function difference(after: SyncCounts, before: SyncCounts): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([key, value]) => [key, value - (before[key as keyof SyncCounts] ?? 0)]).filter(([, value]) => value !== 0));
}
