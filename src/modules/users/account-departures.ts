import { Injectable, Logger } from '@nestjs/common';

type DepartureListener = (userId: string) => Promise<void>;

/**
 * The hook through which the integrations (Google clients, Slack) close what an account holds outside
 * Calento — grants, push channels, installs — before DELETE /users/me removes it. The users module
 * sits below them and cannot call them; they register here in their onModuleInit (the way ClientEvents
 * and busy sources work).
 *
 * Listeners run before the account's deletion transaction, outside it, while their tokens are still
 * stored: they may call Google or Slack and write their own tables. Best effort: a listener that fails
 * (an outage) is logged and the deletion goes on; the rows it left go with the user by cascade.
 */
@Injectable()
export class AccountDepartures {
  private readonly logger = new Logger('AccountDepartures');
  private readonly listeners: Array<{ name: string; listener: DepartureListener }> = [];

  on(name: string, listener: DepartureListener): void {
    this.listeners.push({ name, listener });
  }

  async leaving(userId: string): Promise<void> {
    for (const { name, listener } of this.listeners) {
      try {
        await listener(userId);
      } catch (error) {
        this.logger.warn({ err: error, userId, listener: name }, 'An account departure step failed; the account is deleted all the same');
      }
    }
  }
}
