import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { QueryResultRow } from 'pg';
import { translatePgError } from './pg-errors.js';

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

/** Anything that can run one parameterized statement: the pool, or the client of an open transaction. */
export interface Queryable {
  query<T extends QueryResultRow = QueryResultRow>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
}

/** One session of the database (a pg client, or PGlite's single session). */
export interface SessionClient {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[]; rowCount: number | null }>;
}

/** pg's statement form: a named statement is parsed and planned once per connection, then reused. */
interface NamedStatementClient {
  query<T>(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: T[]; rowCount: number | null }>;
}

/** A session lent by the pool; pg's clients are event emitters, PGlite's session is not. */
type PooledSession = SessionClient & {
  release(): void;
  on?(event: 'error', listener: (error: Error) => void): unknown;
  removeListener?(event: 'error', listener: (error: Error) => void): unknown;
};

/** What Database needs of a pool: pg.Pool fits, and so does PglitePool. */
export interface SqlPool extends SessionClient {
  connect(): Promise<PooledSession>;
  end(): Promise<void>;
}

const ignoreError = (): void => undefined;

/**
 * Listens for 'error' on a lent pg client until it goes back, and returns its release. pg emits that
 * event when the connection of a client dies (an outage, a server restart), even while a statement
 * is running, and pg-pool listens only while the client is idle in the pool: unheard, the event would
 * end the process. The work on the client learns of the loss from its statement instead, and the
 * pool drops a client whose connection is gone when it comes back.
 */
function lend(client: PooledSession): () => void {
  client.on?.('error', ignoreError);
  return () => {
    client.removeListener?.('error', ignoreError);
    client.release();
  };
}

interface TxState {
  client: SessionClient;
  depth: number;
  /** Run once the outermost transaction commits (dropped on rollback). */
  afterCommit: Array<() => void>;
  /** Channels this transaction already rings at commit (one NOTIFY per channel is enough). */
  woken: Set<string>;
}

/**
 * Cross-process wake-ups (PostgreSQL LISTEN on a connection of its own); see `Database.onWake`.
 * PGlite has none: it is one process, and the in-process path already covers it.
 */
export interface WakeListener {
  listen(channel: string, onWake: () => void): Promise<void>;
  close(): Promise<void>;
}

/**
 * The one way the code base reaches PostgreSQL (real, or embedded PGlite behind the same pg.Pool).
 *
 * A transaction keeps its client in AsyncLocalStorage, so `db.query()` called anywhere inside
 * `db.tx(...)` joins it. That matters twice: repositories need not pass clients around, and with PGlite
 * (a pool of exactly one client) a query outside the open transaction would wait forever.
 */
export class Database implements Queryable {
  private readonly current = new AsyncLocalStorage<TxState>();
  private readonly chains = new WeakMap<SessionClient, Promise<unknown>>();
  private readonly wakes = new EventEmitter().setMaxListeners(0);
  private readonly listening = new Set<string>();

  constructor(
    private readonly pool: SqlPool,
    readonly kind: 'postgres' | 'pglite',
    private readonly onClose: () => Promise<void> = async () => {},
    /**
     * Named (server-side prepared) statements: parsed and planned once per connection instead of on
     * every call. Turn off behind a transaction-mode pooler that cannot keep them.
     */
    private readonly preparedStatements = false,
    private readonly listener: WakeListener | null = null,
  ) {}

  async query<T extends QueryResultRow = QueryResultRow>(
    sql: string,
    params: readonly unknown[] = [],
  ): Promise<QueryResult<T>> {
    const client = this.current.getStore()?.client;
    const run = async (): Promise<QueryResult<T>> => {
      const runner = client ?? this.pool;
      try {
        const result =
          this.preparedStatements && params.length > 0
            ? await (runner as unknown as NamedStatementClient).query<T>({
                name: statementName(sql),
                text: sql,
                values: params as unknown[],
              })
            : await runner.query<T>(sql, params as unknown[]);
        return { rows: result.rows, rowCount: result.rowCount ?? 0 };
      } catch (error) {
        throw translatePgError(error);
      }
    };
    return client ? this.onClient(client, run) : run();
  }

  /**
   * Statements on a transaction's one connection run one after the other, even when callers issue them
   * concurrently (Promise.all over several repositories): a connection executes one query at a time.
   */
  private onClient<T>(client: SessionClient, run: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(client) ?? Promise.resolve();
    const next = previous.then(run, run);
    this.chains.set(client, next.catch(() => undefined));
    return next;
  }

