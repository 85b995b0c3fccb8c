import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/current-user.decorator.js';
import { DomainError, NotFoundError, validationError } from '../../common/errors/domain-error.js';
import type { JsonText } from '../../common/http/json-text.js';
import type { Page } from '../../common/http/pagination.js';
import { Database } from '../../db/database.js';
import { failureReason, googleFailure, isRateLimited } from '../clients/google-api.js';
import { ClientCalendarsService } from '../clients/client-calendars.service.js';
import { ClientsService } from '../clients/clients.service.js';
import { GoogleTokensService } from '../clients/google-tokens.service.js';
import type { CreateEventDto, EventResponseDto, UpdateEventDto } from '../events/dto/event.dto.js';
import type { ClientCalendarEventsQueryDto } from './dto/sync.dto.js';
import { EventsService } from '../events/events.service.js';
import { EventsWriter } from '../events/events.writer.js';
import { CalendarSyncsRepository } from './calendar-syncs.repository.js';
import { EventLinksRepository } from './event-links.repository.js';
import { GoogleChannels } from './google-channels.js';
import { GoogleImport } from './google-import.js';
import { EVENT_WRITE, googleBodyOfWrite, type GoogleEvent } from './google-mapping.js';
import { GooglePush } from './google-push.js';
import { googleOrigin, type CalendarSync, type EventLink } from './google-sync.rows.js';

const WRITERS = ['writer', 'owner'];

/**
 * The events of one client calendar, written on Google first and then mirrored here (origin
 * `google:<client calendar id>`, so nothing is pushed back): what a person editing "Acme's calendar" expects.
 */
/**
 * An event on a client's Google calendar is that calendar's: Google mails its guests (Calento's own
 * invitation emails skip changes that came from Google, so nobody is invited twice).
 */
const GUEST_UPDATES = 'all';

