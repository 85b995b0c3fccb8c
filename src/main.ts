import type { Logger } from 'pino';
import { createApp } from './app.setup.js';
import { ConfigError, loadConfig } from './config/config.js';
import { DataDirLockedError } from './db/database.factory.js';
import { MigrationError } from './db/migrator.js';
import { closeOnSignals } from './common/shutdown.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const app = await createApp(config);
  // SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close the database, write out the log.
  closeOnSignals(app, app.getHttpAdapter().getInstance().log as Logger);
  await app.listen({ port: config.port, host: config.host });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirLockedError || error instanceof MigrationError) {
    console.error(`calento: ${error.message}`);
  } else {
    console.error('calento: failed to start', error);
  }
  process.exit(1);
});
