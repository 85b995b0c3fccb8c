import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/time/clock.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { Database } from '../../db/database.js';
import { googleFailure } from '../clients/google-api.js';
import { GoogleTokensService } from '../clients/google-tokens.service.js';
import { JobsService } from '../jobs/jobs.service.js';
import { CalendarSyncsRepository } from './calendar-syncs.repository.js';
import { GOOGLE_CHANNEL_STOP_JOB, GOOGLE_SYNC_JOB } from './google-sync.kinds.js';
import type { CalendarSync } from './google-sync.rows.js';

export interface ChannelStopPayload {
  clientId: string;
  channelId: string;
  resourceId: string;
}

export type PushVerdict = 'queued' | 'merged' | 'repeated' | 'ignored' | 'unknown_channel' | 'bad_token';

const sha256 = (value: string) => createHash('sha256').update(value).digest();

/**
 * Google push channels (events.watch), one per importing sync: opened after the first listing, renewed
 * before they expire, stopped when the sync is turned off or the client goes. Each channel has its own
 * random token, kept only as a hash; a notification is accepted when channel id and token match and its
 * message number is new, and then only marks the calendar for a sync (a burst of pushes is one run).
 */
@Injectable()
export class GoogleChannels {
  private readonly logger = new Logger('GoogleChannels');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Database) private readonly db: Database,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(GoogleTokensService) private readonly tokens: GoogleTokensService,
    @Inject(JobsService) private readonly jobs: JobsService,
    @Inject(CalendarSyncsRepository) private readonly syncs: CalendarSyncsRepository,
  ) {}

  /**
   * Opens a channel for the sync (replacing an older one, which is stopped). False when Google refused
   * (an http address, a calendar without push support): the sync then polls.
   */
  async open(syncId: string): Promise<boolean> {
    const sync = await this.syncs.find(syncId);
    if (!sync || !sync.enabled || sync.strategy === 'export') return false;
    const id = randomUUID();
    const token = randomBytes(32).toString('base64url');
    const ttlSeconds = this.config.google.channelTtlHours * 3600;
    try {
      const { data } = await this.tokens.call(sync.clientId, (google) =>
        google.calendar.events.watch({
          calendarId: sync.calendarId,
          requestBody: {
            id,
            type: 'web_hook',
            address: this.config.google.pushUrl,
            token,
            expiration: String(this.clock.now().getTime() + ttlSeconds * 1000),
            params: { ttl: String(ttlSeconds) },
          },
        }),
      );
      const expiresAt = data.expiration ? new Date(Number(data.expiration)) : new Date(this.clock.now().getTime() + ttlSeconds * 1000);
      await this.db.tx(async () => {
        const locked = await this.syncs.lock(sync.id);
        await this.syncs.setChannel(sync.id, { id, resourceId: data.resourceId as string, tokenHash: sha256(token), expiresAt });
        if (locked?.channel) await this.queueStop(locked);
      });
      return true;
    } catch (error) {
      const failure = googleFailure(error);
      this.logger.warn({ syncId, status: failure.status, reason: failure.reason ?? (error as Error).message }, 'Google push channel not opened; the calendar is polled');
      return false;
    }
  }

  /** Stops the sync's channel at Google (through a job) and forgets it. Call inside the change's transaction. */
  async close(sync: CalendarSync): Promise<void> {
    if (!sync.channel) return;
    await this.queueStop(sync);
    await this.syncs.setChannel(sync.id, null);
  }

  private async queueStop(sync: CalendarSync): Promise<void> {
    if (!sync.channel) return;
    await this.jobs.enqueue<ChannelStopPayload>(
      GOOGLE_CHANNEL_STOP_JOB,
      { clientId: sync.clientId, channelId: sync.channel.id, resourceId: sync.channel.resourceId },
      { userId: sync.userId },
    );
  }

  async stopAtGoogle(payload: ChannelStopPayload): Promise<void> {
    try {
      await this.tokens.call(payload.clientId, (google) => google.calendar.channels.stop({ requestBody: { id: payload.channelId, resourceId: payload.resourceId } }));
    } catch (error) {
      const status = googleFailure(error).status;
      // Unknown to Google (expired, stopped before), or the client cannot call Google any more: nothing to stop.
      if (status === 404 || status === 400) return;
      const code = (error as { code?: string }).code;
      if (code === 'CLIENT_NEEDS_REAUTH' || code === 'CLIENT_NOT_CONNECTED' || code === 'NOT_FOUND') return;
      throw error;
    }
  }

  /**
   * A notification from Google (POST /webhooks/google). Only looks up and updates rows: the sync runs in
   * a job, so Google gets its answer in milliseconds.
   */
  async receive(headers: { channelId?: string; token?: string; state?: string; messageNumber?: string; resourceId?: string }): Promise<PushVerdict> {
    if (!headers.channelId) return 'unknown_channel';
    return this.db.tx(async () => {
      const sync = await this.syncs.findByChannel(headers.channelId as string);
      // Google may send a channel's first `sync` before its watch call answered, so before the channel
      // is stored here. That message announces the channel and asks for nothing: it is acknowledged.
      if (!sync?.channel) return headers.state === 'sync' ? 'ignored' : 'unknown_channel';
      const given = sha256(headers.token ?? '');
      if (!timingSafeEqual(given, sync.channel.tokenHash) || (headers.resourceId && headers.resourceId !== sync.channel.resourceId)) return 'bad_token';
      const number = Number(headers.messageNumber);
      if (Number.isSafeInteger(number) && !(await this.syncs.acceptMessage(sync.id, sync.channel.id, number))) return 'repeated';
      // The first message of a channel says it exists; nothing changed yet.
      if (headers.state === 'sync') return 'ignored';
      return (await this.requestRun(sync, this.config.google.pushDebounceMs)) ? 'queued' : 'merged';
    });
  }

  /** Marks the sync as wanted and queues its job (in `delayMs`) unless one is queued already. */
  async requestRun(sync: Pick<CalendarSync, 'id' | 'userId'>, delayMs = 0): Promise<boolean> {
    return this.db.tx(async () => {
      if (!(await this.syncs.requestRun(sync.id))) return false;
      const runAt = delayMs > 0 ? new Date(this.clock.now().getTime() + delayMs) : null;
      await this.jobs.enqueue(GOOGLE_SYNC_JOB, { syncId: sync.id }, { userId: sync.userId, runAt });
      return true;
    });
  }
}
