import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { SecretBox } from './crypto/secret-box.js';
import { Clock } from './time/clock.js';
import { Metrics } from './metrics/metrics.js';

/**
 * Process-wide helpers every module may inject: the one Clock (tests fix "now" on it for the whole app),
 * the one SecretBox, built from ENCRYPTION_KEYS, and the app's Prometheus registry. Loaded by the API and the worker process alike.
 */
@Global()
@Module({
  providers: [Clock, Metrics, { provide: SecretBox, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new SecretBox(config.encryptionKeys) }],
  exports: [Clock, SecretBox, Metrics],
})
export class CommonModule {}
