// The H5 build's 支付宝 choice in real Chromium against the whole running system (mock/demo/system.ts: the
// core, the BFF through the real alipay-sdk, and the Alipay stand-in of mock/alipay, on MariaDB and
// Redis): a student tops up with Alipay on the stand-in's wap cashier, comes back to the result page,
// and the card shows the credit once although every notification arrives twice; the backoffice API
// lists the order as an Alipay one. The Alipay mini-program's own path (my.getAuthCode, my.tradePay)
// cannot run in Chromium: docs/alipay.md says what is verified there.
// Run by `npm run test:browser -w miniprogram` after the H5 build (it serves miniprogram/dist/h5).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { signIn } from '../../admin/test/support.ts';
import { type RunningSystem, repoRoot } from '../../mock/demo/system.ts';
import { newContext } from '../browser.ts';
import {
  balanceBecomes,
  bindAs,
  totalBalance as cardBalance,
  type H5World,
  startH5World,
} from './support.ts';

const here = dirname(fileURLToPath(import.meta.url));
const screenshots = resolve(here, '../../docs/screenshots');

/** The card page's main + subsidy balance, in fen, once the page shows it. */
async function totalBalance(page: Page): Promise<number> {
  await page.locator('#balance-subsidy').waitFor();
  return cardBalance(page);
}

interface AdminTopUp {
  id: string;
  channel: string;
  status: string;
  amount: number;
  operationId: string | null;
}

describe('H5 top-up with 支付宝 in Chromium against the whole system and the Alipay stand-in', () => {
  let world: H5World;
  let system: RunningSystem;
  let browser: Browser;

  before(async () => {
    // The backoffice half reads admin/dist. `npm test` runs this workspace before the admin's, whose own
    // test builds it, so on a fresh clone the build is not there yet: build it once here.
    if (!existsSync(join(repoRoot, 'admin/dist/index.html'))) {
      const built = spawnSync('npm', ['run', 'build', '-w', 'admin'], { cwd: repoRoot, stdio: 'inherit' });
      assert.equal(built.status, 0, 'the backoffice builds');
    }
    world = await startH5World('cc-ali');
    ({ system, browser } = world);
  });

  after(async () => {
    await world?.stop();
  });

  /** The backoffice API as the read-only auditor (no second factor): a card's top-ups, by channel. */
  async function adminTopUps(cardNo: string, channel: 'wechat' | 'alipay'): Promise<AdminTopUp[]> {
    const signIn = await fetch(`${system.web.url}/api/admin/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'auditor', password: system.admins[0]?.password }),
    });
    const session = (await signIn.json()) as { status: string; token: string };
    assert.equal(session.status, 'signed_in', JSON.stringify(session));
    const listed = await fetch(`${system.web.url}/api/admin/v1/cards/${cardNo}/top-ups?channel=${channel}`, {
      headers: { authorization: `Bearer ${session.token}` },
    });
    assert.equal(listed.status, 200, await listed.clone().text());
    return ((await listed.json()) as { items: AdminTopUp[] }).items;
  }

  test('when a student on H5 chooses 支付宝, pays on the stand-in cashier and every notification comes twice, then the result page and the card show the credit once and the backoffice lists it as an Alipay order', async () => {
    const student = system.identities[6];
    assert.ok(student);
    const page = await world.newPage();
    await bindAs(page, system.web.url, student);
    const before = await totalBalance(page);

    // Alipay sends each notification twice; the card must still be credited once.
    system.alipay.faults.setGlobal({ duplicate: true });
    await page.goto(`${system.web.url}/#/pages/top-up/index`);
    await page.locator('.page-top-up').waitFor();
    await page.locator('#pay-with-alipay').waitFor();
    await page.locator('#pay-with-wechat').waitFor();
    await page.locator('.page-top-up .preset', { hasText: '¥50.00' }).click();
    await page.locator('#pay-with-alipay').click();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(screenshots, 'top-up-alipay.png'), fullPage: true });
    await page.locator('#pay').click();

    // The signed alipay.trade.wap.pay page: the stand-in's cashier, for ¥50.00.
    await page.waitForURL((url) => url.origin === new URL(system.alipay.baseUrl).origin, { timeout: 10_000 });
    assert.equal(new URL(page.url()).searchParams.get('method'), 'alipay.trade.wap.pay');
    assert.equal(await page.locator('#amount').textContent(), '¥50.00');
    await page.screenshot({ path: join(screenshots, 'alipay-cashier.png'), fullPage: true });
    await page.locator('#pay').click();

    // Back through the signed return address to the result page, which follows the order.
    await page.waitForURL((url) => url.origin === system.web.url, { timeout: 10_000 });
    await page.locator('#top-up-state', { hasText: '充值成功，已到账' }).waitFor({ timeout: 20_000 });

    // Both copies of the payment's notification delivered and answered success.
    const [order] = await adminTopUps(student.cardNo, 'alipay');
    assert.ok(order, 'the backoffice lists the Alipay order');
    const deadline = Date.now() + 10_000;
    const answered = () =>
      system.alipay.deliveries.filter(
        (d) => d.outTradeNo === order.id && d.tradeStatus === 'TRADE_SUCCESS' && d.answer === 'success',
      ).length;
    while (answered() < 2 && Date.now() < deadline) await page.waitForTimeout(100);
    assert.equal(answered(), 2, 'the duplicated notification reached the BFF twice');

    await page.goto(system.web.url);
    await balanceBecomes(page, before + 5_000);
    await page.reload();
    await balanceBecomes(page, before + 5_000);

    const alipayOrders = await adminTopUps(student.cardNo, 'alipay');
    assert.deepEqual(
      alipayOrders.map((o) => [o.channel, o.status, o.amount]),
      [['alipay', 'credited', 5_000]],
    );
    assert.match(alipayOrders[0]?.operationId ?? '', /^ali:/);
    assert.deepEqual(await adminTopUps(student.cardNo, 'wechat'), []);
    system.alipay.faults.clear();
    await page.context().close();

    // The backoffice's card page (admin/dist) labels the order 支付宝 and filters by channel.
    const office = await newContext(browser, { viewport: { width: 1280, height: 900 } });
    await office.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
    const admin = await signIn(await office.newPage(), system.web, 'auditor', {
      password: system.admins[0]?.password ?? '',
      hash: `#/cards/${student.cardNo}`,
    });
    const row = admin.getByRole('row').filter({ hasText: alipayOrders[0]?.id ?? '' });
    await row.getByText('支付宝', { exact: true }).waitFor();
    await admin.getByTestId('top-up-channel').getByText('微信支付').click();
    await row.waitFor({ state: 'detached' });
    await admin.getByTestId('top-up-channel').getByText('支付宝').click();
    await row.getByText('支付宝', { exact: true }).waitFor();
    await admin.waitForTimeout(300);
    await admin.screenshot({ path: join(screenshots, 'admin-top-ups-alipay.png'), fullPage: true });
    await office.close();
  });
});
