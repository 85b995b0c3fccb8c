import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Injectable } from '@nestjs/common';

/** The browser pages under /app: plain files, no build step, read at runtime (nest build copies no assets). */
export const webAppDir = resolve(import.meta.dirname, '..', '..', '..', 'public', 'app');

export type WebAsset = 'reset-password.js' | 'reset-password.css';

interface Asset {
  contentType: string;
  body: Buffer;
  /** Short content hash: the `?v=` of the URL the page uses, and the ETag. */
  version: string;
}

export interface WebAssetReply {
  status: 200 | 304;
  headers: Record<string, string>;
  body: Buffer | '';
}

function load(file: string, contentType: string): Asset {
  const body = readFileSync(join(webAppDir, file));
  return { contentType, body, version: createHash('sha256').update(body).digest('hex').slice(0, 16) };
}

/** Serves the password reset page and its two files, as the booking pages serve theirs. */
@Injectable()
export class WebAppService {
  // The files cannot change while the process runs: read and hash them once.
  private readonly assets: Record<WebAsset, Asset> = {
    'reset-password.js': load('reset-password.js', 'text/javascript; charset=utf-8'),
    'reset-password.css': load('reset-password.css', 'text/css; charset=utf-8'),
  };
  // The page names its files without a version; it is added here so a new file is a new URL.
  private readonly resetPage = Object.entries(this.assets).reduce(
    (html, [file, asset]) => html.replace(`/app/assets/${file}"`, `/app/assets/${file}?v=${asset.version}"`),
    readFileSync(join(webAppDir, 'reset-password.html'), 'utf8'),
  );

  resetPasswordPage(): string {
    return this.resetPage;
  }

  /**
   * A file under its versioned URL is cached for a year; any other URL for five minutes. Either way a
   * matching If-None-Match is answered 304.
   */
  asset(name: WebAsset, version: unknown, ifNoneMatch: string | undefined): WebAssetReply {
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
