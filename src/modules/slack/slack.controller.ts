import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Inject, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentUser, type AuthUser } from '../../common/auth/current-user.decorator.js';
import { Public } from '../../common/auth/public.decorator.js';
import { ApiAuth, ApiProblems } from '../../common/http/api-problems.decorator.js';
import { OAuthCallbackRoute } from '../../common/http/oauth-callback.decorator.js';
import { ApiPageResponse, type Page } from '../../common/http/pagination.js';
import { RateLimit } from '../../common/rate-limit/rate-limit.js';
import { UuidParam } from '../../common/validation/validation.js';
import {
  SlackChannelsResponseDto,
  SlackConnectDto,
  SlackConnectResponseDto,
  SlackIntegrationResponseDto,
  SlackMessageResponseDto,
  SlackMessagesQueryDto,
  UpdateSlackDto,
} from './dto/slack.dto.js';
import { SlackCommands, type SlashCommandReply } from './slack-commands.js';
import { SlackService } from './slack.service.js';

@ApiTags('integrations')
@Controller('integrations/slack')
export class SlackController {
  constructor(
    @Inject(SlackService) private readonly slack: SlackService,
    @Inject(SlackCommands) private readonly commands: SlackCommands,
  ) {}

  @Post('connect')
  @ApiOperation({
    summary: 'Start connecting Slack',
    description:
      "Returns Slack's OAuth v2 install URL with a single-use state valid 10 minutes. Send the browser there; Slack returns " +
      'to GET /integrations/slack/callback. statusSync also asks for permission to set your status (users.profile:write).',
  })
  @ApiCreatedResponse({ type: SlackConnectResponseDto })
  @ApiAuth('VALIDATION_FAILED', 'SLACK_NOT_CONFIGURED')
  connect(@CurrentUser() user: AuthUser, @Body() dto: SlackConnectDto): Promise<SlackConnectResponseDto> {
    return this.slack.connect(user, dto);
  }

  @OAuthCallbackRoute('Slack',
    'Checks the state (single use, 10 minutes), exchanges the code (oauth.v2.access), stores the tokens encrypted and ' +
      'redirects to FRONTEND_URL/integrations/slack?slack=connected, or ?slack=error&reason=<code> (docs/slack.md).',
  )
  async callback(@Query() query: Record<string, unknown>): Promise<{ url: string; statusCode: number }> {
    return { url: await this.slack.callback(query), statusCode: HttpStatus.FOUND };
  }

  @Get()
  @ApiOperation({
    summary: 'Your Slack install and its settings',
    description: 'With the last delivery error Slack answered (channel_not_found, not_in_channel, token_revoked…) and state revoked when Slack refused the token.',
  })
  @ApiOkResponse({ type: SlackIntegrationResponseDto })
  @ApiAuth('NOT_FOUND')
  get(@CurrentUser() user: AuthUser): Promise<SlackIntegrationResponseDto> {
    return this.slack.get(user);
  }

  @Patch()
  @ApiOperation({
    summary: 'Change the default channel, the routing of each notification, status sync',
    description: 'Fields left out keep their value; notification kinds not listed keep theirs.',
  })
  @ApiOkResponse({ type: SlackIntegrationResponseDto })
  @ApiAuth('VALIDATION_FAILED', 'NOT_FOUND', 'SLACK_STATUS_SCOPE_MISSING')
  update(@CurrentUser() user: AuthUser, @Body() dto: UpdateSlackDto): Promise<SlackIntegrationResponseDto> {
    return this.slack.update(user, dto);
  }

  @Post('disconnect')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Disconnect Slack', description: 'Revokes the tokens at Slack (auth.revoke, best effort) and deletes the install and its settings.' })
  @ApiNoContentResponse({ description: 'Disconnected.' })
  @ApiAuth('NOT_FOUND')
  disconnect(@CurrentUser() user: AuthUser): Promise<void> {
    return this.slack.disconnect(user);
  }

  @Get('channels')
  @ApiOperation({
    summary: 'Channels Calento can post to',
    description: "Public channels and the private ones the bot was invited to, archived ones left out (all of Slack's cursor pages).",
  })
  @ApiOkResponse({ type: SlackChannelsResponseDto })
  @ApiAuth('NOT_FOUND', 'SLACK_TOKEN_REVOKED', 'SLACK_UNAVAILABLE')
  async channels(@CurrentUser() user: AuthUser): Promise<SlackChannelsResponseDto> {
    return { data: await this.slack.channels(user) };
  }

  @Get('messages')
  @ApiOperation({ summary: 'Messages Calento posted or will post to your Slack', description: 'Newest first, with their delivery status and error.' })
  @ApiPageResponse(SlackMessageResponseDto)
  @ApiAuth('VALIDATION_FAILED')
  messages(@CurrentUser() user: AuthUser, @Query() query: SlackMessagesQueryDto): Promise<Page<SlackMessageResponseDto>> {
    return this.slack.listMessages(user, query);
  }

  @Get('messages/:id')
  @ApiOperation({ summary: 'One Slack message' })
  @ApiOkResponse({ type: SlackMessageResponseDto })
  @ApiAuth('INVALID_ID', 'NOT_FOUND')
  message(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<SlackMessageResponseDto> {
    return this.slack.message(user, id);
  }

  @Public()
  @RateLimit('public')
  @Post('commands')
  @HttpCode(HttpStatus.OK)
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiOperation({
    summary: 'Request URL of the /calento slash command (called by Slack)',
    description:
      'Slack posts the command form-encoded, signed with X-Slack-Signature (v0 HMAC-SHA256 of `v0:<timestamp>:<raw body>` ' +
      'with SLACK_SIGNING_SECRET) and X-Slack-Request-Timestamp. Requests with a missing or wrong signature, a timestamp ' +
      'more than 5 minutes off, or a signature seen before are refused. `today`, `next`, `link`; the answer is ephemeral.',
  })
  @ApiBody({
    schema: {
      type: 'object',
      properties: { command: { type: 'string', example: '/calento' }, text: { type: 'string', example: 'today' }, team_id: { type: 'string' }, user_id: { type: 'string' } },
    },
  })
  @ApiOkResponse({ description: 'The ephemeral reply Slack shows the caller: { response_type, text, blocks }.' })
  @ApiProblems('SLACK_SIGNATURE_INVALID', 'SLACK_REQUEST_STALE', 'SLACK_REQUEST_REPLAYED', 'RATE_LIMITED')
  command(
    @Req() request: FastifyRequest,
    @Headers('x-slack-request-timestamp') timestamp: string | undefined,
    @Headers('x-slack-signature') signature: string | undefined,
  ): Promise<SlashCommandReply> {
    // The form's raw text, kept by the content-type parser for this route alone (app.setup.ts): the signature covers it byte for byte.
    const rawBody = typeof request.body === 'string' ? request.body : '';
    return this.commands.handle({ rawBody, timestamp, signature });
  }
}
