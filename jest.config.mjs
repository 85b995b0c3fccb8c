import { createHash } from 'node:crypto';

// Native-ESM jest: ts-jest compiles TypeScript (with the Swagger plugin), started only on a transform-cache
// miss (test/setup/ts-jest-lazy.cjs); @swc/jest compiles the two ESM-only packages that Fastify's stack loads.
const esmOnly = ['content-disposition', 'cookie'];

export default {
  // One id for this checkout's configs (this one and jest.browser.config.mjs, which differs in its test
  // files only): jest names the transform cache's folder after it, so both read the same entries.
  id: `calento-${createHash('sha1').update(import.meta.dirname).digest('hex').slice(0, 16)}`,
  rootDir: '.',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  testMatch: ['<rootDir>/test/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  setupFiles: ['reflect-metadata'],
  globalSetup: '<rootDir>/test/setup/global-setup.mjs',
  transform: {
    '^.+\\.ts$': [
      '<rootDir>/test/setup/ts-jest-lazy.cjs',
      {
        useESM: true,
        tsconfig: '<rootDir>/tsconfig.spec.json',
        diagnostics: false,
        astTransformers: { before: ['<rootDir>/test/setup/swagger-plugin.cjs'] },
      },
    ],
    [`node_modules/(${esmOnly.join('|')})/.+\\.js$`]: ['@swc/jest'],
  },
  transformIgnorePatterns: [`node_modules/(?!(${esmOnly.join('|')})/)`],
  testTimeout: 30000,
  maxWorkers: 2,
  // A worker that holds more than this after a test file is replaced by a fresh one. Each e2e file loads
  // the whole app into its own module registry, and Node never frees a file's ES modules: every
  // vm.SourceTextModule stays in the environment's cleanup queue, and through its evaluation the file's
  // top-level variables, its app included (a heap snapshot after three e2e files in one process, Node 20 and
  // 24 alike: 40-50 MB live per file). The workers otherwise grew to about 4 GB each by the end of the
  // suite, with a third of the CPU in the kernel. Measured on 2026-12-02 (2-core AMD EPYC, PGlite, warm
  // transform cache): 12 min 34 s without the limit (19 min of user CPU), 6 min 35 s with 1 GB (10 min).
  // Later the same day, on another host, after ts-jest was no longer loaded by every new worker: 2 GB
  // 464 s, 1 GB 393 and 376 s, 700 MB 353 and 361 s, 400 MB 387 s; on real PostgreSQL with Node 24 the
  // other way round, 1 GB 281 s and 700 MB 297 s (one run each). A replaced worker would build ts-jest's
  // program again on a cache miss, so the global setup fills the transform cache first
  // (test/setup/global-setup.mjs).
  workerIdleMemoryLimit: '700MB',
};
