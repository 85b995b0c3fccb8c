import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';

export interface EmailAddressRow {
  id: string;
  user_id: string;
  email: string;
  verified_at: Date | null;
  token_expires_at: Date | null;
  token_sent_at: Date | null;
  created_at: Date;
}

/** One address of a user: their account address or an extra notification address, verified or not. */
export interface EmailAddress {
  id: string;
  userId: string;
  email: string;
  verifiedAt: Date | null;
  /** When the pending verification link expires; null when none is pending. */
  tokenExpiresAt: Date | null;
  tokenSentAt: Date | null;
  createdAt: Date;
}

const columns = 'id, user_id, email, verified_at, token_expires_at, token_sent_at, created_at';

function toEmailAddress(row: EmailAddressRow): EmailAddress {
  return {
    id: row.id,
    userId: row.user_id,
    email: row.email,
    verifiedAt: row.verified_at,
    tokenExpiresAt: row.token_expires_at,
    tokenSentAt: row.token_sent_at,
    createdAt: row.created_at,
  };
}

/** email_addresses (migrations/0014): the addresses users verify; only the SHA-256 of a link's token is stored. */
@Injectable()
export class EmailAddressesRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  /**
   * Serializes new addresses of one user until the transaction ends: two concurrent requests would
   * otherwise both count four extra addresses and both add one, past the cap.
   */
  async lockForUser(userId: string): Promise<void> {
    await this.db.query("SELECT pg_advisory_xact_lock(hashtextextended('email-addresses:' || $1::text, 0))", [userId]);
  }

  /** Creates the row (or keeps the existing one) and gives it a new pending token, which replaces any older one. */
  async upsertWithToken(address: { id: string; userId: string; email: string; tokenHash: Buffer; expiresAt: Date; sentAt: Date }): Promise<EmailAddress> {
    const { rows } = await this.db.query<EmailAddressRow>(
      `INSERT INTO email_addresses (id, user_id, email, token_hash, token_expires_at, token_sent_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (user_id, email) DO UPDATE SET token_hash = EXCLUDED.token_hash, token_expires_at = EXCLUDED.token_expires_at,
         token_sent_at = EXCLUDED.token_sent_at
       RETURNING ${columns}`,
      [address.id, address.userId, address.email, address.tokenHash, address.expiresAt, address.sentAt],
    );
    return toEmailAddress(rows[0]);
  }

  /** Marks the address of a valid, unexpired token verified and burns the token; null when there is none. */
  async consumeToken(tokenHash: Buffer, at: Date): Promise<EmailAddress | null> {
    const { rows } = await this.db.query<EmailAddressRow>(
      `UPDATE email_addresses SET verified_at = $2, token_hash = NULL, token_expires_at = NULL
       WHERE token_hash = $1 AND token_expires_at > $2 RETURNING ${columns}`,
      [tokenHash, at],
    );
    return rows[0] ? toEmailAddress(rows[0]) : null;
  }

  async listForUser(userId: string): Promise<EmailAddress[]> {
    const { rows } = await this.db.query<EmailAddressRow>(`SELECT ${columns} FROM email_addresses WHERE user_id = $1 ORDER BY created_at, email`, [userId]);
    return rows.map(toEmailAddress);
  }

  async findByEmail(userId: string, email: string): Promise<EmailAddress | null> {
    const { rows } = await this.db.query<EmailAddressRow>(`SELECT ${columns} FROM email_addresses WHERE user_id = $1 AND email = $2`, [userId, email]);
    return rows[0] ? toEmailAddress(rows[0]) : null;
  }

  async findForUser(userId: string, id: string): Promise<EmailAddress | null> {
    const { rows } = await this.db.query<EmailAddressRow>(`SELECT ${columns} FROM email_addresses WHERE user_id = $1 AND id = $2`, [userId, id]);
    return rows[0] ? toEmailAddress(rows[0]) : null;
  }

  /** Verified addresses of a user, lower-cased. */
  async verifiedEmails(userId: string): Promise<string[]> {
    const { rows } = await this.db.query<{ email: string }>(
      'SELECT lower(email::text) AS email FROM email_addresses WHERE user_id = $1 AND verified_at IS NOT NULL ORDER BY created_at, email',
      [userId],
    );
    return rows.map((row) => row.email);
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM email_addresses WHERE user_id = $1 AND id = $2', [userId, id]);
    return (rowCount ?? 0) > 0;
  }
}
