import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from 'node:net';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { listenOnLoopback } from '../setup/raw-http.js';

/**
 * A replica that is shutting down still reads what arrives on connections that were busy when the
 * signal came. Such a request is answered like every other error (problem+json, request id, security
 * headers), says when to retry and closes the connection; the request already in flight finishes.
 */
describe('a request that arrives while the server is closing', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await createTestApp();
    port = await listenOnLoopback(t.app);
  });

  afterAll(async () => {
    await t?.close().catch(() => undefined);
  });

  it('gets a problem+json 503 with Retry-After, and the one in flight is answered', async () => {
    const body = JSON.stringify({ email: 'nobody@example.com', password: 'not-the-password-1' });
    const half = Math.floor(body.length / 2);
    const received: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    const ended = new Promise<string>((resolve) => {
      socket.on('data', (chunk) => received.push(chunk));
      socket.on('close', () => resolve(Buffer.concat(received).toString('utf8')));
    });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    // The first request is routed and waits for the rest of its body: in flight when closing starts.
    socket.write(
      `POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, half)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const closed = t.app.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The rest of the first body, and a second request pipelined behind it on the same connection.
    socket.write(`${body.slice(half)}GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: closing-0001\r\n\r\n`);
    const text = await ended;
    await closed;

    const responses = text.split(/(?=HTTP\/1\.1 )/);
    expect(responses).toHaveLength(2);
    expect(responses[0]).toMatch(/^HTTP\/1\.1 401 /);
    const [head, payload] = responses[1].split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 503 /);
    const headers = Object.fromEntries(
      head.split('\r\n').slice(1).map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
    );
    expect(headers).toMatchObject({
      'content-type': expect.stringMatching(/^application\/problem\+json/),
      'retry-after': '2',
      'x-request-id': 'closing-0001',
      'x-content-type-options': 'nosniff',
      connection: 'close',
    });
    expect(JSON.parse(payload)).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', requestId: 'closing-0001' });
  }, 30_000);
});
