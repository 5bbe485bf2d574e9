import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { seedAdminDemo } from '../../bff/src/admin/seed.ts';
import { openCard } from '../../bff/test/admin-support.ts';
import { startWorld, type TestWorld } from '../../bff/test/support.ts';
import { RefundRepository } from '../../core/src/refunds/refund-repository.ts';
import type { Web } from '../../mock/demo/web.ts';
import { openPage, screenshots, signIn as signInAs, startBackoffice } from './support.ts';

describe('backoffice in Chromium: the refund list (退款清单), a due refund paid out in cash by finance', () => {
  let world: TestWorld;
  let web: Web;
  let browser: Browser;
  let graduateCard: string;
  let closedCard: string;
  let graduateClose: string;
  before(async () => {
    world = await startWorld();
    await seedAdminDemo(world.core.client);
    const core = world.core.client;
    // A graduate the identity sync closed out (its own use of the ledger, then its list entry) …
    graduateCard = await openCard(world, '计算机学院', '毕业生');
    await core.topUp({ id: `rf-top-${graduateCard}`, cardNo: graduateCard, amount: 1_234, channel: 'cash' });
    graduateClose = `sync:01ARZ3NDEKTSV4RRFFQ69G5FAX:${graduateCard}`;
    const closed = await world.core.core.ledger.closeOut({
      id: graduateClose,
      cardNo: graduateCard,
      reason: 'identity sync: graduated',
      actor: { type: 'system', id: 'identity-sync' },
    });
    assert.equal(closed.status, 'ok');
    await new RefundRepository(world.core.core.db).record(
      {
        operationId: graduateClose,
        cardNo: graduateCard,
        mainAmount: 1_234,
        subsidyAmount: 0,
        reason: 'graduated',
      },
      Date.now(),
    );
    // … and a card the card centre closed out through the core's route.
    closedCard = await openCard(world, '数学科学学院', '退学生');
    await core.topUp({ id: `rf-top-${closedCard}`, cardNo: closedCard, amount: 560, channel: 'cash' });
    const byCounter = await core.closeOut(closedCard, {
      id: `adm-close-rf${closedCard}`,
      reason: '退学',
      actor: { type: 'admin', id: 'counter' },
    });
    assert.equal(byCounter.status, 'ok');
    ({ web, browser } = await startBackoffice(world.bff.url));
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await world?.stop();
  });

  const signIn = async (username: string): Promise<Page> =>
    signInAs(await openPage(browser, { width: 1400, height: 900 }), web, username);

  test('when finance pays the graduate in cash from the list, then it moves to 已退款 with the channel and who paid, and the auditor sees it without buttons', async () => {
    const page = await signIn('finance');
    await page.getByRole('menuitem', { name: /退款清单/ }).click();
    const graduateRow = page.getByRole('row', { name: new RegExp(graduateCard) });
    await graduateRow.getByText('毕业').waitFor();
    await graduateRow.getByText('¥12.34').waitFor();
    const closedRow = page.getByRole('row', { name: new RegExp(closedCard) });
    await closedRow.getByText('销户').waitFor();
    await closedRow.getByText('¥5.60').waitFor();
    await page.screenshot({ path: `${screenshots}admin-refunds.png`, fullPage: true });

    await graduateRow.getByRole('button', { name: /现金退款/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(/向持卡人支付 ¥12\.34（现金）/).waitFor();
    await dialog.getByRole('textbox').fill('本人领取');
    await dialog.getByRole('button', { name: /下一步/ }).click();
    // The shared money confirmation: ¥12.34 and 壹拾贰元叁角肆分 (#19.1).
    await page.getByTestId('confirm-words').getByText('壹拾贰元叁角肆分').waitFor();
    await page.getByRole('button', { name: /确认退款/ }).click();
    await page.getByTestId('refund-result').getByText('已退款 ¥12.34（现金）').waitFor();
    // The payout slip for the payee to sign opens in its own tab, laid out like the cash receipt.
    const [slip] = await Promise.all([
      page.context().waitForEvent('page'),
      page.getByTestId('refund-result').getByRole('button', { name: /打印/ }).click(),
    ]);
    const slipText = (await slip.getByTestId('refund-slip').textContent()) ?? '';
    assert.match(slipText, /¥12\.34/);
    assert.match(slipText, /现金/);
    await slip.close();
    await graduateRow.waitFor({ state: 'detached' });
    await closedRow.waitFor();

    await page.getByText('已退款', { exact: true }).click();
    const paidRow = page.getByRole('row', { name: new RegExp(graduateCard) });
    await paidRow.getByText('现金').waitFor();
    await paidRow.getByText('演示财务').waitFor();
    await paidRow.getByText('本人领取').waitFor();
    const entry = await world.core.client.refundEntry(graduateClose);
    assert.deepEqual(
      [entry.status, entry.channel, entry.payoutOperationId],
      ['paid', 'cash', `payout:${graduateClose}`],
    );

    const auditor = await signIn('auditor');
    await auditor.getByRole('menuitem', { name: /退款清单/ }).click();
    await auditor.getByRole('row', { name: new RegExp(closedCard) }).waitFor();
    assert.equal(await auditor.getByRole('button', { name: /现金退款/ }).count(), 0);
  });
  test("消费纠错 (#19): when finance accepts a student's dispute with part of the payment, an amount typed negative is refused, the refund is confirmed with 大写, and the dispute reads 已退款", async () => {
    const core = world.core.client;
    const cardNo = await openCard(world, '计算机学院', '纠错学生');
    await core.topUp({ id: `dp-top-${cardNo}`, cardNo, amount: 2_000, channel: 'cash' });
    const merchantId = (await core.createMerchant({ name: '三食堂', category: 'canteen' })).id;
    await core.pay({ id: `dp-pay-${cardNo}`, cardNo, merchantId, amount: 1_280 });
    const dispute = await core.openDispute({
      requestId: `dispute${cardNo}`,
      cardNo,
      paymentId: `dp-pay-${cardNo}`,
      reason: 'charged_twice',
      note: '扣了两次',
    });

    const page = await signIn('finance');
    await page.getByRole('menuitem', { name: /消费纠错/ }).click();
    const row = page.getByRole('row', { name: /纠错学生/ });
    await row.getByText('重复扣款').waitFor();
    await row.getByText('¥12.80').waitFor();
    await row.getByRole('button', { name: /同意退款/ }).click();
    const dialog = page.getByRole('dialog');
    const amount = dialog.getByTestId('dispute-amount');
    await amount.fill('-5');
    await dialog.getByText('金额不能为负数').waitFor();
    await amount.fill('4.50');
    await dialog.getByRole('button', { name: /下一步/ }).click();
    await page.getByTestId('confirm-words').getByText('肆元伍角整').waitFor();
    await page.getByRole('button', { name: /确认退款/ }).click();
    await page.getByTestId('dispute-result').getByText('已同意纠错，退款 ¥4.50 已到学生卡内').waitFor();
    await page.screenshot({ path: `${screenshots}admin-disputes.png`, fullPage: true });

    const decided = await core.dispute(dispute.id);
    assert.deepEqual([decided.status, decided.refundAmount], ['accepted', 450]);
    assert.equal((await core.getCard(cardNo)).balance.main, 2_000 - 1_280 + 450);
  });
});
