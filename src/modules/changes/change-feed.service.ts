import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { ChangesRepository } from './changes.repository.js';
import type { Change, ChangeInput } from './changes.rows.js';

/** The dispatcher's wake-up channel: rung when a transaction that appended changes commits. */
export const CHANGES_WAKE_CHANNEL = 'calento_changes';

/**
 * The one writer of the change feed. The module that owns a row (events for events and series, bookings
 * for bookings) appends here in the transaction of the change, so a rollback leaves no change and a
 * commit always leaves one; the dispatcher is woken when that transaction commits.
 */
@Injectable()
export class ChangeFeed {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(ChangesRepository) private readonly changes: ChangesRepository,
  ) {}

  async append<D extends object>(input: ChangeInput<D>): Promise<Change<D>> {
    if (!this.db.inTransaction) throw new Error(`Change ${input.kind} must be appended inside the transaction of the change`);
    const change = await this.changes.append(input as ChangeInput);
    await this.db.wake(CHANGES_WAKE_CHANNEL);
    return change as Change<D>;
  }

  /** A user's changes after a sequence number (diagnostics and tests). */
  since(userId: string, afterSeq = 0, limit = 1000): Promise<Change[]> {
    return this.changes.listForUser(userId, afterSeq, limit);
  }

  backlog(): Promise<{ count: number; oldest: Date | null }> {
    return this.changes.oldestUndispatched();
  }
}
