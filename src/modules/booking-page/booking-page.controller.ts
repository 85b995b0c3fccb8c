import { Controller, Get, Header, Headers, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../common/auth/public.decorator.js';
import { RateLimit } from '../../common/rate-limit/rate-limit.js';
import { BookingPageService, type AssetReply } from './booking-page.service.js';

const HTML = 'text/html; charset=utf-8';

/**
 * The public booking page and the booker's manage page, served outside /api/v1 (see app.setup.ts).
 * Web pages, not API: left out of the OpenAPI document.
 */
@ApiExcludeController()
@Public()
@Controller('book')
export class BookingPageController {
  constructor(@Inject(BookingPageService) private readonly pages: BookingPageService) {}

  @RateLimit('public')
  @Get('assets/booking.js')
  script(@Query('v') version: unknown, @Headers('if-none-match') etag: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    return send(reply, this.pages.asset('script', version, etag));
  }

  @RateLimit('public')
  @Get('assets/booking.css')
  style(@Query('v') version: unknown, @Headers('if-none-match') etag: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    return send(reply, this.pages.asset('style', version, etag));
  }

  @RateLimit('public')
  @Get('manage/:token')
  @Header('content-type', HTML)
  @Header('cache-control', 'no-store')
  manage(): string {
    return this.pages.managePage().html;
  }

  @RateLimit('public')
  @Get(':slug')
  @Header('content-type', HTML)
  @Header('cache-control', 'no-cache')
  async book(@Param('slug') slug: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const page = await this.pages.bookingPage(slug);
    void reply.status(page.status);
    return page.html;
  }
}

function send(reply: FastifyReply, asset: AssetReply): AssetReply['body'] {
  void reply.status(asset.status).headers(asset.headers);
  return asset.body;
}
