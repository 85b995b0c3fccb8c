// `node --import ./scripts/ts-register.mjs some.ts`: run TypeScript sources without a build (see ts-loader.mjs).
import { register } from 'node:module';

register('./ts-loader.mjs', import.meta.url);
