import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** What the app answered to a request the front door handed it. */
export interface Forwarded {
  req: IncomingMessage;
  statusCode: number;
  body: string;
}

export interface FrontDoor {
  /** The front door's address for a path, e.g. the push URL a fake Google posts to. */
  url(path: string): string;
  close(): Promise<void>;
}

/**
 * A real HTTP listener in front of a test app, which listens on nothing (supertest drives it): each
 * request is handed to the app with Fastify's inject, so an outside caller (the fake Google's push)
 * reaches it over the network as it would in production. `answer` may change what the caller gets back
 * (a 503 to make it retry, say); by default it gets the app's answer. The app is a getter because the
 * app's configuration usually needs the front door's URL first.
 */
export async function startFrontDoor(
  app: () => NestFastifyApplication,
  answer: (forwarded: Forwarded) => { status: number; body: string } = ({ statusCode, body }) => ({ status: statusCode, body }),
): Promise<FrontDoor> {
  let closed = false;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      // A caller still retrying after the test closed its app (the fake's timers) gets a 503, not a crash
      // in whatever test runs next in this worker.
      if (closed) return void res.writeHead(503).end();
      const headers: IncomingHttpHeaders = { ...req.headers };
      delete headers.host;
      delete headers['content-length'];
      try {
        const reply = await app()
          .getHttpAdapter()
          .getInstance()
          .inject({ method: req.method as 'POST', url: req.url as string, headers: headers as Record<string, string>, payload: Buffer.concat(chunks) });
        const { status, body } = answer({ req, statusCode: reply.statusCode, body: reply.body });
        res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
      } catch (error) {
        res.writeHead(503, { 'content-type': 'text/plain' }).end(`front door: ${(error as Error).message}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    close: () => {
      closed = true;
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
