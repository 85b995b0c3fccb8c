// Module hooks that let plain `node` run the TypeScript sources directly (child worker processes in
// tests, benchmarks). @swc/core strips types and compiles the legacy decorators Nest uses; it does not
// type-check. Register with `node --import ./scripts/ts-register.mjs file.ts`.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import swc from '@swc/core';

const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

const isRelative = (specifier) => specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('file:');

export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    // Sources import `./x.js`; the file on disk is `./x.ts`.
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && isRelative(specifier) && specifier.endsWith('.js')) {
      return next(`${specifier.slice(0, -3)}.ts`, context);
    }
    throw error;
  }
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const filename = fileURLToPath(url);
  const source = await readFile(filename, 'utf8');
  const { code } = await swc.transform(source, { ...swcOptions, filename });
  return { format: 'module', source: code, shortCircuit: true };
}
