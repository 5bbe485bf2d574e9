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

/**
 * Signs the page in through the sign-in form (the demo password unless given), optionally straight
 * to a route such as #/cards/<cardNo>; resolves once the header shows who is signed in.
 */
export async function signIn(
  page: Page,
  web: Web,
  username: string,
  options: { password?: string; hash?: string } = {},
): Promise<Page> {
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
  return page;
}
