import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/current-user.decorator.js';
import { DomainError, NotFoundError } from '../../common/errors/domain-error.js';
import { pageOf, type Page } from '../../common/http/pagination.js';
import { Clock } from '../../common/time/clock.js';
import { Database } from '../../db/database.js';
import { ClientCalendarsService } from '../clients/client-calendars.service.js';
import { failureReason, googleFailure } from '../clients/google-api.js';
import { ClientEvents } from '../clients/client-events.js';
import { ClientsService } from '../clients/clients.service.js';
import { EventsService } from '../events/events.service.js';
import { EventsWriter } from '../events/events.writer.js';
import { CalendarSyncsRepository } from './calendar-syncs.repository.js';
import { ConflictsRepository } from './conflicts.repository.js';
import { GoogleChannels } from './google-channels.js';
import { GooglePush, googleKeysOf, type PushRequest } from './google-push.js';
import { GOOGLE_PUSH_JOB } from './google-sync.kinds.js';
import { PushBacklogRepository } from './push-backlog.repository.js';
import { JobsService } from '../jobs/jobs.service.js';
import { googleOrigin, type CalendarSync, type Conflict } from './google-sync.rows.js';
import type {
  CalendarRefDto,
  ConflictDto,
  ConflictQueryDto,
  InitialSyncDto,
  ResolveConflictDto,
  SyncStatusDto,
  SyncStatusListDto,
  ToggleSyncDto,
} from './dto/sync.dto.js';

const READERS = ['reader', 'writer', 'owner'];
const WRITERS = ['writer', 'owner'];

/**
 * The sync API (docs/google-sync.md): set a calendar syncing, read where each sync stands, turn it off
 * and on, disconnect a client, and resolve conflicts. Runs happen in `google.sync` jobs; this only
 * records what is wanted and queues them. Also reacts to the client's life (ClientEvents).
 */
