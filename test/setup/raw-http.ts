import { connect, type AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** A response as it came off the wire. */
export interface RawResponse {
  /** Every status line received, in order (a `100 Continue` comes before the final one). */
  statusLines: string[];
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The client side's socket error (EPIPE, ECONNRESET), if any. */
  error?: string;
}

/** Makes the test app listen on a free loopback port, for requests supertest cannot produce. */
export async function listenOnLoopback(app: NestFastifyApplication): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.getHttpServer().address() as AddressInfo).port;
}

/**
 * Writes `head` and then `body` (all of it, as a client that reads nothing before it has sent its
 * request does) and collects what the server answers until it closes the connection.
 */
export function rawRequest(port: number, head: string, body: Buffer | string = ''): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let error: string | undefined;
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(head);
      if (body.length) socket.write(body);
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no end of response within 15 s; received: ${Buffer.concat(chunks).toString('latin1').slice(0, 200)}`));
    }, 15_000);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      error = err.code ?? err.message;
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ ...parse(Buffer.concat(chunks).toString('utf8')), error });
    });
  });
}

function parse(text: string): Omit<RawResponse, 'error'> {
  const statusLines: string[] = [];
  let rest = text;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return { statusLines, status: 0, headers: {}, body: rest };
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    statusLines.push(statusLine);
    rest = rest.slice(end + 4);
    const status = Number(statusLine.split(' ')[1]);
    if (status === 100) continue;
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? rest.length);
    return { statusLines, status, headers, body: rest.slice(0, length) };
  }
}
