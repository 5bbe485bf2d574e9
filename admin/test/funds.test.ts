import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { demoAdminPassword, seedAdminDemo } from '../../bff/src/admin/seed.ts';
import { startWorld, type TestWorld } from '../../bff/test/support.ts';
import { addDays, shanghaiToday } from '../../core/src/time.ts';
import type { Web } from '../../mock/demo/web.ts';
import { setShanghaiTime } from '../../tests/clock.ts';
import { openPage, screenshots, signIn as signInAs, startBackoffice } from './support.ts';

// 03:30 in Shanghai is 19:30 UTC: the browser's Los Angeles date is the day before Shanghai's, so a
// report range cut in the browser's zone misses today's top-ups on every run (issue 21).
setShanghaiTime('03:30');

const secondFinance = { username: 'finance2', password: 'second-finance-2026' };

describe('backoffice in Chromium: a subsidy batch with two admins, a report export, the sync page, devices, the dashboard and a kiosk cash box', () => {
  let world: TestWorld;
  let web: Web;
  let browser: Browser;
  const people: { personNo: string; cardNo: string }[] = [];
  before(async () => {
    world = await startWorld();
    await seedAdminDemo(world.core.client);
    await world.core.client.createAdmin({
      username: secondFinance.username,
      displayName: '李复核',
      role: 'finance',
      department: null,
      password: secondFinance.password,
      totp: false,
    });
    for (const [n, name] of ['周补助', '吴补助'].entries()) {
      const personNo = `B${process.pid}${Date.now().toString(36)}${n}`.slice(0, 32);
      const card = await world.core.client.openCard({
        personNo,
        name,
        type: 'student',
        department: '计算机学院',
      });
      people.push({ personNo, cardNo: card.cardNo });
      await world.core.client.topUp({
        id: `fb-${card.cardNo}`,
        cardNo: card.cardNo,
        amount: 5_000 + n * 2_500,
        channel: 'cash',
      });
    }
    // Sales at two merchants' tills, so the reports and the dashboard have something to draw.
    const canteen = await world.core.client.createMerchant({ name: '第一食堂', category: 'canteen' });
    const shop = await world.core.client.createMerchant({ name: '校园超市', category: 'shop' });
    await world.core.client.registerDevice({ id: '5100001', kind: 'pos', merchantId: canteen.id });
    await world.core.client.registerDevice({ id: '5100002', kind: 'pos', merchantId: shop.id });
    const sales = [
      { who: 1, merchantId: canteen.id, deviceId: '5100001', amount: 850 },
      { who: 1, merchantId: canteen.id, deviceId: '5100001', amount: 850 },
      { who: 1, merchantId: canteen.id, deviceId: '5100001', amount: 850 },
      { who: 0, merchantId: shop.id, deviceId: '5100002', amount: 600 },
      { who: 0, merchantId: shop.id, deviceId: '5100002', amount: 600 },
    ];
    for (const [n, sale] of sales.entries()) {
      const answer = await world.core.client.pay({
        id: `fs-${process.pid}-${n}`,
        cardNo: people[sale.who]?.cardNo ?? '',
        merchantId: sale.merchantId,
        deviceId: sale.deviceId,
        amount: sale.amount,
      });
      assert.equal(answer.status, 'ok', JSON.stringify(answer));
    }
    ({ web, browser } = await startBackoffice(world.bff.url));
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await world?.stop();
  });

  const signIn = async (username: string, password = demoAdminPassword): Promise<Page> =>
    signInAs(await openPage(browser), web, username, { password });

  test('when finance imports a list above the threshold, then the preview shows the bad row, the maker is offered no approval, a second finance admin approves and posting pays each valid row once', async () => {
    const maker = await signIn('finance');
    await maker.getByRole('menuitem', { name: /补贴发放/ }).click();
    await maker.getByRole('button', { name: '导入补贴名单' }).click();
    await maker.getByPlaceholder('如：2026 秋季困难补贴').fill('浏览器测试困难补助');
    const csv = [
      '学号,金额,备注',
      `${people[0]?.personNo},6000,困难补助`,
      `${people[1]?.personNo},5000.25,困难补助`,
      'NOT-A-PERSON,100,查无此人',
    ].join('\r\n');
    await maker.getByTestId('list-file').setInputFiles({
      name: '补助名单.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`\uFEFF${csv}`),
    });
    await maker.getByRole('button', { name: /预\s*览/ }).click();
    await maker.getByTestId('preview-rows').getByText('查无此人').first().waitFor();
    assert.match((await maker.getByTestId('preview-summary').textContent()) ?? '', /¥11,000\.25|¥11000\.25/);
    await maker.screenshot({ path: `${screenshots}admin-funds-preview.png` });
    await maker.getByRole('button', { name: '提交审批' }).click();
    await maker.getByTestId('batch-status').getByText('待审批').waitFor();
    // The maker holds funds.approve but this batch is theirs: no approve button, and posting waits.
    assert.equal(await maker.getByRole('button', { name: '审批通过' }).count(), 0);
    assert.equal(await maker.getByRole('button', { name: /^入\s*账$/ }).count(), 0);
    await maker.getByText('需由另一位财务或超级管理员审批').waitFor();

    const checker = await signIn(secondFinance.username, secondFinance.password);
    await checker.getByRole('menuitem', { name: /补贴发放/ }).click();
    await checker.getByRole('cell', { name: '浏览器测试困难补助' }).click();
    await checker.getByRole('button', { name: '审批通过' }).click();
    // Every money action is confirmed with its amount in figures and in 大写 (#19.1).
    await checker.getByTestId('money-confirm').getByText('壹万壹仟元贰角伍分').waitFor();
    await checker.getByRole('button', { name: '确认通过' }).click();
    await checker.getByTestId('batch-status').getByText('已审批').waitFor();
    await checker.getByRole('button', { name: /^入\s*账$/ }).click();
    await checker.getByRole('button', { name: '确认入账' }).click();
    await checker.getByTestId('batch-status').getByText('已入账').waitFor({ timeout: 15_000 });
    await checker.getByTestId('batch-progress').getByText('100% (2/2)').waitFor();
    await checker.screenshot({ path: `${screenshots}admin-funds-batch.png` });
    await checker.keyboard.press('Escape');
    await checker.screenshot({ path: `${screenshots}admin-funds.png` });

    const cards = await Promise.all(people.map((p) => world.core.client.getCard(p.cardNo)));
    assert.deepEqual(
      cards.map((c) => c.balance.subsidy),
      [600_000, 500_025],
    );
    const audit = await world.core.client.searchAudit({ action: 'subsidy.approve', limit: 5 });
    assert.equal((audit.items[0]?.detail as { by?: string } | undefined)?.by, secondFinance.username);
    await maker.context().close();
    await checker.context().close();
  });

  test('when finance uploads an Excel list and a second finance admin rejects it with a reason, then the batch is rejected with that reason and nobody is paid', async () => {
    const before = await Promise.all(people.map((p) => world.core.client.getCard(p.cardNo)));
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('补助名单');
    sheet.addRow(['学号', '金额(元)', '备注']);
    sheet.addRow([people[0]?.personNo, 0.29, '餐补']);
    sheet.addRow([people[1]?.personNo, { formula: '10+2.5', result: 12.5 }, null]);
    const maker = await signIn('finance');
    await maker.getByRole('menuitem', { name: /补贴发放/ }).click();
    await maker.getByRole('button', { name: '导入补贴名单' }).click();
    await maker.getByPlaceholder('如：2026 秋季困难补贴').fill('Excel 餐补');
    await maker.getByTestId('list-file').setInputFiles({
      name: '餐补.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: Buffer.from(await workbook.xlsx.writeBuffer()),
    });
    await maker.getByRole('button', { name: /预\s*览/ }).click();
    // 0.29 + 12.50 read from the cells as Excel shows them, to the fen.
    await maker.getByTestId('preview-summary').getByText('¥12.79').waitFor();
    await maker.getByRole('button', { name: '提交审批' }).click();
    await maker.getByTestId('batch-status').waitFor();

    const checker = await signIn(secondFinance.username, secondFinance.password);
    await checker.getByRole('menuitem', { name: /补贴发放/ }).click();
    await checker.getByRole('cell', { name: 'Excel 餐补' }).click();
    await checker.getByRole('button', { name: /^驳\s*回$/ }).click();
    await checker.getByPlaceholder('驳回原因').fill('名单未经学院盖章');
    await checker.getByRole('button', { name: '确认驳回' }).click();
    await checker.getByTestId('batch-status').getByText('已驳回').waitFor();
    await checker.getByText('名单未经学院盖章').waitFor();
    const after = await Promise.all(people.map((p) => world.core.client.getCard(p.cardNo)));
    assert.deepEqual(
      after.map((c) => c.balance.subsidy),
      before.map((c) => c.balance.subsidy),
    );
    await maker.context().close();
    await checker.context().close();
  });

  test("#21 when the clock is shifted, then the services' now is 16:00–24:00 UTC in a Los Angeles process, the database clock agrees, and the browser's own date is the day before Shanghai's", async () => {
    const nowMs = Date.now();
    assert.ok(new Date(nowMs).getUTCHours() >= 16, new Date(nowMs).toISOString());
    assert.equal(Intl.DateTimeFormat().resolvedOptions().timeZone, 'America/Los_Angeles');
    assert.ok(Math.abs((await world.core.core.db.nowMs()) - Date.now()) < 5_000);
    const page = await signIn('finance');
    const seen = await page.evaluate(() => ({
      zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      nowMs: Date.now(),
      localDate: new Date().toLocaleDateString('sv'),
    }));
    assert.equal(seen.zone, 'America/Los_Angeles');
    assert.ok(Math.abs(seen.nowMs - Date.now()) < 60_000);
    assert.equal(seen.localDate, addDays(shanghaiToday(), -1));
    await page.context().close();
  });

  test('#21 when finance opens the reports at 03:30 in Shanghai (the day before in the browser), then the charts draw and the CSV export of the last 30 Shanghai days downloads the top-up mix with the cash top-ups', async () => {
    const page = await signIn('finance');
    await page.getByRole('menuitem', { name: /统计报表/ }).click();
    await page.getByTestId('chart-turnover-daily').locator('canvas').waitFor();
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-top-up-channels-csv').click(),
    ]);
    const today = shanghaiToday();
    assert.equal(file.suggestedFilename(), `top-up-channels-${addDays(today, -29)}-${today}.csv`);
    const text = readFileSync((await file.path()) ?? '', 'utf8');
    assert.ok(text.startsWith('\uFEFF'));
    // Two cash top-ups today: ¥50.00 and ¥75.00.
    assert.match(text, /cash[^\r\n]*,2,125\.00/);
    await page.waitForTimeout(500);
    await page.screenshot({ path: `${screenshots}admin-reports.png`, fullPage: true });
    await page.context().close();
  });

  test('when the counter starts a sync on a system without source databases, then the page says so; finance is offered no start button', async () => {
    const counter = await signIn('counter');
    await counter.getByRole('menuitem', { name: /数据同步/ }).click();
    await counter.getByRole('button', { name: '增量同步' }).click();
    await counter.getByTestId('sync-error').getByText('未配置教务、人事数据源').waitFor();
    const auditor = await signIn('auditor');
    await auditor.getByRole('menuitem', { name: /数据同步/ }).click();
    await auditor.getByText('数据同步记录').waitFor();
    assert.equal(await auditor.getByRole('button', { name: '增量同步' }).count(), 0);
    assert.equal(await auditor.getByRole('button', { name: '导入补贴名单' }).count(), 0);
    await counter.context().close();
    await auditor.context().close();
  });
  test('when the device admin registers a device, then its key is shown once and the gateway gets that key; the dashboard counts a top-up made while it is open without a reload', async () => {
    const page = await signIn('devices');
    await page.getByRole('menuitem', { name: /设备管理/ }).click();
    await page.getByRole('button', { name: '登记设备' }).click();
    await page.getByPlaceholder('1 – 4294967295').fill('5200001');
    await page
      .getByRole('button', { name: /登\s*记/ })
      .last()
      .click();
    await page.getByTestId('device-key').waitFor();
    const shown = ((await page.getByTestId('device-key').textContent()) ?? '').trim();
    assert.match(shown, /^[0-9a-f]{64}$/);
    assert.equal((await world.core.client.deviceKey('5200001')).keyHex, shown);
    await page.screenshot({ path: `${screenshots}admin-device-key.png` });
    await page.getByRole('button', { name: '我已妥善保存' }).click();
    await page.getByRole('cell', { name: '5200001' }).waitFor();
    assert.equal(await page.getByTestId('device-key').count(), 0);

    await page.getByRole('menuitem', { name: /实时监控/ }).click();
    await page.getByTestId('chart-today').locator('canvas').waitFor();
    // Two cash top-ups of ¥125.00 before; one more of ¥30.00 while the page is open.
    await page.getByTestId('dashboard-figures').getByText('¥125.00').waitFor();
    // Five sales today, ¥37.50, on two tills used today, neither signed in at a gateway in this test.
    await page.getByTestId('dashboard-figures').getByText('¥37.50').waitFor();
    await page.getByTestId('dashboard-figures').getByText('0 / 2').waitFor();
    const cardNo = people[0]?.cardNo ?? '';
    await world.core.client.topUp({ id: `dash-${cardNo}`, cardNo, amount: 3_000, channel: 'wechat' });
    await page.getByTestId('dashboard-figures').getByText('¥155.00').waitFor({ timeout: 15_000 });
    await page.context().close();
  });

  // Last in this file: the kiosk's cash top-up is a cash top-up, which the reports and dashboard tests
  // above count.
  test('when finance counts a kiosk cash box short on 圈存与自助机, then the count is confirmed in figures and 大写, and the collection is listed as an exception with the shortfall', async () => {
    const cardNo = people[1]?.cardNo ?? '';
    const credited = await world.core.client.kioskCashTopUp({
      id: 'dev:5300001:7',
      deviceRef: '5300001',
      cardNo,
      amount: 15_000,
      notes: 2,
    });
    assert.equal(credited.status, 'ok', JSON.stringify(credited));
    const page = await signIn('finance');
    await page.getByRole('menuitem', { name: /圈存与自助机/ }).click();
    await page.getByTestId('bank-transfers').waitFor();
    await page.getByRole('tab', { name: '自助机钱箱' }).click();
    const box = page.getByTestId('kiosk-boxes').getByRole('row', { name: /5300001/ });
    await box.getByText('¥150.00').waitFor();
    await box.getByRole('button', { name: /清\s*点/ }).click();
    // An amount that is not one is refused, never corrected.
    await page.getByLabel('清点金额（元）').fill('1OO');
    await page.getByRole('button', { name: /确\s*定|OK/ }).click();
    assert.equal(await page.getByTestId('money-confirm').count(), 0);
    await page.getByLabel('清点金额（元）').fill('100');
    await page.getByRole('button', { name: /确\s*定|OK/ }).click();
    const confirm = page.getByTestId('money-confirm');
    await confirm.getByText('壹佰元整').waitFor();
    await confirm.getByText('¥-50.00').waitFor();
    await page.screenshot({ path: `${screenshots}admin-kiosk-collect.png` });
    await page.getByRole('button', { name: /确\s*认/ }).click();
    await page.getByRole('tab', { name: '清点记录' }).click();
    const record = page.getByTestId('kiosk-collections').getByRole('row', { name: /5300001/ });
    await record.getByText('异常').waitFor();
    await record.getByText('¥-50.00').waitFor();
    // The collector by name, never an account id.
    await record.getByText('演示财务').waitFor();
    const open = (await world.core.client.kioskCollections({ status: 'discrepancy' })).items;
    assert.deepEqual(
      open.map((c) => [c.deviceRef, c.expectedAmount, c.countedAmount, c.difference]),
      [['5300001', 15_000, 10_000, -5_000]],
    );
    // The signed-in admin is the collector, from the session, never typed.
    assert.match(open[0]?.collectorId ?? '', /^[0-9A-Z]{26}$/);
    await page.getByRole('tab', { name: '自助机钱箱' }).click();
    await box.getByText('¥0.00').waitFor();
    await page.context().close();
  });
});
