import { Inject, Injectable } from '@nestjs/common';
import type { Tag } from './events.rows.js';
import { TagsRepository } from './tags.repository.js';

/** A user's tags (the events module owns them with the events they label). */
@Injectable()
export class TagsService {
  constructor(@Inject(TagsRepository) private readonly tags: TagsRepository) {}

  create(userId: string, name: string, color?: string): Promise<Tag> {
    return this.tags.create(userId, name, color);
  }

  list(userId: string): Promise<Tag[]> {
    return this.tags.list(userId);
  }

  get(userId: string, id: string): Promise<Tag> {
    return this.tags.get(userId, id);
  }

  update(userId: string, id: string, changes: { name?: string; color?: string }): Promise<Tag> {
    return this.tags.update(userId, id, changes);
  }

  /** The tag disappears from every event; the events stay. */
  remove(userId: string, id: string): Promise<void> {
    return this.tags.remove(userId, id);
  }
}
