import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { createTestApp, type TestApp } from './test-app.js';

export interface ServedTestApp extends TestApp {
  /** Where a browser reaches the app, e.g. http://127.0.0.1:41234 */
  baseUrl: string;
}

/** The test app (same createApp() as production) listening on a free loopback port. */
export async function createServedTestApp(overrides: Record<string, string> = {}): Promise<ServedTestApp> {
  const t = await createTestApp(overrides);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = t.app.getHttpServer().address() as AddressInfo;
  return { ...t, baseUrl: `http://127.0.0.1:${port}` };
}

/**
 * Debian's Chromium (apt package `chromium`), never a downloaded browser. Without the background
 * networking flags it keeps trying Google's hosts, which this machine's closed network refuses.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}
