import http from 'node:http';
import https from 'node:https';
import type { FakeClock } from '../clock.js';
import { apiErrors } from '../errors.js';
import type { Change } from '../state/store.js';
import { resourceIdFor } from '../state/ids.js';

export type WatchTarget = { kind: 'events'; calendarId: string } | { kind: 'calendarList'; email: string };

export interface Channel {
  id: string;
  resourceId: string;
  resourceUri: string;
  token?: string;
  address: string;
  /** ms since epoch, on the fake clock */
  expiration: number;
  email: string;
  clientId: string;
  target: WatchTarget;
  lastMessageNumber: number;
  stopped: boolean;
}

export interface PushMessage {
  channelId: string;
  state: 'sync' | 'exists' | 'not_exists';
  messageNumber: number;
  duplicate?: boolean;
}

export interface DeliveryRecord extends PushMessage {
  attempt: number;
  /** HTTP status of the receiver, 0 for a network error. */
  status?: number;
  outcome: 'delivered' | 'failed' | 'retrying' | 'dropped' | 'expired';
  error?: string;
  at: number;
}

/** Misbehaviours Google shows in the wild; all off by default. */
export interface PushFaults {
  /** Probability (0..1) that a message is silently dropped. */
  dropRate?: number;
  /** Drop the next N messages. */
  dropNext?: number;
  /** Probability that a message is delivered twice. */
  duplicateRate?: number;
  /** Deliver the next N messages twice. */
  duplicateNext?: number;
  /** Hold messages until N are waiting, then deliver them newest first. */
  reorderWindow?: number;
  /** Wait this long (real ms) before each delivery. */
  delayMs?: number;
  /** Hold every message until resumed (setPushFaults({ paused: false }) or flushPush()). */
  paused?: boolean;
  /** Deliver the first `sync` before the watch call answers (Google may). */
  syncBeforeWatchResponse?: boolean;
}

export interface PushOptions {
  allowHttpPush: boolean;
  retryBaseMs: number;
  maxAttempts: number;
  maxTtlSeconds: number;
  random: () => number;
  /** Base of resourceUri (the fake's own URL, known once it listens). */
  apiBaseUrl: () => string;
}

const RETRY_STATUSES = new Set([500, 502, 503, 504]);
const DEFAULT_TTL_SECONDS = 604_800;

