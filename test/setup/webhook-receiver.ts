import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listenOnOwnPort } from './ports.js';
import { eventually } from './wait.js';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingMessage['headers'];
  /** The raw body, as signed. */
  body: string;
  json: { type: string; timestamp: string; data: Record<string, unknown> };
  receivedAt: number;
}

/** How the receiver answers one request: a status (with optional headers/body), or never ('hang'). */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/**
 * A real HTTP server on 127.0.0.1 that records each webhook request and answers as the test says: 204 by
 * default, any status, a redirect, or no answer at all. It can go down (connections refused) and come
 * back on the same port, like a receiver during an outage.
 * Its port is its own (`ports.ts`): nothing else takes it while the receiver is down.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  answer: (request: ReceivedWebhook) => Answer = () => ({ status: 204 });
  private server: Server | null = null;
  private readonly hanging = new Set<ServerResponse>();

  private constructor(private port: number) {}

  static async start(): Promise<WebhookReceiver> {
    return listenOnOwnPort(async (port) => {
      const receiver = new WebhookReceiver(port);
      await receiver.up();
      return receiver;
    });
  }

  url(path = '/hooks'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Listens again on the same port (no-op while up). */
  async up(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: ReceivedWebhook['json'];
        try {
          json = JSON.parse(body);
        } catch {
          json = { type: 'unparseable', timestamp: '', data: {} };
        }
        const received: ReceivedWebhook = { path: req.url ?? '', headers: req.headers, body, json, receivedAt: Date.now() };
        this.received.push(received);
        const answer = this.answer(received);
        if (answer === 'hang') {
          this.hanging.add(res);
          return;
        }
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(answer.body ?? '');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening (new connections are refused) and drops hanging requests. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  of(type: string): ReceivedWebhook[] {
    return this.received.filter((request) => request.json.type === type);
  }

  async waitFor(count: number, filter: (request: ReceivedWebhook) => boolean = () => true, timeoutMs = 10_000): Promise<ReceivedWebhook[]> {
    return eventually(
      () => {
        const matching = this.received.filter(filter);
        return matching.length >= count ? matching : undefined;
      },
      timeoutMs,
      `${count} webhook request(s)`,
    );
  }
}

