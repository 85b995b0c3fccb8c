import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { ChangeSubscriberProvider, type ChangeSubscriber } from '../changes/change-subscriber.js';
import type { Change } from '../changes/changes.rows.js';
import { RealtimeOutboxRepository } from './realtime-outbox.repository.js';

/** Rung when a dispatch that fed the outbox commits: every API process's relay then reads it. */
export const REALTIME_WAKE_CHANNEL = 'calento_realtime';

/**
 * The feed's realtime subscriber. It runs wherever changes are dispatched — an API process with
 * WORKERS=on or an `npm run worker` process, which has no sockets — so it only records, in the
 * dispatcher's transaction, which changes are to go out and in what order. Each API process follows that
 * record and pushes to its own sockets (see realtime.relay.ts and docs/realtime.md).
 */
@ChangeSubscriberProvider()
@Injectable()
export class RealtimeSubscriber implements ChangeSubscriber {
  readonly name = 'realtime';
  readonly kinds = ['event.*', 'booking.*'];

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(RealtimeOutboxRepository) private readonly outbox: RealtimeOutboxRepository,
  ) {}

  async onChanges(changes: Change[]): Promise<void> {
    await this.outbox.append(changes);
    await this.db.wake(REALTIME_WAKE_CHANNEL);
  }
}
