// Debian's Chromium as every browser test here launches it (never a downloaded browser): headless,
// no sandbox (CI runs as root), nothing that reaches out to the network by itself.
import { type Browser, chromium } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';

export const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where browser tests save the screenshots README and docs show. */
export const screenshotsDir = new URL('../docs/screenshots/', import.meta.url).pathname;

/** Launches Chromium with a fresh, empty --user-data-dir of its own that is deleted on close. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumFlags });
}
