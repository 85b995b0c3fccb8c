import { Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { Database } from './database.js';
import { openDatabase } from './database.factory.js';
import { migrate } from './migrator.js';

@Injectable()
class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(@Inject(Database) private readonly db: Database) {}

  async onApplicationShutdown(): Promise<void> {
    await this.db.close();
  }
}

@Global()
@Module({
  providers: [
    {
      provide: Database,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) => {
        const migrateAndLog = async (target: Database) => {
          const applied = await migrate(target);
          if (applied.length) new Logger('Migrations').log({ applied }, 'Applied migrations');
        };
        const db = await openDatabase({
          databaseUrl: config.databaseUrl,
          poolSize: config.databasePoolSize,
          pgliteDataDir: config.pgliteDataDir,
          // A new embedded folder is migrated before the server opens it: see createPgliteFolder.
          prepareNewPglite: config.migrateOnBoot ? migrateAndLog : undefined,
        });
        if (config.migrateOnBoot) {
          try {
            await migrateAndLog(db);
          } catch (error) {
            await db.close();
            throw error;
          }
        }
        return db;
      },
    },
    DatabaseLifecycle,
  ],
  exports: [Database],
})
export class DbModule {}