  /** Runs fn in a transaction; a nested call becomes a savepoint of the outer one. */
  async tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    const outer = this.current.getStore();
    if (outer) return this.savepoint(outer, fn);
    const client = await this.pool.connect().catch((error: unknown) => {
      throw translatePgError(error);
    });
    const release = lend(client);
    try {
      await client.query('BEGIN');
      const state: TxState = { client, depth: 0, afterCommit: [], woken: new Set() };
      const result = await this.current.run(state, () => fn(this));
      await client.query('COMMIT');
      for (const callback of state.afterCommit) callback();
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw translatePgError(error);
    } finally {
      release();
    }
  }

  /** A client for work that must stay on one session outside a transaction (session advisory locks). */
  async withSession<T>(fn: (client: SessionClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect().catch((error: unknown) => {
      throw translatePgError(error);
    });
    const release = lend(client);
    try {
      return await fn(client);
    } catch (error) {
      throw translatePgError(error);
    } finally {
      release();
    }
  }

  /** Connections of a pg pool (PGlite has one session and no pool: null). */
  poolStats(): { total: number; idle: number; waiting: number } | null {
    const pool = this.pool as Partial<{ totalCount: number; idleCount: number; waitingCount: number }>;
    if (this.kind !== 'postgres' || typeof pool.totalCount !== 'number') return null;
    return { total: pool.totalCount, idle: pool.idleCount ?? 0, waiting: pool.waitingCount ?? 0 };
  }

  get inTransaction(): boolean {
    return this.current.getStore() !== undefined;
  }

  /**
   * Runs `callback` once the current transaction commits (not at all if it rolls back; at once outside
   * a transaction). A savepoint that rolls back keeps its callbacks: the outer commit still decides.
   */
  afterCommit(callback: () => void): void {
    const state = this.current.getStore();
    if (state) state.afterCommit.push(callback);
    else callback();
  }

  /**
   * Wakes whoever waits on `channel` (job workers, the change dispatcher) when the current transaction
   * commits: in this process at once, and on PostgreSQL in every process through NOTIFY, which the
   * server delivers only on commit. Waiters must still poll now and then: a wake-up is a hint, not a
   * guarantee (a listener can be reconnecting).
   */
  async wake(channel: string): Promise<void> {
    const state = this.current.getStore();
    if (state?.woken.has(channel)) return;
    state?.woken.add(channel);
    if (this.kind === 'postgres') await this.query('SELECT pg_notify($1, \'\')', [channel]);
    this.afterCommit(() => this.wakes.emit(channel));
  }

  /** Calls `onWake` for every wake of `channel`; returns the unsubscribe function. */
  async onWake(channel: string, onWake: () => void): Promise<() => void> {
    this.wakes.on(channel, onWake);
    if (this.listener && !this.listening.has(channel)) {
      this.listening.add(channel);
      await this.listener.listen(channel, () => this.wakes.emit(channel));
    }
    return () => this.wakes.off(channel, onWake);
  }
  /** After DDL (migrations): lets the driver learn new types. */
  async schemaChanged(): Promise<void> {
    const pool = this.pool as SqlPool & { refreshTypes?: () => Promise<void> };
    await pool.refreshTypes?.();
  }

  async close(): Promise<void> {
    await this.listener?.close();
    await this.pool.end();
    await this.onClose();
  }

  private async savepoint<T>(state: TxState, fn: (q: Queryable) => Promise<T>): Promise<T> {
    const name = `sp_${state.depth + 1}`;
    await this.onClient(state.client, () => state.client.query(`SAVEPOINT ${name}`));
    try {
      // A NOTIFY rolled back with the savepoint must be sent again by a later wake: the savepoint rings
      // its own set, merged into the outer one only when it is released.
      const inner: TxState = { ...state, depth: state.depth + 1, woken: new Set(state.woken) };
      const result = await this.current.run(inner, () => fn(this));
      await this.onClient(state.client, () => state.client.query(`RELEASE SAVEPOINT ${name}`));
      for (const channel of inner.woken) state.woken.add(channel);
      return result;
    } catch (error) {
      await this.onClient(state.client, () => state.client.query(`ROLLBACK TO SAVEPOINT ${name}`)).catch(() => undefined);
      throw translatePgError(error);
    }
  }
}

const statementNames = new Map<string, string>();

/** A stable name per SQL text; the set of texts is fixed by the code, so the map stays small. */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `calento_${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`;
    statementNames.set(sql, name);
  }
  return name;
}
