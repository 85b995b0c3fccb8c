import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Results } from '@electric-sql/pglite';
import { Database } from './database.js';
import { PglitePool, type PgliteSession } from './pglite-pool.js';

const require = createRequire(import.meta.url);

/**
 * Creates a new PGlite data folder (initdb) in a short-lived child process, runs `prepare` (the
 * migrations) against it there, and lets the process end; the server then opens a ready folder, like
 * any restart.
 *
 * Why a process: memory PostgreSQL allocates inside WebAssembly is never given back, and neither is
 * what Node allocates around it in a worker thread. Measured (Node 20 and 24, glibc): after an initdb
 * worker thread had ended, 145–170 MiB stayed resident in the malloc arenas of its threads, so a server
 * that created its folder started at 400–430 MiB of RSS against 260–270 on an existing folder. An
 * initdb in the server's own thread is worse (740–850 MiB, shared/reference/pglite-embedded.md). A
 * process that exits returns all of it.
 *
 * `prepare` itself runs in this process against a Database whose statements are carried out in the
 * child (one session, as always with PGlite): the migrator is the same code on every path.
 */
export async function createPgliteFolder(
  dataDir: string,
  options: { extensions: Record<string, unknown>; startParams: string[] },
  prepare?: (db: Database) => Promise<void>,
): Promise<void> {
  const modules = {
    pglite: require.resolve('@electric-sql/pglite'),
    extensions: Object.fromEntries(
      Object.keys(options.extensions).map((name) => [name, require.resolve(`@electric-sql/pglite/contrib/${name}`)]),
    ),
  };
  // No execArgv: the parent's may be a test runner's. The child inherits NODE_OPTIONS from the env.
  const child = spawn(process.execPath, ['-e', childSource], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  const link = new ChildLink(child);
  try {
    await link.call({ open: { dataDir, modules, startParams: options.startParams } }).catch((error: Error) => {
      throw new Error(`could not create the embedded database in ${dataDir}: ${error.message}`);
    });
    if (prepare) {
      const session: PgliteSession = {
        exec: (sql) => link.call<Results[]>({ sql }),
        query: <T>(sql: string, params?: unknown[]) => link.call<Results<T>>({ sql, params }),
        // Nothing to learn here: the server opens the folder afresh and reads its types then.
        refreshArrayTypes: async () => undefined,
      };
      await prepare(new Database(new PglitePool(session), 'pglite')).catch(async (error: unknown) => {
        // Shut PostgreSQL down cleanly before reporting: the next start opens this folder as it is.
        await link.call({ close: true }).catch(() => undefined);
        throw error;
      });
    }
    await link.call({ close: true });
  } finally {
    await link.end();
  }
}

/** Request/answer over the child's IPC channel; a child that dies fails every pending call. */
class ChildLink {
  private next = 0;
  private readonly pending = new Map<number, { done(value: any): void; fail(error: unknown): void }>();
  private gone: Error | null = null;
  private readonly exited: Promise<void>;

  constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((done) => child.once('exit', () => done()));
    child.on('message', (message: { id: number; result?: unknown; error?: Record<string, unknown> }) => {
      const call = this.pending.get(message.id);
      if (!call) return;
      this.pending.delete(message.id);
      if (message.error) call.fail(toError(message.error));
      else call.done(message.result);
    });
    child.once('error', (error) => this.fail(error));
    child.once('exit', (code, signal) =>
      this.fail(new Error(`the embedded database's setup process exited (${signal ?? `code ${code}`})`)),
    );
  }

  call<T = any>(request: object): Promise<T> {
    if (this.gone) return Promise.reject(this.gone);
    const id = this.next++;
    return new Promise<T>((done, fail) => {
      this.pending.set(id, { done, fail });
      this.child.send({ id, ...request });
    });
  }

  /** Closing the channel ends the child; one that does not go within 5 s is killed. */
  async end(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timer);
  }

  private fail(error: Error): void {
    this.gone ??= error;
    for (const call of this.pending.values()) call.fail(error);
    this.pending.clear();
  }
}

/** The child's errors arrive as plain objects: PostgreSQL's fields (code, constraint…) are kept. */
function toError(fields: Record<string, unknown>): Error {
  return Object.assign(new Error(String(fields.message)), fields);
}

// CommonJS run by the child (node -e); module paths are resolved by the parent. It exits when the parent
// closes the channel, or dies.
const childSource = `
let db;
const errorFields = (error) => {
  const fields = { message: String((error && error.message) || error) };
  for (const key of ['code', 'detail', 'hint', 'constraint', 'table', 'column', 'schema', 'severity', 'position', 'where']) {
    if (error && error[key] !== undefined) fields[key] = error[key];
  }
  if (!fields.code && error && error.stack) fields.message = String(error.stack);
  return fields;
};
const handle = async (request) => {
  if (request.open) {
    const { PGlite } = require(request.open.modules.pglite);
    const extensions = {};
    for (const [name, path] of Object.entries(request.open.modules.extensions)) extensions[name] = require(path)[name];
    db = await PGlite.create(request.open.dataDir, { extensions, startParams: request.open.startParams });
    return null;
  }
  if (request.close) return db.close();
  if (request.params === undefined) return db.exec(request.sql);
  return db.query(request.sql, request.params);
};
process.on('message', (request) => {
  handle(request).then(
    (result) => process.send({ id: request.id, result }),
    (error) => process.send({ id: request.id, error: errorFields(error) }),
  );
});
process.on('disconnect', () => process.exit(0));`;
