import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { dirname, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export class DataDirLockedError extends Error {}

/**
 * One process per embedded database folder. PGlite has no lock of its own: two processes on one folder
 * silently lose writes.
 *
 * The lock is a listening Unix domain socket at `<folder>.lock`. A socket cannot outlive its process: the
 * kernel closes it when the process ends, however it ends. So a second process that can connect knows
 * the folder is in use (the holder answers with its pid, for the message), and ECONNREFUSED means the
 * file is a leftover of a dead process, taken over. A pid file could not tell: in a container the
 * restarted process often gets the pid its predecessor had, and any live process with the old pid looked
 * like the owner forever.
 *
 * The socket is bound under a unique name and hard-linked to `<folder>.lock`, because link() fails when
 * the name exists (bind and link are the atomic steps), and because Node unlinks a socket's bound name
 * when it closes it: the lock name itself is removed only by its owner.
 */
export interface DataDirLock {
  release(): Promise<void>;
}

/** How long a process that took over a stale lock waits before checking that it still holds it. */
const TAKEOVER_SETTLE_MS = 100;
/** Unix socket paths hold 108 bytes on Linux (104 on macOS), the terminating NUL included. */
const MAX_SOCKET_PATH = 103;

export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const lockPath = resolve(`${dataDir}.lock`);
  const ownPath = `${lockPath}.${randomBytes(4).toString('hex')}`;
  mkdirSync(dirname(lockPath), { recursive: true });
  const server = await listen(socketAddress(ownPath, dataDir));
  const ownInode = statSync(ownPath).ino;
  const holds = () => {
    try {
      return statSync(lockPath).ino === ownInode;
    } catch {
      return false;
    }
  };
  let tookOver = false;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(ownPath, lockPath);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt === 3) throw error;
        const owner = await lockOwner(socketAddress(lockPath, dataDir));
        if (owner) throw inUse(dataDir, owner);
        // Nobody listens: the process that made it is gone.
        rmSync(lockPath, { force: true });
        tookOver = true;
      }
    }
    // Two processes that found the same stale lock can both remove "it" (the second removing the first
    // one's fresh link); the one whose link is there once both are done keeps the folder.
    if (tookOver) {
      await sleep(TAKEOVER_SETTLE_MS);
      if (!holds()) throw inUse(dataDir, (await lockOwner(socketAddress(lockPath, dataDir))) ?? 'unknown');
    }
  } catch (error) {
    await close(server);
    throw error;
  } finally {
    // The bound name has served its purpose; the socket lives on under the lock name.
    rmSync(ownPath, { force: true });
  }

  // On an exit without release (process.exit on a fatal error), leave no file behind.
  const removeOnExit = () => {
    if (holds()) rmSync(lockPath, { force: true });
  };
  process.once('exit', removeOnExit);
  return {
    async release() {
      process.removeListener('exit', removeOnExit);
      removeOnExit();
      await close(server);
    },
  };
}

function inUse(dataDir: string, owner: string): DataDirLockedError {
  return new DataDirLockedError(
    `The embedded database folder ${dataDir} is in use by another Calento process (pid ${owner}). ` +
      'Stop that process, or set PGLITE_DATA_DIR (or DATABASE_URL) for this one.',
  );
}

/** The shorter of the absolute and the cwd-relative form: both name the same file. */
function socketAddress(path: string, dataDir: string): string {
  const fromCwd = relative(process.cwd(), path);
  const address = Buffer.byteLength(fromCwd) < Buffer.byteLength(path) ? fromCwd : path;
  if (Buffer.byteLength(address) > MAX_SOCKET_PATH) {
    throw new DataDirLockedError(
      `The embedded database folder ${dataDir} has too long a path for its lock (a Unix socket path holds ` +
        `${MAX_SOCKET_PATH} bytes). Choose a shorter PGLITE_DATA_DIR, or run from a directory closer to it.`,
    );
  }
  return address;
}

function listen(address: string): Promise<Server> {
  return new Promise((done, fail) => {
    // Whoever connects learns the holder's pid; the lock must not keep the process alive on its own.
    const server = createServer((socket) => socket.end(String(process.pid)));
    server.once('error', fail);
    server.listen(address, () => {
      server.removeListener('error', fail);
      server.unref();
      done(server);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((done) => server.close(() => done()));
}

/**
 * The pid of the process listening on the lock, or null when nobody does (a stale file, a pid file of an
 * older Calento, or nothing at all).
 */
function lockOwner(address: string): Promise<string | null> {
  return new Promise((done, fail) => {
    const socket = connect(address);
    let answer = '';
    socket.setTimeout(2_000, () => socket.destroy());
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
    socket.on('close', () => done(/^\d+$/.test(answer) ? answer : 'unknown'));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      socket.removeAllListeners('close');
      socket.destroy();
      if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT' || error.code === 'ENOTSOCK') done(null);
      else fail(error);
    });
  });
}
