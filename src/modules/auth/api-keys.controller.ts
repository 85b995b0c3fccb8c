import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Post } from '@nestjs/common';
import { CreatedAt, LOCATION_HEADER } from '../../common/http/created-location.js';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type AuthUser } from '../../common/auth/current-user.decorator.js';
import { ApiSessionAuth } from '../../common/http/api-problems.decorator.js';
import { UuidParam } from '../../common/validation/validation.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeyResponseDto, CreateApiKeyDto, IssuedApiKeyDto } from './dto/api-key.dto.js';

/**
 * Personal API keys (docs/api-keys.md). Managed with a signed-in session only: no scope covers
 * `api-keys`, so a key cannot list, mint or rotate keys.
 */
@ApiTags('api-keys')
@Controller('api-keys')
export class ApiKeysController {
  constructor(@Inject(ApiKeysService) private readonly keys: ApiKeysService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key', description: 'The response holds the whole key, this once; store it.' })
  @ApiCreatedResponse({ type: IssuedApiKeyDto, headers: LOCATION_HEADER })
  @CreatedAt('api-keys')
  @ApiSessionAuth('VALIDATION_FAILED', 'API_KEY_LIMIT_REACHED', 'INSUFFICIENT_SCOPE')
  async create(@CurrentUser() user: AuthUser, @Body() dto: CreateApiKeyDto): Promise<IssuedApiKeyDto> {
    const { apiKey, key } = await this.keys.create(user.id, dto);
    return { ...ApiKeyResponseDto.from(apiKey), key };
  }

  @Get()
  @ApiOperation({ summary: 'Your API keys', description: 'Prefixes only; a key is never shown again.' })
  @ApiOkResponse({ type: [ApiKeyResponseDto] })
  @ApiSessionAuth('INSUFFICIENT_SCOPE')
  async list(@CurrentUser() user: AuthUser): Promise<ApiKeyResponseDto[]> {
    return (await this.keys.list(user.id)).map((key) => ApiKeyResponseDto.from(key));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One API key' })
  @ApiOkResponse({ type: ApiKeyResponseDto })
  @ApiSessionAuth('INVALID_ID', 'NOT_FOUND', 'INSUFFICIENT_SCOPE')
  async get(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<ApiKeyResponseDto> {
    return ApiKeyResponseDto.from(await this.keys.get(user.id, id));
  }

  @Post(':id/rotate')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Replace the secret of an API key',
    description: 'Same id, name, scopes and expiry; a new prefix and key, shown once. The old key stops working at once.',
  })
  @ApiOkResponse({ type: IssuedApiKeyDto })
  @ApiSessionAuth('INVALID_ID', 'NOT_FOUND', 'INSUFFICIENT_SCOPE')
  async rotate(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<IssuedApiKeyDto> {
    const { apiKey, key } = await this.keys.rotate(user.id, id);
    return { ...ApiKeyResponseDto.from(apiKey), key };
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Revoke an API key', description: 'It stops working at once, on every replica.' })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiSessionAuth('INVALID_ID', 'NOT_FOUND', 'INSUFFICIENT_SCOPE')
  remove(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    return this.keys.remove(user.id, id);
  }
}
