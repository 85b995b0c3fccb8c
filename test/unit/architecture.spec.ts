import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The house rules of ARCHITECTURE.md that a grep can check, checked on every run: floors read downward,
 * the events tables have one writer, and "now" comes from the injected clock.
 */
const src = join(process.cwd(), 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const files = sources(src).map((path) => ({ path: relative(src, path), text: readFileSync(path, 'utf8') }));
const importsOf = (text: string) => [...text.matchAll(/from\s+'([^']+)'/g)].map((match) => match[1]);

describe('architecture', () => {
  it('reads the source tree', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files.some((file) => file.path.startsWith('engines/'))).toBe(true);
  });

  it('engines and common import no feature module', () => {
    const upward = files
      .filter((file) => /^(engines|common)\//.test(file.path))
      .flatMap((file) => importsOf(file.text).filter((target) => target.includes('/modules/')).map((target) => `${file.path} → ${target}`));
    expect(upward).toEqual([]);
  });

  it('no module outside events imports the events repositories', () => {
    const outside = files
      .filter((file) => !file.path.startsWith('modules/events/'))
      .flatMap((file) =>
        importsOf(file.text)
          .filter((target) => /\/events\/(events|attendees|tags)\.repository\.js$/.test(target))
          .map((target) => `${file.path} → ${target}`),
      );
    expect(outside).toEqual([]);
  });

  it('reads "now" from the injected Clock: no new Date() outside it', () => {
    const found = files
      .filter((file) => file.path !== 'common/time/clock.ts')
      .flatMap((file) => file.text.split('\n').map((line, i) => ({ file: file.path, line: i + 1, text: line })))
      .filter(({ text }) => /new Date\(\)/.test(text));
    expect(found).toEqual([]);
  });
});
