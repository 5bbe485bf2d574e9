// Goal: in Chromium, an account whose role must have a second factor enrols one on the sign-in page
// before it gets in, and the backoffice runs under the web origin's security headers (its CSP lets the
// built app work: no violation while signing in and opening pages with charts and QR codes).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { demoAdminPassword, seedAdminDemo } from '../../bff/src/admin/seed.ts';
import { startWorld, type TestWorld } from '../../bff/test/support.ts';
import { totp } from '../../core/src/admin/totp.ts';
import type { Web } from '../../mock/demo/web.ts';
import { openPage, screenshots, signIn, startBackoffice } from './support.ts';

describe('backoffice sign-in and page security in Chromium', () => {
  let world: TestWorld;
  let web: Web;
  let browser: Browser;
  before(async () => {
    world = await startWorld();
    await seedAdminDemo(world.core.client);
    ({ web, browser } = await startBackoffice(world.bff.url));
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await world?.stop();
  });

  test('#12.8 when a new finance account signs in for the first time, then the page shows a secret to enrol, and only a right code from it opens the backoffice', async () => {
    await world.core.client.createAdmin({
      username: 'newfinance',
      displayName: '新财务',
      role: 'finance',
      password: demoAdminPassword,
    });
    const page = await openPage(browser);
    await page.goto(`${web.url}/admin/`);
    await page.getByLabel('用户名').fill('newfinance');
    await page.getByLabel('密码').fill(demoAdminPassword);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.getByTestId('login-enrolment').waitFor();
    assert.equal(await page.getByTestId('who').count(), 0, 'no session before the code');
    const secret = /[A-Z2-7]{32}/.exec(
      (await page.getByTestId('login-enrol-secret').textContent()) ?? '',
    )?.[0];
    assert.ok(secret);
    await page.screenshot({ path: `${screenshots}admin-login-enrol.png` });
    await page.getByLabel('动态验证码').fill(totp(secret, Date.now() + 300_000));
    await page.getByRole('button', { name: /验\s*证/ }).click();
    await page.getByTestId('login-error').waitFor();
    await page.getByLabel('动态验证码').fill(totp(secret, Date.now()));
    await page.getByRole('button', { name: /验\s*证/ }).click();
    await page.getByTestId('who').waitFor();
    assert.equal(
      (await world.core.client.admins()).items.find((a) => a.username === 'newfinance')?.totpEnabled,
      true,
    );
    await page.context().close();
  });

  test('#12.14 when the backoffice is opened, then its pages carry the CSP, nosniff, no-framing and no-referrer headers, and the app runs under them without a violation', async () => {
    const page = await openPage(browser);
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    // Every violation the page sees, as the browser reports it to the page itself.
    await page.addInitScript({
      content:
        "window.cspViolations = []; document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));",
    });
    const response = await page.goto(`${web.url}/admin/`);
    const headers = response?.headers() ?? {};
    assert.match(headers['content-security-policy'] ?? '', /frame-ancestors 'none'/);
    assert.match(headers['content-security-policy'] ?? '', /script-src 'self'/);
    assert.equal(headers['x-content-type-options'], 'nosniff');
    assert.equal(headers['x-frame-options'], 'DENY');
    assert.equal(headers['referrer-policy'], 'no-referrer');
    // The super admin (second factor), the dashboard's charts and live socket, and a QR code.
    await signIn(page, web, 'super');
    await page.goto(`${web.url}/admin/#/dashboard`);
    await page.locator('canvas').first().waitFor();
    await page.goto(`${web.url}/admin/#/accounts`);
    await page.getByRole('button', { name: /新建账号/ }).click();
    await page.waitForTimeout(300);
    assert.deepEqual(violations, []);
    assert.deepEqual(await page.evaluate('window.cspViolations'), []);
    await page.context().close();
  });
});
