// `npm run test:browser`: the booking pages in Debian's Chromium (playwright-core, no downloaded browser).
// Same transforms as jest.config.mjs; kept out of `npm test` by its file pattern.
import base from './jest.config.mjs';

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
