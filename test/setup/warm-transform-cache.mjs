// A child process of the global setup (test/setup/global-setup.mjs): compiles its share of the project's
// TypeScript files into jest's transform cache and exits. It receives jest's project config and its files
// over IPC (structured clone, so the config's regular expressions survive).
import { readFileSync } from 'node:fs';
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

process.once('message', async ({ projectConfig, files }) => {
  const transformer = await createScriptTransformer(projectConfig);
  for (const file of files) transformer.transformSource(file, readFileSync(file, 'utf8'), esmTransformOptions);
  process.send({ compiled: files.length }, () => process.exit(0));
});
