import { Inject, Injectable } from '@nestjs/common';
import { ClientEvents } from './client-events.js';
import { ClientsRepository } from './clients.repository.js';
import { GoogleAccountsRepository } from './google-accounts.repository.js';

/** Ending a client's connection, shared by the services that do it (credentials removed or replaced). */
@Injectable()
export class ClientConnections {
  constructor(
    @Inject(ClientsRepository) private readonly clients: ClientsRepository,
    @Inject(GoogleAccountsRepository) private readonly accounts: GoogleAccountsRepository,
    @Inject(ClientEvents) private readonly events: ClientEvents,
  ) {}

  /** Before the transaction that forgets the client's tokens: `leaving` lets others close what they opened at Google. */
  async leaving(clientId: string, userId: string): Promise<void> {
    await this.events.emitLeaving({ type: 'leaving', clientId, userId });
  }

  /**
   * In the caller's transaction: forgets the account and its tokens; a connected (or needs_reauth)
   * client becomes disconnected and `disconnected` is emitted. Its calendars and their settings stay, for
   * a reconnection of the same account. Revoking at Google is the caller's (after commit).
   */
  async disconnect(clientId: string, userId: string): Promise<void> {
    await this.accounts.remove(clientId);
    if (await this.clients.setStatus(clientId, 'disconnected', ['connected', 'needs_reauth'])) {
      await this.events.emit({ type: 'disconnected', clientId, userId });
    }
  }
}
