import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { eventColumns, toEvent, type EventRecord, type EventRow } from '../events/events.rows.js';
import { toFeed, toFeedOwner, type Feed, type FeedOwner, type FeedOwnerRow, type FeedRow } from './ics.rows.js';

/** The secret feed of each user (only the token's SHA-256 is stored) and what the feed publishes. */
@Injectable()
export class FeedRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  /** Creates the feed, or gives it a new token: the old URL stops working in the same statement. */
  async upsert(userId: string, tokenHash: Buffer): Promise<Feed> {
    const { rows } = await this.db.query<FeedRow>(
      `INSERT INTO calendar_feeds (user_id, token_hash) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = now()
       RETURNING user_id, created_at`,
      [userId, tokenHash],
    );
    return toFeed(rows[0]);
  }

  async find(userId: string): Promise<Feed | null> {
    const { rows } = await this.db.query<FeedRow>('SELECT user_id, created_at FROM calendar_feeds WHERE user_id = $1', [
      userId,
    ]);
    return rows[0] ? toFeed(rows[0]) : null;
  }

  async remove(userId: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM calendar_feeds WHERE user_id = $1', [userId]);
    return rowCount > 0;
  }

  async findOwner(tokenHash: Buffer): Promise<FeedOwner | null> {
    const { rows } = await this.db.query<FeedOwnerRow>(
      `SELECT u.id AS user_id, u.name, u.timezone
       FROM calendar_feeds f JOIN users u ON u.id = f.user_id
       WHERE f.token_hash = $1`,
      [tokenHash],
    );
    return rows[0] ? toFeedOwner(rows[0]) : null;
  }

  /**
   * The user's own single events and series (not overrides) that can still be seen after `since`:
   * single events ending after it, series whose last occurrence ends after it or that never end.
   */
  async ownEventsSince(userId: string, since: Date): Promise<EventRecord[]> {
    const { rows } = await this.db.query<EventRow>(
      `SELECT ${eventColumns} FROM events
       WHERE user_id = $1 AND series_id IS NULL
         AND CASE WHEN recurrence_rule IS NULL THEN end_time > $2 ELSE recurrence_end IS NULL OR recurrence_end > $2 END
       ORDER BY start_time, id`,
      [userId, since],
    );
    return rows.map(toEvent);
  }
}
