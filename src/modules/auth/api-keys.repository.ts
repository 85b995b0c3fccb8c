import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { apiKeyColumns, toApiKey, type ApiKey, type ApiKeyRow, type ApiKeySecretRow } from './api-keys.rows.js';

export interface NewApiKey {
  userId: string;
  name: string;
  prefix: string;
  secretHash: Buffer;
  scopes: string[];
  expiresAt: Date | null;
}

@Injectable()
export class ApiKeysRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  async insert(key: NewApiKey): Promise<ApiKey> {
    const { rows } = await this.db.query<ApiKeyRow>(
      `INSERT INTO api_keys (user_id, name, prefix, secret_hash, scopes, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${apiKeyColumns}`,
      [key.userId, key.name, key.prefix, key.secretHash, key.scopes, key.expiresAt],
    );
    return toApiKey(rows[0]);
  }

  async list(userId: string): Promise<ApiKey[]> {
    const { rows } = await this.db.query<ApiKeyRow>(
      `SELECT ${apiKeyColumns} FROM api_keys WHERE user_id = $1 ORDER BY created_at, id`,
      [userId],
    );
    return rows.map(toApiKey);
  }

  async get(userId: string, id: string): Promise<ApiKey | null> {
    const { rows } = await this.db.query<ApiKeyRow>(
      `SELECT ${apiKeyColumns} FROM api_keys WHERE user_id = $1 AND id = $2`,
      [userId, id],
    );
    return rows[0] ? toApiKey(rows[0]) : null;
  }

  /** The key row a presented key names, with its digest, for authentication. */
  async findByPrefix(prefix: string): Promise<ApiKeySecretRow | null> {
    const { rows } = await this.db.query<ApiKeySecretRow>(
      `SELECT ${apiKeyColumns}, secret_hash FROM api_keys WHERE prefix = $1`,
      [prefix],
    );
    return rows[0] ?? null;
  }

  /** New prefix and secret for the same key: the old value stops working at commit. */
  async replaceSecret(userId: string, id: string, prefix: string, secretHash: Buffer): Promise<ApiKey | null> {
    const { rows } = await this.db.query<ApiKeyRow>(
      `UPDATE api_keys SET prefix = $3, secret_hash = $4, last_used_at = NULL
       WHERE user_id = $1 AND id = $2 RETURNING ${apiKeyColumns}`,
      [userId, id, prefix, secretHash],
    );
    return rows[0] ? toApiKey(rows[0]) : null;
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM api_keys WHERE user_id = $1 AND id = $2', [userId, id]);
    return rowCount > 0;
  }

  /** Records use at most once per `coarseness` per key: a write per minute, not per request. */
  async touch(id: string, at: Date, coarsenessSeconds: number): Promise<void> {
    await this.db.query(
      `UPDATE api_keys SET last_used_at = $2
       WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - make_interval(secs => $3))`,
      [id, at, coarsenessSeconds],
    );
  }

  /**
   * Serializes key creation of one user until the transaction ends: two concurrent creates would
   * otherwise both count 49 and both insert, past the cap.
   */
  async lockForUser(userId: string): Promise<void> {
    await this.db.query("SELECT pg_advisory_xact_lock(hashtextextended('api-keys:' || $1::text, 0))", [userId]);
  }

  async countForUser(userId: string): Promise<number> {
    const { rows } = await this.db.query<{ count: number }>('SELECT count(*)::int AS count FROM api_keys WHERE user_id = $1', [
      userId,
    ]);
    return rows[0].count;
  }
}
