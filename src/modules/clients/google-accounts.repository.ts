import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { accountColumns, toAccount, type Account, type AccountRow } from './clients.rows.js';

/** What a successful consent stores; tokens arrive sealed. */
export interface ConnectedAccount {
  clientId: string;
  userId: string;
  credentialId: string;
  oauthClientId: string;
  subject: string | null;
  email: string;
  sealedAccessToken: string;
  accessTokenExpiresAt: Date | null;
  /** Null when Google sent none (a re-consent): the stored one is kept. */
  sealedRefreshToken: string | null;
  grantedScopes: string[];
  at: Date;
}

@Injectable()
export class GoogleAccountsRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  async find(clientId: string): Promise<Account | null> {
    const { rows } = await this.db.query<AccountRow>(`SELECT ${accountColumns} FROM google_accounts WHERE client_id = $1`, [
      clientId,
    ]);
    return rows[0] ? toAccount(rows[0]) : null;
  }

  /** Stores the account and tokens of a consent; a missing refresh token keeps the stored one. */
  async connect(account: ConnectedAccount): Promise<Account> {
    const { rows } = await this.db.query<AccountRow>(
      `INSERT INTO google_accounts (client_id, user_id, credential_id, oauth_client_id, subject, email, access_token,
         access_token_expires_at, refresh_token, granted_scopes, connected_at, refreshed_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, now())
       ON CONFLICT (client_id) DO UPDATE SET credential_id = EXCLUDED.credential_id,
         oauth_client_id = EXCLUDED.oauth_client_id, subject = COALESCE(EXCLUDED.subject, google_accounts.subject),
         email = EXCLUDED.email, access_token = EXCLUDED.access_token,
         access_token_expires_at = EXCLUDED.access_token_expires_at,
         refresh_token = COALESCE(EXCLUDED.refresh_token, google_accounts.refresh_token),
         granted_scopes = EXCLUDED.granted_scopes, connected_at = EXCLUDED.connected_at,
         refreshed_at = EXCLUDED.refreshed_at, updated_at = now()
       RETURNING ${accountColumns}`,
      [
        account.clientId,
        account.userId,
        account.credentialId,
        account.oauthClientId,
        account.subject,
        account.email,
        account.sealedAccessToken,
        account.accessTokenExpiresAt,
        account.sealedRefreshToken,
        account.grantedScopes,
        account.at,
      ],
    );
    return toAccount(rows[0]);
  }

  /** After a refresh: the new access token, and a new refresh token only when Google rotated it. */
  async saveRefreshed(
    clientId: string,
    sealedAccessToken: string,
    expiresAt: Date | null,
    sealedRefreshToken: string | null,
    at: Date,
  ): Promise<void> {
    await this.db.query(
      `UPDATE google_accounts SET access_token = $2, access_token_expires_at = $3,
         refresh_token = COALESCE($4, refresh_token), refreshed_at = $5, updated_at = now()
       WHERE client_id = $1 AND refresh_token IS NOT NULL`,
      [clientId, sealedAccessToken, expiresAt, sealedRefreshToken, at],
    );
  }

  /** Google refused the grant: tokens that no longer work are not kept. */
  async clearTokens(clientId: string): Promise<void> {
    await this.db.query(
      `UPDATE google_accounts SET access_token = NULL, access_token_expires_at = NULL, refresh_token = NULL, updated_at = now()
       WHERE client_id = $1`,
      [clientId],
    );
  }

  async remove(clientId: string): Promise<void> {
    await this.db.query('DELETE FROM google_accounts WHERE client_id = $1', [clientId]);
  }

  /**
   * Other clients holding a live grant of the same Google account for the same OAuth client. Revoking
   * one token ends all of them (Google revokes per account and OAuth client), so revocation is skipped
   * while any exist.
   */
  async countSharingGrant(clientId: string, oauthClientId: string, email: string): Promise<number> {
    const { rows } = await this.db.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM google_accounts
       WHERE client_id <> $1 AND oauth_client_id = $2 AND email = $3 AND refresh_token IS NOT NULL`,
      [clientId, oauthClientId, email],
    );
    return rows[0].count;
  }
}
