import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis, type RedisOptions } from 'ioredis';
import type { Server } from 'socket.io';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';

export type RealtimeRedisState = 'off' | 'connecting' | 'up' | 'down';

/**
 * With REDIS_URL, the socket.io Redis adapter: room operations of one API process (broadcasts to a
 * room, disconnectSockets, fetchSockets) reach the sockets of every process. Never required: the change
 * feed reaches every process's sockets through PostgreSQL (realtime.relay.ts), so while Redis is down —
 * at boot or later — the API serves HTTP and realtime as before, room operations stay within each
 * process, and one warning says so; the clients reconnect on their own and one line says it is back.
 */
@Injectable()
export class RealtimeRedis implements OnApplicationShutdown {
  private readonly logger = new Logger('Realtime');
  private clients: Redis[] = [];
  private current: RealtimeRedisState = 'off';

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get state(): RealtimeRedisState {
    return this.current;
  }

  attach(server: Server): void {
    const url = this.config.redisUrl;
    if (!url) return;
    const common: RedisOptions = {
      connectionName: 'calento-realtime',
      connectTimeout: 5000,
      retryStrategy: (attempt) => Math.min(attempt * 250, 5000),
    };
    // Publishing while down fails at once instead of queueing stale messages for later; subscriptions
    // wait for the connection (and ioredis renews them after every reconnect).
    const pub = new Redis(url, { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    const sub = new Redis(url, { ...common, maxRetriesPerRequest: null });
    this.clients = [pub, sub];
    this.current = 'connecting';
    for (const client of this.clients) {
      client.on('ready', () => this.update());
      client.on('close', () => this.update());
      client.on('error', (error: Error) => this.update(error));
    }
    server.adapter(
      createAdapter(quiet(pub), quiet(sub), { key: `${this.config.redisPrefix}:socket.io`, requestsTimeout: 2000 }),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    for (const client of this.clients) client.disconnect();
    this.clients = [];
  }

  private update(error?: Error): void {
    if (this.clients.length === 0) return;
    const up = this.clients.every((client) => client.status === 'ready');
    const where = redisAddress(this.config.redisUrl as string);
    if (up && this.current !== 'up') {
      this.logger.log({ redis: where }, this.current === 'down' ? 'Redis is reachable again: room operations reach every API process' : 'Redis adapter connected');
      this.current = 'up';
    } else if (!up && this.current !== 'down' && (error || this.current === 'up')) {
      this.logger.warn(
        { redis: where, err: error?.message },
        'Redis is unreachable: realtime room operations stay within this process until it is back (the change feed still reaches every socket)',
      );
      this.current = 'down';
    }
  }
}

/** Host and port only: a Redis URL can carry a password. */
function redisAddress(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || 6379}`;
}

/**
 * The adapter fires commands without awaiting them (publish, unsubscribe on close); while Redis is down
 * those reject, and an unhandled rejection would end the process. Callers that await still see the error.
 */
function quiet(client: Redis): Redis {
  return new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || property === 'constructor') return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (result instanceof Promise) result.catch(() => undefined);
        return result;
      };
    },
  });
}
