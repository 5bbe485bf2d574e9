// What every backoffice browser test starts: the built app on one web origin with /api passed to the
// test world's BFF, and Debian's Chromium; and a page signed in as one of the demo accounts.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { demoAdminPassword } from '../../bff/src/admin/seed.ts';
import { startWeb, type Web } from '../../mock/demo/web.ts';
import { launchChromium, screenshotsDir } from '../../tests/browser.ts';

export const screenshots = screenshotsDir;
const dist = new URL('../dist', import.meta.url).pathname;

export async function startBackoffice(bffUrl: string): Promise<{ web: Web; browser: Browser }> {
  mkdirSync(screenshots, { recursive: true });
  const web = await startWeb({ port: 0, sites: { '/admin': dist }, proxies: { '/api': bffUrl } });
  return { web, browser: await launchChromium() };
}

/** A page in a fresh context, in Chinese, that may talk to this machine only (nothing leaves it). */
export async function openPage(browser: Browser, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN' });
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
  await page.getByTestId('who').waitFor();
  return page;
}
