// What every backoffice browser test starts: the built app on one web origin with /api passed to the
// test world's BFF, and Debian's Chromium; and a page signed in as one of the demo accounts.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { demoAdminPassword } from '../../bff/src/admin/seed.ts';
import { knownTotpSecret, nextTotpCode, rememberTotpSecret } from '../../bff/test/admin-support.ts';
import { startWeb, type Web } from '../../mock/demo/web.ts';
import { launchChromium, newContext, screenshotsDir } from '../../tests/browser.ts';

export const screenshots = screenshotsDir;
// ADMIN_TEST_DIST: another build to test, e.g. one of older code to see a regression test fail.
const dist = process.env.ADMIN_TEST_DIST ?? new URL('../dist', import.meta.url).pathname;

export async function startBackoffice(bffUrl: string): Promise<{ web: Web; browser: Browser }> {
  mkdirSync(screenshots, { recursive: true });
  const web = await startWeb({ port: 0, sites: { '/admin': dist }, proxies: { '/api': bffUrl } });
  return { web, browser: await launchChromium() };
}

/**
 * A page in a fresh context (tests/browser.ts: Chinese, in America/Los_Angeles, on the test's clock)
 * that may talk to this machine only (nothing leaves it).
 */
export async function openPage(browser: Browser, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await newContext(browser, { viewport });
  await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
  return context.newPage();
}

/** The backoffice keeps its session token in localStorage under these keys (admin/src/api.ts). */
const tokenKey = 'cc-admin-token';
const usedKey = 'cc-admin-token-used';
/** The page's localStorage, as far as used here (these tests type-check without the DOM's types). */
type PageStorage = { getItem(key: string): string | null; setItem(key: string, value: string): void };
/** Each account's session token from its last sign-in in this test process, by `origin|username`. */
const sessions = new Map<string, string>();

/**
 * Signs the page in through the sign-in form (the demo password unless given), optionally straight
 * to a route such as #/cards/<cardNo>; resolves once the header shows who is signed in.
 *
 * An account signed in before in this process opens its new page with the session it already has
 * (as a second tab of the same browser would: the token is shared through localStorage), and signs in
 * through the form only when the server no longer takes that session (signed out, disabled). A second
 * factor's code is single-use per 30-second step, so a form sign-in per page would wait up to 30 s
 * for each one past the second; a test that is about the sign-in form passes `fresh`.
 */
export async function signIn(
  page: Page,
  web: Web,
  username: string,
  options: { password?: string; hash?: string; fresh?: boolean } = {},
): Promise<Page> {
  const key = `${web.url}|${username}`;
  const known = options.password === undefined && !options.fresh ? sessions.get(key) : undefined;
  if (known) {
    // Any document of the origin will do to write its localStorage: a blank one, answered here.
    const blank = `${web.url}/session-seed`;
    await page.route(blank, (route) =>
      route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>-</title>' }),
    );
    await page.goto(blank);
    await page.unroute(blank);
    await page.evaluate(
      ([k, u, token]) => {
        const store = (globalThis as unknown as { localStorage: PageStorage }).localStorage;
        store.setItem(u, String(Date.now()));
        store.setItem(k, token);
      },
      [tokenKey, usedKey, known] as const,
    );
    await page.goto(`${web.url}/admin/${options.hash ?? ''}`);
    const who = page.getByTestId('who');
    await who.or(page.getByLabel('用户名')).first().waitFor();
    if (await who.isVisible()) return page;
    sessions.delete(key);
  }
  await page.goto(`${web.url}/admin/${options.hash ?? ''}`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(options.password ?? demoAdminPassword);
  await page.getByRole('button', { name: /登\s*录/ }).click();
  // Super admin, finance and the counter must have a second factor: the demo's known secret, or
  // one the account enrols at its first sign-in (read off the page, kept for its later sign-ins).
  const who = page.getByTestId('who');
  const code = page.getByLabel('动态验证码');
  await who.or(code).first().waitFor();
  if (await code.isVisible()) {
    const enrolment = page.getByTestId('login-enrol-secret');
    const shown = (await enrolment.isVisible())
      ? /[A-Z2-7]{32}/.exec((await enrolment.textContent()) ?? '')?.[0]
      : undefined;
    if (shown) rememberTotpSecret(web.url, username, shown);
    const secret = shown ?? knownTotpSecret(web.url, username);
    if (!secret) throw new Error(`no known second factor for ${username}`);
    await code.fill(await nextTotpCode(`${web.url}|${username}`, secret));
    await page.getByRole('button', { name: /验\s*证/ }).click();
    await who.waitFor();
  }
  const token = await page.evaluate(
    (k) => (globalThis as unknown as { localStorage: PageStorage }).localStorage.getItem(k),
    tokenKey,
  );
  if (token && options.password === undefined) sessions.set(key, token);
  return page;
}
