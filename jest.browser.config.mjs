// `npm run test:browser`: the booking pages in Debian's Chromium (playwright-core, no downloaded browser).
// Same transforms as jest.config.mjs; kept out of `npm test` by its file pattern.
import base from './jest.config.mjs';

export default {
  ...base,
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
  testTimeout: 60000,
  // One Chromium at a time on a 2-core machine.
  maxWorkers: 1,
  // A few files in one worker: it compiles what they load itself (the base's cache warm-up would compile
  // every file of the project under this config's own cache keys) and is never replaced.
  globalSetup: undefined,
  workerIdleMemoryLimit: undefined,
};
