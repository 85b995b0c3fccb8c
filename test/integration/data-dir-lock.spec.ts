import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DataDirLockedError, lockDataDir } from '../../src/db/data-dir-lock.js';
import { eventually } from '../setup/wait.js';

// The embedded database folder's lock, between real processes: a live holder refuses everyone else, and
// nothing a dead one left behind (a socket file, an old pid file naming any live process) blocks a start.

const root = resolve(import.meta.dirname, '..', '..');
const scratch: string[] = [];
const children: ChildProcess[] = [];

function newFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'calento-lock-'));
  scratch.push(dir);
  return join(dir, 'pglite');
}

/** A separate process holding the lock of `folder` (or refused it), with its output. */
function holder(folder: string) {
  let output = '';
  const child = spawn(process.execPath, ['--import', './scripts/ts-register.mjs', 'test/setup/hold-data-dir-lock.ts', folder], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string | null>((done) => child.on('exit', (code, signal) => done(code ?? signal)));
  return {
    child,
    exited,
    output: () => output,
    locked: () => eventually(() => {
      if (child.exitCode !== null) throw new Error(`the holder exited: ${output}`);
      return output.includes('locked');
    }, 20_000, 'the holder to lock'),
  };
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('embedded database folder lock', () => {
  it('refuses a second process while the first holds the folder, naming its pid', async () => {
    const folder = newFolder();
    const first = holder(folder);
    await first.locked();
    const error = await lockDataDir(folder).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect((error as Error).message).toBe(
      `The embedded database folder ${folder} is in use by another Calento process (pid ${first.child.pid}). ` +
        'Stop that process, or set PGLITE_DATA_DIR (or DATABASE_URL) for this one.',
    );
    // And the other way round: while this process holds it, another process is refused.
    first.child.kill('SIGTERM');
    await first.exited;
    const mine = await lockDataDir(folder);
    try {
      const second = holder(folder);
      expect(await second.exited).toBe(1);
      expect(second.output()).toContain(`is in use by another Calento process (pid ${process.pid})`);
    } finally {
      await mine.release();
    }
    expect(existsSync(`${folder}.lock`)).toBe(false);
  }, 60_000);

  it('is not blocked by the lock of a process killed with SIGKILL', async () => {
    const folder = newFolder();
    const killed = holder(folder);
    await killed.locked();
    killed.child.kill('SIGKILL');
    await killed.exited;
    // The file is still there (nothing ran on the way out), but nobody listens on it any more.
    expect(statSync(`${folder}.lock`).isSocket()).toBe(true);
    const started = Date.now();
    const lock = await lockDataDir(folder);
    expect(Date.now() - started).toBeLessThan(2_000);
    // The new holder is live: a further process is refused.
    const third = holder(folder);
    expect(await third.exited).toBe(1);
    await lock.release();
  }, 60_000);

  it.each([
    ["the test runner's own pid", () => String(process.pid)],
    ['pid 1 (a container restart gets the same pid as before)', () => '1'],
  ])('is not blocked by a pid lock file naming a live unrelated process: %s', async (_, pid) => {
    const folder = newFolder();
    writeFileSync(`${folder}.lock`, pid());
    const lock = await lockDataDir(folder);
    expect(statSync(`${folder}.lock`).isSocket()).toBe(true);
    await lock.release();
    expect(existsSync(`${folder}.lock`)).toBe(false);
  });

  it('refuses a second lock in the same process (two opens of one folder corrupt it just the same)', async () => {
    const folder = newFolder();
    const lock = await lockDataDir(folder);
    await expect(lockDataDir(folder)).rejects.toThrow(`(pid ${process.pid})`);
    await lock.release();
    const again = await lockDataDir(folder);
    await again.release();
  });

  it('lets exactly one of several processes racing for a stale lock win', async () => {
    const folder = newFolder();
    const stale = holder(folder);
    await stale.locked();
    stale.child.kill('SIGKILL');
    await stale.exited;
    const racers = [holder(folder), holder(folder), holder(folder)];
    await eventually(() => racers.every((r) => r.output().includes('locked') || r.child.exitCode !== null), 30_000, 'the racers');
    expect(racers.filter((r) => r.output().includes('locked'))).toHaveLength(1);
    expect(racers.filter((r) => r.output().includes('refused'))).toHaveLength(2);
  }, 60_000);
});
