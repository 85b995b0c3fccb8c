import { Inject, Logger } from '@nestjs/common';
import {
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { Clock } from '../../common/time/clock.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { AccessTokenRefused, AccessTokenVerifier, type VerifiedAccess } from '../auth/access-token.verifier.js';
import { ChangeFeed } from '../changes/change-feed.service.js';
import { RealtimeClient, RealtimeClients, type Delivery } from './realtime-clients.js';
import { RealtimeOutboxRepository } from './realtime-outbox.repository.js';
import { RealtimeRedis } from './realtime-redis.js';
import {
  READY_EVENT,
  RESUME_LIMIT,
  toRealtimeChange,
  userRoom,
  type RealtimeReady,
} from './realtime.contract.js';
import type { OutboxEntry } from './realtime.rows.js';

/** What the handshake established, kept on the socket until the connection handler takes it. */
interface Admission {
  access: VerifiedAccess;
  since: number | null;
}

/** A refused handshake: the client's connect_error carries the message and `data` ({ code, reason }). */
class HandshakeRefused extends Error {
  constructor(
    message: string,
    readonly data: { code: string; reason?: string; field?: string },
  ) {
    super(message);
  }
}

/**
 * The socket.io endpoint (path and CORS: realtime-io.adapter.ts). A handshake is admitted with a valid
 * access token, checked exactly as the HTTP guard checks it; the socket joins its user's room, is sent
 * what it missed since `since`, then receives the user's changes as the relay hands them over.
 */
@WebSocketGateway({})
export class RealtimeGateway implements OnGatewayInit<Server>, OnGatewayConnection<Socket>, OnGatewayDisconnect<Socket> {
  private readonly logger = new Logger('Realtime');
  private readonly admissions = new WeakMap<Socket, Admission>();
  @WebSocketServer() server!: Server;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(AccessTokenVerifier) private readonly verifier: AccessTokenVerifier,
    @Inject(RealtimeClients) private readonly clients: RealtimeClients,
    @Inject(RealtimeOutboxRepository) private readonly outbox: RealtimeOutboxRepository,
    @Inject(ChangeFeed) private readonly feed: ChangeFeed,
    @Inject(RealtimeRedis) private readonly redis: RealtimeRedis,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  afterInit(server: Server): void {
    this.redis.attach(server);
    server.use((socket, next) => {
      this.admit(socket).then(
        (admission) => {
          this.admissions.set(socket, admission);
          next();
        },
        (error: unknown) => next(this.refusal(error)),
      );
    });
  }

  async handleConnection(socket: Socket): Promise<void> {
    const { access, since } = this.admissions.get(socket) as Admission;
    this.admissions.delete(socket);
    const client = new RealtimeClient(socket, access.user.id, access.sessionVersion, access.expiresAt);
    // socket.data travels to other processes (the Redis adapter's fetchSockets): plain values only.
    socket.data = { userId: client.userId };
    this.clients.add(client);
    await socket.join(userRoom(client.userId));
    client.armExpiry(() => this.clients.end(client, 'token_expired'), this.clock);
    try {
      await this.resume(client, since);
    } catch (error) {
      // The database is unreachable: drop the transport so the client retries with the same `since`.
      this.logger.warn({ err: error }, 'Could not resume a realtime client; closing its connection');
      this.clients.remove(client);
      socket.conn.close();
    }
  }

  handleDisconnect(socket: Socket): void {
    this.admissions.delete(socket);
    const client = this.clients.of(socket);
    if (client) this.clients.remove(client);
  }

  private async admit(socket: Socket): Promise<Admission> {
    const origin = socket.handshake.headers.origin;
    if (origin && !originAllowed(origin, this.config.corsOrigins)) {
      throw new HandshakeRefused(`Origin ${origin} is not allowed (CORS_ORIGINS)`, { code: 'FORBIDDEN', reason: 'origin' });
    }
    const auth = (socket.handshake.auth ?? {}) as Record<string, unknown>;
    const since = parseSince(auth.since);
    const access = await this.verifier.verify(tokenOf(auth, socket.handshake.headers.authorization));
    return { access, since };
  }

  private refusal(error: unknown): Error {
    if (error instanceof HandshakeRefused) return error;
    if (error instanceof AccessTokenRefused) {
      return new HandshakeRefused(error.message, { code: 'UNAUTHENTICATED', reason: error.reason });
    }
    this.logger.warn({ err: error }, 'Realtime handshake failed');
    return new HandshakeRefused('The service is unavailable; try again shortly', { code: 'SERVICE_UNAVAILABLE' });
  }

  /**
   * Sends what the client missed, then `ready`, then whatever the relay delivered meanwhile. Everything is
   * read up to `horizon`, the outbox's last committed position after the socket was registered: entries
   * up to it are the resume's, later ones the relay's (which registration made sure it will deliver).
   */
  private async resume(client: RealtimeClient, since: number | null): Promise<void> {
    const horizon = await this.outbox.latestPos();
    let entries: OutboxEntry[] = [];
    let resync = false;
    if (since !== null) {
      const from = since === 0 ? 0 : await this.outbox.positionOf(client.userId, since);
      if (from === null) resync = true;
      else entries = await this.outbox.forUserBetween(client.userId, from, horizon, RESUME_LIMIT + 1);
      if (entries.length > RESUME_LIMIT) {
        entries = [];
        resync = true;
      }
    }
    const changes = new Map((await this.feed.bySeqs(entries.map((entry) => entry.seq))).map((change) => [change.seq, change]));
    const missed: Delivery[] = [];
    for (const entry of entries) {
      const change = changes.get(entry.seq);
      if (change && change.userId === client.userId) missed.push({ pos: entry.pos, message: toRealtimeChange(change) });
    }
    let seq = missed.at(-1)?.message.seq ?? (since !== null && !resync ? since : null);
    seq ??= (await this.outbox.lastForUser(client.userId, horizon))?.seq ?? 0;
    if (client.ended || !client.socket.connected) return;
    for (const delivery of missed) client.send(delivery);
    const ready: RealtimeReady = { userId: client.userId, resumed: missed.length, resync, seq };
    client.socket.emit(READY_EVENT, ready);
    client.goLive(horizon);
  }
}

function tokenOf(auth: Record<string, unknown>, header: string | undefined): string | null {
  if (typeof auth.token === 'string' && auth.token) return auth.token;
  const bearer = header && /^Bearer\s+(\S+)$/i.exec(header);
  return bearer ? bearer[1] : null;
}

function parseSince(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  const number = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 0) {
    throw new HandshakeRefused('since must be a non-negative integer: the seq of the last change received', {
      code: 'VALIDATION_FAILED',
      field: 'since',
    });
  }
  return number;
}

function originAllowed(origin: string, allowed: AppConfig['corsOrigins']): boolean {
  if (allowed === true) return true;
  const normalized = origin.replace(/\/+$/, '');
  return allowed.some((entry) => entry.replace(/\/+$/, '') === normalized);
}
