import { Inject, Injectable } from '@nestjs/common';
import { SecretBox } from '../../common/crypto/secret-box.js';
import { DomainError } from '../../common/errors/domain-error.js';
import type { Credential } from './clients.rows.js';
import { GoogleApi, type OAuthClientKeys } from './google-api.js';

export const secretContext = (credentialId: string) => `oauth_credentials.client_secret:${credentialId}`;

/** Opens a credential's sealed secret, or picks the deployment's OAuth client for useDefault ones. */
@Injectable()
export class CredentialKeys {
  constructor(
    @Inject(SecretBox) private readonly box: SecretBox,
    @Inject(GoogleApi) private readonly google: GoogleApi,
  ) {}

  seal(credentialId: string, secret: string): string {
    return this.box.seal(secret, secretContext(credentialId));
  }

  keysFor(credential: Credential): OAuthClientKeys {
    if (credential.useDefault) {
      const keys = this.google.defaultKeys;
      if (!keys) throw new DomainError('GOOGLE_DEFAULT_CLIENT_MISSING');
      return keys;
    }
    return {
      clientId: credential.googleClientId as string,
      clientSecret: this.box.open(credential.sealedSecret as string, secretContext(credential.id)),
    };
  }
}
