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

  /** Many changes of one transaction (an import): appended in order, the dispatcher woken once. */
  async appendMany<D extends object>(inputs: Array<ChangeInput<D>>): Promise<void> {
    if (inputs.length === 0) return;
    if (!this.db.inTransaction) throw new Error(`Changes ${inputs[0].kind} must be appended inside the transaction of the change`);
    await this.changes.appendMany(inputs as ChangeInput[]);
    await this.db.wake(CHANGES_WAKE_CHANNEL);
  }

  /** A user's changes after a sequence number (diagnostics and tests). */
  since(userId: string, afterSeq = 0, limit = 1000): Promise<Change[]> {
    return this.changes.listForUser(userId, afterSeq, limit);
  }

  /** These changes by sequence number, oldest first (realtime delivery reads what its outbox names). */
  bySeqs(seqs: readonly number[]): Promise<Change[]> {
    return seqs.length ? this.changes.listBySeqs(seqs) : Promise.resolve([]);
  }

  backlog(): Promise<{ count: number; oldest: Date | null }> {
    return this.changes.oldestUndispatched();
  }
}
