import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { SecretBox } from './secret-box.js';

/** The one SecretBox of the process, built from ENCRYPTION_KEYS (API and worker processes alike). */
@Global()
@Module({
  providers: [{ provide: SecretBox, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new SecretBox(config.encryptionKeys) }],
  exports: [SecretBox],
})
export class CryptoModule {}
