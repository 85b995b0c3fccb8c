import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { isConstraint } from '../../db/pg-errors.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { toUser, type PublicBookingLinkRow, type User, type UserRow, type UserWithPasswordRow } from './users.rows.js';

const userColumns = 'id, email, name, timezone, locale, session_version, role, daily_summary, created_at, updated_at';

export interface NewUser {
  email: string;
  passwordHash: string;
  name: string;
  timezone: string;
  locale: string;
}

export interface ProfileChanges {
  name?: string;
  timezone?: string;
  locale?: string;
  dailySummary?: boolean;
}

@Injectable()
export class UsersRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  async create(user: NewUser): Promise<User> {
    try {
      const { rows } = await this.db.query<UserRow>(
        `INSERT INTO users (email, password_hash, name, timezone, locale)
         VALUES ($1, $2, $3, $4, $5) RETURNING ${userColumns}`,
        [user.email, user.passwordHash, user.name, user.timezone, user.locale],
      );
      return toUser(rows[0]);
    } catch (error) {
      if (isConstraint(error, 'users_email_key')) throw new DomainError('EMAIL_TAKEN');
      throw error;
    }
  }

  /** `lock`: FOR UPDATE, in a transaction that changes the user from what it read. */
  async findById(id: string, lock = false): Promise<User | null> {
    const { rows } = await this.db.query<UserRow>(`SELECT ${userColumns} FROM users WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  /** The zones of the users who opted in to the daily summary. */
  async findSummaryZones(): Promise<string[]> {
    const { rows } = await this.db.query<{ timezone: string }>(
      'SELECT DISTINCT timezone FROM users WHERE daily_summary ORDER BY timezone',
    );
    return rows.map((row) => row.timezone);
  }

  async findSummaryUsersIn(zone: string): Promise<User[]> {
    const { rows } = await this.db.query<UserRow>(
      `SELECT ${userColumns} FROM users WHERE daily_summary AND timezone = $1 ORDER BY id`,
      [zone],
    );
    return rows.map(toUser);
  }

  /** The stored password hash, for the few flows that must check it. */
  async findPasswordHash(id: string): Promise<string | null> {
    const { rows } = await this.db.query<{ password_hash: string }>(
      'SELECT password_hash FROM users WHERE id = $1',
      [id],
    );
    return rows[0]?.password_hash ?? null;
  }

  async findByEmailWithPassword(email: string): Promise<(User & { passwordHash: string }) | null> {
    const { rows } = await this.db.query<UserWithPasswordRow>(
      `SELECT ${userColumns}, password_hash FROM users WHERE email = $1`,
      [email],
    );
    return rows[0] ? { ...toUser(rows[0]), passwordHash: rows[0].password_hash } : null;
  }

  async findIdByEmail(email: string): Promise<string | null> {
    const { rows } = await this.db.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [email]);
    return rows[0]?.id ?? null;
  }

  async updateProfile(id: string, changes: ProfileChanges): Promise<User> {
    // COALESCE keeps a column when its change is absent; names are never null, so this is safe.
    const { rows } = await this.db.query<UserRow>(
      `UPDATE users SET
         name = COALESCE($2, name),
         timezone = COALESCE($3, timezone),
         locale = COALESCE($4, locale),
         daily_summary = COALESCE($5, daily_summary),
         updated_at = now()
       WHERE id = $1 RETURNING ${userColumns}`,
      [id, changes.name ?? null, changes.timezone ?? null, changes.locale ?? null, changes.dailySummary ?? null],
    );
    return toUser(rows[0]);
  }

  /** New password; every access token issued before it stops working. */
  async updatePassword(id: string, passwordHash: string): Promise<void> {
    await this.db.query(
      `UPDATE users SET password_hash = $2, session_version = session_version + 1, updated_at = now()
       WHERE id = $1`,
      [id, passwordHash],
    );
  }

  /** Session versions of these users (a deleted user is absent): long-lived connections re-check with it. */
  async findSessionVersions(ids: readonly string[]): Promise<Map<string, number>> {
    const { rows } = await this.db.query<{ id: string; session_version: number }>(
      'SELECT id, session_version FROM users WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return new Map(rows.map((row) => [row.id, row.session_version]));
  }

  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM users WHERE id = $1', [id]);
    return rowCount > 0;
  }

  async findActiveBookingLinks(userId: string): Promise<PublicBookingLinkRow[]> {
    const { rows } = await this.db.query<PublicBookingLinkRow>(
      `SELECT slug, title, description, duration_minutes FROM booking_links
       WHERE user_id = $1 AND is_active ORDER BY title, slug`,
      [userId],
    );
    return rows;
  }
}
