import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { seedAdminDemo } from '../../bff/src/admin/seed.ts';
import { offlineException } from '../../bff/test/offline-support.ts';
import { startWorld, type TestWorld } from '../../bff/test/support.ts';
import type { RunningGateway } from '../../device-gateway/src/server.ts';
import { startGatewayFor, TestDevice } from '../../device-gateway/test/support.ts';
import type { Web } from '../../mock/demo/web.ts';
import { openPage, screenshots, signIn as signInAs, startBackoffice } from './support.ts';

describe('backoffice in Chromium: live device status and the offline exceptions finance resolves', () => {
  let world: TestWorld;
  let gateway: RunningGateway;
  let device: TestDevice;
  let web: Web;
  let browser: Browser;
  let toRecover: Awaited<ReturnType<typeof offlineException>>;
  let toWriteOff: Awaited<ReturnType<typeof offlineException>>;
  before(async () => {
    world = await startWorld();
    await seedAdminDemo(world.core.client);
    const core = world.core.client;
    const merchant = await core.createMerchant({ name: '第二食堂', category: 'canteen' });
    const registered = await core.registerDevice({ id: '5300001', kind: 'pos', merchantId: merchant.id });
    await core.registerDevice({ id: '5300002', kind: 'gate' });
    await core.putDeviceConfig('5300001', { paymentMaxFen: 5_000 });
    // A real gateway and a scripted POS over TCP: it signs in, then heartbeats still on configuration
    // version 0 with two offline records waiting.
    gateway = await startGatewayFor(world.core, {}, { PRESENCE_FLUSH_INTERVAL_MS: '200' });
    device = await TestDevice.connect(
      gateway.port,
      5_300_001,
      new Uint8Array(Buffer.from(registered.keyHex, 'hex')),
    );
    assert.equal((await device.signIn()).message.kind, 'sign_in_accepted');
    const ack = await device.request({
      kind: 'heartbeat',
      configVersion: 0,
      blacklistVersion: gateway.blacklist.version,
      offlineRecordsPending: 2,
    });
    assert.equal(ack.message.kind, 'heartbeat_ack');
    toRecover = await offlineException(core, {
      amount: 1_200,
      held: 700,
      name: '钱追缴',
      deviceId: '5300011',
    });
    toWriteOff = await offlineException(core, { amount: 900, held: 0, name: '钱核销', deviceId: '5300012' });
    // The first card holder has since topped up enough to pay the ¥5.00 still owed.
    await core.topUp({
      id: `ox-pay-${toRecover.cardNo}`,
      cardNo: toRecover.cardNo,
      amount: 2_000,
      channel: 'cash',
    });
    ({ web, browser } = await startBackoffice(world.bff.url));
  });
  after(async () => {
    device?.close();
    await browser?.close();
    await web?.close();
    await gateway?.close();
    await world?.stop();
  });

  const signIn = async (username: string): Promise<Page> =>
    signInAs(await openPage(browser, { width: 1400, height: 900 }), web, username);

  test('when the device admin opens the devices page, then the connected POS shows online with its last heartbeat, versions (configuration behind), pending records and its merchant by name, and the filter narrows to it; a new device is registered to a merchant chosen by name', async () => {
    const page = await signIn('devices');
    await page.getByRole('menuitem', { name: /设备管理/ }).click();
    const row = page.getByRole('row', { name: /5300001/ });
    await row.getByText('在线').waitFor({ timeout: 15_000 });
    await row.getByText(/\d+ 秒前/).waitFor();
    await row.getByText('v0 / v2').waitFor();
    assert.equal(await row.locator('[data-behind="true"]').count(), 1, 'only the configuration lags');
    await row.getByText('2', { exact: true }).waitFor();
    // The merchant by its name, never its id (#19).
    await row.getByText('第二食堂', { exact: true }).waitFor();
    assert.doesNotMatch((await page.locator('.ant-table').textContent()) ?? '', /[0-9A-HJKMNP-TV-Z]{26}/);
    await page
      .getByRole('row', { name: /5300002/ })
      .getByText('未上报')
      .waitFor();

    await page.getByText(/^在线（1）$/).click();
    await page.getByRole('row', { name: /5300002/ }).waitFor({ state: 'detached' });
    await row.waitFor();
    await page.getByText(/^全部（\d+）$/).click();
    await page.getByRole('row', { name: /5300002/ }).waitFor();
    // Lets the filter's highlight finish moving before the screenshot.
    await page.waitForTimeout(600);
    await page.screenshot({ path: `${screenshots}admin-devices.png`, fullPage: true });

    // A new device is registered to a merchant chosen by name, not an id typed by hand.
    await page.getByRole('button', { name: '登记设备' }).click();
    await page.getByPlaceholder('1 – 4294967295').fill('5300003');
    await page.getByLabel('所属商户（可选）').click();
    await page.getByTitle('第二食堂', { exact: true }).click();
    await page
      .getByRole('button', { name: /登\s*记/ })
      .last()
      .click();
    await page.getByTestId('device-key').waitFor();
    await page.getByRole('button', { name: '我已妥善保存' }).click();
    await page
      .getByRole('row', { name: /5300003/ })
      .getByText('第二食堂', { exact: true })
      .waitFor();
    const added = await world.core.client.getDevice('5300003');
    assert.equal(added.merchantId, (await world.core.client.getDevice('5300001')).merchantId);

    // The POS goes away: within a refresh (10 s) the page shows it offline, without a reload.
    device.close();
    await row.getByText('离线').waitFor({ timeout: 15_000 });
    await page.context().close();
  });

  test('when finance recovers one exception and writes off another, then each closes with its result shown, the card pays once, and the device admin sees the list without the buttons', async () => {
    const page = await signIn('finance');
    await page.getByRole('menuitem', { name: /脱机异常/ }).click();
    const recoverRow = page.getByRole('row', { name: new RegExp(toRecover.cardNo) });
    await recoverRow.getByText('余额不足').waitFor();
    await recoverRow.getByText('¥12.00').waitFor();
    await recoverRow.getByText('¥5.00').waitFor();

    await recoverRow.getByRole('button', { name: /追\s*缴/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('从该卡主钱包扣回欠款 ¥5.00').waitFor();
    await dialog.getByRole('button', { name: /确\s*定/ }).click();
    await dialog.getByText('请填写处理说明').waitFor();
    await dialog.getByRole('textbox').fill('持卡人已到卡务中心确认');
    await dialog.getByRole('button', { name: /确\s*定/ }).click();
    await page.getByTestId('offline-result').getByText('已追缴 ¥5.00，异常已关闭').waitFor();
    await recoverRow.waitFor({ state: 'detached' });
    assert.equal((await world.core.client.getCard(toRecover.cardNo)).balance.main, 1_500);

    const writeOffRow = page.getByRole('row', { name: new RegExp(toWriteOff.cardNo) });
    await writeOffRow.getByRole('button', { name: /核\s*销/ }).click();
    await page.getByRole('dialog').getByRole('textbox').fill('学生已离校，无法追缴');
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /确\s*定/ })
      .click();
    await page.getByTestId('offline-result').getByText('已核销 ¥9.00，异常已关闭').waitFor();

    await page.getByText('已处理', { exact: true }).click();
    await page
      .getByRole('row', { name: new RegExp(toRecover.cardNo) })
      .getByText('已追缴')
      .waitFor();
    await page
      .getByRole('row', { name: new RegExp(toWriteOff.cardNo) })
      .getByText('已核销')
      .waitFor();
    await page.waitForTimeout(600);
    await page.screenshot({ path: `${screenshots}admin-offline-exceptions.png`, fullPage: true });
    const closed = (await world.core.client.offlineExceptions('closed', 100)).items;
    assert.deepEqual(
      [toRecover.id, toWriteOff.id].map((id) => closed.find((e) => e.id === id)?.resolution),
      ['recovered', 'written_off'],
    );
    await page.context().close();

    const devices = await signIn('devices');
    await devices.getByRole('menuitem', { name: /脱机异常/ }).click();
    await devices.getByText('脱机异常', { exact: true }).last().waitFor();
    await devices.getByText('已处理', { exact: true }).click();
    await devices.getByRole('row', { name: new RegExp(toRecover.cardNo) }).waitFor();
    assert.equal(await devices.getByRole('button', { name: /追\s*缴|核\s*销/ }).count(), 0);
    await devices.context().close();
  });
});
