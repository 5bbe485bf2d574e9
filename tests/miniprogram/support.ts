// What every H5 browser test here does the same way: start the whole running system (core, BFF,
// gateway, stand-ins, on a fresh MariaDB database and Redis) with Chromium beside it, open a phone-sized
// page that may only talk to this machine, bind a student through the H5 bind page (privacy consent
// included), and open a page of the app by its route. It serves miniprogram/dist/h5: build it first.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { migratedDatabase, redisUrl } from '@campus-card/tests/kit';
import jsQR from 'jsqr';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { CoreClient } from '../../core/src/client/index.ts';
import { type RunningSystem, type SystemOptions, startSystem } from '../../mock/demo/system.ts';
import { launchChromium, newContext, screenshotsDir } from '../browser.ts';

const h5Root = new URL('../../miniprogram/dist/h5/', import.meta.url).pathname;

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's serious and critical findings on the page as it is now, as readable lines: in `scope` (a
 * selector: the page shown, when earlier pages of the route stack stay in the DOM), else the document.
 */
export async function axeFindings(page: Page, scope?: string): Promise<string[]> {
  // Evaluated rather than added as an inline <script>: the app's CSP (script-src 'self') refuses those.
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.evaluate(axeSource);
  const target = scope === undefined ? 'document' : `document.querySelector(${JSON.stringify(scope)})`;
  const result = (await page.evaluate(
    `window.axe.run(${target}, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) })))`,
  )) as { id: string; impact: string; nodes: string[] }[];
  return result
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.nodes.join(', ')}`);
}

/** A student's binding details, as the system's demo identities carry them. */
export interface Identity {
  personNo: string;
  name: string;
  secret: string;
}

export interface H5World {
  system: RunningSystem;
  core: CoreClient;
  browser: Browser;
  /** Every page error seen on a page from newPage, in order. */
  pageErrors: string[];
  /** A fresh 390 × 844 context and page; nothing leaves the machine, and page errors are logged. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  /** Closes the browser, the core client and the system, and drops the database. */
  stop(): Promise<void>;
}

/**
 * Starts the world for one browser test file: `prefix` names its Redis keys, `env` adds to the system's
 * environment (LOG_LEVEL silent, the fresh database and Redis are set), `core` goes to startSystem.
 */
export async function startH5World(
  prefix: string,
  env: Record<string, string> = {},
  core?: SystemOptions['core'],
): Promise<H5World> {
  assert.ok(
    existsSync(join(h5Root, 'index.html')),
    'build the H5 target first: npm run build:h5 -w miniprogram',
  );
  mkdirSync(screenshotsDir, { recursive: true });
  const database = await migratedDatabase('mysql');
  const world: Partial<H5World> & { pageErrors: string[] } = { pageErrors: [] };
  const stop = async () => {
    await world.browser?.close();
    await world.core?.close();
    await world.system?.stop();
    await database.drop();
  };
  try {
    world.system = await startSystem({
      env: {
        DATABASE_URL: database.url,
        REDIS_URL: redisUrl,
        REDIS_PREFIX: `${prefix}-${randomBytes(4).toString('hex')}:`,
        LOG_LEVEL: 'silent',
        ...env,
      },
      ports: 'free',
      terminals: false,
      print: () => {},
      ...(core ? { core } : {}),
    });
    world.core = new CoreClient({ url: world.system.core.url, ...world.system.serviceKey });
    world.browser = await launchChromium();
  } catch (error) {
    await stop();
    throw error;
  }
  const { system, browser, pageErrors } = world as H5World;
  return {
    system,
    core: world.core,
    browser,
    pageErrors,
    stop,
    async newPage(options: BrowserContextOptions = {}): Promise<Page> {
      const context = await newContext(browser, { viewport: { width: 390, height: 844 }, ...options });
      // Nothing leaves the machine: the page may only talk to our servers and the stand-ins.
      await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
      const page = await context.newPage();
      // The page's own errors explain a timeout better than the timeout does.
      page.on('pageerror', (error) => {
        pageErrors.push(error.message);
        console.error(`[h5 page error] ${error.message}`);
      });
      return page;
    },
  };
}

/** Fills the bind page's three fields. */
export async function fillBind(page: Page, identity: { personNo: string; name: string }, secret: string) {
  await page.locator('input#personNo').fill(identity.personNo);
  await page.locator('input#name').fill(identity.name);
  await page.locator('input#secret').fill(secret);
}

/**
 * Logs in at `baseUrl`, binds `identity` (ticking the privacy consent #consent) and waits for the pay
 * code. `consent: 'if-asked'` ticks it only where the page shows it unticked.
 */
export async function bindAs(
  page: Page,
  baseUrl: string,
  identity: Identity,
  consent: 'tick' | 'if-asked' = 'tick',
): Promise<void> {
  await page.goto(baseUrl);
  await page.locator('#login').click();
  await fillBind(page, identity, identity.secret);
  const box = page.locator('#consent');
  if (consent === 'tick') await box.click();
  else if ((await box.count()) > 0 && (await box.getAttribute('aria-checked')) !== 'true') await box.click();
  await page.locator('#bind').click();
  await page.locator('.qr').waitFor();
}

/**
 * Opens a page of the app by its route (with `query`) and waits until it has loaded. By default afresh,
 * with a reload; `reload: false` opens it as a link does: a change of hash only pushes a page, and
 * earlier ones stay in the DOM, hidden, so the waits look inside this one.
 */
export async function openPage(
  page: Page,
  baseUrl: string,
  route: string,
  { query = '', reload = true }: { query?: string; reload?: boolean } = {},
): Promise<void> {
  await page.goto(`${baseUrl}/#/pages/${route}/index${query}`);
  if (reload) await page.reload();
  await page.locator(`.page-${route}`).waitFor();
  await page.locator(`.page-${route} .state-loading`).first().waitFor({ state: 'detached' });
}

