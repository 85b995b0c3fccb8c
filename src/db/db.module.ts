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
        const db = await openDatabase({
          databaseUrl: config.databaseUrl,
          poolSize: config.databasePoolSize,
          pgliteDataDir: config.pgliteDataDir,
        });
        if (config.migrateOnBoot) {
          try {
            const applied = await migrate(db);
            if (applied.length) new Logger('Migrations').log({ applied }, 'Applied migrations');
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
