import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { seedAdminDemo } from '../../bff/src/admin/seed.ts';
import { openCard } from '../../bff/test/admin-support.ts';
import { startWorld, type TestWorld } from '../../bff/test/support.ts';
import type { Web } from '../../mock/demo/web.ts';
import { axeFindings } from '../../tests/browser.ts';
import { openPage, screenshots, signIn, startBackoffice } from './support.ts';

/** Pages no other browser test photographs: the walk below takes their docs/screenshots/ picture. */
const photographed = new Set(['cards', 'payments', 'bank', 'visitors', 'meetings', 'passage']);

/**
 * For each role: what its menu must not offer, and one action it may not take, asked of the API with
 * the page's own session (what a hand-made request from that browser would get).
 */
const refusals: {
  username: string;
  hidden: RegExp;
  action: (ids: { cardNo: string; ownId: string }) => { method: string; path: string; body?: unknown };
}[] = [
  {
    username: 'super',
    hidden: /^$/,
    // Even a super admin may not disable themselves from the accounts list.
    action: ({ ownId }) => ({
      method: 'POST',
      path: `/accounts/${ownId}/changes`,
      body: { status: 'disabled' },
    }),
  },
  {
    username: 'counter',
    hidden: /设备管理|补贴发放/,
    action: () => ({ method: 'POST', path: '/approvals/0000000000000000000000000A/approve', body: {} }),
  },
  {
    username: 'finance',
    hidden: /设备管理|管理员账号/,
    action: () => ({ method: 'POST', path: '/devices', body: { id: '5300001', kind: 'pos' } }),
  },
  {
    username: 'devices',
    hidden: /卡务管理|补贴发放/,
    action: ({ cardNo }) => ({
      method: 'POST',
      path: `/cards/${cardNo}/cash-top-ups`,
      body: { requestId: 'roles-test-1', amount: 100 },
    }),
  },
  {
    username: 'editor',
    hidden: /实时监控|卡务管理/,
    action: () => ({ method: 'GET', path: '/dashboard' }),
  },
  {
    username: 'dept',
    hidden: /审计日志|补贴发放/,
    action: ({ cardNo }) => ({
      method: 'POST',
      path: `/cards/${cardNo}/actions`,
      body: { action: 'report_loss', reason: null },
    }),
  },
  {
    username: 'auditor',
    hidden: /管理员账号|新闻与课程/,
    action: ({ cardNo }) => ({
      method: 'POST',
      path: `/cards/${cardNo}/actions`,
      body: { action: 'freeze', reason: null },
    }),
  },
];

describe('backoffice in Chromium: every role is refused something, and its menu does not offer it', () => {
  let world: TestWorld;
  let web: Web;
  let browser: Browser;
  let cardNo: string;
  before(async () => {
    world = await startWorld();
    await seedAdminDemo(world.core.client);
    cardNo = await openCard(world, '计算机学院', '周角色');
    ({ web, browser } = await startBackoffice(world.bff.url));
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await world?.stop();
  });

  for (const role of refusals) {
    test(`when ${role.username} signs in, then the menu hides what the role may not use and the API refuses one such action with 403`, async () => {
      const page = await signIn(await openPage(browser), web, role.username);
      const menu = (await page.getByRole('menuitem').allTextContents()).join(' ');
      if (role.hidden.source !== '^$') assert.doesNotMatch(menu, role.hidden, menu);
      const ownId =
        (await world.core.client.admins()).items.find((a) => a.username === role.username)?.id ?? '';
      const request = role.action({ cardNo, ownId });
      const [status, code] = await page.evaluate(async ({ method, path, body }) => {
        const response = await fetch(`/api/admin/v1${path}`, {
          method,
          headers: {
            authorization: `Bearer ${(globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem('cc-admin-token')}`,
            'content-type': 'application/json',
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return [response.status, ((await response.json()) as { code: string }).code];
      }, request);
      assert.deepEqual(
        [status, code],
        [403, 'FORBIDDEN'],
        `${role.username} ${request.method} ${request.path}`,
      );
      await page.context().close();
    });
  }

  test('#19 when the super admin opens the sign-in page, every page of the menu and a card, then axe-core finds no serious or critical accessibility violation on any of them', async () => {
    const page = await openPage(browser);
    await page.goto(`${web.url}/admin/`);
    await page.getByLabel('用户名').waitFor();
    const findings: string[] = (await axeFindings(page)).map((f) => `sign-in: ${f}`);
    await signIn(page, web, 'super');
    const items = await page.getByRole('menuitem').allTextContents();
    assert.ok(items.length >= 15, items.join(' '));
    for (const item of items) {
      await page.getByRole('menuitem', { name: item }).click();
      const key = page.url().split('#/')[1] ?? '';
      // The page's own chunk has loaded and its first read has answered: no spinner left in the content.
      await page.locator('.ant-layout-content').waitFor();
      await page.waitForLoadState('networkidle');
      await page.locator('.ant-layout-content .ant-spin-spinning').first().waitFor({ state: 'detached' });
      findings.push(...(await axeFindings(page)).map((f) => `${item} (#/${key}): ${f}`));
      if (photographed.has(key))
        await page.screenshot({ path: `${screenshots}admin-${key}.png`, fullPage: true });
    }
    await page.goto(`${web.url}/admin/#/cards/${cardNo}`);
    await page.getByTestId('card-status').waitFor();
    findings.push(...(await axeFindings(page)).map((f) => `card page: ${f}`));
    assert.deepEqual(findings, []);
    await page.context().close();
  });

  test('when the refused actions have all been tried, then nothing changed: the card is active and every account is still enabled', async () => {
    assert.equal((await world.core.client.getCard(cardNo)).status, 'active');
    assert.ok((await world.core.client.admins()).items.every((a) => a.status === 'active'));
    assert.equal(
      (await world.core.client.devices()).items.some((d) => d.id === '5300001'),
      false,
    );
  });
});
