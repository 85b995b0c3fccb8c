import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { errorCatalogue } from '../../src/common/errors/error-catalogue.js';

describe('docs/errors.md', () => {
  it('lists every error code with its HTTP status, and no code that does not exist', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../../docs/errors.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
    const documented = Object.fromEntries(rows);
    const catalogue = Object.fromEntries(Object.entries(errorCatalogue).map(([code, e]) => [code, e.status]));
    expect(documented).toEqual(catalogue);
  });
});
