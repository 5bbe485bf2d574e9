import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { openCard, requestId } from '../../bff/test/admin-support.ts';
import type { TestWorld } from '../../bff/test/support.ts';
import type { Web } from '../../mock/demo/web.ts';
import { axeFindings } from '../../tests/browser.ts';
import { type InsightWorld, startInsightWorld } from './insight-support.ts';
import { openPage, screenshots, signIn, startBackoffice } from './support.ts';

// 分析报表 in Chromium (#17, docs/analytics.md): the card centre's aggregate reports for report.read
// (finance here), groups under 10 shown as 少于 10 人，不显示, the extract's progress; not for a counsellor.
describe('backoffice in Chromium: card-centre reports', () => {
  let insight: InsightWorld;
  let world: TestWorld;
  let web: Web;
  let browser: Browser;
  const canteenName = '第五食堂';

  before(async () => {
    insight = await startInsightWorld({ idPrefix: 'IR', name: canteenName, deviceId: '611' });
    world = insight.world;
    const client = world.core.client;
    // Eleven students of 计算机学院 eat a ¥12 lunch and are refused a ¥45 one (¥38 left); three of
    // 外国语学院 eat too: their department is too small to show.
    const pay = (cardNo: string, amount: number) =>
      client.pay({ id: requestId(), cardNo, merchantId: insight.merchantId, deviceId: '611', amount });
    for (let i = 0; i < 14; i++) {
      const cardNo = await openCard(world, i < 11 ? '计算机学院' : '外国语学院');
      await client.topUp({ id: requestId(), cardNo, amount: 5_000, channel: 'cash' });
      assert.equal((await pay(cardNo, 1_200)).status, 'ok');
      if (i < 11) assert.equal((await pay(cardNo, 4_500)).status, 'rejected');
    }
    await insight.extracted();
    ({ web, browser } = await startBackoffice(world.bff.url));
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await insight?.stop();
  });

  const openTab = async (page: Page, name: string) => {
    await page.getByRole('tab', { name }).click();
    return page.getByRole('tabpanel', { name });
  };

  test('when finance opens 分析报表, then spending per department shows 计算机学院 with 11 students and a chart, and 外国语学院 only as 少于 10 人，不显示', async () => {
    const page = await signIn(await openPage(browser), web, 'finance');
    await page.getByRole('menuitem', { name: /分析报表/ }).click();
    const row = page.getByRole('row').filter({ hasText: '计算机学院' });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /11.*11.*¥132\.00/);
    assert.match(
      (await page.getByRole('row').filter({ hasText: '外国语学院' }).textContent()) ?? '',
      /少于 10 人，不显示/,
    );
    await page.getByTestId('chart-spending').locator('canvas').first().waitFor();
    await page.screenshot({ path: `${screenshots}admin-insight-reports.png`, fullPage: true });
    // Per grade: nobody here came through the identity sync, so one group without a grade.
    await page.getByText('按年级').click();
    await page.getByRole('row').filter({ hasText: '年级未知' }).waitFor();
  });

  test('when finance looks at 商户排行 and 设备故障, then the canteen is named with its turnover and the till shows 11 refusals for 余额不足 with the weekday-hour chart', async () => {
    const page = await signIn(await openPage(browser), web, 'finance', { hash: '#/insight-reports' });
    const merchants = await openTab(page, '商户排行');
    const merchant = merchants.getByRole('row').filter({ hasText: canteenName });
    await merchant.waitFor();
    assert.match((await merchant.textContent()) ?? '', /餐饮¥168\.001414¥12\.00/);
    await page.getByTestId('chart-price-bands').locator('canvas').first().waitFor();

    const devices = await openTab(page, '设备故障');
    const till = devices.getByRole('row').filter({ hasText: '611' });
    await till.waitFor();
    assert.match((await till.textContent()) ?? '', /6112511.*余额不足 11 笔/);
    await page.getByTestId('chart-device-failures').locator('canvas').first().waitFor();
    await page.screenshot({ path: `${screenshots}admin-insight-device-failures.png`, fullPage: true });

    const sources = await openTab(page, '同步进度');
    const operations = sources.getByRole('row').filter({ hasText: '交易流水' });
    await operations.waitFor();
    assert.match((await operations.textContent()) ?? '', /已追上/);
  });

  test('when finance opens 食堂人流, then the 14 canteen payments made today are set against the forecast (none learnt yet) in a chart per window named by its canteen', async () => {
    const page = await signIn(await openPage(browser), web, 'finance', { hash: '#/insight-reports' });
    const panel = await openTab(page, '食堂人流');
    const row = panel.getByRole('row').filter({ hasText: canteenName });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', new RegExp(`^${canteenName}014$`));
    await page.getByTestId('chart-canteen-day').locator('canvas').first().waitFor();
    await page.getByText(`${canteenName}：每 15 分钟的预测与实际消费笔数`).waitFor();
    await page.screenshot({ path: `${screenshots}admin-insight-canteen-day.png`, fullPage: true });
  });

  test('when a counsellor opens 分析报表, then the page is 无权访问 and the menu does not offer it', async () => {
    const page = await signIn(await openPage(browser), web, 'counsellor', { hash: '#/insight-reports' });
    await page.getByText('无权访问').first().waitFor();
    assert.equal(await page.getByRole('menuitem', { name: /分析报表/ }).count(), 0);
  });

  test('when finance looks over every tab of 分析报表, then no English code reaches them and axe-core finds no serious or critical violation', async () => {
    const page = await signIn(await openPage(browser), web, 'finance', { hash: '#/insight-reports' });
    await page.getByRole('table').first().waitFor();
    const findings: string[] = [];
    for (const name of ['消费结构', '补助效果', '商户排行', '设备故障', '食堂人流', '同步进度']) {
      const panel = await openTab(page, name);
      await panel.locator('.ant-table, .ant-alert').first().waitFor();
      const text = (await page.locator('main').textContent()) ?? '';
      assert.doesNotMatch(text, /INSUFFICIENT|[A-Z]{3,}_[A-Z]|canteen|operations|undefined|NaN/, name);
      findings.push(...(await axeFindings(page)).map((f) => `${name}: ${f}`));
    }
    assert.deepEqual(findings, []);
  });
});
