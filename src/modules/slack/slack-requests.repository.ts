import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { toSlackOAuthState, type SlackOAuthState, type SlackOAuthStateRow } from './slack.rows.js';

/** Single-use rows of the two public Slack entry points: install states, and slash command signatures seen. */
@Injectable()
export class SlackRequestsRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  async createState(state: { id: string; stateHash: Buffer; userId: string; expiresAt: Date }): Promise<void> {
    await this.db.query('INSERT INTO slack_oauth_states (id, state_hash, user_id, expires_at) VALUES ($1, $2, $3, $4)', [
      state.id,
      state.stateHash,
      state.userId,
      state.expiresAt,
    ]);
  }

  /** Marks the state used and returns it; null when unknown or already used (of two racing callbacks, one wins). */
  async consumeState(stateHash: Buffer, at: Date): Promise<SlackOAuthState | null> {
    const { rows } = await this.db.query<SlackOAuthStateRow>(
      'UPDATE slack_oauth_states SET used_at = $2 WHERE state_hash = $1 AND used_at IS NULL RETURNING id, user_id, expires_at, used_at',
      [stateHash, at],
    );
    return rows[0] ? toSlackOAuthState(rows[0]) : null;
  }

  async findState(stateHash: Buffer): Promise<SlackOAuthState | null> {
    const { rows } = await this.db.query<SlackOAuthStateRow>('SELECT id, user_id, expires_at, used_at FROM slack_oauth_states WHERE state_hash = $1', [
      stateHash,
    ]);
    return rows[0] ? toSlackOAuthState(rows[0]) : null;
  }

  async deleteStatesExpiredBefore(before: Date): Promise<void> {
    await this.db.query('DELETE FROM slack_oauth_states WHERE expires_at < $1', [before]);
  }

  /** True the first time a signature is seen; false for a replay. */
  async rememberSignature(signatureHash: Buffer, requestAt: Date): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'INSERT INTO slack_command_requests (signature_hash, request_at) VALUES ($1, $2) ON CONFLICT (signature_hash) DO NOTHING',
      [signatureHash, requestAt],
    );
    return (rowCount ?? 0) > 0;
  }

  async forgetSignaturesBefore(before: Date): Promise<void> {
    await this.db.query('DELETE FROM slack_command_requests WHERE request_at < $1', [before]);
  }
}
