import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../../common/time/clock.js';
import { ChangeSubscriberProvider, type ChangeSubscriber } from '../changes/change-subscriber.js';
import type { Change } from '../changes/changes.rows.js';
import { SlackReminders } from './slack-reminders.js';
import { SlackStatusPlanner } from './slack-status.js';
import { SlackRepository } from './slack.repository.js';

/**
 * Every change of an event re-plans its Slack reminders at once (the tick only looks ahead), and, for an
 * owner who syncs their Slack status, re-plans the status: a meeting that starts in two minutes, or one
 * cancelled while it runs, shows in Slack without waiting for the next tick. A change of the owner's zone
 * (`user.updated`) re-renders their queued reminders, which show times in it. Only queues jobs.
 */
@ChangeSubscriberProvider()
@Injectable()
export class SlackEventsSubscriber implements ChangeSubscriber {
  readonly name = 'slack.events';
  readonly kinds = ['event.*', 'user.updated'];

  constructor(
    @Inject(SlackRepository) private readonly integrations: SlackRepository,
    @Inject(SlackReminders) private readonly reminders: SlackReminders,
    @Inject(SlackStatusPlanner) private readonly status: SlackStatusPlanner,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async onChanges(changes: Change[]): Promise<void> {
    const now = this.clock.now();
    const connected = new Map<string, boolean>();
    const roots = new Map<string, boolean>();
    for (const change of changes) {
      if (!connected.has(change.userId)) {
        // Users without Slack are most users: one lookup, nothing else. Reminders queued before a
        // disconnect are skipped when they come due.
        const integration = await this.integrations.findByUser(change.userId);
        const active = integration?.state === 'active';
        connected.set(change.userId, active);
        if (active && integration.statusSync) await this.status.plan(integration, now, `change:${change.seq}`);
      }
      if (change.kind === 'user.updated') {
        if (!connected.get(change.userId) || !change.fields.includes('timezone')) continue;
        for (const eventId of await this.reminders.pendingFor(change.userId)) roots.set(eventId, true);
        continue;
      }
      const root = change.seriesId ?? change.eventId;
      if (!root || !connected.get(change.userId)) continue;
      const refresh = change.fields.includes('title') || change.fields.includes('location');
      roots.set(root, (roots.get(root) ?? false) || refresh);
    }
    for (const [root, refresh] of roots) await this.reminders.sync(root, now, { refresh });
  }
}
