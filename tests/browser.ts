// Debian's Chromium as every browser test here launches it (never a downloaded browser): headless,
// no sandbox (CI runs as root), nothing that reaches out to the network by itself.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from 'playwright-core';
import { clockOffsetMs } from './clock.ts';

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

/**
 * Where every test browser thinks it is: sixteen hours behind Asia/Shanghai, so a page that cuts days
 * in the browser's own zone shows the wrong day whenever Los Angeles's date and Shanghai's differ
 * (from 16:00 to 08:00 UTC, and in the shifted worlds of tests/clock.ts on every run).
 */
export const browserTimezoneId = 'America/Los_Angeles';

/**
 * A fresh context as every browser test opens one: Chinese, in browserTimezoneId, asking for reduced
 * motion (the backoffice then opens its dialogs without the zoom-in that a click under load could
 * land in the middle of: admin/src/theme.ts), and, when the
 * test has shifted the process clock (tests/clock.ts), with the page clock at the same shifted time
 * so the browser and the services agree on "now". `options` adds to or overrides the rest.
 */
export async function newContext(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    locale: 'zh-CN',
    timezoneId: browserTimezoneId,
    reducedMotion: 'reduce',
    ...options,
  });
  if (clockOffsetMs() !== 0) await context.clock.install({ time: Date.now() });
  return context;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's serious and critical findings inside `scope` (a CSS selector; the whole document when
 * omitted), as readable lines: an empty list means the page passes. axe is evaluated in the page, not
 * added as an inline <script>, which the apps' CSP (script-src 'self') refuses.
 */
export async function axeFindings(page: Page, scope = 'html'): Promise<string[]> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.evaluate(axeSource);
  const result = (await page.evaluate(
    `window.axe.run(document.querySelector(${JSON.stringify(scope)}), { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) })))`,
  )) as { id: string; impact: string; nodes: string[] }[];
  return result
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.nodes.join(', ')}`);
}
