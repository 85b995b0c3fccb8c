import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The house rules of ARCHITECTURE.md that a grep can check, checked on every run: floors read downward,
 * the events tables have one writer, "now" comes from the injected clock, and what only some processes
 * need is loaded on first use.
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
/** Static imports that load the module when the importer loads (`import type` loads nothing). */
const valueImportsOf = (text: string) => [...text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gm)].map((match) => match[1]);

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

  it('loads the libraries of mail, Google and Slack on first use, and PGlite only for an embedded database', () => {
    const lazy = /^(handlebars|nodemailer|googleapis|@slack\/web-api)(\/|$)/;
    const eager = files.flatMap((file) =>
      valueImportsOf(file.text)
        .filter((target) => lazy.test(target) || (/^@electric-sql\/pglite/.test(target) && !/^db\/pglite-(open|pool)\.ts$/.test(file.path)))
        .map((target) => `${file.path} → ${target}`),
    );
    expect(eager).toEqual([]);
    // The PGlite modules are reached only through openPglite's dynamic import.
    const intoPglite = files
      .filter((file) => !/^db\/pglite-/.test(file.path))
      .flatMap((file) => valueImportsOf(file.text).filter((target) => /\/pglite-(open|pool|setup)\.js$/.test(target)).map((target) => `${file.path} → ${target}`));
    expect(intoPglite).toEqual([]);
    expect(files.find((file) => file.path === 'db/database.factory.ts')?.text).toContain("await import('./pglite-open.js')");
  });

  it("imports googleapis' Calendar v3 module, never the package root, in sources, tests and benches alike", () => {
    // The root's type declarations (every Google API, 177 MB) were most of what the type check and
    // ts-jest's program parsed, even through an `import type`: 26 s against 11 for the type check.
    // Static imports, `import type`, import() and lazyModule() alike name it as a quoted specifier.
    const rootSpecifier = /['"]googleapis['"]/;
    const everywhere = ['src', 'test', 'bench'].flatMap((dir) => sources(join(process.cwd(), dir)));
    const rooted = everywhere
      .map((path) => relative(process.cwd(), path))
      .filter((path) => path !== 'test/unit/architecture.spec.ts' && rootSpecifier.test(readFileSync(path, 'utf8')));
    expect(everywhere.length).toBeGreaterThan(300);
    expect(rootSpecifier.test("await import('googleapis')")).toBe(true);
    expect(rootSpecifier.test("from 'googleapis/build/src/apis/calendar/index.js'")).toBe(false);
    expect(rooted).toEqual([]);
  });
});
