export type UserRole = 'user' | 'admin';

/** Row shapes of the users table, as PostgreSQL returns them, and their API-facing mapping. */
export interface UserRow {
  id: string;
  email: string;
  name: string;
  timezone: string;
  locale: string;
  session_version: number;
  role: UserRole;
  daily_summary: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface UserWithPasswordRow extends UserRow {
  password_hash: string;
}

export interface User {
  id: string;
  email: string;
  name: string;
  timezone: string;
  locale: string;
  sessionVersion: number;
  /** 'admin' may use operational routes (job metrics); ADMIN_EMAILS also makes admins. */
  role: UserRole;
  /** Opted in to the daily summary email (07:00 in their zone). */
  dailySummary: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    timezone: row.timezone,
    locale: row.locale,
    sessionVersion: row.session_version,
    role: row.role,
    dailySummary: row.daily_summary,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface PublicBookingLinkRow {
  slug: string;
  title: string;
  description: string | null;
  duration_minutes: number;
}
