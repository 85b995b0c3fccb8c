// `npm run test:browser`: the booking pages in Debian's Chromium (playwright-core, no downloaded browser).
// Same transforms as jest.config.mjs; kept out of `npm test` by its file pattern.
import base from './jest.config.mjs';

// Run while `npm test` runs, test servers that need a port of their own take it from the blocks after the
// suite's two workers' (test/setup/ports.ts), so the two runs never hand out the same port. The workers
// inherit this.
process.env.CALENTO_TEST_PORT_BLOCKS_FROM = String(base.maxWorkers);

export default {
  ...base,
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
  testTimeout: 60000,
  // One Chromium at a time on a 2-core machine.
  maxWorkers: 1,
  // A few files in one worker, never replaced. What they load is in the transform cache after a run of the
  // suite (same id, same cache keys: test/setup/ts-jest-lazy.cjs); run alone, it compiles only that.
  globalSetup: undefined,
  workerIdleMemoryLimit: undefined,
};
