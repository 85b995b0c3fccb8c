/**
 * PostgreSQL error codes that callers can act on become typed errors here, in one place. Repositories
 * catch the ones they expect (a unique slug, an overlapping booking) and turn them into domain errors;
 * the global filter maps any that slip through to a safe 4xx.
 */
export class DbConstraintError extends Error {
  constructor(
    readonly kind: 'unique' | 'foreign_key' | 'check' | 'exclusion' | 'not_null',
    readonly constraint: string | undefined,
    readonly pgCode: string,
    message: string,
  ) {
    super(message);
  }
}

/** A value PostgreSQL could not parse (22P02), or out of range (22003, 22007, 22008). */
export class DbInvalidInputError extends Error {
  constructor(readonly pgCode: string, message: string) {
    super(message);
  }
}

/**
 * The database cannot be reached now: no free connection within the pool's wait, a refused or dropped
 * connection, or a server that is starting, shutting down or out of connection slots. Answered 503
 * SERVICE_UNAVAILABLE: the request may succeed if retried, and nothing about it was wrong.
 */
export class DbUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`database unavailable: ${reason}`);
  }
}

// 53300 too many connections, 57P01–57P03 shutdown or starting up, class 08 connection exceptions; and
// the socket errors of a server that is gone.
const unavailableCodes = new Set(['53300', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
// pg-pool's wait for a free connection, and pg's own messages for a connection lost mid-query or before
// the next statement on a held client.
const unavailableMessages = /^(timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error and is not queryable)/;

const constraintKinds: Record<string, DbConstraintError['kind']> = {
  '23505': 'unique',
  '23503': 'foreign_key',
  '23514': 'check',
  '23P01': 'exclusion',
  '23502': 'not_null',
};

// 22P02 bad text representation, 22003 out of range, 22007/22008 bad datetime, 22023 bad parameter,
// 22021 a byte sequence PostgreSQL refuses (NUL in text), 22001 value too long, 22009 bad time zone
// displacement.
const invalidInputCodes = new Set(['22P02', '22003', '22007', '22008', '22009', '22023', '22021', '22001']);

export function translatePgError(error: unknown): unknown {
  if (error instanceof DbConstraintError || error instanceof DbInvalidInputError || error instanceof DbUnavailableError) return error;
  // pg's DatabaseError class is not shared with PGlite's adapter: the code is the reliable part.
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const message = error instanceof Error ? error.message : '';
  if ((typeof code === 'string' && unavailableCodes.has(code)) || (code === undefined && unavailableMessages.test(message))) {
    return new DbUnavailableError(typeof code === 'string' ? code : message);
  }
  if (typeof code !== 'string') return error;
  const kind = constraintKinds[code];
  if (kind) return new DbConstraintError(kind, (error as { constraint?: string }).constraint, code, message);
  if (invalidInputCodes.has(code)) return new DbInvalidInputError(code, message);
  return error;
}

export function isConstraint(error: unknown, constraint: string): error is DbConstraintError {
  return error instanceof DbConstraintError && error.constraint === constraint;
}
