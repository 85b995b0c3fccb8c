import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadConfig } from '../config/config.js';
import { createLogger, PinoNestLogger } from '../common/logging/logger.js';
import { closeOnSignals } from '../common/shutdown.js';
import { DataDirLockedError } from '../db/database.factory.js';
import { MigrationError } from '../db/migrator.js';
import { WorkerModule } from '../worker.module.js';

/**
 * `npm run worker`: job workers only, no HTTP. Runs whatever WORKERS says (WORKERS=off is meant for the
 * API replicas sharing this configuration). SIGTERM/SIGINT let in-flight jobs finish, or release them
 * after JOB_SHUTDOWN_GRACE_MS, then close the database.
 */
async function main(): Promise<void> {
  const config = { ...loadConfig(process.env), workers: true };
  const log = createLogger(config);
  const app = await NestFactory.createApplicationContext(WorkerModule.register(config), {
    logger: new PinoNestLogger(log),
    abortOnError: false,
  });
  closeOnSignals(app, log);
  await app.init();
  new Logger('Worker').log({ pid: process.pid }, 'Worker process ready');
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirLockedError || error instanceof MigrationError) {
    console.error(`calento worker: ${error.message}`);
  } else {
    console.error('calento worker: failed to start', error);
  }
  process.exit(1);
});
