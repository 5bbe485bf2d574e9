// Bank 圈存 in Chromium against the whole system (core, BFF, the bank front-end stand-in, MariaDB,
// Redis): a student binds a bank card with the SMS code and loads 50 yuan, confirming the amount; the
// card is credited once and the bank debited once; on leaving (#19), the card centre's close-out pays the
// main balance back to that bank card by itself and the page lists it as 离校退款. Needs the H5 build
// (npm run build:h5 -w miniprogram).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bindAs, type H5World, openPage, startH5World } from './support.ts';

describe('bank 圈存 (H5)', () => {
  let world: H5World;

  before(async () => {
    // The bank job (payouts on leaving among its steps) every second, not every minute.
    world = await startH5World('cc-bank', { BANK_JOB_INTERVAL_MS: '1000' });
  });

  after(async () => {
    await world?.stop();
  });

  test('when a student binds a bank card and loads 50 yuan, then the card is credited once and the bank debited once; when the card centre closes the card out on leaving, then the main balance goes back to that bank card and the page lists it as 离校退款', async () => {
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

    // Leaving (#19: balance refund on leaving): the page says where the balance will go; the card
    // centre closes the card out, and the main balance reaches the bound bank card with no one paying it
    // out by hand, listed on the page as 离校退款 once it is booked.
    const masked = `${account.cardNumber.slice(0, 6)}******${account.cardNumber.slice(-4)}`;
    await page.locator('#bank-leaving', { hasText: masked }).waitFor();
    const main = (await core.getCard(student.cardNo)).balance.main;
    assert.ok(main > 0);
    const closed = await core.closeOut(student.cardNo, {
      id: `leave-${student.cardNo}`,
      reason: '毕业离校',
      actor: { type: 'admin', id: null },
    });
    assert.equal(closed.status, 'ok', JSON.stringify(closed));
    const paidBack = bankBefore - 5_000 + main;
    for (let i = 0; i < 60 && system.bank.accounts.get(account.cardNumber)?.balance !== paidBack; i++)
      await page.waitForTimeout(500);
    assert.equal(system.bank.accounts.get(account.cardNumber)?.balance, paidBack, 'paid back once');
    await openPage(page, url, 'bank');
    await page
      .locator('.bank-transfer', { hasText: `离校退款 ¥${(main / 100).toFixed(2)}` })
      .locator('.bank-status', { hasText: '已到账' })
      .waitFor();
    assert.deepEqual(world.pageErrors, []);
  });
});
