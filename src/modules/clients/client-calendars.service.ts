import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/current-user.decorator.js';
import { DomainError, NotFoundError } from '../../common/errors/domain-error.js';
import { Database } from '../../db/database.js';
import { ClientCalendarsRepository } from './client-calendars.repository.js';
import { ClientEvents } from './client-events.js';
import { ACCESS_ROLES, type AccessRole, type ClientCalendar, type RemoteCalendar } from './clients.rows.js';
import { ClientsRepository } from './clients.repository.js';
import { googleFailure, type CalendarApi } from './google-api.js';
import { GoogleTokensService } from './google-tokens.service.js';
import type { CalendarListResponseDto, CalendarResponseDto, UpdateCalendarDto } from './dto/calendar.dto.js';

/** calendarList pages are at most 250 entries; nobody has 5,000 calendars, but a loop must end. */
const MAX_LIST_PAGES = 20;

/**
 * A client's Google calendars: read from Google's calendarList and stored with Calento's settings
 * (busy, destination). The sync engine reads them through `listForClient`, `busyCalendars` and
 * `destination`, and refreshes them with `refreshFromGoogle`.
 */
@Injectable()
export class ClientCalendarsService {
  private readonly logger = new Logger('ClientCalendars');

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(ClientsRepository) private readonly clients: ClientsRepository,
    @Inject(ClientCalendarsRepository) private readonly calendars: ClientCalendarsRepository,
    @Inject(GoogleTokensService) private readonly tokens: GoogleTokensService,
    @Inject(ClientEvents) private readonly events: ClientEvents,
  ) {}

  /**
   * The client's calendars, refreshed from Google first when the client is connected. When Google
   * cannot be asked (not connected, consent revoked, Google down) the stored list is returned with
   * `meta.live = false` instead of an error.
   */
  async list(user: AuthUser, clientId: string): Promise<CalendarListResponseDto> {
    await this.clients.get(user.id, clientId);
    let live = false;
    try {
      await this.refreshFromGoogle(clientId);
      live = true;
    } catch (error) {
      if (!(error instanceof DomainError)) {
        const failure = googleFailure(error);
        if (failure.status === null && !isNetworkError(error)) throw error;
        this.logger.warn({ clientId, status: failure.status, reason: failure.reason }, 'Google calendar list failed');
      }
    }
    const client = await this.clients.get(user.id, clientId);
    const data = (await this.calendars.listByClient(clientId)).map(view);
    return { data, meta: { live, clientStatus: client.status } };
  }

  async update(user: AuthUser, clientId: string, calendarId: string, dto: UpdateCalendarDto): Promise<CalendarResponseDto> {
    await this.clients.get(user.id, clientId);
    const calendar = await this.calendars.find(user.id, clientId, calendarId);
    if (!calendar) throw new NotFoundError('calendar');
    if (dto.destination === true && calendar.accessRole !== 'owner' && calendar.accessRole !== 'writer') {
      throw new DomainError('CALENDAR_NOT_WRITABLE');
    }
    const updated = await this.db.tx(async () => {
      // The destination moves: the partial unique index allows one per user, so the old one goes first.
      if (dto.destination === true) await this.calendars.clearDestination(user.id, calendar.rowId);
      return this.calendars.updateSettings(user.id, clientId, calendarId, dto.busy ?? null, dto.destination ?? null);
    });
    return view(updated);
  }

  /**
   * Reads the account's whole calendar list (hidden calendars included) and stores it: new calendars
   * are added (busy when primary or owned), known ones updated, vanished ones removed (emitting
   * `calendars_removed`). Throws what GoogleTokensService.call throws, and Google's errors.
   */
  async refreshFromGoogle(clientId: string): Promise<ClientCalendar[]> {
    const remote = await this.tokens.call(clientId, (google) => fetchCalendarList(google.calendar));
    const client = await this.clients.findById(clientId);
    if (!client) throw new NotFoundError('client');
    await this.db.tx(async () => {
      await this.calendars.upsertRemote(client.userId, clientId, remote);
      const removed = await this.calendars.removeMissing(clientId, remote.map((calendar) => calendar.calendarId));
      if (removed.length > 0) {
        await this.events.emit({
          type: 'calendars_removed',
          clientId,
          userId: client.userId,
          calendarIds: removed.map((calendar) => calendar.calendarId),
          calendarRowIds: removed.map((calendar) => calendar.rowId),
        });
      }
    });
    return this.calendars.listByClient(clientId);
  }

  /** The stored calendars of a client (no call to Google). */
  listForClient(clientId: string): Promise<ClientCalendar[]> {
    return this.calendars.listByClient(clientId);
  }

  /** The user's calendars marked busy, across all clients (whatever the client's status). */
  busyCalendars(userId: string): Promise<ClientCalendar[]> {
    return this.calendars.listBusy(userId);
  }

  /** The calendar that receives the user's new bookings, if any. */
  /** One calendar of the user's client, by Google's calendar id; null when there is none. */
  findCalendar(userId: string, clientId: string, calendarId: string): Promise<ClientCalendar | null> {
    return this.calendars.find(userId, clientId, calendarId);
  }

  destination(userId: string): Promise<ClientCalendar | null> {
    return this.calendars.findDestination(userId);
  }
}

async function fetchCalendarList(api: CalendarApi): Promise<RemoteCalendar[]> {
  const seen = new Map<string, RemoteCalendar>();
  let pageToken: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const { data } = await api.calendarList.list({ maxResults: 250, showHidden: true, pageToken });
    for (const item of data.items ?? []) {
      if (!item.id || item.deleted) continue;
      seen.set(item.id, {
        calendarId: item.id,
        summary: item.summaryOverride ?? item.summary ?? item.id,
        description: item.description ?? null,
        primary: item.primary === true,
        accessRole: ACCESS_ROLES.includes(item.accessRole as AccessRole) ? (item.accessRole as AccessRole) : 'freeBusyReader',
        timeZone: item.timeZone ?? null,
        backgroundColor: item.backgroundColor ?? null,
        hidden: item.hidden === true,
      });
    }
    pageToken = data.nextPageToken ?? undefined;
    if (!pageToken) return [...seen.values()];
  }
  throw new DomainError('GOOGLE_UNAVAILABLE', { reason: `the calendar list did not end after ${MAX_LIST_PAGES} pages` });
}

function isNetworkError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const name = (error as { name?: unknown } | null)?.name;
  return (typeof code === 'string' && /^E[A-Z]+$/.test(code)) || name === 'TimeoutError' || name === 'AbortError';
}

function view(calendar: ClientCalendar): CalendarResponseDto {
  return {
    id: calendar.calendarId,
    summary: calendar.summary,
    description: calendar.description,
    primary: calendar.primary,
    accessRole: calendar.accessRole,
    timeZone: calendar.timeZone,
    backgroundColor: calendar.backgroundColor,
    hidden: calendar.hidden,
    busy: calendar.busy,
    destination: calendar.destination,
    // The Google sync's googleOrigin(): its changes and mirrored events are named after this row.
    origin: `google:${calendar.rowId}`,
    updatedAt: calendar.updatedAt,
  };
}
