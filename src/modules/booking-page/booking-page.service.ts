import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError } from '../../common/errors/domain-error.js';
import { BookingLinksService } from '../bookings/booking-links.service.js';
import { bookingPage, managePage, notFoundPage, type AssetUrls } from './booking-page.html.js';

/** The page's script and stylesheet: plain files, no build step, read at runtime (nest build copies no assets). */
export const bookingAssetsDir = resolve(import.meta.dirname, '..', '..', '..', 'public', 'book');

export type AssetName = 'script' | 'style';

interface Asset {
  file: string;
  contentType: string;
  body: Buffer;
  /** Short content hash: the `?v=` of the URL the pages use, and the ETag. */
  version: string;
}

export interface HtmlPage {
  status: number;
  html: string;
}

export interface AssetReply {
  status: 200 | 304;
  headers: Record<string, string>;
  body: Buffer | '';
}

function loadAsset(file: string, contentType: string): Asset {
  const body = readFileSync(join(bookingAssetsDir, file));
  return { file, contentType, body, version: createHash('sha256').update(body).digest('hex').slice(0, 16) };
}

/** Renders the booking and manage pages and serves their two static files. */
@Injectable()
export class BookingPageService {
  // The files cannot change while the process runs: read and hash them once.
  private readonly assets: Record<AssetName, Asset> = {
    script: loadAsset('booking.js', 'text/javascript; charset=utf-8'),
    style: loadAsset('booking.css', 'text/css; charset=utf-8'),
  };
  private readonly urls: AssetUrls = {
    script: `/book/assets/booking.js?v=${this.assets.script.version}`,
    style: `/book/assets/booking.css?v=${this.assets.style.version}`,
  };
  private readonly manage = managePage(this.urls);

  constructor(@Inject(BookingLinksService) private readonly links: BookingLinksService) {}

  /** The link's page, or a 404 page for an unknown or inactive link (a browser shows HTML, not problem+json). */
  async bookingPage(slug: string): Promise<HtmlPage> {
    try {
      return { status: 200, html: bookingPage(await this.links.publicDetails(slug), this.urls) };
    } catch (error) {
      if (error instanceof NotFoundError) return { status: 404, html: notFoundPage(this.urls) };
      throw error;
    }
  }

  /** The same shell for every token: the script asks the API, so the token never appears in the HTML. */
  managePage(): HtmlPage {
    return { status: 200, html: this.manage };
  }

  /**
   * A file under its versioned URL is cached for a year (a new version is a new URL); any other URL for
   * five minutes. Either way a matching If-None-Match is answered 304.
   */
  asset(name: AssetName, version: unknown, ifNoneMatch: string | undefined): AssetReply {
    const asset = this.assets[name];
    const etag = `"${asset.version}"`;
    const headers = {
      'content-type': asset.contentType,
      'cache-control': version === asset.version ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
      etag,
    };
    if (ifNoneMatch?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) return { status: 304, headers, body: '' };
    return { status: 200, headers, body: asset.body };
  }
}
