import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptionKey } from '../../config/config.js';

export class SecretBoxError extends Error {}

const FORMAT = 'v1';
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Secrets at rest (OAuth client secrets and tokens, webhook signing secrets, Slack tokens): AES-256-GCM
 * with a fresh 96-bit nonce per value. The stored text is `v1.<keyId>.<nonce>.<ciphertext>.<tag>` in
 * base64url, so a value names the key that sealed it: new values use the first (active) key, older keys
 * only open what they sealed, and `needsRotation` tells a re-encryption pass which rows to rewrite.
 *
 * `context` is authenticated but not stored (GCM's additional data): pass where the value lives
 * (`webhooks.secret:<id>`), so a ciphertext copied into another row or column does not open.
 */
export class SecretBox {
  private readonly byId: Map<string, Buffer>;
  private readonly active: EncryptionKey;

  constructor(keys: readonly EncryptionKey[]) {
    if (keys.length === 0) throw new SecretBoxError('SecretBox needs at least one key');
    for (const { id, key } of keys) {
      if (!KEY_ID.test(id)) throw new SecretBoxError(`Invalid encryption key id "${id}"`);
      if (key.length !== 32) throw new SecretBoxError(`Encryption key "${id}" must be 32 bytes`);
    }
    this.active = keys[0];
    this.byId = new Map(keys.map(({ id, key }) => [id, key]));
    if (this.byId.size !== keys.length) throw new SecretBoxError('Encryption key ids must be unique');
  }

  get activeKeyId(): string {
    return this.active.id;
  }

  seal(plaintext: string, context = ''): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.active.key, nonce);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, this.active.id, nonce, body, cipher.getAuthTag()]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  open(sealed: string, context = ''): string {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== FORMAT) throw new SecretBoxError('Not a sealed value');
    const [, keyId, nonce, body, tag] = parts;
    const key = this.byId.get(keyId);
    if (!key) throw new SecretBoxError(`Sealed with unknown key "${keyId}"`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError('Sealed value does not open (wrong key, context or tampered)');
    }
  }

  /** True when the value was sealed with a key other than the active one. */
  needsRotation(sealed: string): boolean {
    return sealed.split('.')[1] !== this.active.id;
  }
}
