import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A CommonJS package loaded the first time it is used instead of when the process starts. The libraries
 * of features a process may never exercise (templating and SMTP for mail, Google's and Slack's clients)
 * then stay out of its heap: about 6 MB that V8 would otherwise mark on every full collection, and that
 * its heap-growing heuristic multiplies into resident memory under load (bench/README.md, "Memory").
 * Loading is synchronous and happens once; a missing package throws where it is first used.
 */
export function lazyModule<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(specifier) as T);
}
