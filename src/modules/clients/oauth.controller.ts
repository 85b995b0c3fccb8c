import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Post, Put, Query } from '@nestjs/common';
import { CreatedAt, LOCATION_HEADER } from '../../common/http/created-location.js';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type AuthUser } from '../../common/auth/current-user.decorator.js';
import { ApiAuth } from '../../common/http/api-problems.decorator.js';
import { OAuthCallbackRoute } from '../../common/http/oauth-callback.decorator.js';
import { UuidParam } from '../../common/validation/validation.js';
import { AuthorizeResponseDto, CreateOAuthCredentialDto, OAuthCredentialResponseDto, UpdateOAuthCredentialDto } from './dto/oauth.dto.js';
import { OAuthCredentialsService } from './oauth-credentials.service.js';
import { OAuthFlowService } from './oauth-flow.service.js';

@ApiTags('oauth')
@Controller('oauth')
export class OAuthController {
  constructor(
    @Inject(OAuthCredentialsService) private readonly credentials: OAuthCredentialsService,
    @Inject(OAuthFlowService) private readonly flow: OAuthFlowService,
  ) {}

  @OAuthCallbackRoute('Google',
    'Checks the state (single use, 10 minutes), exchanges the code with the PKCE verifier, stores the tokens ' +
      'encrypted and redirects to FRONTEND_URL/clients/<clientId>?oauth=connected, or ?oauth=error&reason=<code> ' +
      '(see docs/clients.md). No token is ever put in the URL.',
  )
  async callback(@Query() query: Record<string, unknown>): Promise<{ url: string; statusCode: number }> {
    return { url: await this.flow.callback(query), statusCode: HttpStatus.FOUND };
  }

  @Post()
  @ApiOperation({
    summary: "Store a client's OAuth credentials",
    description:
      "The client's own Google OAuth client (id and secret, stored encrypted and never returned), or useDefault " +
      "for the deployment's. One set per client.",
  })
  @ApiCreatedResponse({ type: OAuthCredentialResponseDto, headers: LOCATION_HEADER })
  @CreatedAt('oauth')
  @ApiAuth('VALIDATION_FAILED', 'NOT_FOUND', 'CLIENT_HAS_CREDENTIALS')
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateOAuthCredentialDto): Promise<OAuthCredentialResponseDto> {
    return this.credentials.create(user, dto);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One set of OAuth credentials (without the secret)' })
  @ApiOkResponse({ type: OAuthCredentialResponseDto })
  @ApiAuth('INVALID_ID', 'NOT_FOUND')
  get(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<OAuthCredentialResponseDto> {
    return this.credentials.get(user, id);
  }

  @Put(':id')
  @ApiOperation({
    summary: 'Change OAuth credentials',
    description:
      'Fields left out keep their value. Another Google OAuth client (googleClientId or useDefault) disconnects the ' +
      'client: authorize again. New scopes take effect at the next authorization.',
  })
  @ApiOkResponse({ type: OAuthCredentialResponseDto })
  @ApiAuth('VALIDATION_FAILED', 'INVALID_ID', 'NOT_FOUND')
  update(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @Body() dto: UpdateOAuthCredentialDto,
  ): Promise<OAuthCredentialResponseDto> {
    return this.credentials.update(user, id, dto);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Remove OAuth credentials', description: 'A connected client is disconnected and its Google token revoked (best effort).' })
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiAuth('INVALID_ID', 'NOT_FOUND')
  remove(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    return this.credentials.remove(user, id);
  }

  @Post(':id/authorize')
  @ApiOperation({
    summary: 'Start connecting the Google account',
    description:
      "Returns Google's consent URL (offline access, consent prompt, PKCE S256, a single-use state valid 10 minutes). " +
      'Send the browser there; Google returns to GET /oauth/callback.',
  })
  @ApiCreatedResponse({ type: AuthorizeResponseDto })
  @ApiAuth('INVALID_ID', 'NOT_FOUND', 'GOOGLE_DEFAULT_CLIENT_MISSING')
  authorize(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<AuthorizeResponseDto> {
    return this.flow.authorize(user, id);
  }
}
