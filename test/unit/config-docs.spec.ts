import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/config.js';

const root = resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(resolve(root, file), 'utf8');

/** Every variable config.ts reads, found in its source. */
function variables(): string[] {
  return [...new Set([...read('src/config/config.ts').matchAll(/\(env, '([A-Z_]+)'/g)].map((m) => m[1]))].sort();
}

describe('configuration', () => {
  it('documents every variable in .env.example and the README table', () => {
    const example = [...read('.env.example').matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]).sort();
    expect(example).toEqual(variables());
    const readme = read('README.md');
    for (const name of variables()) expect({ name, inReadme: readme.includes(`| \`${name}\``) }).toEqual({ name, inReadme: true });
  });

  it('refuses bad values naming the variable', () => {
    const base = { NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(32) };
    expect(() => loadConfig({ ...base, PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ ...base, DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ ...base, JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET is required in production/);
    expect(() => loadConfig({ ...base, WORKERS: 'maybe' })).toThrow(/WORKERS/);
    expect(() => loadConfig({ ...base, LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(loadConfig({ ...base, PORT: '8080', WORKERS: 'off' })).toMatchObject({ port: 8080, workers: false });
  });
});