/**
 * Waits until `expression`, run in the page (and awaited), is truthy, and answers its value. Not
 * page.waitForFunction with a string: that polls by eval inside the page, which the app's CSP (no
 * 'unsafe-eval') refuses.
 */
export async function waitInPage<T>(page: Page, expression: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await page.evaluate(expression);
    if (value) return value as T;
    assert.ok(Date.now() < deadline, `not true within ${timeoutMs} ms: ${expression.slice(0, 300)}`);
    await page.waitForTimeout(250);
  }
}

/** Reads the QR code off the page: a screenshot of the code's element, decoded with jsQR. */
export async function readQr(page: Page): Promise<string> {
  const png = PNG.sync.read(await page.locator('.qr').screenshot());
  const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  assert.ok(decoded, 'the QR code on screen must decode');
  return decoded.data;
}

/** Saves the whole page as docs/screenshots/`name`.png once Taro's page slide-in (300 ms) is over. */
export async function shoot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(600);
  await page.screenshot({ path: join(screenshotsDir, `${name}.png`), fullPage: true });
}

/** "¥128.50" → 12850. */
export function fenOf(text: string | null): number {
  const match = /(-?)¥(\d+)\.(\d{2})/.exec(text ?? '');
  assert.ok(match, `money on screen: ${text}`);
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 100 + Number(match[3]));
}

/** The card page's main + subsidy balance, in fen. */
export async function totalBalance(page: Page): Promise<number> {
  return (
    fenOf(await page.locator('#balance-main').textContent()) +
    fenOf(await page.locator('#balance-subsidy').textContent())
  );
}

/** Waits (up to 10 s) for the card page to show main + subsidy = `expected` fen. */
export async function balanceBecomes(page: Page, expected: number): Promise<void> {
  let seen = Number.NaN;
  for (let i = 0; i < 100; i++) {
    if ((await page.locator('#balance-subsidy').count()) > 0) {
      seen = await totalBalance(page);
      if (seen === expected) return;
    }
    await page.waitForTimeout(100);
  }
  assert.equal(seen, expected, 'balance on the card page');
}
