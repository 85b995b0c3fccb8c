/** Row shapes of the users table, as PostgreSQL returns them, and their API-facing mapping. */
export interface UserRow {
  id: string;
  email: string;
  name: string;
  timezone: string;
  locale: string;
  sessions_valid_after: Date;
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
  sessionsValidAfter: Date;
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
    sessionsValidAfter: row.sessions_valid_after,
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
