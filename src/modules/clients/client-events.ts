import { Injectable, Logger } from '@nestjs/common';

/**
 * What happens to a client that other modules (the Google sync) must react to. Listeners (except those
 * of `leaving`) run inside the transaction of the change, before it commits: they may write their own tables or enqueue jobs (stop
 * push channels, drop sync state), and a listener that throws rolls the change back. They must not call
 * Google or anything slow; enqueue a job for that.
 */
export type ClientEvent =
  /** Tokens were stored after a consent (first connection, or again after needs_reauth). */
  | { type: 'connected'; clientId: string; userId: string; accountEmail: string }
  /** Google refused the refresh token: nothing may call Google for this client until it is connected again. */
  | { type: 'needs_reauth'; clientId: string; userId: string; reason: string }
  /**
   * The client's tokens are about to be forgotten (disconnected, credentials removed or replaced, client
   * deleted). Emitted before that transaction, while Google still accepts the tokens: the one event whose
   * listeners may call Google, to close what is open there (push channels). Best effort: a listener's
   * failure is logged and the disconnection goes on.
   */
  | { type: 'leaving'; clientId: string; userId: string }
  /** The credentials were removed or replaced by another OAuth client: tokens forgotten. */
  | { type: 'disconnected'; clientId: string; userId: string }
  /**
   * Google no longer lists these calendars of the client (deleted, unsubscribed); their rows are gone.
   * `calendarRowIds` are Calento's ids of those rows (what the sync's origins `google:<id>` name).
   */
  | { type: 'calendars_removed'; clientId: string; userId: string; calendarIds: string[]; calendarRowIds: string[] }
  /**
   * The client is about to be deleted, with its credentials, tokens and calendars (the rows still exist
   * while listeners run). What becomes of events mirrored from its calendars is the listener's call.
   */
  | { type: 'deleting'; clientId: string; userId: string; calendarIds: string[] };

export type ClientEventType = ClientEvent['type'];
type Listener<T extends ClientEventType> = (event: Extract<ClientEvent, { type: T }>) => Promise<void> | void;

/** The hook other modules register on, in their onModuleInit (the way busy sources are registered). */
@Injectable()
export class ClientEvents {
  private readonly logger = new Logger('ClientEvents');
  private readonly listeners = new Map<ClientEventType, Array<Listener<ClientEventType>>>();

  on<T extends ClientEventType>(type: T, listener: Listener<T>): void {
    const list = this.listeners.get(type) ?? [];
    list.push(listener as unknown as Listener<ClientEventType>);
    this.listeners.set(type, list);
  }

  /** `leaving`, outside any transaction: a failing listener is logged, not thrown. */
  async emitLeaving(event: Extract<ClientEvent, { type: 'leaving' }>): Promise<void> {
    try {
      await this.emit(event);
    } catch (error) {
      this.logger.warn({ err: error, clientId: event.clientId }, 'A listener of "leaving" failed; the client is disconnected all the same');
    }
  }

  /** Runs every listener of the event's type, one after another, in the caller's transaction. */
  async emit(event: ClientEvent): Promise<void> {
    for (const listener of this.listeners.get(event.type) ?? []) {
      await listener(event as never);
    }
    this.logger.log({ event: event.type, clientId: event.clientId }, 'client event');
  }
}
