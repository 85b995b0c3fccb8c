import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { toFeed, toFeedOwner, type Feed, type FeedOwner, type FeedOwnerRow, type FeedRow } from './ics.rows.js';

/** The secret feed of each user (only the token's SHA-256 is stored). */
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
}
