import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';
import type { AppConfig } from '../../config/config.js';
import { REALTIME_PATH } from './realtime.contract.js';

/**
 * socket.io on the API's own HTTP server (Fastify's): engine.io answers REALTIME_PATH before Fastify
 * sees the request, and hands every other request to Fastify unchanged. Long-polling requests get the
 * API's CORS answer (CORS_ORIGINS); the handshake checks the Origin of WebSocket clients against the same
 * list (realtime.gateway.ts), since browsers do not apply CORS to WebSockets.
 */
export class RealtimeIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: Partial<ServerOptions>): Server {
    const settings: Partial<ServerOptions> = {
      ...options,
      path: REALTIME_PATH,
      serveClient: false,
      cors: { origin: this.config.corsOrigins, methods: ['GET', 'POST'], maxAge: 600 },
      // Clients send nothing but the handshake; a large frame is not one of ours.
      maxHttpBufferSize: 64 * 1024,
    };
    return super.createIOServer(port, settings as ServerOptions);
  }

  /**
   * socket.io's own close() closes the HTTP server too, which is Fastify's to close once in-flight
   * requests are done. Only the transports go here: clients see a transport close and reconnect
   * (to another replica, or to this one when it is back) with their `since`.
   */
  override async close(server: Server): Promise<void> {
    server.engine.close();
    await Promise.resolve(server.sockets.adapter.close()).catch(() => undefined);
  }
}
