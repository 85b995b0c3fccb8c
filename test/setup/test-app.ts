import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import { createApp } from '../../src/app.setup.js';
import { loadConfig, type AppConfig } from '../../src/config/config.js';
import { Database } from '../../src/db/database.js';
import { cloneTestDatabase, type TestDatabase } from './test-db.js';

export interface TestApp {
  app: NestFastifyApplication;
  http: Server;
  db: Database;
  config: AppConfig;
  mailboxDir: string;
  /** Every log line so far, when created with `captureLogs` (empty otherwise). */
  logs(): string;
  close(): Promise<void>;
}

/** Settings every test app shares; a test overrides what it exercises (rate limits, TTLs). */
export const testEnv: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789',
  BCRYPT_ROUNDS: '4',
  RATE_LIMIT_LOGIN_PER_IP: '100000',
  RATE_LIMIT_LOGIN_PER_ACCOUNT: '100000',
  RATE_LIMIT_ANONYMOUS_PER_IP: '100000',
  RATE_LIMIT_PER_USER: '1000000',
  APP_BASE_URL: 'http://calento.test',
};

/**
 * The application built by the same createApp() as production, on its own cloned database, listening
 * on nothing (supertest drives the server object directly).
 */
export async function createTestApp(
  overrides: Record<string, string> = {},
  options: { captureLogs?: boolean; database?: TestDatabase } = {},
): Promise<TestApp> {
  // A test that reaches its database in its own way (through a relay, say) brings it; the app drops it.
  const database = options.database ?? (await cloneTestDatabase());
  const scratch = mkdtempSync(join(tmpdir(), 'calento-app-'));
  const mailboxDir = join(scratch, 'mailbox');
  // Captured at the most verbose level, so a test can assert that no line carries a secret.
  let captured = '';
  const logDestination = options.captureLogs ? { write: (line: string) => void (captured += line) } : undefined;
  let config: AppConfig;
  let app: NestFastifyApplication | undefined;
  try {
    config = loadConfig({
      ...testEnv,
      DATA_DIR: scratch,
      MAILBOX_DIR: mailboxDir,
      ...database.env,
      ...overrides,
    });
    app = await createApp(options.captureLogs ? { ...config, logLevel: 'trace' } : config, { logDestination });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  } catch (error) {
    // A test file whose app never started has no app for its afterAll to close: what it had opened, its
    // database copy (on PGlite 41 MB, in /dev/shm's memory when there) and its scratch folder go now.
    await app?.close().catch(() => undefined);
    await database.drop().catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
  const started = app;
  return {
    app: started,
    http: started.getHttpServer(),
    db: started.get(Database),
    config,
    mailboxDir,
    logs: () => captured,
    async close() {
      await started.close();
      await database.drop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
