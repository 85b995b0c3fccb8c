// Native-ESM jest: ts-jest compiles TypeScript (with the Swagger plugin), started only on a transform-cache
// miss (test/setup/ts-jest-lazy.cjs); @swc/jest compiles the two ESM-only packages that Fastify's stack loads.
const esmOnly = ['content-disposition', 'cookie'];

export default {
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
};
