import pg from 'pg';
import type { WakeListener } from './database.js';

const RECONNECT_MS = 1000;

/**
 * LISTEN on a connection of its own (a pooled one would be handed to queries). The connection is opened
 * on the first `listen` and reopened after a loss, re-listening every channel; while it is down, waiters
 * fall back on their poll interval, so a lost NOTIFY costs latency, never work.
 */
export class PgWakeListener implements WakeListener {
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  private readonly channels = new Map<string, () => void>();
  private closed = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(private readonly connectionString: string) {}

  async listen(channel: string, onWake: () => void): Promise<void> {
    this.channels.set(channel, onWake);
    const client = await this.connect().catch(() => null);
    if (client) await client.query(`LISTEN ${quoteIdent(channel)}`).catch(() => this.lost());
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client ?? (await this.connecting?.catch(() => null));
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private connect(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.connectionString, application_name: 'calento-listen' });
      client.on('error', () => this.lost());
      client.on('end', () => this.lost());
      client.on('notification', (message) => this.channels.get(message.channel)?.());
      try {
        await client.connect();
        for (const channel of this.channels.keys()) await client.query(`LISTEN ${quoteIdent(channel)}`);
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      } finally {
        this.connecting = null;
      }
      if (this.closed) {
        await client.end().catch(() => undefined);
        throw new Error('listener closed');
      }
      this.client = client;
      return client;
    })();
    return this.connecting;
  }

  private lost(): void {
    const client = this.client;
    this.client = null;
    client?.removeAllListeners('end');
    void client?.end().catch(() => undefined);
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      // Missed notifications while down: wake everyone once, they will look for work.
      this.connect().then(() => this.channels.forEach((onWake) => onWake()), () => this.lost());
    }, RECONNECT_MS);
    this.retry.unref();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
