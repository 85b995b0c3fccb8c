import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createScriptTransformer } from '@jest/transform';

// The options jest's runtime transforms ES modules with (jest-runtime's ESM_TRANSFORM_OPTIONS): part of
// every transform-cache key, so the entries written here are the ones the test workers look up.
const esmTransformOptions = {
  instrument: false,
  isInternalModule: false,
  supportsDynamicImport: true,
  supportsExportNamespaceFrom: true,
  supportsStaticESM: true,
  supportsTopLevelAwait: true,
};

function typeScriptFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/**
 * Fills jest's transform cache for every TypeScript file of src/ and test/ in this one process, before
 * any worker starts. ts-jest builds the whole project's type-checked program in each process that has a
 * file to compile (the Swagger plugin needs the type checker): about 20 s of CPU and 1.5 GB each time. A
 * worker holding more than jest.config.mjs's workerIdleMemoryLimit after a test file is replaced, so on
 * a cold cache every replacement paid for the program again. Here it is built once; the workers then only
 * read the cache (test/setup/ts-jest-lazy.cjs never starts ts-jest). On a warm cache this reads the
 * files and finds every entry. Runs limited to some test files skip it and compile what they load.
 */
async function warmTransformCache(globalConfig, projectConfig) {
  if (globalConfig.testPathPatterns?.isSet?.() || !projectConfig.cache) return;
  const started = Date.now();
  const transformer = await createScriptTransformer(projectConfig);
  const files = ['src', 'test'].flatMap((dir) => typeScriptFiles(join(projectConfig.rootDir, dir)));
  for (const file of files) transformer.transformSource(file, readFileSync(file, 'utf8'), esmTransformOptions);
  process.stdout.write(`[calento] transform cache ready for ${files.length} files in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

// Says which database the suite runs on; each test file builds or reuses the migrated template itself.
export default async function globalSetup(globalConfig, projectConfig) {
  const target = process.env.DATABASE_URL ? 'real PostgreSQL' : 'embedded PGlite';
  process.stdout.write(`\n[calento] tests run against ${target}\n`);
  await warmTransformCache(globalConfig, projectConfig);
}
