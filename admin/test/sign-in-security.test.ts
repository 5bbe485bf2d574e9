// Goal: in Chromium, an account whose role must have a second factor enrols one on the sign-in page
// before it gets in, and the backoffice runs under the web origin's security headers (its CSP lets the
// built app work: no violation while signing in and opening pages with charts and QR codes).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { demoAdminPassword, seedAdminDemo } from '../../bff/src/admin/seed.ts';
import { startWorld, type TestWorld } from '../../bff/test/support.ts';
import { totp } from '../../core/src/admin/totp.ts';
import type { Web } from '../../mock/demo/web.ts';
import { type OidcStandIn, type OidcUser, startOidcStandIn } from '../../mock/sso/oidc.ts';
import { openPage, screenshots, signIn, startBackoffice } from './support.ts';

describe('backoffice sign-in and page security in Chromium', () => {
  let world: TestWorld;
  let web: Web;
  let browser: Browser;
  let idp: OidcStandIn;
  const idpUsers: OidcUser[] = [];
  before(async () => {
    // The BFF's port first, so the web origin (the browser's only way in) exists before the BFF that
    // names it as the campus sign-on's return address.
    const probe = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => probe.once('listening', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    ({ web, browser } = await startBackoffice(`http://127.0.0.1:${port}`));
    const clientSecret = randomBytes(24).toString('base64url');
    idp = await startOidcStandIn({
      clientId: 'campus-card',
      clientSecret,
      redirectUris: [`${web.url}/api/admin/v1/sso/campus/callback`],
      users: idpUsers,
    });
    world = await startWorld({
      BFF_PORT: String(port),
      SSO_PROVIDERS: JSON.stringify([
        { id: 'campus', kind: 'oidc', url: idp.issuer, personClaim: 'staff_no', clientId: 'campus-card' },
      ]),
      SSO_CAMPUS_CLIENT_SECRET: clientSecret,
      SSO_PUBLIC_URL: web.url,
      SSO_ALLOW_HTTP: 'true',
    });
    await seedAdminDemo(world.core.client);
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await world?.stop();
    await idp?.close();
  });

  test('#14 when staff click 统一身份认证登录, then the campus provider signs them in to their own admin account, and an identity with no account is refused in Chinese', async () => {
    const account = (await world.core.client.admins()).items.find((a) => a.role === 'content_editor');
    assert.ok(account);
    idpUsers.push(
      { sub: account.username, claims: { staff_no: account.username } },
      { sub: 'stranger', claims: { staff_no: 'stranger' } },
    );
    const page = await openPage(browser);
    const viaCampus = async (username: string) => {
      await page.goto(`${web.url}/admin/`);
      await page.getByRole('link', { name: '统一身份认证登录' }).click();
      await page.getByLabel('学工号').fill(username);
      await page.getByLabel('密码').fill(username);
      await page.getByRole('button', { name: '登录' }).click();
    };
    await viaCampus('stranger');
    const refusal = (await page.getByTestId('login-error').textContent()) ?? '';
    assert.match(refusal, /没有对应的管理后台账号/);
    assert.doesNotMatch(page.url(), /sso_(code|error)/, 'the page takes the answer out of its address');
    await viaCampus(account.username);
    await page.getByTestId('who').waitFor();
    assert.doesNotMatch(page.url(), /sso_code/);
    await page.context().close();
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
