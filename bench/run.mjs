// `npm run bench -- <name> [options]` runs bench/<name>.bench.mjs (or .ts) with the options after the name.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const here = import.meta.dirname;
const [name, ...args] = process.argv.slice(2);
const available = readdirSync(here).filter((file) => /\.bench\.(mjs|ts)$/.test(file)).map((file) => file.replace(/\.bench\.(mjs|ts)$/, ''));
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join('|')}> [options]`);
  process.exit(2);
}
const script = existsSync(join(here, `${name}.bench.mjs`)) ? join(here, `${name}.bench.mjs`) : join(here, `${name}.bench.ts`);
const nodeArgs = script.endsWith('.ts') ? ['--import', './scripts/ts-register.mjs'] : [];
const { status } = spawnSync(process.execPath, [...nodeArgs, script, ...args], { stdio: 'inherit', cwd: join(here, '..') });
process.exit(status ?? 1);
