/** Row shapes of api_keys, and their mapping. */
export interface ApiKeyRow {
  id: string;
  user_id: string;
  name: string;
  prefix: string;
  scopes: string[];
  expires_at: Date | null;
  last_used_at: Date | null;
  created_at: Date;
}

export interface ApiKeySecretRow extends ApiKeyRow {
  secret_hash: Buffer;
}

export interface ApiKey {
  id: string;
  userId: string;
  name: string;
  /** The visible, non-secret start of the key, e.g. `cal_live_3fk29xq7`. */
  prefix: string;
  scopes: string[];
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}

export const apiKeyColumns = 'id, user_id, name, prefix, scopes, expires_at, last_used_at, created_at';

export function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    createdAt: row.created_at,
  };
}
