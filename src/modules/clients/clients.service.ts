import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/current-user.decorator.js';
import { pageOf, type Page } from '../../common/http/pagination.js';
import { Database } from '../../db/database.js';
import { AccountDepartures } from '../users/account-departures.js';
import { ClientCalendarsRepository } from './client-calendars.repository.js';
import { ClientConnections } from './client-connections.js';
import { ClientEvents } from './client-events.js';
import type { Client } from './clients.rows.js';
import { ClientsRepository } from './clients.repository.js';
import { GoogleTokensService } from './google-tokens.service.js';
import type { ClientQueryDto, ClientResponseDto, CreateClientDto, UpdateClientDto } from './dto/client.dto.js';

const DEFAULT_COLOR = '#4f46e5';

/**
 * Clients: named, coloured groups of a user, each with (at most) one connected Google account. Other
 * modules react to a client's life through ClientEvents (`deleting` before a delete commits). Deleting
 * the account removes each client the way DELETE /clients/:id does, so Google hears of it.
 */
@Injectable()
export class ClientsService implements OnModuleInit {
  private readonly logger = new Logger('Clients');

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(ClientsRepository) private readonly clients: ClientsRepository,
    @Inject(ClientCalendarsRepository) private readonly calendars: ClientCalendarsRepository,
    @Inject(GoogleTokensService) private readonly tokens: GoogleTokensService,
    @Inject(ClientEvents) private readonly events: ClientEvents,
    @Inject(ClientConnections) private readonly connections: ClientConnections,
    @Inject(AccountDepartures) private readonly departures: AccountDepartures,
  ) {}

  onModuleInit(): void {
    this.departures.on('clients', (userId) => this.removeAll(userId));
  }

  async create(user: AuthUser, dto: CreateClientDto): Promise<ClientResponseDto> {
    const client = await this.clients.create(user.id, {
      name: dto.name,
      color: dto.color ?? DEFAULT_COLOR,
      description: dto.description ?? null,
    });
    return view(client);
  }

  async list(user: AuthUser, query: ClientQueryDto): Promise<Page<ClientResponseDto>> {
    const { page, limit, offset } = pageOf(query);
    const { items, total } = await this.clients.list(user.id, query.status ?? null, limit, offset);
    return { data: items.map(view), meta: { page, limit, total } };
  }

  async get(user: AuthUser, id: string): Promise<ClientResponseDto> {
    return view(await this.clients.get(user.id, id));
  }

  async update(user: AuthUser, id: string, dto: UpdateClientDto): Promise<ClientResponseDto> {
    // Concurrent updates of different fields each merge into the client as the one before left it.
    const client = await this.db.tx(async () => {
      await this.clients.lock(user.id, id);
      const current = await this.clients.get(user.id, id);
      return this.clients.update(user.id, id, {
        name: dto.name ?? current.name,
        color: dto.color ?? current.color,
        description: dto.description !== undefined ? dto.description : current.description,
      });
    });
    return view(client);
  }

  /**
   * Deletes the client with its credentials, tokens and calendars. Listeners of `deleting` run first, in
   * the same transaction; the Google token is revoked after the commit, best effort.
   */
  async remove(user: AuthUser, id: string): Promise<void> {
    await this.clients.get(user.id, id);
    await this.removeOwned(user.id, id);
  }

  /**
   * Forgets the client's Google tokens (revoked at Google after the commit, best effort): the client is
   * disconnected, its calendars and their settings stay for a later reconnection.
   */
  async disconnect(user: AuthUser, id: string): Promise<void> {
    await this.clients.get(user.id, id);
    await this.connections.leaving(id, user.id);
    const revoke = await this.tokens.revocationFor(id);
    await this.db.tx(() => this.connections.disconnect(id, user.id));
    await revoke();
  }

  /**
   * Every client of a departing account, one at a time: a shared Google grant is revoked with the last
   * client that holds it. One client failing (the database, not Google: Google's failures are already
   * logged and passed) leaves its rows to the account's cascade and the others still go.
   */
  private async removeAll(userId: string): Promise<void> {
    for (const id of await this.clients.idsOf(userId)) {
      try {
        await this.removeOwned(userId, id);
      } catch (error) {
        this.logger.warn({ err: error, clientId: id }, 'Could not remove a client of a deleted account');
      }
    }
  }

  private async removeOwned(userId: string, id: string): Promise<void> {
    await this.connections.leaving(id, userId);
    const revoke = await this.tokens.revocationFor(id);
    await this.db.tx(async () => {
      const calendarIds = (await this.calendars.listByClient(id)).map((calendar) => calendar.calendarId);
      await this.events.emit({ type: 'deleting', clientId: id, userId, calendarIds });
      await this.clients.remove(userId, id);
    });
    await revoke();
  }

  /** Any user's client by id, for work without a request (sync jobs); null when it does not exist. */
  findById(id: string): Promise<Client | null> {
    return this.clients.findById(id);
  }
}

function view(client: Client): ClientResponseDto {
  const { userId: _owner, ...rest } = client;
  return rest;
}
