import { types, type Results } from '@electric-sql/pglite';
import type { SessionClient, SqlPool } from './database.js';

/**
 * A one-connection pool over PGlite's own API, with the same contract as pg.Pool (max: 1).
 *
 * Why not pg + PGlite's node-postgres adapter: measured here (pglite 0.5.14 and 0.5.16), two statements
 * that fail in a row leave that adapter's protocol stream out of step ("Connection terminated
 * unexpectedly", then "unexpected parseComplete message") and every later query of the process fails.
 * An app must survive any number of constraint violations, so PGlite is driven directly.
 *
 * PGlite is one session: the pool hands out that session to one holder at a time, and everything
 * else (pool.query included) queues behind it. That is what makes raw BEGIN/COMMIT on a held client
 * safe — no other request's statement can slip into the transaction.
 */
export const pgliteParsers = {
  // The same representations as the pg side (see database.factory.ts): dates as 'YYYY-MM-DD' text,
  // int8 as numbers, numeric as text.
  [types.DATE]: (value: string) => value,
  [types.INT8]: (value: string) => Number(value),
  [types.NUMERIC]: (value: string) => value,
};

/** What the pool needs of PGlite: the instance itself, or a stand-in whose statements run in the setup child process. */
export interface PgliteSession {
  exec(sql: string): Promise<Results[]>;
  query<T>(sql: string, params?: unknown[]): Promise<Results<T>>;
  refreshArrayTypes(): Promise<void>;
}

export class PglitePool implements SqlPool {
  private tail: Promise<void> = Promise.resolve();
  private ended = false;

  constructor(private readonly pglite: PgliteSession) {}

  async query<T>(sql: string, params: unknown[] = []): Promise<{ rows: T[]; rowCount: number }> {
    const release = await this.acquire();
    try {
      return await this.run<T>(sql, params);
    } finally {
      release();
    }
  }

  async connect(): Promise<SessionClient & { release(): void }> {
    const release = await this.acquire();
    let released = false;
    return {
      query: <T>(sql: string, params: unknown[] = []) => this.run<T>(sql, params),
      release: () => {
        if (!released) {
          released = true;
          release();
        }
      },
    };
  }

  /**
   * PGlite learns the array types (citext[] and the like) when it opens; types created later, by a
   * migration on a new database, are unknown to it until this refresh: their array parameters would be
   * sent as plain text.
   */
  async refreshTypes(): Promise<void> {
    const release = await this.acquire();
    try {
      await this.pglite.refreshArrayTypes();
    } finally {
      release();
    }
  }

  async end(): Promise<void> {
    this.ended = true;
    await this.tail;
  }

  private async acquire(): Promise<() => void> {
    if (this.ended) throw new Error('The embedded database is closed');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => held);
    await previous;
    return release;
  }

  private async run<T>(sql: string, params: unknown[]): Promise<{ rows: T[]; rowCount: number }> {
    // Parameterless text may hold several statements (migrations): PGlite's exec runs them all.
    if (params.length === 0) {
      const results = await this.pglite.exec(sql);
      return toResult<T>(results[results.length - 1]);
    }
    return toResult<T>(await this.pglite.query<T>(sql, params));
  }
}

function toResult<T>(result: Results<unknown> | undefined): { rows: T[]; rowCount: number } {
  if (!result) return { rows: [], rowCount: 0 };
  const rows = result.rows as T[];
  return { rows, rowCount: Math.max(rows.length, result.affectedRows ?? 0) };
}
