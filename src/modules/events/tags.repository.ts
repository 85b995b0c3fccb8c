import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { isConstraint } from '../../db/pg-errors.js';
import { UserOwnedRepository } from '../../db/user-owned.repository.js';
import { DomainError, NotFoundError } from '../../common/errors/domain-error.js';
import { toTag, type Tag, type TagRow } from './events.rows.js';

const tagColumns = 'id, user_id, name, color, created_at, updated_at';

@Injectable()
export class TagsRepository extends UserOwnedRepository<TagRow, Tag> {
  protected readonly table = 'tags';
  protected readonly columns = tagColumns;
  protected readonly resource = 'tag';

  constructor(@Inject(Database) db: Database) {
    super(db);
  }

  protected toModel(row: TagRow): Tag {
    return toTag(row);
  }

  async create(userId: string, name: string, color?: string): Promise<Tag> {
    try {
      const { rows } = await this.db.query<TagRow>(
        `INSERT INTO tags (user_id, name, color) VALUES ($1, $2, COALESCE($3, '#3b82f6')) RETURNING ${tagColumns}`,
        [userId, name, color ?? null],
      );
      return toTag(rows[0]);
    } catch (error) {
      if (isConstraint(error, 'tags_user_name_key')) throw new DomainError('TAG_NAME_TAKEN', { name });
      throw error;
    }
  }

  async list(userId: string): Promise<Tag[]> {
    const { rows } = await this.db.query<TagRow>(`SELECT ${tagColumns} FROM tags WHERE user_id = $1 ORDER BY name`, [
      userId,
    ]);
    return rows.map(toTag);
  }

  async update(userId: string, id: string, changes: { name?: string; color?: string }): Promise<Tag> {
    try {
      const { rows } = await this.db.query<TagRow>(
        `UPDATE tags SET name = COALESCE($3, name), color = COALESCE($4, color), updated_at = now()
         WHERE id = $1 AND user_id = $2 RETURNING ${tagColumns}`,
        [id, userId, changes.name ?? null, changes.color ?? null],
      );
      if (!rows[0]) throw this.notFound();
      return toTag(rows[0]);
    } catch (error) {
      if (isConstraint(error, 'tags_user_name_key')) throw new DomainError('TAG_NAME_TAKEN', { name: changes.name ?? '' });
      throw error;
    }
  }

  /** Tags of many events at once: event id → tags. */
  async forEvents(eventIds: string[]): Promise<Map<string, Tag[]>> {
    const byEvent = new Map<string, Tag[]>();
    if (eventIds.length === 0) return byEvent;
    const { rows } = await this.db.query<TagRow & { event_id: string }>(
      `SELECT et.event_id, t.id, t.user_id, t.name, t.color, t.created_at, t.updated_at
       FROM event_tags et JOIN tags t ON t.id = et.tag_id
       WHERE et.event_id = ANY($1::uuid[]) ORDER BY t.name`,
      [eventIds],
    );
    for (const row of rows) byEvent.set(row.event_id, [...(byEvent.get(row.event_id) ?? []), toTag(row)]);
    return byEvent;
  }

  /** True when every id is one of the user's tags. */
  async ownsAll(userId: string, tagIds: string[]): Promise<boolean> {
    const unique = [...new Set(tagIds)];
    const { rows } = await this.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM tags WHERE user_id = $1 AND id = ANY($2::uuid[])',
      [userId, unique],
    );
    return rows[0].n === unique.length;
  }

  /** Replaces an event's tags; every tag must be the owner's, else the whole change is refused. */
  async setForEvent(userId: string, eventId: string, tagIds: string[]): Promise<void> {
    const unique = [...new Set(tagIds)];
    if (!(await this.ownsAll(userId, unique))) throw new DomainError('UNKNOWN_TAG');
    await this.db.query('DELETE FROM event_tags WHERE event_id = $1', [eventId]);
    await this.db.query('INSERT INTO event_tags (event_id, tag_id) SELECT $1, unnest($2::uuid[])', [eventId, unique]);
  }

  async attach(eventId: string, tagId: string): Promise<void> {
    await this.db
      .query('INSERT INTO event_tags (event_id, tag_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [eventId, tagId])
      .catch((error: unknown) => {
        // The tag or the event was deleted by a concurrent request after it was checked.
        if (isConstraint(error, 'event_tags_tag_id_fkey')) throw new NotFoundError('tag');
        if (isConstraint(error, 'event_tags_event_id_fkey')) throw new NotFoundError('event');
        throw error;
      });
  }

  async detach(eventId: string, tagId: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM event_tags WHERE event_id = $1 AND tag_id = $2', [
      eventId,
      tagId,
    ]);
    return rowCount > 0;
  }

  async copy(fromEventId: string, toEventId: string): Promise<void> {
    await this.db.query('INSERT INTO event_tags (event_id, tag_id) SELECT $2, tag_id FROM event_tags WHERE event_id = $1', [
      fromEventId,
      toEventId,
    ]);
  }
}