@Injectable()
export class GoogleSyncService implements OnModuleInit {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(ClientsService) private readonly clients: ClientsService,
    @Inject(ClientCalendarsService) private readonly calendars: ClientCalendarsService,
    @Inject(ClientEvents) private readonly clientEvents: ClientEvents,
    @Inject(EventsService) private readonly events: EventsService,
    @Inject(EventsWriter) private readonly writer: EventsWriter,
    @Inject(CalendarSyncsRepository) private readonly syncs: CalendarSyncsRepository,
    @Inject(ConflictsRepository) private readonly conflicts: ConflictsRepository,
    @Inject(GoogleChannels) private readonly channels: GoogleChannels,
    @Inject(GooglePush) private readonly push: GooglePush,
    @Inject(PushBacklogRepository) private readonly backlog: PushBacklogRepository,
    @Inject(JobsService) private readonly jobs: JobsService,
  ) {}

  onModuleInit(): void {
    this.clientEvents.on('needs_reauth', ({ clientId }) =>
      this.syncs.pauseClient(clientId, 'Google no longer accepts this client’s authorization; authorize it again.', this.clock.now()),
    );
    this.clientEvents.on('connected', async ({ clientId }) => {
      for (const sync of await this.syncs.listForClient(clientId)) {
        if (!sync.enabled) continue;
        await this.db.tx(async () => {
          await this.syncs.setEnabled(sync.id, true);
          await this.sendKept(sync);
          await this.channels.requestRun(sync);
        });
      }
    });
    // The tokens still work here: the channels are stopped at Google before they are forgotten.
    this.clientEvents.on('leaving', ({ clientId }) => this.stopChannels(clientId));
    this.clientEvents.on('disconnected', async ({ clientId }) => {
      for (const sync of await this.syncs.listForClient(clientId)) {
        await this.syncs.setChannel(sync.id, null);
        // A sync set up again starts over (its export sends your events as they are then).
        await this.backlog.take(sync.id);
      }
      await this.syncs.disableClient(clientId, 'The client was disconnected from Google.', this.clock.now());
    });
    // Google no longer lists a calendar (deleted there, or no longer shared): its sync went with its row, and
    // the events mirrored from it go too, as at a full listing that no longer has them. Kept, they would
    // linger as your own events, busy whatever the calendar's setting was (your own exported events stay).
    this.clientEvents.on('calendars_removed', async ({ userId, calendarRowIds }) => {
      for (const rowId of calendarRowIds) {
        const origin = googleOrigin({ calendarRowId: rowId });
        for (const event of await this.events.bySource(userId, origin)) await this.writer.remove(userId, event, { origin });
      }
    });
    // The client goes: the events mirrored from its calendars go with it (your own exported events stay).
    this.clientEvents.on('deleting', async ({ clientId, userId }) => {
      for (const sync of await this.syncs.listForClient(clientId)) {
        for (const event of await this.events.bySource(userId, googleOrigin(sync))) {
          await this.writer.remove(userId, event, { origin: googleOrigin(sync) });
        }
      }
    });
  }

  async initial(user: AuthUser, dto: InitialSyncDto): Promise<SyncStatusDto> {
    const client = await this.clients.get(user, dto.clientId);
    if (client.status === 'needs_reauth') throw new DomainError('CLIENT_NEEDS_REAUTH');
    if (client.status !== 'connected') throw new DomainError('CLIENT_NOT_CONNECTED');
    const calendar = (await this.calendars.findCalendar(user.id, dto.clientId, dto.calendarId)) ?? (await this.freshCalendar(user, dto));
    if (!calendar) throw new NotFoundError('calendar');
    if (dto.strategy !== 'export' && !READERS.includes(calendar.accessRole)) {
      throw new DomainError('CALENDAR_NOT_SYNCABLE', { strategy: dto.strategy, reason: 'you may only see free/busy times of this calendar' });
    }
    if (dto.strategy !== 'import' && !WRITERS.includes(calendar.accessRole)) {
      throw new DomainError('CALENDAR_NOT_SYNCABLE', { strategy: dto.strategy, reason: 'you may not write to this calendar (use import)' });
    }
    const sync = await this.db.tx(async () => {
      const saved = await this.syncs.upsert({ id: randomUUID(), userId: user.id, clientId: dto.clientId, calendarRowId: calendar.rowId, calendarId: calendar.calendarId, strategy: dto.strategy });
      await this.sendKept(saved);
      await this.channels.requestRun(saved);
      return saved;
    });
    return this.statusOf(user, sync.id);
  }

  /**
   * A calendar not stored yet: the list is read from Google first. Connecting does not read it, and a
   * sync started right after consent should not depend on GET /clients/:id/calendars having run.
   */
  private async freshCalendar(user: AuthUser, ref: CalendarRefDto) {
    try {
      await this.calendars.refreshFromGoogle(ref.clientId);
    } catch (error) {
      if (error instanceof DomainError) throw error;
      const failure = googleFailure(error);
      throw new DomainError('GOOGLE_UNAVAILABLE', { reason: failureReason(failure) });
    }
    return this.calendars.findCalendar(user.id, ref.clientId, ref.calendarId);
  }

  async status(user: AuthUser, clientId: string | undefined): Promise<SyncStatusListDto> {
    if (clientId) await this.clients.get(user, clientId);
    return { data: (await this.syncs.listForUser(user.id, clientId ?? null)).map(view) };
  }

  async toggle(user: AuthUser, dto: ToggleSyncDto): Promise<SyncStatusDto> {
    const sync = await this.syncOf(user, dto);
    if (dto.enabled) {
      const client = await this.clients.get(user, dto.clientId);
      if (client.status !== 'connected') throw new DomainError(client.status === 'needs_reauth' ? 'CLIENT_NEEDS_REAUTH' : 'CLIENT_NOT_CONNECTED');
    }
    await this.db.tx(async () => {
      await this.syncs.setEnabled(sync.id, dto.enabled);
      if (dto.enabled) {
        await this.sendKept(sync);
        await this.channels.requestRun(sync);
      } else await this.channels.close(sync);
    });
    return this.statusOf(user, sync.id);
  }

  /**
   * Sends what the sync kept back while it was paused (PushBacklogRepository), in the transaction that
   * resumes it: one push per event, with the fields of all its changes, since a push sends the event as it
   * is when it runs. A change of an event since deleted sends the deletion.
   */
  private async sendKept(sync: CalendarSync): Promise<void> {
    const merged = new Map<string, PushRequest>();
    for (const request of await this.backlog.take(sync.id)) {
      const key = `${request.eventId}|${request.seriesId}|${request.occurrenceId}`;
      const seen = merged.get(key);
      if (!seen) merged.set(key, { ...request, syncId: sync.id });
      // An empty list means every field.
      else seen.fields = seen.fields.length === 0 || request.fields.length === 0 ? [] : [...new Set([...seen.fields, ...request.fields])];
    }
    for (const request of merged.values()) await this.jobs.enqueue<PushRequest>(GOOGLE_PUSH_JOB, request, { userId: sync.userId });
  }

  /** Stops the client's channels (the `leaving` listener), forgets its tokens (revoked at Google); the local copies stay. */
  async disconnect(user: AuthUser, clientId: string): Promise<void> {
    await this.clients.disconnect(user, clientId);
  }

  private async stopChannels(clientId: string): Promise<void> {
    for (const sync of await this.syncs.listForClient(clientId)) {
      if (sync.channel) await this.channels.stopAtGoogle({ clientId, channelId: sync.channel.id, resourceId: sync.channel.resourceId }).catch(() => undefined);
    }
  }

  async conflictsOf(user: AuthUser, query: ConflictQueryDto): Promise<Page<ConflictDto>> {
    const { page, limit, offset } = pageOf(query);
    const { items, total } = await this.conflicts.list(user.id, query.status ?? 'open', limit, offset);
    return { data: items.map(conflictView), meta: { page, limit, total } };
  }

  async resolve(user: AuthUser, id: string, dto: ResolveConflictDto): Promise<ConflictDto> {
    const conflict = await this.conflicts.get(user.id, id);
    if (!conflict) throw new NotFoundError('conflict');
    if (conflict.status === 'resolved') throw new DomainError('CONFLICT_RESOLVED', { resolution: conflict.resolution ?? '' });
    const sync = await this.syncs.find(conflict.syncId);
    const event = conflict.eventId ? await this.events.findOwned(user.id, conflict.eventId) : null;
    if (sync && event) {
      if (dto.resolution === 'google') await this.push.takeGoogle(sync, event, conflict.googleEventId);
      else {
        let local = event;
        if (dto.resolution === 'merged' && dto.event) {
          // Written here as a Google change (not pushed by the subscriber), then forced onto Google below.
          await this.events.update(user, event.id, dto.event, googleOrigin(sync));
          local = (await this.events.findOwned(user.id, event.id)) ?? event;
        }
        // The conflicting fields, and any a merged resolution set, are forced; Google's other changes stay.
        const forced = [...conflict.fields, ...(dto.resolution === 'merged' && dto.event ? googleKeysOf(Object.entries(dto.event).filter(([, value]) => value !== undefined).map(([field]) => field)) : [])];
        await this.push.overwrite(sync, local, conflict.googleEventId, forced);
      }
    }
    await this.conflicts.resolve(id, dto.resolution, this.clock.now());
    return conflictView((await this.conflicts.get(user.id, id)) as Conflict);
  }

  private async syncOf(user: AuthUser, ref: CalendarRefDto): Promise<CalendarSync> {
    await this.clients.get(user, ref.clientId);
    const sync = await this.syncs.findByCalendar(user.id, ref.clientId, ref.calendarId);
    if (!sync) throw new NotFoundError('calendar sync');
    return sync;
  }

  private async statusOf(user: AuthUser, syncId: string): Promise<SyncStatusDto> {
    const all = await this.syncs.listForUser(user.id, null);
    return view(all.find((sync) => sync.id === syncId) as CalendarSync & { summary: string });
  }
}

function view(sync: CalendarSync & { summary: string }): SyncStatusDto {
  return {
    clientId: sync.clientId,
    calendarId: sync.calendarId,
    summary: sync.summary,
    strategy: sync.strategy,
    enabled: sync.enabled,
    state: sync.state,
    lastSyncedAt: sync.lastSyncedAt,
    lastError: sync.lastError,
    lastErrorAt: sync.lastErrorAt,
    counts: sync.counts,
    push: { active: sync.channel !== null, expiresAt: sync.channel?.expiresAt ?? null },
  };
}

function conflictView(conflict: Conflict): ConflictDto {
  const { userId: _user, syncId: _sync, ...rest } = conflict;
  return rest;
}
