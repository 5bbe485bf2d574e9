// Bank 圈存 in Chromium against the whole system (core, BFF, the bank front-end stand-in, MariaDB,
// Redis): a student binds a bank card with the SMS code and loads 50 yuan, confirming the amount; the
// card is credited once and the bank debited once. Needs the H5 build (npm run build:h5 -w miniprogram).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bindAs, type H5World, openPage, startH5World } from './support.ts';

describe('bank 圈存 (H5)', () => {
  let world: H5World;

  before(async () => {
    world = await startH5World('cc-bank');
  });

  after(async () => {
    await world?.stop();
  });

  test('when a student binds a bank card and loads 50 yuan, then the card is credited once and the bank debited once', async () => {
    const { system, core } = world;
    const student = system.identities[0];
    const account = system.bankAccounts[0];
    assert.ok(student && account && account.personNo === student.personNo);
    const before = (await core.getCard(student.cardNo)).balance.main;
    const bankBefore = system.bank.accounts.get(account.cardNumber)?.balance ?? 0;

    const page = await world.newPage();
    const url = system.web.url;
    await bindAs(page, url, student);
    await openPage(page, url, 'bank', { reload: false });
    await page.locator('#bank-card input').fill(account.cardNumber);
    await page.locator('#bank-id input').fill(account.idNumber);
    await page.locator('#bank-phone input').fill(account.phone);
    await page.locator('#bank-send').click();
    await page.locator('#bank-sent', { hasText: `尾号 ${account.phone.slice(-4)}` }).waitFor();
    await page.locator('#bank-code input').fill(system.bank.smsFor(account.phone) ?? '');
    await page.locator('#bank-confirm').click();
    await page
      .locator('#bank-bound', {
        hasText: `已绑定 ${account.cardNumber.slice(0, 6)}******${account.cardNumber.slice(-4)}`,
      })
      .waitFor();

    await page.locator('#bank-preset-5000').click();
    await page.locator('#bank-load').click();
    await page.getByText(`圈存 ¥50.00 到校园卡？`, { exact: false }).waitFor();
    await page.locator('.taro-model__confirm').click();
    await page.locator('#bank-outcome', { hasText: '圈存成功，已到账' }).waitFor();
    await page.locator('.bank-transfer .bank-status', { hasText: '已到账' }).first().waitFor();

    assert.equal((await core.getCard(student.cardNo)).balance.main, before + 5_000);
    assert.equal(system.bank.accounts.get(account.cardNumber)?.balance, bankBefore - 5_000);
    assert.deepEqual(world.pageErrors, []);
  });
});
