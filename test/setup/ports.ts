import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Ports for test servers that go down and come back on the same port (a receiver's outage, a Redis or
 * PostgreSQL outage behind a relay, an SMTP server that stops) or that a child process must bind later.
 *
 * They lie below the kernel's ephemeral range, in a block of its own for each jest worker. A port from
 * `listen(0)` is free for anyone the moment it is released: another test's server, or an outgoing
 * connection's own end, can take it, and the "outage" then answers instead of refusing. The browser tests,
 * when run while the suite runs, take the blocks after the suite's: CALENTO_TEST_PORT_BLOCKS_FROM, set by
 * their config.
 */
const PORTS_PER_WORKER = 200;
let handed = 0;

/** The next port of this jest worker's block (the block ends where the ephemeral range begins). */
function nextPort(): number {
  const worker = Number(process.env.JEST_WORKER_ID ?? 1) + Number(process.env.CALENTO_TEST_PORT_BLOCKS_FROM ?? 0);
  const blockEnd = ephemeralRangeStart() - (worker - 1) * PORTS_PER_WORKER;
  return blockEnd - PORTS_PER_WORKER + (handed++ % PORTS_PER_WORKER);
}

function ephemeralRangeStart(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    return 32768; // not Linux: below the IANA range (49152) and the BSDs' too
  }
}

/** Calls `listen` with ports of the worker's block until one is not in use; returns what it returned. */
export async function listenOnOwnPort<T>(listen: (port: number) => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await listen(nextPort());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || tries >= PORTS_PER_WORKER) throw error;
    }
  }
}

/** A port of the worker's block that nothing listens on now, for a server that binds it later (a child process, an app that must know its URL first). */
export function freePort(): Promise<number> {
  return listenOnOwnPort(
    (port) =>
      new Promise<number>((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => server.close(() => resolve(port)));
      }),
  );
}
