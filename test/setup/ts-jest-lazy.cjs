// ts-jest, loaded and started only when a file has to be compiled. ts-jest builds the whole project's
// type-checked program as soon as it is created (the Swagger plugin needs the type checker), even when every
// file is already in jest's transform cache: about 20 s of CPU in every worker of every run before its first
// test file; and loading it loads TypeScript, about 0.7 s in every worker jest starts or replaces. Here the
// cache key is computed without it: the file, every project file it imports (transitively, by content,
// since the Swagger plugin reads types across files), the compiler and plugin versions and their settings.
// ts-jest's own key uses the same inputs, with modification times instead of contents.
const { createHash } = require('node:crypto');
const { existsSync, readFileSync, statSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');

const root = resolve(__dirname, '..', '..');
const version = (name) => require(`${name}/package.json`).version;
const fileText = (path) => readFileSync(path, 'utf8');

const stamp = [
  `ts-jest ${version('ts-jest')}`,
  `typescript ${version('typescript')}`,
  `@nestjs/swagger ${version('@nestjs/swagger')}`,
  fileText(__filename),
  fileText(join(__dirname, 'swagger-plugin.cjs')),
  fileText(join(root, 'tsconfig.json')),
  fileText(join(root, 'tsconfig.spec.json')),
].join('\0');

// Relative specifiers in `import … from`, `export … from`, `import '…'` and `import('…')`.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"\n]+)['"]/g;

function resolveSpecifier(fromFile, specifier) {
  const base = resolve(dirname(fromFile), specifier);
  const stem = base.replace(/\.(js|mjs|cjs)$/, '');
  for (const candidate of [`${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, base, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** path -> { mtimeMs, size, hash, imports } for this process; re-read when the file changes. */
const files = new Map();

function info(path, content) {
  const { mtimeMs, size } = statSync(path);
  const known = files.get(path);
  if (content === undefined && known && known.mtimeMs === mtimeMs && known.size === size) return known;
  const text = content ?? fileText(path);
  const imports = new Set();
  for (const match of text.matchAll(SPECIFIER)) {
    const target = resolveSpecifier(path, match[1]);
    if (target) imports.add(target);
  }
  const entry = { mtimeMs, size, hash: createHash('sha1').update(text).digest('hex'), imports: [...imports] };
  if (content === undefined) files.set(path, entry);
  return entry;
}

/**
 * What of jest's project config the output depends on: this transformer's options (ts-jest's, tsconfig
 * path included), the root they resolve against, and which extensions are ES modules. Not the whole config
 * (jest's own key uses it): the browser config differs in its test files only and shares the main
 * config's cache (jest.config.mjs gives both the same id), so a browser run after the suite compiles
 * nothing.
 */
function transformSettings(options) {
  const { config = {}, transformerConfig = {} } = options;
  return JSON.stringify({ rootDir: config.rootDir, extensionsToTreatAsEsm: config.extensionsToTreatAsEsm, transformerConfig });
}

function cacheKey(sourceText, sourcePath, options) {
  const hash = createHash('sha1');
  hash.update(stamp).update('\0').update(transformSettings(options)).update('\0');
  hash.update(`instrument:${Boolean(options.instrument)} esm:${Boolean(options.supportsStaticESM)}\0`);
  hash.update(sourcePath).update('\0').update(sourceText).update('\0');
  const seen = new Set([sourcePath]);
  const queue = [...info(sourcePath, sourceText).imports];
  while (queue.length) {
    const path = queue.shift();
    if (seen.has(path)) continue;
    seen.add(path);
    const dep = info(path);
    hash.update(`${path}:${dep.hash}\0`);
    queue.push(...dep.imports);
  }
  return hash.digest('hex');
}

/**
 * The project config handed to ts-jest: the suite's, except that no file counts as a test file. ts-jest
 * leaves test files out of the program it builds first and adds each when it compiles it; every addition
 * makes a new program and a new type checker, and the Swagger plugin then checks again what it reads.
 * With every file in the first program, filling the cache from scratch took 38.5 s instead of 87.5 s
 * (427 files, measured 2026-12-02), with byte-identical output. ts-jest reads testMatch for nothing else.
 */
const tsJestConfigs = new WeakMap();
function withTestFilesInProgram(options) {
  const { config } = options;
  if (!config) return options;
  if (!tsJestConfigs.has(config)) tsJestConfigs.set(config, { ...config, testMatch: [join(root, '.no-test-files')], testRegex: [] });
  return { ...options, config: tsJestConfigs.get(config) };
}

class LazyTsJest {
  constructor(options) {
    this.options = options;
    this.inner = undefined;
  }

  tsJest() {
    if (!this.inner) {
      const { TsJestTransformer } = require('ts-jest');
      this.inner = new TsJestTransformer(this.options);
    }
    return this.inner;
  }

  getCacheKey(sourceText, sourcePath, options) {
    return cacheKey(sourceText, sourcePath, options);
  }

  async getCacheKeyAsync(sourceText, sourcePath, options) {
    return cacheKey(sourceText, sourcePath, options);
  }

  process(sourceText, sourcePath, options) {
    return this.tsJest().process(sourceText, sourcePath, withTestFilesInProgram(options));
  }

  processAsync(sourceText, sourcePath, options) {
    return this.tsJest().processAsync(sourceText, sourcePath, withTestFilesInProgram(options));
  }
}

module.exports = { createTransformer: (options) => new LazyTsJest(options) };
