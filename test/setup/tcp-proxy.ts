import { connect, createServer, type Server, type Socket } from 'node:net';
import { listenOnOwnPort } from './ports.js';

/**
 * A TCP relay in front of a real server (Redis), on a fixed local port: `stop()` drops every connection
 * and refuses new ones, as an outage would; `start()` on the same port is the server coming back.
 */
export class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly port: number,
    private readonly targetPort: number,
  ) {}

  static async open(targetPort: number): Promise<TcpProxy> {
    // Its own port (ports.ts): nothing else takes it while the proxy is stopped.
    return listenOnOwnPort(async (port) => {
      const proxy = new TcpProxy(port, targetPort);
      await proxy.start();
      return proxy;
    });
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Listens again on the same port (no-op while up). */
  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(this.port, '127.0.0.1', () => resolve()));
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}
