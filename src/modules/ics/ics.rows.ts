/** Row shapes of calendar_feeds and their mapping to camelCase records. */
export interface FeedRow {
  user_id: string;
  created_at: Date;
}

export interface Feed {
  userId: string;
  createdAt: Date;
}

export function toFeed(row: FeedRow): Feed {
  return { userId: row.user_id, createdAt: row.created_at };
}

/** Whose feed a token opens, with what the calendar header needs. */
export interface FeedOwnerRow {
  user_id: string;
  name: string;
  timezone: string;
}

export interface FeedOwner {
  userId: string;
  name: string;
  timezone: string;
}

export function toFeedOwner(row: FeedOwnerRow): FeedOwner {
  return { userId: row.user_id, name: row.name, timezone: row.timezone };
}
