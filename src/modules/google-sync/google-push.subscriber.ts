import { Inject, Injectable } from '@nestjs/common';
import { ChangeSubscriberProvider, type ChangeSubscriber } from '../changes/change-subscriber.js';
import type { Change } from '../changes/changes.rows.js';
import { JobsService } from '../jobs/jobs.service.js';
import { CalendarSyncsRepository } from './calendar-syncs.repository.js';
import { EventLinksRepository } from './event-links.repository.js';
import type { PushRequest } from './google-push.js';
import { GOOGLE_PUSH_JOB } from './google-sync.kinds.js';
import type { CalendarSync } from './google-sync.rows.js';

/**
 * Google push-back: each local change of an event linked to a merge or export sync becomes a
 * `google.push` job; a new event of the user goes to their export calendar (the destination calendar
 * when it is synced both ways or exported to, else the first such calendar) if that sync existed when
 * the event was made. Changes that came from Google (`google:*`) are skipped: no echo.
 */
@ChangeSubscriberProvider()
@Injectable()
export class GooglePushSubscriber implements ChangeSubscriber {
  readonly name = 'google-push';
  readonly kinds = ['event.*'];
  readonly skipOrigins = ['google:*'];

  constructor(
    @Inject(CalendarSyncsRepository) private readonly syncs: CalendarSyncsRepository,
    @Inject(EventLinksRepository) private readonly links: EventLinksRepository,
    @Inject(JobsService) private readonly jobs: JobsService,
  ) {}

  async onChanges(changes: Change[]): Promise<void> {
    const exporting = new Map<string, CalendarSync[]>();
    for (const userId of new Set(changes.map((change) => change.userId))) {
      const syncs = await this.syncs.listExporting(userId);
      if (syncs.length) exporting.set(userId, syncs);
    }
    if (exporting.size === 0) return;
    const roots = changes.filter((change) => exporting.has(change.userId)).map((change) => change.seriesId ?? change.eventId).filter((id): id is string => id !== null);
    const linkOf = new Map((await this.links.findManyByEvent([...new Set(roots)])).map((link) => [link.eventId, link]));
    for (const change of changes) {
      const syncs = exporting.get(change.userId);
      const root = change.seriesId ?? change.eventId;
      if (!syncs || !root) continue;
      const link = linkOf.get(root);
      let target: CalendarSync | undefined;
      if (link) target = syncs.find((sync) => sync.id === link.syncId);
      // A new event goes to the first export calendar whose sync existed when the event was made. One made
      // before is the initial export's (which leaves out events that ended over 30 days ago), even when its
      // change is dispatched after the sync was set up.
      else if (change.kind === 'event.created' && !change.seriesId) target = syncs.find((sync) => sync.createdAt <= change.createdAt);
      if (!target) continue;
      await this.jobs.enqueue<PushRequest>(
        GOOGLE_PUSH_JOB,
        { syncId: target.id, eventId: change.eventId, seriesId: change.seriesId, occurrenceId: change.occurrenceId, fields: change.fields },
        { userId: change.userId },
      );
    }
  }
}
