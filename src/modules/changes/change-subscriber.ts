import { DiscoveryService } from '@nestjs/core';
import type { Change } from './changes.rows.js';

/**
 * A side effect of changes (emails, reminders, webhooks, realtime, Google push-back, Slack).
 *
 * `onChanges` runs inside the dispatcher's transaction, with the changes it wants in seq order, and
 * should only queue work there (job rows, its own rows): the changes are marked dispatched in the same
 * transaction, so each one reaches each subscriber exactly once, and a failure rolls the batch back to
 * be dispatched again. Anything slow or external happens in the jobs it queued.
 */
export interface ChangeSubscriber {
  /** Stable and unique: logs and metrics name the subscriber by it. */
  readonly name: string;
  /** Kinds it wants, exact (`booking.created`) or by prefix (`event.*`); every kind when absent. */
  readonly kinds?: readonly string[];
  /** Origins it ignores, exact (`ics`) or by prefix (`google:*`): how Google push-back avoids echoes. */
  readonly skipOrigins?: readonly string[];
  onChanges(changes: Change[]): Promise<void>;
}

/** Marks a provider as a change subscriber: `@ChangeSubscriberProvider() @Injectable() class X implements ChangeSubscriber`. */
export const ChangeSubscriberProvider = DiscoveryService.createDecorator<void>();

function matches(patterns: readonly string[], value: string): boolean {
  return patterns.some((pattern) => (pattern.endsWith('*') ? value.startsWith(pattern.slice(0, -1)) : value === pattern));
}

export function wants(subscriber: ChangeSubscriber, change: Change): boolean {
  if (subscriber.kinds && !matches(subscriber.kinds, change.kind)) return false;
  return !(subscriber.skipOrigins && matches(subscriber.skipOrigins, change.origin));
}
