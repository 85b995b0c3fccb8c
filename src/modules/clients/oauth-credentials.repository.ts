import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { isConstraint } from '../../db/pg-errors.js';
import { DomainError, NotFoundError } from '../../common/errors/domain-error.js';
import { credentialColumns, toCredential, type Credential, type CredentialRow, type CredentialStatus } from './clients.rows.js';

/** The settable columns; the secret arrives sealed. */
export interface CredentialWrite {
  useDefault: boolean;
  googleClientId: string | null;
  sealedSecret: string | null;
  secretHint: string | null;
  scopes: string[];
}

@Injectable()
export class OAuthCredentialsRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  /** The id is chosen by the caller: the sealed secret's context names it. */
  async create(id: string, userId: string, clientId: string, write: CredentialWrite): Promise<Credential> {
    try {
      const { rows } = await this.db.query<CredentialRow>(
        `INSERT INTO oauth_credentials (id, user_id, client_id, use_default, google_client_id, client_secret, secret_hint, scopes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${credentialColumns}`,
        [id, userId, clientId, write.useDefault, write.googleClientId, write.sealedSecret, write.secretHint, write.scopes],
      );
      return toCredential(rows[0]);
    } catch (error) {
      if (isConstraint(error, 'oauth_credentials_client_id_key')) {
        const existing = await this.findByClient(clientId);
        throw new DomainError('CLIENT_HAS_CREDENTIALS', { credentialId: existing?.id ?? 'unknown' });
      }
      throw error;
    }
  }

  /** A full rewrite of the settable columns; the status goes back to unverified when `reset`. */
  async update(userId: string, id: string, write: CredentialWrite, reset: boolean): Promise<Credential> {
    const { rows } = await this.db.query<CredentialRow>(
      `UPDATE oauth_credentials SET use_default = $3, google_client_id = $4, client_secret = $5, secret_hint = $6,
         scopes = $7, status = CASE WHEN $8 THEN 'unverified' ELSE status END,
         verified_at = CASE WHEN $8 THEN NULL ELSE verified_at END, updated_at = now()
       WHERE id = $1 AND user_id = $2 RETURNING ${credentialColumns}`,
      [id, userId, write.useDefault, write.googleClientId, write.sealedSecret, write.secretHint, write.scopes, reset],
    );
    if (!rows[0]) throw new NotFoundError('OAuth credential');
    return toCredential(rows[0]);
  }

  async find(userId: string, id: string): Promise<Credential | null> {
    const { rows } = await this.db.query<CredentialRow>(
      `SELECT ${credentialColumns} FROM oauth_credentials WHERE id = $1 AND user_id = $2`,
      [id, userId],
    );
    return rows[0] ? toCredential(rows[0]) : null;
  }

  async get(userId: string, id: string): Promise<Credential> {
    const credential = await this.find(userId, id);
    if (!credential) throw new NotFoundError('OAuth credential');
    return credential;
  }

  async findById(id: string): Promise<Credential | null> {
    const { rows } = await this.db.query<CredentialRow>(`SELECT ${credentialColumns} FROM oauth_credentials WHERE id = $1`, [id]);
    return rows[0] ? toCredential(rows[0]) : null;
  }

  async findByClient(clientId: string): Promise<Credential | null> {
    const { rows } = await this.db.query<CredentialRow>(
      `SELECT ${credentialColumns} FROM oauth_credentials WHERE client_id = $1`,
      [clientId],
    );
    return rows[0] ? toCredential(rows[0]) : null;
  }

  async setStatus(id: string, status: CredentialStatus, at: Date): Promise<void> {
    await this.db.query(
      `UPDATE oauth_credentials SET status = $2,
         verified_at = CASE WHEN $2 = 'valid' THEN $3 ELSE verified_at END, updated_at = now()
       WHERE id = $1`,
      [id, status, at],
    );
  }

  async remove(userId: string, id: string): Promise<void> {
    const { rowCount } = await this.db.query('DELETE FROM oauth_credentials WHERE id = $1 AND user_id = $2', [id, userId]);
    if (rowCount === 0) throw new NotFoundError('OAuth credential');
  }
}
