import { createHash, randomBytes } from 'node:crypto';

/** An unguessable opaque token (256 bits) for refresh, reset, booking-manage and feed links. */
export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Opaque tokens are stored as SHA-256 digests: they carry 256 bits of entropy, so a fast hash is enough
 * (bcrypt is for low-entropy passwords), and lookups stay a single indexed equality.
 */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
