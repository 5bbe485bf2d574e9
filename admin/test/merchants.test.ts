import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { seedAdminDemo } from '../../bff/src/admin/seed.ts';
import { startWorld, type TestWorld } from '../../bff/test/support.ts';
import { addDays, shanghaiToday } from '../../core/src/time.ts';
import type { Web } from '../../mock/demo/web.ts';
import { setShanghaiTime } from '../../tests/clock.ts';
import { openPage, screenshots, signIn, startBackoffice } from './support.ts';

// 03:30 in Shanghai: the browser's Los Angeles date is the day before, so a page that took "today"
// from the browser would show yesterday's (empty) statement (issue 21).
setShanghaiTime('03:30');

describe('backoffice in Chromium: merchants, a daily statement and the WeChat Pay bill check', () => {
  let world: TestWorld;
  let web: Web;
  let browser: Browser;
  before(async () => {
    world = await startWorld();
    await seedAdminDemo(world.core.client);
    const core = world.core.client;
    // On a campus (docs/campuses.md), which the list shows in its 校区 column.
    const east = await core.createCampus({ code: 'east', name: '东校区' });
    await core.createMerchant({
      id: 'M-CANTEEN-1',
      name: '第一食堂',
      category: 'canteen',
      feeRateBp: 50,
      campusId: east.id,
    });
    const card = await core.openCard({
      personNo: `M${process.pid}${Date.now().toString(36)}`.slice(0, 32),
      name: '赵结算',
      type: 'student',
      department: '计算机学院',
    });
    await core.topUp({ id: `mt-${card.cardNo}`, cardNo: card.cardNo, amount: 10_000, channel: 'cash' });
    for (const [n, amount] of [1_200, 800, 2_000].entries()) {
      const answer = await core.pay({
        id: `mp-${process.pid}-${n}`,
        cardNo: card.cardNo,
        merchantId: 'M-CANTEEN-1',
        amount,
      });
      assert.equal(answer.status, 'ok', JSON.stringify(answer));
    }
    const yesterday = addDays(shanghaiToday(), -1);
    await core.reconcileTopUps(yesterday, [
      { outTradeNo: 'T-NOT-OURS-1', transactionId: '4200000099', state: 'SUCCESS', amount: 3_000 },
    ]);
    ({ web, browser } = await startBackoffice(world.bff.url));
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await world?.stop();
  });

  test("#21 when finance opens the merchants page at 03:30 in Shanghai (the day before in the browser), then the merchant is listed with its fee rate, Shanghai today's statement reconciles, the bill check lists the mismatch and the statement downloads as CSV", async () => {
    const page = await signIn(await openPage(browser, { width: 1280, height: 1000 }), web, 'finance');
    await page.getByRole('menuitem', { name: /商户结算/ }).click();

    const row = page.getByRole('row', { name: /M-CANTEEN-1/ });
    await row.getByRole('cell', { name: '第一食堂' }).waitFor();
    await row.getByRole('cell', { name: '0.50%' }).waitFor();
    await row.getByRole('cell', { name: '餐饮' }).waitFor();
    await row.getByRole('cell', { name: '东校区' }).waitFor();

    const statement = page.getByTestId('statement');
    // Gross and the journal's net for the day: the same ¥40.00, hence 一致.
    await statement.getByText('¥40.00').first().waitFor();
    assert.equal(await statement.getByText('¥40.00').count(), 2);
    await statement.getByText('¥0.20').waitFor();
    await statement.getByText('¥39.80').waitFor();
    await statement.getByText('一致').waitFor();
    await page.getByRole('cell', { name: 'T-NOT-OURS-1' }).waitFor();
    await page.getByText('我方无此订单').waitFor();
    await page.screenshot({ path: `${screenshots}admin-merchants.png`, fullPage: true });

    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page
        .getByRole('button', { name: /导出 CSV/ })
        .first()
        .click(),
    ]);
    assert.equal(file.suggestedFilename(), `statement-M-CANTEEN-1-${shanghaiToday()}.csv`);
    const text = readFileSync((await file.path()) ?? '', 'utf8');
    assert.ok(text.startsWith('\uFEFF商户编号,商户名称'), text.slice(0, 40));
    assert.ok(
      text.includes(`M-CANTEEN-1,第一食堂,${shanghaiToday()},3,40.00,0,0.00,0.20,39.80,40.00,一致,否`),
      text,
    );
    await page.context().close();
  });

  test('when the card centre sets a canteen window capacity on the merchants page, then a bad value is refused in words, a good one is saved, shown and audited', async () => {
    // Goal: the canteen card's levels are graded against a capacity the card centre sets here (#17).
    const page = await signIn(await openPage(browser, { width: 1400, height: 1000 }), web, 'super');
    await page.getByRole('menuitem', { name: /商户结算/ }).click();
    const row = page.getByRole('row', { name: /M-CANTEEN-1/ });
    await row.getByText('默认（60 笔/15分钟）').waitFor();
    await row.getByRole('button', { name: '设置窗口容量' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('每 15 分钟可接待的刷卡笔数').fill('0');
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await dialog.getByText('请输入 1–1000 之间的整数').waitFor();
    await dialog.getByLabel('每 15 分钟可接待的刷卡笔数').fill('45');
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await row.getByText('45 笔/15分钟').waitFor();
    assert.deepEqual(
      (await world.core.client.windowCapacities()).items.map((c) => [c.merchantId, c.paymentsPer15Min]),
      [['M-CANTEEN-1', 45]],
    );
    const audit = await world.core.client.searchAudit({ action: 'merchant.window_capacity', limit: 5 });
    assert.deepEqual(
      audit.items.map((a) => [a.targetId, (a.detail as { after?: number }).after]),
      [['M-CANTEEN-1', 45]],
    );
    await page.context().close();
  });
});
