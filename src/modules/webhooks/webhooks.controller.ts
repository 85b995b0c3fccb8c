import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Patch, Post, Query } from '@nestjs/common';
import { CreatedAt, LOCATION_HEADER } from '../../common/http/created-location.js';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type AuthUser } from '../../common/auth/current-user.decorator.js';
import { ApiAuth } from '../../common/http/api-problems.decorator.js';
import { ApiPageResponse, PageQueryDto, type Page } from '../../common/http/pagination.js';
import { UuidParam } from '../../common/validation/validation.js';
import {
  CreatedWebhookResponseDto,
  CreateWebhookDto,
  DeliveryQueryDto,
  DeliveryResponseDto,
  RotatedSecretResponseDto,
  UpdateWebhookDto,
  WebhookResponseDto,
} from './dto/webhook.dto.js';
import { WebhooksService } from './webhooks.service.js';

@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(@Inject(WebhooksService) private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({
    summary: 'Register a webhook endpoint',
    description:
      'Calento POSTs each change (event.*, booking.*) to the URL, signed per Standard Webhooks. The signing secret is in this response only. See docs/webhooks.md.',
  })
  @ApiCreatedResponse({ type: CreatedWebhookResponseDto, headers: LOCATION_HEADER })
  @CreatedAt('webhooks')
  @ApiAuth('VALIDATION_FAILED')
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateWebhookDto): Promise<CreatedWebhookResponseDto> {
    return this.webhooks.create(user, dto);
  }

  @Get()
  @ApiOperation({ summary: 'Your webhook endpoints, oldest first' })
  @ApiPageResponse(WebhookResponseDto)
  @ApiAuth('VALIDATION_FAILED')
  list(@CurrentUser() user: AuthUser, @Query() query: PageQueryDto): Promise<Page<WebhookResponseDto>> {
    return this.webhooks.list(user, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One webhook endpoint (never its secret)' })
  @ApiOkResponse({ type: WebhookResponseDto })
  @ApiAuth('INVALID_ID', 'NOT_FOUND')
  get(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<WebhookResponseDto> {
    return this.webhooks.get(user, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change the URL, description or event types; disable or enable', description: 'Fields left out keep their value.' })
  @ApiOkResponse({ type: WebhookResponseDto })
  @ApiAuth('VALIDATION_FAILED', 'INVALID_ID', 'NOT_FOUND')
  update(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @Body() dto: UpdateWebhookDto,
  ): Promise<WebhookResponseDto> {
    return this.webhooks.update(user, id, dto);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a webhook endpoint and its delivery log' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiAuth('INVALID_ID', 'NOT_FOUND')
  remove(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    return this.webhooks.remove(user, id);
  }

  @Post(':id/rotate-secret')
  @ApiOperation({
    summary: 'Rotate the signing secret',
    description: 'Returns the new secret once. For 24 hours every message carries signatures by both the new and the previous secret.',
  })
  @ApiCreatedResponse({ type: RotatedSecretResponseDto })
  @ApiAuth('INVALID_ID', 'NOT_FOUND')
  rotateSecret(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<RotatedSecretResponseDto> {
    return this.webhooks.rotateSecret(user, id);
  }

  @Post(':id/test')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Send a ping',
    description: 'Queues a signed `ping` message to the endpoint; follow its outcome in GET /webhooks/:id/deliveries.',
  })
  @ApiAcceptedResponse({ type: DeliveryResponseDto })
  @ApiAuth('INVALID_ID', 'NOT_FOUND', 'WEBHOOK_DISABLED')
  test(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<DeliveryResponseDto> {
    return this.webhooks.ping(user, id);
  }

  @Get(':id/deliveries')
  @ApiOperation({
    summary: 'The delivery log of an endpoint, newest first',
    description: 'Filter with ?status= (pending, succeeded, failed) and ?eventType=. Each entry shows excerpts of the request and the last response.',
  })
  @ApiPageResponse(DeliveryResponseDto)
  @ApiAuth('VALIDATION_FAILED', 'INVALID_ID', 'NOT_FOUND')
  deliveries(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @Query() query: DeliveryQueryDto,
  ): Promise<Page<DeliveryResponseDto>> {
    return this.webhooks.deliveriesOf(user, id, query);
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Send a delivery again',
    description: 'Queues the same message (same `webhook-id` and body, a fresh signature) once more; for a delivery that succeeded or failed.',
  })
  @ApiAcceptedResponse({ type: DeliveryResponseDto })
  @ApiAuth('INVALID_ID', 'NOT_FOUND', 'WEBHOOK_DISABLED', 'DELIVERY_PENDING')
  redeliver(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @UuidParam('deliveryId') deliveryId: string,
  ): Promise<DeliveryResponseDto> {
    return this.webhooks.redeliver(user, id, deliveryId);
  }
}
