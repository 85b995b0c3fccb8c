import type { INestApplicationContext } from '@nestjs/common';
import { ChangeDispatcher } from '../../src/modules/changes/change-dispatcher.js';

/**
 * Hands every committed change to its subscribers now (emails, reminders, webhooks…), as the dispatcher
 * would a moment later: for tests that assert on what subscribers queue right after a request.
 */
export async function settleChanges(app: INestApplicationContext): Promise<void> {
  await app.get(ChangeDispatcher).drain();
}
