import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../../common/errors/domain-error.js';

/** The browser pages under /app: plain files, no build step, read at runtime (nest build copies no assets). */
export const webAppDir = resolve(import.meta.dirname, '..', '..', '..', 'public', 'app');
const nodeModulesDir = resolve(import.meta.dirname, '..', '..', '..', 'node_modules');

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/**
 * The libraries the Calendar Stacker app uses, served from their npm packages (never a CDN, so the CSP
 * stays `'self'`): name under /app/vendor/ → package and file inside it.
 */
const vendorFiles: Record<string, [pkg: string, file: string]> = {
  'fullcalendar.js': ['fullcalendar', 'all/global.js'],
  'fullcalendar-classic.js': ['fullcalendar', 'themes/classic/global.js'],
  'fullcalendar-skeleton.css': ['fullcalendar', 'skeleton.css'],
  'fullcalendar-classic.css': ['fullcalendar', 'themes/classic/theme.css'],
  'fullcalendar-palette.css': ['fullcalendar', 'themes/classic/palette.css'],
  'bootstrap.min.css': ['bootstrap', 'dist/css/bootstrap.min.css'],
  'bootstrap.bundle.min.js': ['bootstrap', 'dist/js/bootstrap.bundle.min.js'],
  'luxon.js': ['luxon', 'build/es6/luxon.mjs'],
  'rrule.min.js': ['rrule', 'dist/es5/rrule.min.js'],
};

interface Asset {
  contentType: string;
  body: Buffer;
  /** Short content hash: the `?v=` of the URL the page uses, and the ETag. */
  version: string;
  /** App modules import each other without a version: they are revalidated (ETag) on every load. */
  revalidate: boolean;
}

export interface WebAssetReply {
  status: 200 | 304;
  headers: Record<string, string>;
  body: Buffer | '';
}

function asset(path: string, revalidate = false): Asset {
  const body = readFileSync(path);
  return {
    contentType: contentTypes[extname(path)],
    body,
    version: createHash('sha256').update(body).digest('hex').slice(0, 16),
    revalidate,
  };
}

/** Every .js and .css file under public/app, by its path relative to it ("reset-password.js", "js/api.js"). */
function loadAppAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const entry of readdirSync(webAppDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !contentTypes[extname(entry.name)]) continue;
    const path = join(entry.parentPath, entry.name);
    const name = relative(webAppDir, path).split(sep).join('/');
    assets.set(name, asset(path, name.includes('/')));
  }
  return assets;
}

/** Serves the password reset and email verification pages, the Calendar Stacker app and their files. */
@Injectable()
export class WebAppService {
  // The files cannot change while the process runs: read and hash them once.
  private readonly assets = loadAppAssets();
  private readonly vendor = new Map(
    Object.entries(vendorFiles).map(([name, [pkg, file]]) => [name, asset(join(nodeModulesDir, pkg, file))]),
  );
  // The pages name their files without a version; it is added here so a new file is a new URL.
  private readonly resetPage = this.versioned('reset-password.html');
  private readonly verifyPage = this.versioned('verify-email.html');
  private readonly appPage = this.versioned('index.html');

  resetPasswordPage(): string {
    return this.resetPage;
  }

  /** The link in the email verification email (it posts the token to /integrations/email/confirm). */
  verifyEmailPage(): string {
    return this.verifyPage;
  }

  /** The Calendar Stacker single-page app: every other path under /app is one of its pages. */
  appIndex(): string {
    return this.appPage;
  }

  private versioned(page: string): string {
    let html = readFileSync(join(webAppDir, page), 'utf8');
    for (const [file, asset] of this.assets) html = html.replaceAll(`/app/assets/${file}"`, `/app/assets/${file}?v=${asset.version}"`);
    for (const [file, asset] of this.vendor) html = html.replaceAll(`/app/vendor/${file}"`, `/app/vendor/${file}?v=${asset.version}"`);
    return html;
  }

  /** A file of the pages (public/app). */
  asset(name: string, version: unknown, ifNoneMatch: string | undefined): WebAssetReply {
    return reply(this.assets.get(name), version, ifNoneMatch);
  }

  /** A library file from node_modules. */
  vendorAsset(name: string, version: unknown, ifNoneMatch: string | undefined): WebAssetReply {
    return reply(this.vendor.get(name), version, ifNoneMatch);
  }
}

/**
 * A file under its versioned URL is cached for a year; an app module (imported without a version) is
 * revalidated each time; any other URL is cached for five minutes. A matching If-None-Match is answered 304.
 */
function reply(asset: Asset | undefined, version: unknown, ifNoneMatch: string | undefined): WebAssetReply {
  if (!asset) throw new NotFoundError('File');
  const etag = `"${asset.version}"`;
  const cache =
    version === asset.version ? 'public, max-age=31536000, immutable' : asset.revalidate ? 'no-cache' : 'public, max-age=300';
  const headers = { 'content-type': asset.contentType, 'cache-control': cache, etag };
  if (ifNoneMatch?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) return { status: 304, headers, body: '' };
  return { status: 200, headers, body: asset.body };
}
