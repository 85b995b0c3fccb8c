import { Controller, Get, Header, Headers, Inject, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../common/auth/public.decorator.js';
import { RateLimit } from '../../common/rate-limit/rate-limit.js';
import { WebAppService, type WebAssetReply } from './web-app.service.js';

/**
 * The browser pages Calento serves itself under /app (outside /api/v1, see app.setup.ts), where
 * FRONTEND_URL points by default. Web pages, not API: left out of the OpenAPI document.
 */
@ApiExcludeController()
@Public()
@Controller('app')
export class WebAppController {
  constructor(@Inject(WebAppService) private readonly pages: WebAppService) {}

  /** The link in the password reset email. The URL carries the token, so nothing may cache the page. */
  @RateLimit('public')
  @Get('reset-password')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  resetPassword(): string {
    return this.pages.resetPasswordPage();
  }

  @RateLimit('public')
  @Get('assets/reset-password.js')
  script(@Query('v') version: unknown, @Headers('if-none-match') etag: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    return send(reply, this.pages.asset('reset-password.js', version, etag));
  }

  @RateLimit('public')
  @Get('assets/reset-password.css')
  style(@Query('v') version: unknown, @Headers('if-none-match') etag: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    return send(reply, this.pages.asset('reset-password.css', version, etag));
  }
}

function send(reply: FastifyReply, asset: WebAssetReply): WebAssetReply['body'] {
  void reply.status(asset.status).headers(asset.headers);
  return asset.body;
}

