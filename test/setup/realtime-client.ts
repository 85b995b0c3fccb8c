import jwt from 'jsonwebtoken';
import { io, type Socket } from 'socket.io-client';
import {
  READY_EVENT,
  REALTIME_PATH,
  SESSION_ENDED_EVENT,
  type RealtimeChange,
  type RealtimeReady,
  type RealtimeSessionEnded,
} from '../../src/modules/realtime/realtime.contract.js';
import { testEnv } from './test-app.js';
import { eventually } from './wait.js';

/** Seconds since the epoch, `seconds` from now (a JWT `exp`). */
export const inSeconds = (seconds: number): number => Math.floor(Date.now() / 1000) + seconds;

/** An access token as AuthService signs one (HS256, sub + ver), with any expiry or secret. */
export function signAccessToken(claims: { sub: string; ver: number; exp?: number }, secret = testEnv.JWT_SECRET): string {
  return jwt.sign({ exp: inSeconds(900), ...claims }, secret, { algorithm: 'HS256' });
}

export interface RealtimeOptions {
  token?: string;
  since?: unknown;
  headers?: Record<string, string>;
  transports?: Array<'websocket' | 'polling'>;
}

export interface ConnectRefusal {
  message: string;
  data?: { code: string; reason?: string; field?: string };
}

function open(base: string, options: RealtimeOptions): Socket {
  const auth: Record<string, unknown> = {};
  if (options.token !== undefined) auth.token = options.token;
  if (options.since !== undefined) auth.since = options.since;
  return io(base, {
    path: REALTIME_PATH,
    transports: options.transports ?? ['websocket'],
    reconnection: false,
    forceNew: true,
    auth,
    extraHeaders: options.headers,
    timeout: 10_000,
  });
}

/**
 * A socket.io-client connection that records every message in arrival order: `ready`, each change
 * (emitted under its kind) and `session.ended`.
 */
export class RealtimeTestClient {
  readonly messages: Array<{ event: string; payload: unknown }> = [];
  disconnectReason: string | null = null;

  private constructor(readonly socket: Socket) {
    socket.onAny((event: string, payload: unknown) => this.messages.push({ event, payload }));
    socket.on('disconnect', (reason) => (this.disconnectReason = reason));
  }

  /** Connects and waits for `ready` (after the resumed changes, if any). */
  static async connect(base: string, options: RealtimeOptions): Promise<RealtimeTestClient> {
    const client = new RealtimeTestClient(open(base, options));
    await new Promise<void>((resolve, reject) => {
      client.socket.once('connect_error', (error) => reject(error));
      client.socket.once(READY_EVENT, () => resolve());
    });
    return client;
  }

  /** Connects expecting a refusal; resolves with the connect_error. */
  static refused(base: string, options: RealtimeOptions): Promise<ConnectRefusal> {
    const socket = open(base, options);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => {
        socket.close();
        reject(new Error('the handshake was accepted'));
      });
      socket.once('connect_error', (error: Error & { data?: ConnectRefusal['data'] }) => {
        socket.close();
        resolve({ message: error.message, data: error.data });
      });
    });
  }

  get ready(): RealtimeReady {
    return this.messages.find((message) => message.event === READY_EVENT)?.payload as RealtimeReady;
  }

  get changes(): RealtimeChange[] {
    return this.messages
      .filter((message) => message.event !== READY_EVENT && message.event !== SESSION_ENDED_EVENT)
      .map((message) => message.payload as RealtimeChange);
  }

  get seqs(): number[] {
    return this.changes.map((change) => change.seq);
  }

  get ended(): RealtimeSessionEnded | undefined {
    return this.messages.find((message) => message.event === SESSION_ENDED_EVENT)?.payload as RealtimeSessionEnded | undefined;
  }

  /** Waits until `count` changes have arrived. */
  async waitForChanges(count: number, timeoutMs = 10_000): Promise<RealtimeChange[]> {
    await eventually(() => this.changes.length >= count, timeoutMs, `${count} changes (have ${this.changes.length})`, 10);
    return this.changes;
  }

  close(): void {
    this.socket.close();
  }
}
