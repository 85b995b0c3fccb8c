import { Controller, Headers, HttpCode, HttpStatus, Inject, Post } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Public } from '../../common/auth/public.decorator.js';
import { DomainError, NotFoundError } from '../../common/errors/domain-error.js';
import { ApiProblems } from '../../common/http/api-problems.decorator.js';
import { RateLimit } from '../../common/rate-limit/rate-limit.js';
import { GoogleChannels, type PushVerdict } from './google-channels.js';

export class PushReceiptDto {
  /** queued: a sync was queued; merged: one was queued already; repeated: this message was seen; ignored: the channel's first "sync" message. */
  @ApiProperty({ enum: ['queued', 'merged', 'repeated', 'ignored'] }) outcome: PushVerdict;
}

/** Where Google pushes change notifications of watched calendars (events.watch). */
@ApiTags('google-sync')
@Controller('webhooks/google')
export class GooglePushController {
  constructor(@Inject(GoogleChannels) private readonly channels: GoogleChannels) {}

  @Public()
  @RateLimit('public')
  @Post()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Google push notifications (called by Google)',
    description:
      'A bodiless POST per change of a watched calendar. The channel id and its secret token must match a channel Calento opened; ' +
      'a message number seen before is acknowledged and ignored; a burst of notifications becomes one sync run.',
  })
  @ApiHeader({ name: 'X-Goog-Channel-ID', required: true })
  @ApiHeader({ name: 'X-Goog-Channel-Token', required: true })
  @ApiHeader({ name: 'X-Goog-Resource-ID', required: true })
  @ApiHeader({ name: 'X-Goog-Resource-State', required: true, description: 'sync, exists or not_exists' })
  @ApiHeader({ name: 'X-Goog-Message-Number', required: true })
  @ApiOkResponse({ type: PushReceiptDto })
  @ApiProblems('NOT_FOUND', 'FORBIDDEN', 'RATE_LIMITED')
  async receive(
    @Headers('x-goog-channel-id') channelId: string | undefined,
    @Headers('x-goog-channel-token') token: string | undefined,
    @Headers('x-goog-resource-id') resourceId: string | undefined,
    @Headers('x-goog-resource-state') state: string | undefined,
    @Headers('x-goog-message-number') messageNumber: string | undefined,
  ): Promise<PushReceiptDto> {
    const outcome = await this.channels.receive({ channelId, token, resourceId, state, messageNumber });
    if (outcome === 'unknown_channel') throw new NotFoundError('push channel');
    if (outcome === 'bad_token') throw new DomainError('FORBIDDEN');
    return { outcome };
  }
}