@Injectable()
export class ClientCalendarEventsService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(ClientsService) private readonly clients: ClientsService,
    @Inject(ClientCalendarsService) private readonly calendars: ClientCalendarsService,
    @Inject(GoogleTokensService) private readonly tokens: GoogleTokensService,
    @Inject(EventsService) private readonly events: EventsService,
    @Inject(EventsWriter) private readonly writer: EventsWriter,
    @Inject(CalendarSyncsRepository) private readonly syncs: CalendarSyncsRepository,
    @Inject(EventLinksRepository) private readonly links: EventLinksRepository,
    @Inject(GoogleImport) private readonly importer: GoogleImport,
    @Inject(GooglePush) private readonly push: GooglePush,
    @Inject(GoogleChannels) private readonly channels: GoogleChannels,
  ) {}

  async list(user: AuthUser, clientId: string, calendarId: string, query: ClientCalendarEventsQueryDto): Promise<Page<EventResponseDto> | JsonText<Page<EventResponseDto>>> {
    await this.syncOf(user, clientId, calendarId);
    return this.events.list(user, { ...query, clientId, calendarId });
  }

  /**
   * With an Idempotency-Key the Google event id is derived from the sync and the key, so a retry after a
   * lost answer finds the event the first attempt made (Google answers 409 for a used id) instead of
   * creating a second one, with a second set of invitations.
   */
  async create(user: AuthUser, clientId: string, calendarId: string, dto: CreateEventDto, idempotencyKey: string | null = null): Promise<EventResponseDto> {
    const sync = await this.writableSync(user, clientId, calendarId);
    refuseCancelled(dto.status);
    await this.events.checkTags(user, dto.tagIds);
    const write = this.events.writeFromInput(dto, user.timezone);
    const body = googleBodyOfWrite(write, dto.attendees ?? []);
    const googleId = idempotencyKey ? createHash('sha256').update(`${sync.id}\n${idempotencyKey}`).digest('hex') : null;
    const created = googleId ? await this.insertOnce(sync, googleId, body) : await this.google(sync, (calendar) => calendar.events.insert({ ...EVENT_WRITE, calendarId, sendUpdates: GUEST_UPDATES, requestBody: body }));
    const eventId = await this.importer.mirror(sync, created, write.timezone);
    if (!eventId) throw new DomainError('GOOGLE_UNAVAILABLE', { reason: 'Google answered without an event id' });
    // Written as Google's change, so the subscriber does not send the event back.
    if (dto.tagIds?.length) await this.events.update(user, eventId, { tagIds: dto.tagIds }, googleOrigin(sync));
    return this.events.get(user, eventId);
  }

  async update(user: AuthUser, clientId: string, calendarId: string, eventId: string, dto: UpdateEventDto): Promise<EventResponseDto> {
    const sync = await this.writableSync(user, clientId, calendarId);
    refuseCancelled(dto.status);
    const { link, event } = await this.linked(user, sync, eventId);
    await this.events.checkTags(user, dto.tagIds);
    const write = this.events.mergedWrite(event, dto);
    const attendees = dto.attendees ?? (await this.events.attendeesOf(event.id));
    const overrides = event.recurrenceRule ? await this.events.overridesOf([event.id]) : [];
    const saved = await this.google(sync, (calendar) =>
      calendar.events.patch(
        { ...EVENT_WRITE, calendarId, eventId: link.googleEventId, sendUpdates: GUEST_UPDATES, requestBody: googleBodyOfWrite(write, attendees, overrides) },
        link.etag ? { headers: { 'If-Match': link.etag } } : {},
      ),
    );
    await this.db.tx(async () => {
      await this.push.applyLocally(sync, event, saved);
      await this.links.setVersion(link.id, saved);
    });
    if (dto.tagIds) await this.events.update(user, event.id, { tagIds: dto.tagIds }, googleOrigin(sync));
    return this.events.get(user, event.id);
  }

  /** Inserts with a chosen id; when Google has it already (an earlier attempt got through), that event is the answer. */
  private async insertOnce(sync: CalendarSync, googleId: string, body: GoogleEvent): Promise<GoogleEvent> {
    const event = await this.google(sync, async (calendar) => {
      try {
        return await calendar.events.insert({ ...EVENT_WRITE, calendarId: sync.calendarId, sendUpdates: GUEST_UPDATES, requestBody: { ...body, id: googleId } });
      } catch (error) {
        if (googleFailure(error).status !== 409) throw error;
        return calendar.events.get({ calendarId: sync.calendarId, eventId: googleId });
      }
    });
    // Made by the first attempt and deleted since: Google never reuses an id, and that request was done.
    if (event.status === 'cancelled') throw new NotFoundError('event at Google');
    return event;
  }

  async remove(user: AuthUser, clientId: string, calendarId: string, eventId: string): Promise<void> {
    const sync = await this.writableSync(user, clientId, calendarId);
    const { link, event } = await this.linked(user, sync, eventId);
    try {
      await this.google(sync, (calendar) => calendar.events.delete({ calendarId, eventId: link.googleEventId, sendUpdates: GUEST_UPDATES }, link.etag ? { headers: { 'If-Match': link.etag } } : {}));
    } catch (error) {
      // Deleted at Google already: the local copy goes all the same.
      if (!(error instanceof DomainError && error.code === 'NOT_FOUND')) throw error;
    }
    await this.db.tx(async () => {
      await this.writer.remove(user.id, event, { origin: googleOrigin(sync) });
      await this.links.deleteBySeries(sync.id, link.googleEventId);
      await this.links.delete(link.id);
    });
  }

  private async syncOf(user: AuthUser, clientId: string, calendarId: string): Promise<CalendarSync> {
    return (await this.calendarAndSync(user, clientId, calendarId)).sync;
  }

  private async calendarAndSync(user: AuthUser, clientId: string, calendarId: string) {
    await this.clients.get(user, clientId);
    const calendar = await this.calendars.findCalendar(user.id, clientId, calendarId);
    if (!calendar) throw new NotFoundError('calendar');
    const sync = await this.syncs.findByCalendar(user.id, clientId, calendarId);
    if (!sync || !sync.enabled) throw new DomainError('CALENDAR_NOT_SYNCED');
    return { calendar, sync };
  }

  private async writableSync(user: AuthUser, clientId: string, calendarId: string): Promise<CalendarSync> {
    const { calendar, sync } = await this.calendarAndSync(user, clientId, calendarId);
    if (!WRITERS.includes(calendar.accessRole)) {
      throw new DomainError('CALENDAR_NOT_SYNCABLE', { strategy: sync.strategy, reason: 'you may not write to this calendar' });
    }
    return sync;
  }

  /** A local event of this calendar (a single event or series mirrored from it); anything else is a 404. */
  private async linked(user: AuthUser, sync: CalendarSync, eventId: string): Promise<{ link: EventLink; event: Awaited<ReturnType<EventsService['findOwned']>> & object }> {
    const event = await this.events.findOwned(user.id, eventId);
    const link = event ? await this.links.findByEvent(event.id) : null;
    if (!event || !link || link.syncId !== sync.id || link.googleSeriesId !== null) throw new NotFoundError('event');
    return { link, event };
  }

  /**
   * One call to Google: 404/410 → NOT_FOUND, 412 → CHANGED_AT_GOOGLE (and a sync), a refusal no retry
   * changes (400, a 403 that is not a rate limit) → GOOGLE_REFUSED with Google's reason, else GOOGLE_UNAVAILABLE.
   */
  private async google(sync: CalendarSync, fn: (calendar: Parameters<Parameters<GoogleTokensService['call']>[1]>[0]['calendar']) => Promise<{ data: GoogleEvent | void }>): Promise<GoogleEvent> {
    try {
      return (await this.tokens.call(sync.clientId, async (google) => (await fn(google.calendar)).data)) as GoogleEvent;
    } catch (error) {
      if (error instanceof DomainError) throw error;
      const failure = googleFailure(error);
      if (failure.status === 404 || failure.status === 410) throw new NotFoundError('event at Google');
      if (failure.status === 412) {
        await this.channels.requestRun(sync);
        throw new DomainError('CHANGED_AT_GOOGLE');
      }
      const reason = failureReason(failure);
      if ((failure.status === 400 || failure.status === 403) && !isRateLimited(failure)) throw new DomainError('GOOGLE_REFUSED', { reason });
      throw new DomainError('GOOGLE_UNAVAILABLE', { reason });
    }
  }
}

/**
 * Google's "cancelled" is its deletion: created so, the event would be gone at Google on arrival; set on
 * a change, it would delete the event on both sides. DELETE says that plainly.
 */
function refuseCancelled(status: string | undefined): void {
  if (status === 'cancelled') throw validationError([{ field: 'status', message: 'must be confirmed or tentative here; delete the event with DELETE instead' }]);
}
