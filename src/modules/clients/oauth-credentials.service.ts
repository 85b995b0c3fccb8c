import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/current-user.decorator.js';
import { validationError, type FieldError } from '../../common/errors/domain-error.js';
import { Database } from '../../db/database.js';
import { ClientConnections } from './client-connections.js';
import type { Credential } from './clients.rows.js';
import { ClientsRepository } from './clients.repository.js';
import { CredentialKeys } from './credential-keys.js';
import { GoogleApi } from './google-api.js';
import { DEFAULT_SCOPES, scopesProblem } from './google-scopes.js';
import { GoogleTokensService } from './google-tokens.service.js';
import type { CreateOAuthCredentialDto, OAuthCredentialResponseDto, UpdateOAuthCredentialDto } from './dto/oauth.dto.js';
import { OAuthCredentialsRepository, type CredentialWrite } from './oauth-credentials.repository.js';

/** Secrets shorter than this get no hint: four characters would give away too much of them. */
const HINT_MIN_LENGTH = 12;

/**
 * OAuth credentials of clients. Secrets are sealed with SecretBox under
 * `oauth_credentials.client_secret:<id>` and never leave the module: responses say `hasSecret` and show
 * at most the last 4 characters.
 */
@Injectable()
export class OAuthCredentialsService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(GoogleApi) private readonly google: GoogleApi,
    @Inject(CredentialKeys) private readonly keys: CredentialKeys,
    @Inject(ClientsRepository) private readonly clients: ClientsRepository,
    @Inject(OAuthCredentialsRepository) private readonly credentials: OAuthCredentialsRepository,
    @Inject(GoogleTokensService) private readonly tokens: GoogleTokensService,
    @Inject(ClientConnections) private readonly connections: ClientConnections,
  ) {}

  async create(user: AuthUser, dto: CreateOAuthCredentialDto): Promise<OAuthCredentialResponseDto> {
    const client = await this.clients.get(user.id, dto.clientId);
    const id = randomUUID();
    const credential = await this.credentials.create(id, user.id, client.id, this.write(id, dto, null));
    return this.view(credential);
  }

  async get(user: AuthUser, id: string): Promise<OAuthCredentialResponseDto> {
    return this.view(await this.credentials.get(user.id, id));
  }

  /**
   * Changes the fields given. Another Google OAuth client (a new googleClientId, or switching useDefault)
   * cannot use the tokens issued to the old one: the account is disconnected (its token revoked) and the
   * client must be authorized again. A new secret alone keeps the tokens.
   */
  async update(user: AuthUser, id: string, dto: UpdateOAuthCredentialDto): Promise<OAuthCredentialResponseDto> {
    const current = await this.credentials.get(user.id, id);
    const write = this.write(id, dto, current);
    const otherOAuthClient = write.useDefault !== current.useDefault || write.googleClientId !== current.googleClientId;
    if (otherOAuthClient) await this.connections.leaving(current.clientId, user.id);
    const revoke = otherOAuthClient ? await this.tokens.revocationFor(current.clientId) : null;
    const updated = await this.db.tx(async () => {
      const saved = await this.credentials.update(user.id, id, write, otherOAuthClient || dto.clientSecret !== undefined);
      if (otherOAuthClient) await this.connections.disconnect(current.clientId, user.id);
      return saved;
    });
    await revoke?.();
    return this.view(updated);
  }

  /** Removes the credentials; a connected client is disconnected and its Google token revoked. */
  async remove(user: AuthUser, id: string): Promise<void> {
    const current = await this.credentials.get(user.id, id);
    await this.connections.leaving(current.clientId, user.id);
    const revoke = await this.tokens.revocationFor(current.clientId);
    await this.db.tx(async () => {
      await this.connections.disconnect(current.clientId, user.id);
      await this.credentials.remove(user.id, id);
    });
    await revoke();
  }

  view(credential: Credential): OAuthCredentialResponseDto {
    return {
      id: credential.id,
      clientId: credential.clientId,
      useDefault: credential.useDefault,
      googleClientId: credential.googleClientId,
      hasSecret: credential.sealedSecret !== null,
      secretLast4: credential.secretHint,
      scopes: credential.scopes,
      status: credential.status,
      verifiedAt: credential.verifiedAt,
      redirectUri: this.google.redirectUri,
      createdAt: credential.createdAt,
      updatedAt: credential.updatedAt,
    };
  }

  /** The columns to store: the request merged onto the current credentials, checked as a whole. */
  private write(id: string, dto: UpdateOAuthCredentialDto, current: Credential | null): CredentialWrite {
    const errors: FieldError[] = [];
    const useDefault = dto.useDefault ?? current?.useDefault ?? false;
    const scopes = [...new Set(dto.scopes ?? current?.scopes ?? DEFAULT_SCOPES)];
    const scopeProblem = scopesProblem(scopes);
    if (scopeProblem) errors.push({ field: 'scopes', message: scopeProblem });
    if (useDefault) {
      for (const field of ['googleClientId', 'clientSecret'] as const) {
        if (dto[field] !== undefined) errors.push({ field, message: 'must be absent when useDefault is true' });
      }
      if (!this.google.defaultKeys) {
        errors.push({ field: 'useDefault', message: 'this deployment has no GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET configured' });
      }
      if (errors.length) throw validationError(errors);
      return { useDefault, googleClientId: null, sealedSecret: null, secretHint: null, scopes };
    }
    const keep = current && !current.useDefault ? current : null;
    const googleClientId = dto.googleClientId ?? keep?.googleClientId ?? null;
    if (!googleClientId) errors.push({ field: 'googleClientId', message: 'is required unless useDefault is true' });
    // A new Google client id comes with its own secret; the old secret belongs to the old client.
    const secretRequired = dto.clientSecret === undefined && (!keep || googleClientId !== keep.googleClientId);
    if (secretRequired) errors.push({ field: 'clientSecret', message: 'is required with a new googleClientId (unless useDefault is true)' });
    if (errors.length) throw validationError(errors);
    const secret = dto.clientSecret;
    return {
      useDefault,
      googleClientId,
      sealedSecret: secret !== undefined ? this.keys.seal(id, secret) : (keep?.sealedSecret as string),
      secretHint: secret !== undefined ? (secret.length >= HINT_MIN_LENGTH ? secret.slice(-4) : null) : (keep?.secretHint ?? null),
      scopes,
    };
  }
}
