import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Server } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.setup.js';
import { loadConfig, type AppConfig } from '../../src/config/config.js';
import { Database } from '../../src/db/database.js';
import { cloneTestDatabase, type TestDatabase } from './test-db.js';
import { testEnv } from './test-app.js';
import { freePort } from './ports.js';
import { eventually } from './wait.js';

const root = resolve(import.meta.dirname, '..', '..');

/**
 * Several processes on one test database: apps in this process and real worker processes
 * (`src/cli/worker.ts`, run from source through scripts/ts-register.mjs). On PGlite only one process
 * may hold the database at a time; on PostgreSQL they all run at once.
 */
export class SharedDatabase {
  private readonly scratch = mkdtempSync(join(tmpdir(), 'calento-shared-'));

  private constructor(readonly database: TestDatabase) {}

  static async create(): Promise<SharedDatabase> {
    return new SharedDatabase(await cloneTestDatabase());
  }

  env(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      ...testEnv,
      DATA_DIR: this.scratch,
      MAILBOX_DIR: join(this.scratch, 'mailbox'),
      ...this.database.env,
      ...overrides,
    };
  }

  /** The real application (HTTP included) on this database. */
  async startApp(overrides: Record<string, string> = {}): Promise<RunningApp> {
    const config = loadConfig(this.env(overrides));
    const app = await createApp(config);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    return { app, http: app.getHttpServer(), db: app.get(Database), config, close: () => app.close() };
  }

  /** `npm run worker` as a child process; resolves once it logged that it is ready. */
  async spawnWorker(overrides: Record<string, string> = {}): Promise<WorkerProcess> {
    const worker = new WorkerProcess(this.env({ LOG_LEVEL: 'info', ...overrides }));
    await worker.ready();
    return worker;
  }

  /** The API (`npm start`, src/main.ts) as a child process on a free port; resolves once it is ready. */
  async spawnApi(overrides: Record<string, string> = {}): Promise<ApiProcess> {
    const port = await freePort();
    const api = new ApiProcess(port, this.env({ LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: String(port), ...overrides }));
    await api.ready();
    return api;
  }

  async drop(): Promise<void> {
    await this.database.drop();
    rmSync(this.scratch, { recursive: true, force: true });
  }
}

export interface RunningApp {
  app: NestFastifyApplication;
  http: Server;
  db: Database;
  config: AppConfig;
  close(): Promise<void>;
}

export class WorkerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  private output = '';

  constructor(env: Record<string, string>, entry = 'src/cli/worker.ts') {
    this.child = spawn(process.execPath, ['--import', './scripts/ts-register.mjs', entry], {
      cwd: root,
      // Only what the worker needs: no DATABASE_URL of the test server leaks in from this process.
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get log(): string {
    return this.output;
  }

  async ready(timeoutMs = 30_000): Promise<void> {
    await eventually(
      () => {
        if (this.child.exitCode !== null) throw new Error(`worker exited with ${this.child.exitCode}:\n${this.output}`);
        return this.output.includes('Worker process ready');
      },
      timeoutMs,
      'the worker process to start',
      50,
    );
  }

  /** SIGKILL: no shutdown hook runs, the job it holds stays leased until the lease expires. */
  async kill9(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM: the graceful path. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    this.child.kill('SIGTERM');
    return this.exited;
  }
}

export class ApiProcess extends WorkerProcess {
  readonly base: string;

  constructor(port: number, env: Record<string, string>) {
    super(env, 'src/main.ts');
    this.base = `http://127.0.0.1:${port}`;
  }

  override async ready(timeoutMs = 60_000): Promise<void> {
    await eventually(
      async () => {
        if (this.child.exitCode !== null) throw new Error(`the API exited with ${this.child.exitCode}:\n${this.log}`);
        return (await fetch(`${this.base}/health/ready`).catch(() => null))?.ok === true;
      },
      timeoutMs,
      'the API process to start',
      100,
    );
  }
}
