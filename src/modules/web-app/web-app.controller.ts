import { Controller, Get, Header, Headers, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../common/auth/public.decorator.js';
import { RateLimit } from '../../common/rate-limit/rate-limit.js';
import { WebAppService, type WebAssetReply } from './web-app.service.js';

/**
 * The browser pages Calento serves itself under /app (outside /api/v1, see app.setup.ts), where
 * FRONTEND_URL points by default: the password reset and email verification pages, and the Calendar
 * Stacker app (docs/web-app.md) on every other path. Web pages, not API: left out of the OpenAPI document.
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

  /** The link in the verification email. The URL carries the token, so nothing may cache the page. */
  @RateLimit('public')
  @Get('verify-email')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  verifyEmail(): string {
    return this.pages.verifyEmailPage();
  }

  /** A file of the pages: public/app/<path> (.js and .css only). */
  @RateLimit('public')
  @Get('assets/*')
  file(
    @Param('*') path: string,
    @Query('v') version: unknown,
    @Headers('if-none-match') etag: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return send(reply, this.pages.asset(path, version, etag));
  }

  /** FullCalendar, Bootstrap, luxon and rrule, from their npm packages. */
  @RateLimit('public')
  @Get('vendor/:name')
  vendor(
    @Param('name') name: string,
    @Query('v') version: unknown,
    @Headers('if-none-match') etag: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return send(reply, this.pages.vendorAsset(name, version, etag));
  }

  /**
   * The app (history routing: /app, /app/clients/<id>, /app/settings/webhooks…, where the OAuth and Slack
   * callbacks land too). The page holds no data; `no-cache` so a new version is picked up at once.
   */
  @RateLimit('public')
  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-cache')
  index(): string {
    return this.pages.appIndex();
  }

  @RateLimit('public')
  @Get('*')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-cache')
  page(): string {
    return this.pages.appIndex();
  }
}

function send(reply: FastifyReply, asset: WebAssetReply): WebAssetReply['body'] {
  void reply.status(asset.status).headers(asset.headers);
  return asset.body;
}
