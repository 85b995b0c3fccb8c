import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import type { PasswordResetRow, RefreshTokenRow, RevokedReason } from './auth.rows.js';

@Injectable()
export class AuthRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  async insertRefreshToken(token: {
    userId: string;
    familyId: string;
    parentId: string | null;
    hash: Buffer;
    expiresAt: Date;
  }): Promise<string> {
    const { rows } = await this.db.query<{ id: string }>(
      `INSERT INTO refresh_tokens (user_id, family_id, parent_id, token_hash, expires_at)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [token.userId, token.familyId, token.parentId, token.hash, token.expiresAt],
    );
    return rows[0].id;
  }

  /** Locks the token row so two concurrent refreshes with one token are serialized. */
  async findRefreshTokenForUpdate(hash: Buffer): Promise<RefreshTokenRow | null> {
    const { rows } = await this.db.query<RefreshTokenRow>(
      `SELECT id, user_id, family_id, expires_at, revoked_at, revoked_reason FROM refresh_tokens
       WHERE token_hash = $1 FOR UPDATE`,
      [hash],
    );
    return rows[0] ?? null;
  }

  async revokeRefreshToken(id: string, reason: RevokedReason): Promise<void> {
    await this.db.query(
      'UPDATE refresh_tokens SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL',
      [id, reason],
    );
  }

  async revokeFamily(familyId: string, reason: RevokedReason): Promise<void> {
    await this.db.query(
      `UPDATE refresh_tokens SET revoked_at = now(), revoked_reason = $2
       WHERE family_id = $1 AND revoked_at IS NULL`,
      [familyId, reason],
    );
  }

  async revokeAllForUser(userId: string, reason: RevokedReason): Promise<void> {
    await this.db.query(
      `UPDATE refresh_tokens SET revoked_at = now(), revoked_reason = $2
       WHERE user_id = $1 AND revoked_at IS NULL`,
      [userId, reason],
    );
  }

  async insertPasswordReset(userId: string, hash: Buffer, expiresAt: Date): Promise<void> {
    await this.db.query('INSERT INTO password_resets (user_id, token_hash, expires_at) VALUES ($1, $2, $3)', [
      userId,
      hash,
      expiresAt,
    ]);
  }

  async findPasswordResetForUpdate(hash: Buffer): Promise<PasswordResetRow | null> {
    const { rows } = await this.db.query<PasswordResetRow>(
      'SELECT id, user_id, expires_at, used_at FROM password_resets WHERE token_hash = $1 FOR UPDATE',
      [hash],
    );
    return rows[0] ?? null;
  }

  /** Marks this reset used and voids any other outstanding reset of the same user. */
  async consumePasswordResets(userId: string): Promise<void> {
    await this.db.query('UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL', [
      userId,
    ]);
  }
}
