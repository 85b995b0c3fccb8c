import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');

/** The Dockerfile's last stage: the image that runs. */
function runtimeStage(): string {
  const text = readFileSync(resolve(root, 'Dockerfile'), 'utf8');
  return text.slice(text.lastIndexOf('\nFROM '));
}

/** `ENV NAME=value` and `ENV NAME="several words"` lines of the Dockerfile's runtime stage. */
function dockerfileEnv(): Record<string, string> {
  return Object.fromEntries([...runtimeStage().matchAll(/^ENV (\w+)=(?:"([^"]*)"|(\S+))$/gm)].map((m) => [m[1], m[2] ?? m[3]]));
}

/** The node options of the runtime stage's `CMD ["node", …, "dist/main.js"]`. */
function dockerfileCmdFlags(): string[] {
  const cmd = /^CMD (\[.*\])$/m.exec(runtimeStage());
  const argv = JSON.parse(cmd?.[1] ?? '[]') as string[];
  expect([argv[0], argv.at(-1)]).toEqual(['node', 'dist/main.js']);
  return argv.slice(1, -1);
}

describe('runtime settings', () => {
  it('the benchmarks run the app with the settings the Dockerfile ships', async () => {
    const bench = (await import(resolve(root, 'bench', 'lib.mjs'))) as { productionNodeFlags: string[]; productionEnv: Record<string, string> };
    const env = dockerfileEnv();
    // V8 flags in NODE_OPTIONS, then those node accepts only on its command line.
    expect([...(env.NODE_OPTIONS?.split(' ') ?? []), ...dockerfileCmdFlags()]).toEqual(bench.productionNodeFlags);
    expect(Object.keys(bench.productionEnv)).toEqual(['MALLOC_ARENA_MAX']);
    for (const [name, value] of Object.entries(bench.productionEnv)) expect({ name, value: env[name] }).toEqual({ name, value });
  });

  it("the README's command for running outside the image has the image's settings", async () => {
    const bench = (await import(resolve(root, 'bench', 'lib.mjs'))) as { productionNodeFlags: string[] };
    const readme = readFileSync(resolve(root, 'README.md'), 'utf8').replace(/\s+/g, ' ');
    const command = /`MALLOC_ARENA_MAX=1 node ([^`]*) dist\/main\.js`/.exec(readme);
    expect(command?.[1].split(' ')).toEqual(bench.productionNodeFlags);
  });

  // node exits with "bad option" on a V8 flag its V8 does not know, so a Node upgrade that drops one of
  // these must fail here (CI runs this on Node 20 and on Node 24, the image's runtime), not at start-up.
  it('every flag of the image, in NODE_OPTIONS and on the command line, is one node accepts there', () => {
    const run = spawnSync(process.execPath, [...dockerfileCmdFlags(), '-e', 'process.stdout.write("started")'], {
      env: { ...process.env, NODE_OPTIONS: dockerfileEnv().NODE_OPTIONS },
      encoding: 'utf8',
    });
    expect({ status: run.status, stderr: run.stderr, stdout: run.stdout }).toEqual({ status: 0, stderr: '', stdout: 'started' });
  });
});
