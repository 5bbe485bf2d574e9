// What every backoffice browser test starts: the built app on one web origin with /api passed to the
// test world's BFF, and Debian's Chromium.
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { startWeb, type Web } from '../../mock/demo/web.ts';
import { launchChromium, screenshotsDir } from '../../tests/browser.ts';

export const screenshots = screenshotsDir;
const dist = new URL('../dist', import.meta.url).pathname;

export async function startBackoffice(bffUrl: string): Promise<{ web: Web; browser: Browser }> {
  mkdirSync(screenshots, { recursive: true });
  const web = await startWeb({ port: 0, sites: { '/admin': dist }, proxies: { '/api': bffUrl } });
  return { web, browser: await launchChromium() };
}
