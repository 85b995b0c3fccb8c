import { loadConfig } from '../config/config.js';
import { openDatabase } from '../db/database.factory.js';
import { migrate } from '../db/migrator.js';

/** `npm run migrate`: applies pending migrations to the configured database and exits. */
const config = loadConfig(process.env);
const db = await openDatabase({
  databaseUrl: config.databaseUrl,
  poolSize: 1,
  pgliteDataDir: config.pgliteDataDir,
});
try {
  const applied = await migrate(db);
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
} catch (error) {
  console.error(`calento: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.close();
}
