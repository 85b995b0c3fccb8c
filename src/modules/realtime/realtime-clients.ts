import { Injectable } from '@nestjs/common';
import type { Socket } from 'socket.io';
import type { Clock } from '../../common/time/clock.js';
import { SESSION_ENDED_EVENT, type RealtimeChange, type RealtimeSessionEnded } from './realtime.contract.js';

/** A change on its way to a socket, with its place in delivery order. */
export interface Delivery {
  pos: number;
  message: RealtimeChange;
}

/** setTimeout's ceiling (about 24.8 days); a later expiry is re-armed when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One authenticated socket of this process. While it resumes (sends what the client missed), live
 * deliveries wait in a buffer so that the two streams join without a gap, a duplicate or a reordering.
 * Delivery order is the outbox's `pos`: nothing at or before the last position sent goes out again, so a
 * relay that is still behind the resume's horizon when the client goes live cannot repeat what the resume
 * already sent.
 */
export class RealtimeClient {
  private resuming = true;
  private buffer: Delivery[] = [];
  private sentUpTo = 0;
  private expiryTimer: NodeJS.Timeout | null = null;
  ended = false;

  constructor(
    readonly socket: Socket,
    readonly userId: string,
    readonly sessionVersion: number,
    readonly expiresAt: Date,
  ) {}

  deliver(delivery: Delivery): void {
    if (this.ended) return;
    if (this.resuming) this.buffer.push(delivery);
    else this.send(delivery);
  }

  send(delivery: Delivery): void {
    if (delivery.pos <= this.sentUpTo) return;
    this.sentUpTo = delivery.pos;
    this.socket.emit(delivery.message.kind, delivery.message);
  }

  /**
   * Ends the resume: what the relay delivered meanwhile goes out unless the resume already covered it —
   * everything at or before `horizon` was read (or deliberately skipped) by the resume itself.
   */
  goLive(horizon: number): void {
    const pending = this.buffer;
    this.buffer = [];
    this.resuming = false;
    this.sentUpTo = Math.max(this.sentUpTo, horizon);
    for (const delivery of pending) this.send(delivery);
  }

  /**
   * Calls `onExpire` when the access token the socket was opened with expires. "Now" is the injected
   * clock's, as everywhere else, read again when a wait longer than setTimeout's ceiling is re-armed.
   */
  armExpiry(onExpire: () => void, clock: Clock): void {
    const wait = this.expiresAt.getTime() - clock.now().getTime();
    this.expiryTimer = setTimeout(() => (wait > MAX_TIMER_MS ? this.armExpiry(onExpire, clock) : onExpire()), Math.max(0, Math.min(wait, MAX_TIMER_MS)));
    this.expiryTimer.unref();
  }

  disarm(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
  }
}

/** The sockets of this process by user: the relay delivers through it, session checks walk it. */
@Injectable()
export class RealtimeClients {
  private readonly byUser = new Map<string, Set<RealtimeClient>>();
  // Not on socket.data: the Redis adapter serializes that for other processes (fetchSockets).
  private readonly bySocket = new WeakMap<Socket, RealtimeClient>();

  add(client: RealtimeClient): void {
    this.bySocket.set(client.socket, client);
    let clients = this.byUser.get(client.userId);
    if (!clients) this.byUser.set(client.userId, (clients = new Set()));
    clients.add(client);
  }

  remove(client: RealtimeClient): void {
    client.disarm();
    const clients = this.byUser.get(client.userId);
    clients?.delete(client);
    if (clients?.size === 0) this.byUser.delete(client.userId);
  }

  of(socket: Socket): RealtimeClient | undefined {
    return this.bySocket.get(socket);
  }

  has(userId: string): boolean {
    return this.byUser.has(userId);
  }

  userIds(): string[] {
    return [...this.byUser.keys()];
  }

  get size(): number {
    let count = 0;
    for (const clients of this.byUser.values()) count += clients.size;
    return count;
  }

  ofUser(userId: string): RealtimeClient[] {
    return [...(this.byUser.get(userId) ?? [])];
  }

  /** Hands a user's changes, in delivery order, to each of the user's sockets in this process. */
  deliver(userId: string, deliveries: readonly Delivery[]): void {
    for (const client of this.byUser.get(userId) ?? []) {
      for (const delivery of deliveries) client.deliver(delivery);
    }
  }

  /** Tells the client why, then disconnects it; the client reconnects with a fresh token. */
  end(client: RealtimeClient, reason: RealtimeSessionEnded['reason']): void {
    if (client.ended) return;
    client.ended = true;
    this.remove(client);
    const message: RealtimeSessionEnded = { reason };
    client.socket.emit(SESSION_ENDED_EVENT, message);
    client.socket.disconnect(true);
  }
}
