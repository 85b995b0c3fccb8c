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
  if (error instanceof DbConstraintError || error instanceof DbInvalidInputError) return error;
  // pg's DatabaseError class is not shared with PGlite's adapter: the code is the reliable part.
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code !== 'string') return error;
  const message = (error as Error).message;
  const kind = constraintKinds[code];
  if (kind) return new DbConstraintError(kind, (error as { constraint?: string }).constraint, code, message);
  if (invalidInputCodes.has(code)) return new DbInvalidInputError(code, message);
  return error;
}

export function isConstraint(error: unknown, constraint: string): error is DbConstraintError {
  return error instanceof DbConstraintError && error.constraint === constraint;
}
