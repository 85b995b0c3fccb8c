import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/time/clock.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { googleFailure, isRateLimited } from '../clients/google-api.js';
import { JobHandlerProvider, type JobHandler, type JobOutcome } from '../jobs/job-handler.js';
import { JobsService } from '../jobs/jobs.service.js';
import { PeriodicJob } from '../jobs/periodic-job.js';
import { CalendarSyncsRepository } from './calendar-syncs.repository.js';
import { GoogleChannels, type ChannelStopPayload } from './google-channels.js';
import { GooglePush, type PushRequest } from './google-push.js';
import { GoogleSyncRunner, SyncFailure } from './google-sync.runner.js';
import { GOOGLE_CHANNEL_STOP_JOB, GOOGLE_PUSH_JOB, GOOGLE_SYNC_JOB, GOOGLE_SYNC_TICK_JOB } from './google-sync.kinds.js';

/** Google's errors no retry fixes: the calendar or event is not ours to change, or the request is wrong. */
function permanentGoogleError(error: unknown): boolean {
  if (error instanceof SyncFailure) return error.permanent;
  const code = (error as { code?: unknown }).code;
  if (code === 'CLIENT_NEEDS_REAUTH' || code === 'CLIENT_NOT_CONNECTED' || code === 'NOT_FOUND') return true;
  const failure = googleFailure(error);
  const { status } = failure;
  if (status === null || isRateLimited(failure) || status >= 500 || status === 401) return false;
  return status >= 400;
}

/** One sync run of one calendar (queued by the initial sync, a push, the poll, or a toggle). */
@JobHandlerProvider()
@Injectable()
export class GoogleSyncHandler implements JobHandler<{ syncId: string }> {
  readonly kind = GOOGLE_SYNC_JOB;
  readonly timeoutSeconds = 900;

  constructor(@Inject(GoogleSyncRunner) private readonly runner: GoogleSyncRunner) {}

  run(payload: { syncId: string }): Promise<void> {
    return this.runner.run(payload.syncId);
  }

  isPermanent(error: unknown): boolean {
    return permanentGoogleError(error);
  }
}

/** One local change sent to Google (merge and export syncs). */
@JobHandlerProvider()
@Injectable()
export class GooglePushHandler implements JobHandler<PushRequest> {
  readonly kind = GOOGLE_PUSH_JOB;

  constructor(
    @Inject(GooglePush) private readonly push: GooglePush,
    @Inject(CalendarSyncsRepository) private readonly syncs: CalendarSyncsRepository,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async run(payload: PushRequest): Promise<void> {
    await this.push.push(payload);
  }

  isPermanent(error: unknown): boolean {
    return permanentGoogleError(error);
  }

  /** A change that never reached Google leaves the two sides different: the sync status must say so. */
  async onOutcome(payload: PushRequest, outcome: JobOutcome): Promise<void> {
    if (outcome.state !== 'failed') return;
    const what = payload.seriesId && payload.occurrenceId ? `occurrence ${payload.occurrenceId} of event ${payload.seriesId}` : `event ${payload.eventId}`;
    await this.syncs.markPushFailed(payload.syncId, `The change of ${what} did not reach Google: ${outcome.error}`, this.clock.now());
  }
}

@JobHandlerProvider()
@Injectable()
export class GoogleChannelStopHandler implements JobHandler<ChannelStopPayload> {
  readonly kind = GOOGLE_CHANNEL_STOP_JOB;
  readonly maxAttempts = 5;

  constructor(@Inject(GoogleChannels) private readonly channels: GoogleChannels) {}

  run(payload: ChannelStopPayload): Promise<void> {
    return this.channels.stopAtGoogle(payload);
  }
}

export interface GoogleTickReport {
  renewed: number;
  polled: number;
}

/** Channels close to expiry are replaced; calendars without a channel are synced every GOOGLE_SYNC_POLL_MINUTES. */
const RENEW_AHEAD_MS = 24 * 3_600_000;
const TICK_PERIOD_MS = 60_000;
const BATCH = 100;
/** A calendar with a push channel is polled this many times less often than one without. */
const CHANNEL_POLL_FACTOR = 4;

/** The sync's heartbeat: renews push channels, polls calendars that have none, and the others now and then. */
@JobHandlerProvider()
@Injectable()
export class GoogleSyncTick extends PeriodicJob<GoogleTickReport> {
  readonly kind = GOOGLE_SYNC_TICK_JOB;
  protected readonly periodMs = TICK_PERIOD_MS;
  protected readonly logger = new Logger('GoogleSyncTick');

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(JobsService) jobs: JobsService,
    @Inject(Clock) clock: Clock,
    @Inject(CalendarSyncsRepository) private readonly syncs: CalendarSyncsRepository,
    @Inject(GoogleChannels) private readonly channels: GoogleChannels,
  ) {
    super(config, jobs, clock);
  }

  async tick(now: Date): Promise<GoogleTickReport> {
    let renewed = 0;
    for (const sync of await this.syncs.listChannelsExpiring(new Date(now.getTime() + RENEW_AHEAD_MS), BATCH)) {
      if (await this.channels.open(sync.id)) renewed += 1;
    }
    let polled = 0;
    const pollMs = this.config.google.pollMinutes * 60_000;
    // Google may drop notifications without a trace: a calendar with a channel is still polled, less often.
    const due = await this.syncs.listDueForPoll(new Date(now.getTime() - pollMs), new Date(now.getTime() - pollMs * CHANNEL_POLL_FACTOR), BATCH);
    for (const sync of due) {
      if (await this.channels.requestRun(sync)) polled += 1;
    }
    return { renewed, polled };
  }

  protected worthLogging(report: GoogleTickReport): boolean {
    return report.renewed + report.polled > 0;
  }
}
