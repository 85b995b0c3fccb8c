import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox, SecretBoxError } from '../../src/common/crypto/secret-box.js';
import { ConfigError, loadConfig } from '../../src/config/config.js';

const key = (id: string) => ({ id, key: randomBytes(32) });

describe('SecretBox', () => {
  const k1 = key('k1');
  const k0 = key('k0');

  it('seals with a fresh nonce and opens what it sealed', () => {
    const box = new SecretBox([k1]);
    const a = box.seal('ya29.token', 'ctx');
    const b = box.seal('ya29.token', 'ctx');
    expect(a).not.toEqual(b);
    expect(a).not.toContain('ya29');
    expect(a.split('.').slice(0, 2)).toEqual(['v1', 'k1']);
    expect(box.open(a, 'ctx')).toBe('ya29.token');
    expect(box.open(box.seal('', 'x'), 'x')).toBe('');
    expect(box.open(box.seal('ünïcode ✓', 'x'), 'x')).toBe('ünïcode ✓');
  });

  it('refuses another context, a tampered value and an unknown key', () => {
    const box = new SecretBox([k1]);
    const sealed = box.seal('secret', 'webhooks.secret:1');
    expect(() => box.open(sealed, 'webhooks.secret:2')).toThrow(SecretBoxError);
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3], 'base64url');
    body[0] ^= 1;
    parts[3] = body.toString('base64url');
    expect(() => box.open(parts.join('.'), 'webhooks.secret:1')).toThrow(SecretBoxError);
    expect(() => new SecretBox([key('other')]).open(sealed, 'webhooks.secret:1')).toThrow(/unknown key "k1"/);
    expect(() => box.open('plain text')).toThrow(SecretBoxError);
  });

  it('rotates: the new active key seals, the old one still opens what it sealed', () => {
    const old = new SecretBox([k0]).seal('refresh-token', 'c');
    const rotated = new SecretBox([k1, k0]);
    expect(rotated.open(old, 'c')).toBe('refresh-token');
    expect(rotated.needsRotation(old)).toBe(true);
    expect(rotated.needsRotation(rotated.seal('x', 'c'))).toBe(false);
  });
});

describe('ENCRYPTION_KEYS', () => {
  const base = { NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(32) };
  it('parses id:base64 keys, the first active', () => {
    const a = randomBytes(32).toString('base64');
    const b = randomBytes(32).toString('base64');
    const config = loadConfig({ ...base, ENCRYPTION_KEYS: `new:${a}, old:${b}` });
    expect(config.encryptionKeys.map((k) => k.id)).toEqual(['new', 'old']);
    expect(config.encryptionKeys[0].key.toString('base64')).toBe(a);
  });

  it('refuses malformed keys naming the variable', () => {
    expect(() => loadConfig({ ...base, ENCRYPTION_KEYS: 'k1:c2hvcnQ=' })).toThrow(/ENCRYPTION_KEYS.*32 bytes/);
    expect(() => loadConfig({ ...base, ENCRYPTION_KEYS: randomBytes(32).toString('base64') })).toThrow(ConfigError);
    const k = randomBytes(32).toString('base64');
    expect(() => loadConfig({ ...base, ENCRYPTION_KEYS: `a:${k},a:${k}` })).toThrow(/twice/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) })).toThrow(/ENCRYPTION_KEYS is required in production/);
  });

  it('generates and keeps a development key in the data folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'calento-keys-'));
    try {
      const first = loadConfig({ ...base, DATA_DIR: dir }).encryptionKeys;
      const second = loadConfig({ ...base, DATA_DIR: dir }).encryptionKeys;
      expect(first[0].key.equals(second[0].key)).toBe(true);
      expect(readFileSync(join(dir, 'encryption-key'), 'utf8')).toMatch(/^dev1:/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
