import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendWebhook } from '../../src/modules/webhooks/webhook-sender.js';

/**
 * DNS rebinding: the guard resolves a receiver's name and checks the addresses; the delivery must then
 * connect to the address that was checked, never resolve the name again (a second answer could point
 * inside). Here the name cannot resolve at all, so a delivery that arrives can only have used the pin.
 */
let server: Server;
let port: number;
const seen: Array<{ headers: IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('pinned ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('webhook sender', () => {
  it('connects to the checked address it is given, not to what the name resolves to now', async () => {
    const url = new URL(`http://receiver.calento-test.invalid:${port}/hook`);
    const response = await sendWebhook({
      url,
      address: { address: '127.0.0.1', family: 4 },
      headers: { 'content-type': 'application/json', 'webhook-id': 'msg_pinned' },
      body: '{"type":"ping"}',
      timeoutMs: 5_000,
    });
    expect(response).toMatchObject({ kind: 'response', status: 200, excerpt: 'pinned ok' });
    expect(seen).toHaveLength(1);
    // The request still names the receiver's host (virtual hosting, and TLS's certificate check for https).
    expect(seen[0].headers.host).toBe(`receiver.calento-test.invalid:${port}`);
    expect(seen[0]).toMatchObject({ body: '{"type":"ping"}', headers: { 'webhook-id': 'msg_pinned' } });
  });

  it('without the pin the same name does not resolve (the test above could only have used the pin)', async () => {
    const { lookup } = await import('node:dns/promises');
    await expect(lookup('receiver.calento-test.invalid')).rejects.toThrow();
  });
});
