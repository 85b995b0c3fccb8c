import { fork } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

function typeScriptFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Compiles `files` in a child process (test/setup/warm-transform-cache.mjs); resolves when it is done. */
function compileInChild(projectConfig, files) {
  return new Promise((resolve, reject) => {
    const child = fork(new URL('./warm-transform-cache.mjs', import.meta.url), { serialization: 'advanced', stdio: 'inherit' });
    let done = false;
    child.once('message', () => (done = true));
    child.once('error', reject);
    child.once('exit', (code) => (done && code === 0 ? resolve() : reject(new Error(`transform-cache warm-up exited with ${code}`))));
    child.send({ projectConfig, files });
  });
}

/**
 * Fills jest's transform cache for every TypeScript file of src/ and test/ before any worker starts.
 * ts-jest builds the whole project's type-checked program in each process that has a file to compile (the
 * Swagger plugin needs the type checker): about 20 s of CPU and 1.5 GB each time. A worker holding more
 * than jest.config.mjs's workerIdleMemoryLimit after a test file is replaced, so on a cold cache every
 * replacement paid for the program again. Here the files are compiled by one child process per core
 * (two on this machine), each building the program once and taking every other file by size; the workers
 * then only read the cache (test/setup/ts-jest-lazy.cjs never starts ts-jest). On a warm cache the children
 * read the files and find every entry. Runs limited to some test files skip this and compile what they load.
 */
async function warmTransformCache(globalConfig, projectConfig) {
  if (globalConfig.testPathPatterns?.isSet?.() || !projectConfig.cache) return;
  const started = Date.now();
  const files = ['src', 'test']
    .flatMap((dir) => typeScriptFiles(join(projectConfig.rootDir, dir)))
    .map((file) => ({ file, size: statSync(file).size }))
    .sort((a, b) => b.size - a.size);
  const shares = Array.from({ length: Math.max(1, Math.min(2, availableParallelism())) }, () => []);
  files.forEach(({ file }, i) => shares[i % shares.length].push(file));
  await Promise.all(shares.map((share) => compileInChild(projectConfig, share)));
  process.stdout.write(
    `[calento] transform cache ready for ${files.length} files in ${((Date.now() - started) / 1000).toFixed(1)} s (${shares.length} processes)\n`,
  );
}

// Says which database the suite runs on; each test file builds or reuses the migrated template itself.
export default async function globalSetup(globalConfig, projectConfig) {
  const target = process.env.DATABASE_URL ? 'real PostgreSQL' : 'embedded PGlite';
  process.stdout.write(`\n[calento] tests run against ${target}\n`);
  await warmTransformCache(globalConfig, projectConfig);
}
