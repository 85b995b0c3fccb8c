import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { stateColumns, toOAuthState, type OAuthState, type OAuthStateRow } from './clients.rows.js';

export interface NewOAuthState {
  id: string;
  stateHash: Buffer;
  userId: string;
  clientId: string;
  credentialId: string;
  sealedVerifier: string;
  expiresAt: Date;
}

@Injectable()
export class OAuthStatesRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  async create(state: NewOAuthState): Promise<void> {
    await this.db.query(
      `INSERT INTO oauth_states (id, state_hash, user_id, client_id, credential_id, code_verifier, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [state.id, state.stateHash, state.userId, state.clientId, state.credentialId, state.sealedVerifier, state.expiresAt],
    );
  }

  /**
   * Marks the state used and returns it, or null when it is unknown or was used before: of two
   * callbacks racing with one state, exactly one gets the row.
   */
  async consume(stateHash: Buffer, at: Date): Promise<OAuthState | null> {
    const { rows } = await this.db.query<OAuthStateRow>(
      `UPDATE oauth_states SET used_at = $2 WHERE state_hash = $1 AND used_at IS NULL RETURNING ${stateColumns}`,
      [stateHash, at],
    );
    return rows[0] ? toOAuthState(rows[0]) : null;
  }

  async findByHash(stateHash: Buffer): Promise<OAuthState | null> {
    const { rows } = await this.db.query<OAuthStateRow>(`SELECT ${stateColumns} FROM oauth_states WHERE state_hash = $1`, [
      stateHash,
    ]);
    return rows[0] ? toOAuthState(rows[0]) : null;
  }

  /** States past their expiry are useless except to tell a late callback "expired": kept a day for that. */
  async deleteExpiredBefore(before: Date): Promise<void> {
    await this.db.query('DELETE FROM oauth_states WHERE expires_at < $1', [before]);
  }
}
