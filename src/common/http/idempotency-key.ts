import { validationError } from '../errors/domain-error.js';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The Idempotency-Key header of a create route: absent, or 1-255 printable ASCII characters (else a 400 naming it). */
export function idempotencyKeyOf(header: string | undefined): string | null {
  if (header === undefined) return null;
  if (!IDEMPOTENCY_KEY.test(header)) throw validationError([{ field: 'Idempotency-Key', message: 'must be 1-255 printable ASCII characters' }]);
  return header;
}
