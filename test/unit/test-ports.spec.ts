import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { freePort, listenOnOwnPort } from '../setup/ports.js';

/** The test servers that go down and come back need ports that nobody else is handed meanwhile. */
const listening: Server[] = [];
afterEach(async () => {
  await Promise.all(listening.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

const listen = (port: number) =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      listening.push(server);
      resolve(port);
    });
  });

describe('test ports', () => {
  it('lie below the ephemeral range that listen(0) and outgoing connections draw from', async () => {
    const ephemeralFrom = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    const port = await freePort();
    expect(port).toBeLessThan(ephemeralFrom);
    expect(port).toBeGreaterThanOrEqual(1024);
    expect(await listenOnOwnPort(listen)).toBeLessThan(ephemeralFrom);
  });

  it('skip a port that something else already holds', async () => {
    const taken = await listenOnOwnPort(listen);
    const offered: number[] = [];
    // Offer the taken port first: the helper must move on to another one, not fail.
    const got = await listenOnOwnPort((port) => {
      offered.push(port);
      return offered.length === 1 ? listen(taken) : listen(port);
    });
    expect(offered).toHaveLength(2);
    expect(got).not.toBe(taken);
  });

  it('come from later blocks in a second jest run beside the suite (CALENTO_TEST_PORT_BLOCKS_FROM)', async () => {
    const ephemeralFrom = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    const block = (port: number) => Math.floor((ephemeralFrom - 1 - port) / 200);
    const own = await freePort();
    process.env.CALENTO_TEST_PORT_BLOCKS_FROM = '2';
    try {
      const beside = await freePort();
      expect(block(beside)).toBe(block(own) + 2);
    } finally {
      delete process.env.CALENTO_TEST_PORT_BLOCKS_FROM;
    }
  });

  it('pass on errors other than a port in use', async () => {
    await expect(listenOnOwnPort(() => Promise.reject(Object.assign(new Error('no'), { code: 'EACCES' })))).rejects.toThrow('no');
  });
});
