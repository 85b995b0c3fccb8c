import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { SecretBox } from './crypto/secret-box.js';
import { Clock } from './time/clock.js';

/**
 * Process-wide helpers every module may inject: the one Clock (tests fix "now" on it for the whole app)
 * and the one SecretBox, built from ENCRYPTION_KEYS. Loaded by the API and the worker process alike.
 */
@Global()
@Module({
  providers: [Clock, { provide: SecretBox, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new SecretBox(config.encryptionKeys) }],
  exports: [Clock, SecretBox],
})
export class CommonModule {}
