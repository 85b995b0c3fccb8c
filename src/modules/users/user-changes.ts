import type { User } from './users.rows.js';

/**
 * The contract of `user.*` changes in the feed (src/modules/changes). `user.updated` — the profile of
 * a user changed (`PATCH /users/me`): `fields` names what changed (`name`, `timezone`, `locale`,
 * `dailySummary`), `data` is UserChangeData. Subscribers that rendered something in the user's zone
 * (queued reminders) re-render it from here. A password change is not a profile change and leaves no row.
 */
export type UserChangeKind = 'user.updated';

/** What subscribers may read of a user: no address, no secret, only what a profile edit can change. */
export interface UserProfilePayload {
  name: string;
  timezone: string;
  locale: string;
  dailySummary: boolean;
}

export interface UserChangeData {
  before: UserProfilePayload;
  after: UserProfilePayload;
}

export function userProfilePayload(user: User): UserProfilePayload {
  return { name: user.name, timezone: user.timezone, locale: user.locale, dailySummary: user.dailySummary };
}

/** The profile fields that differ between two versions of a user. */
export function changedProfileFields(before: UserProfilePayload, after: UserProfilePayload): string[] {
  return (Object.keys(after) as Array<keyof UserProfilePayload>).filter((field) => before[field] !== after[field]);
}
