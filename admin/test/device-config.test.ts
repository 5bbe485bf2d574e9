import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { seedAdminDemo } from '../../bff/src/admin/seed.ts';
import { startWorld, type TestWorld } from '../../bff/test/support.ts';
import type { Web } from '../../mock/demo/web.ts';
import { openPage, screenshots, signIn as signInAs, startBackoffice } from './support.ts';

describe('backoffice in Chromium: a device’s configuration', () => {
  let world: TestWorld;
  let web: Web;
  let browser: Browser;
  before(async () => {
    world = await startWorld();
    await seedAdminDemo(world.core.client);
    const merchant = await world.core.client.createMerchant({ name: '第三食堂', category: 'canteen' });
    await world.core.client.registerDevice({ id: '5400001', kind: 'pos', merchantId: merchant.id });
    ({ web, browser } = await startBackoffice(world.bff.url));
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await world?.stop();
  });

  const signIn = async (username: string): Promise<Page> =>
    signInAs(await openPage(browser, { width: 1400, height: 900 }), web, username);

  test('#12.21 when the device admin sets a limit, a meal window and a price in yuan, then a bad amount is refused, the limit and window apply after confirming, and the price waits for a second admin', async () => {
    const page = await signIn('devices');
    await page.getByRole('menuitem', { name: /设备管理/ }).click();
    await page.getByTestId('configure-5400001').click();
    const drawer = page.locator('.ant-drawer');
    await drawer.getByText('设备 5400001 的配置（当前 v1）').waitFor();
    assert.equal(
      await page.getByTestId('cfg-payment-max-shown').textContent(),
      '¥1000.00',
      'the kind’s default',
    );

    // A bad amount: shown as invalid, and saving is refused before anything is sent.
    await page.getByTestId('cfg-payment-max').fill('12.345');
    assert.equal(await page.getByTestId('cfg-payment-max-shown').textContent(), '金额无效');
    await page.getByTestId('config-save').click();
    await page
      .getByTestId('config-error')
      .getByText(/单笔消费上限：请输入金额/)
      .waitFor();
    assert.equal((await world.core.client.deviceConfig('5400001')).configVersion, 1);

    await page.getByTestId('cfg-payment-max').fill('30');
    assert.equal(await page.getByTestId('cfg-payment-max-shown').textContent(), '¥30.00');
    await page.getByTestId('cfg-add-window').click();
    await page.getByTestId('cfg-window-0-start').fill('10:30');
    await page.getByTestId('cfg-window-0-end').fill('13:30');
    await page.getByTestId('cfg-window-0-cap').fill('25');
    await page.getByTestId('cfg-add-item').click();
    await page.getByTestId('cfg-item-0-name').fill('套餐A');
    await page.getByTestId('cfg-item-0-price').fill('8.5');
    assert.equal(await page.getByTestId('cfg-item-0-price-shown').textContent(), '¥8.50');

    // A price change needs a reason for its checker.
    await page.getByTestId('config-save').click();
    await page
      .getByTestId('config-error')
      .getByText(/请填写变更原因/)
      .waitFor();
    await page.getByTestId('cfg-reason').fill('新学期午餐套餐');
    await page.getByTestId('config-save').click();
    const confirm = page.locator('.ant-modal-confirm');
    await confirm.getByText(/价格变更将提交另一位管理员审批/).waitFor();
    await confirm.getByRole('button', { name: '确认保存' }).click();
    await page.getByText('配置已保存，价格变更已提交审批').waitFor();
    await drawer
      .getByTestId('config-pending')
      .getByText(/1 套餐A ¥8\.50/)
      .waitFor();
    await confirm.waitFor({ state: 'detached' });
    await drawer.locator('.ant-drawer-body').evaluate((body) => body.scrollTo(0, 0));
    await page.screenshot({ path: `${screenshots}/device-config.png` });

    const applied = await world.core.client.deviceConfig('5400001');
    assert.equal(applied.configVersion, 2);
    assert.equal(applied.settings.paymentMaxFen, 3_000);
    assert.deepEqual(applied.settings.mealWindows, [
      { meal: 'lunch', startMinute: 630, endMinute: 810, perCardMaxFen: 2_500 },
    ]);
    assert.deepEqual(applied.settings.priceItems, [], 'the price waits for approval');

    // A second admin (finance) reads the new prices on the approvals page and approves them.
    await page.close();
    const checker = await signIn('finance');
    await checker.getByRole('menuitem', { name: /审批/ }).click();
    const row = checker.getByRole('row', { name: /设备价格变更/ });
    await row.getByTestId('approval-prices').getByText('价目：1 套餐A ¥8.50').waitFor();
    await row.getByText('新学期午餐套餐').waitFor();
    await row.getByRole('button', { name: /批\s*准/ }).click();
    // The shared confirmation shows each new price in figures and in 大写 (#19.1).
    await checker
      .getByTestId('money-confirm')
      .getByText(/套餐A：¥8\.50（捌元伍角整）/)
      .waitFor();
    await checker.getByRole('button', { name: '确认批准' }).click();
    await checker.getByText('已批准并执行').waitFor();
    const priced = await world.core.client.deviceConfig('5400001');
    assert.deepEqual(priced.settings.priceItems, [{ itemNo: 1, priceFen: 850, name: '套餐A' }]);
    assert.equal(priced.configVersion, 3);
    await checker.close();
  });

  test('#12.21 when the auditor opens a device’s configuration, then it is shown without a save button', async () => {
    const page = await signIn('auditor');
    await page.getByRole('menuitem', { name: /设备管理/ }).click();
    await page.getByTestId('configure-5400001').click();
    await page
      .locator('.ant-drawer')
      .getByText(/设备 5400001 的配置/)
      .waitFor();
    assert.equal(await page.getByTestId('config-save').count(), 0);
    assert.equal(await page.getByTestId('cfg-payment-max').isDisabled(), true);
    await page.close();
  });
});
