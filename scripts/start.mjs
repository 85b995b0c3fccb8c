// `npm start`: builds when the sources are newer than the last build, then runs the compiled app.
// `--migrate-only` runs the migrations and exits, `--worker` runs job workers only, `--openapi` writes
// docs/openapi.json. No configuration is needed for any of them.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const stamp = join(root, 'dist', '.build-stamp');

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestMtime(join(path, entry))), stat.mtimeMs);
}

const inputs = ['src', 'tsconfig.json', 'nest-cli.json', 'package-lock.json'].map((p) => join(root, p));
const builtAt = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
if (inputs.some((input) => existsSync(input) && newestMtime(input) > builtAt)) {
  console.error('calento: building (sources changed since the last build)…');
  const nest = join(root, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js');
  const build = spawnSync(process.execPath, [nest, 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
  writeFileSync(stamp, new Date().toISOString());
}

const entries = { '--migrate-only': 'cli/migrate.js', '--worker': 'cli/worker.js', '--openapi': 'cli/openapi.js' };
const flag = Object.keys(entries).find((name) => process.argv.includes(name));
const entry = flag ? entries[flag] : 'main.js';
await import(pathToFileURL(join(root, 'dist', entry)).href);
