import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { buildOpenApiDocument, createApp } from '../app.setup.js';
import { loadConfig } from '../config/config.js';

/**
 * `npm run openapi`: writes docs/openapi.json from the compiled app (Swagger CLI plugin included).
 * Preview mode builds the module graph without running providers, so no database is opened.
 */
const target = resolve(import.meta.dirname, '..', '..', 'docs', 'openapi.json');
const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', JWT_SECRET: 'x'.repeat(32) });
const app = await createApp(config, { preview: true });
const document = buildOpenApiDocument(app);
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
await app.close();
console.log(`Wrote ${target} (${Object.keys(document.paths).length} paths)`);