/** Watch channels and the delivery of push notifications (Google's headers, order and retries). */
export class PushHub {
  readonly channels = new Map<string, Channel>();
  readonly deliveries: DeliveryRecord[] = [];
  faults: PushFaults = {};
  private held: PushMessage[] = [];
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly clock: FakeClock,
    private readonly options: PushOptions,
  ) {}

  /** Registers a channel; the caller then sends its first `sync` message with sendSync(). */
  watch(email: string, clientId: string, target: WatchTarget, body: Record<string, unknown>): Channel {
    if (!body || typeof body !== 'object') throw apiErrors.parseError();
    const id = body.id;
    if (typeof id !== 'string' || !id) throw apiErrors.required('Required: id');
    if (id.length > 64 || !/^[A-Za-z0-9\-_+/=]+$/.test(id)) throw apiErrors.invalidBody(`Invalid channel id: ${id}`);
    const type = String(body.type ?? '').toLowerCase();
    if (type !== 'web_hook' && type !== 'webhook') throw apiErrors.invalidBody(`Invalid channel type: ${String(body.type ?? '')}`);
    if (typeof body.address !== 'string' || !body.address) throw apiErrors.required('Required: address');
    let url: URL;
    try {
      url = new URL(body.address);
    } catch {
      throw apiErrors.invalidBody(`Invalid address: ${body.address}`);
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.options.allowHttpPush)) throw apiErrors.webhookNotHttps();
    if (body.token !== undefined && (typeof body.token !== 'string' || body.token.length > 256)) throw apiErrors.invalidBody('Invalid channel token.');
    const existing = this.channels.get(id);
    if (existing && !existing.stopped && existing.expiration > this.clock.now()) throw apiErrors.channelIdNotUnique();

    const now = this.clock.now();
    const cap = now + this.options.maxTtlSeconds * 1000;
    const ttlParam = (body.params as { ttl?: unknown } | undefined)?.ttl;
    const ttl = ttlParam !== undefined ? Number(ttlParam) : DEFAULT_TTL_SECONDS;
    if (!Number.isFinite(ttl) || ttl <= 0) throw apiErrors.invalidBody('Invalid ttl.');
    let expiration = Math.min(now + ttl * 1000, cap);
    if (body.expiration !== undefined && body.expiration !== null) {
      // The API description says int64 string; Google's own push guide shows a number. Take both.
      const requested = Number(body.expiration);
      if (!Number.isFinite(requested)) throw apiErrors.invalidBody('Invalid expiration.');
      if (requested <= now) throw apiErrors.invalidBody('Channel expiration is in the past.');
      expiration = Math.min(requested, cap);
    }
    const resourceKey = target.kind === 'events' ? `events:${target.calendarId}` : `calendarList:${target.email}`;
    const resourceUri =
      target.kind === 'events'
        ? `${this.options.apiBaseUrl()}/calendar/v3/calendars/${encodeURIComponent(target.calendarId)}/events?alt=json`
        : `${this.options.apiBaseUrl()}/calendar/v3/users/me/calendarList?alt=json`;
    const channel: Channel = {
      id,
      resourceId: resourceIdFor(resourceKey),
      resourceUri,
      token: body.token as string | undefined,
      address: body.address,
      expiration: Math.floor(expiration),
      email,
      clientId,
      target,
      lastMessageNumber: 1,
      stopped: false,
    };
    this.channels.set(id, channel);
    return channel;
  }

  sendSync(channel: Channel): Promise<void> {
    return this.enqueue({ channelId: channel.id, state: 'sync', messageNumber: 1 });
  }

  stop(email: string, clientId: string, body: Record<string, unknown>): void {
    const id = body?.id;
    if (typeof id !== 'string' || !id) throw apiErrors.required('Required: id');
    const channel = this.channels.get(id);
    const mine = channel && channel.email === email && channel.clientId === clientId;
    if (!channel || channel.stopped || !mine || (body.resourceId !== undefined && body.resourceId !== channel.resourceId)) {
      throw apiErrors.notFound();
    }
    channel.stopped = true;
  }

  onChange(change: Change): void {
    for (const channel of this.channels.values()) {
      if (channel.stopped || channel.expiration <= this.clock.now()) continue;
      const t = channel.target;
      const hit = change.kind === 'events' ? t.kind === 'events' && t.calendarId === change.calendarId : t.kind === 'calendarList' && t.email === change.email;
      if (!hit) continue;
      // Increasing but never consecutive, like Google's.
      channel.lastMessageNumber += 2 + Math.floor(this.options.random() * 500);
      void this.enqueue({ channelId: channel.id, state: 'exists', messageNumber: channel.lastMessageNumber });
    }
  }

  setFaults(faults: PushFaults): void {
    this.faults = { ...this.faults, ...faults };
    if (!this.faults.paused && !(this.faults.reorderWindow && this.held.length < this.faults.reorderWindow)) this.flush();
  }

  /** Releases held messages (paused or waiting for a reorder window), one after the other. */
  flush(): void {
    const held = this.faults.reorderWindow ? [...this.held].reverse() : [...this.held];
    this.held = [];
    if (held.length === 0) return;
    this.inFlight++;
    void (async () => {
      for (const message of held) await this.send(message, 1);
      this.inFlight--;
      this.wakeIdle();
    })();
  }

  /** Resolves once nothing is in flight or waiting for a retry (held messages do not count). */
  async idle(timeoutMs = 10_000): Promise<void> {
    if (this.inFlight === 0) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`push deliveries still in flight after ${timeoutMs} ms`)), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.held = [];
    this.inFlight = 0;
    this.wakeIdle();
  }

  private enqueue(message: PushMessage): Promise<void> {
    const f = this.faults;
    const rnd = this.options.random;
    if ((f.dropNext ?? 0) > 0 || (f.dropRate && rnd() < f.dropRate)) {
      if ((f.dropNext ?? 0) > 0) f.dropNext!--;
      this.record(message, 0, undefined, 'dropped');
      return Promise.resolve();
    }
    const copies: PushMessage[] = [message];
    if ((f.duplicateNext ?? 0) > 0 || (f.duplicateRate && rnd() < f.duplicateRate)) {
      if ((f.duplicateNext ?? 0) > 0) f.duplicateNext!--;
      copies.push({ ...message, duplicate: true });
    }
    if (f.paused || f.reorderWindow) {
      this.held.push(...copies);
      if (!f.paused && f.reorderWindow && this.held.length >= f.reorderWindow) this.flush();
      return Promise.resolve();
    }
    return Promise.all(copies.map((m) => this.send(m, 1))).then(() => undefined);
  }

  private async send(message: PushMessage, attempt: number): Promise<void> {
    if (this.closed) return;
    this.inFlight++;
    try {
      if (this.faults.delayMs) await this.sleep(this.faults.delayMs);
      const channel = this.channels.get(message.channelId);
      if (!channel || channel.stopped || channel.expiration <= this.clock.now()) {
        this.record(message, attempt, undefined, 'expired');
        return;
      }
      const { status, error } = await this.post(channel, message);
      const retryable = status === 0 || RETRY_STATUSES.has(status);
      if (!retryable || attempt >= this.options.maxAttempts) {
        const ok = [200, 201, 202, 204, 102].includes(status);
        this.record(message, attempt, status, ok ? 'delivered' : 'failed', error);
        return;
      }
      this.record(message, attempt, status, 'retrying', error);
      const backoff = this.options.retryBaseMs * 2 ** (attempt - 1) * (0.75 + this.options.random() * 0.5);
      this.inFlight++;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.inFlight--;
        void this.send(message, attempt + 1);
      }, backoff);
      this.timers.add(timer);
    } finally {
      this.inFlight--;
      this.wakeIdle();
    }
  }

  private post(channel: Channel, message: PushMessage): Promise<{ status: number; error?: string }> {
    const headers: Record<string, string> = {
      'X-Goog-Channel-ID': channel.id,
      'X-Goog-Message-Number': String(message.messageNumber),
      'X-Goog-Resource-ID': channel.resourceId,
      'X-Goog-Resource-State': message.state,
      'X-Goog-Resource-URI': channel.resourceUri,
      'X-Goog-Channel-Expiration': new Date(channel.expiration).toUTCString(),
      'Content-Length': '0',
      'User-Agent': 'APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)',
      Accept: '*/*',
    };
    if (channel.token !== undefined) headers['X-Goog-Channel-Token'] = channel.token;
    const url = new URL(channel.address);
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve) => {
      const req = lib.request(url, { method: 'POST', headers, timeout: 5000, rejectUnauthorized: false } as https.RequestOptions, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
        res.on('error', (e) => resolve({ status: 0, error: e.message }));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => resolve({ status: 0, error: e.message }));
      req.end();
    });
  }

  private record(message: PushMessage, attempt: number, status: number | undefined, outcome: DeliveryRecord['outcome'], error?: string): void {
    this.deliveries.push({ ...message, attempt, status, outcome, error, at: Date.now() });
    if (this.deliveries.length > 10_000) this.deliveries.splice(0, 1000);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private wakeIdle(): void {
    if (this.inFlight > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
