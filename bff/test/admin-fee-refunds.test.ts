import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { checkLedger } from '../../core/src/ledger/ledger-check.ts';
import { APPID, MCHID } from '../../mock/wechat/test-support.ts';
import type { TopUpView } from '../src/services/top-ups/top-up-service.ts';
import { ALIPAY_APP_ID, type AlipayTopUps, eventually, startAlipayTopUps } from './alipay-topups-support.ts';
import { type CardCentre, cardCentre } from './topups-support.ts';

interface Refund {
  id: string;
  paymentId: string;
  amount: number;
  status: 'pending' | 'done' | 'refused';
  failureCode: string | null;
  channel: string;
  code?: string;
}

/**
 * Refunding a fee paid straight by WeChat Pay or Alipay from the backoffice (#16, docs/funds.md § Fees):
 * the real core on MariaDB, Redis and the BFF with wechatpay-node-v3 and alipay-sdk against the two
 * stand-ins. The money goes back to the paying platform through the refund of the fee's platform order:
 * a repeated request refunds once, one payment has one platform refund, a refusal changes nothing.
 */
describe('admin: refunds of fees paid by WeChat Pay or Alipay', () => {
  let t: AlipayTopUps;
  let centre: CardCentre;
  before(async () => {
    t = await startAlipayTopUps();
    centre = await cardCentre(t.world);
  });
  after(() => t.stop());

  /** One bill of `amount` fen (parts allowed) for the card's holder; answers its id. */
  async function billFor(cardNo: string, amount: number): Promise<string> {
    const card = await t.world.core.client.getCard(cardNo);
    await t.world.core.client.createFeeItem({
      code: `RF${randomBytes(5).toString('hex')}`,
      name: '住宿费',
      category: 'accommodation',
      amount,
      dueDay: '2027-09-01',
      allowPartial: true,
      audience: { persons: [{ personNo: card.personNo }] },
    });
    const bills = await t.world.core.client.cardFeeBills(cardNo);
    return bills.items.find((b) => b.amountPaid === 0)?.id ?? assert.fail('no bill');
  }

  /** The fee item's clearing account balance, fen (what the item holds of its income). */
  async function itemBalance(billId: string): Promise<number> {
    const bill = await t.world.core.client.feeBill(billId);
    const { item } = await t.world.core.client.feeItem(bill.itemId);
    const merchant = await t.world.core.client.getMerchant(item.merchantId);
    const rows = await t.world.core.core.db.select<{ balance: number }>(
      'SELECT credits_posted - debits_posted AS balance FROM accounts WHERE id = ?',
      [merchant.accountId],
    );
    return Number(rows[0]?.balance);
  }

  /** The student places a platform order for the whole bill and pays it; answers the order (= fee payment) id. */
  async function paidByPlatform(
    student: { accessToken: string },
    billId: string,
    amount: number,
    channel: 'wechat' | 'alipay',
  ): Promise<string> {
    const created = await t.world.request<TopUpView>('POST', `/api/v1/fees/${billId}/channel-payments`, {
      token: student.accessToken,
      body: { channel, amount },
      headers: { 'idempotency-key': `fee-${randomBytes(8).toString('hex')}` },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    if (channel === 'alipay') t.tradePay(created.body);
    else {
      assert.ok(created.body.payment, JSON.stringify(created.body));
      const paid = await t.wechatPay.pay({ appId: APPID, ...created.body.payment });
      assert.ok(paid.ok, JSON.stringify(paid));
    }
    await eventually(async () => (await t.stored(created.body.id)).status === 'credited');
    return created.body.id;
  }

  const refund = (paymentId: string, body: { requestId: string; amount: number; reason: string }) =>
    t.world.request<Refund>('POST', `/api/admin/v1/fee-payments/${paymentId}/refunds`, {
      token: centre.tokens.finance,
      body,
    });
  const newRequestId = () => `req${randomBytes(6).toString('hex')}`;

  test('when finance refunds part of a fee paid by WeChat Pay and retries, then WeChat refunds it once under one number and the bill owes that part no more', async () => {
    const student = await t.browserStudent();
    const billId = await billFor(student.cardNo, 50_000);
    const paymentId = await paidByPlatform(student, billId, 50_000, 'wechat');
    const before = await itemBalance(billId);
    const requestId = newRequestId();
    const first = await refund(paymentId, { requestId, amount: 20_000, reason: '退宿' });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.channel, 'wechat');
    assert.equal(first.body.amount, 20_000);
    const again = await refund(paymentId, { requestId, amount: 20_000, reason: '退宿' });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.id, first.body.id, 'the same request is the same refund');
    // Another refund of the same payment is refused while this one is in force (sql/064).
    const second = await refund(paymentId, { requestId: newRequestId(), amount: 10_000, reason: '再退' });
    assert.deepEqual([second.status, second.body.code], [409, 'ALREADY_EXISTS']);
    // WeChat settles the refund and notifies it.
    await eventually(async () => {
      const refunds = await t.world.core.client.topUpRefunds(paymentId);
      return refunds.items.every((r) => r.status === 'succeeded');
    });
    assert.equal(t.wechatPay.order(MCHID, paymentId)?.refundedFen ?? -1, 20_000, 'refunded once at WeChat');
    const bill = await t.world.core.client.feeBill(billId);
    assert.deepEqual(
      [bill.amountDue, bill.amountPaid, bill.status],
      [30_000, 30_000, 'paid'],
      'the refunded part is neither paid nor owed',
    );
    assert.equal(bill.payments[0]?.refundedAmount, 20_000);
    assert.equal(await itemBalance(billId), before - 20_000, 'the item gave the money back');
    const receipt = await centre.call('GET', `/fee-payments/${paymentId}/receipt`);
    assert.equal((receipt.body as { refundedAmount: number }).refundedAmount, 20_000);
    assert.deepEqual((await checkLedger(t.world.core.core.db)).breaks, []);
  });

  test('when WeChat closes a fee refund instead of paying it, then the money is back with the item and the payment and the bill are as they were', async () => {
    const student = await t.browserStudent();
    const billId = await billFor(student.cardNo, 8_000);
    const paymentId = await paidByPlatform(student, billId, 8_000, 'wechat');
    const before = await itemBalance(billId);
    t.wechatPay.faults.setForOrder(paymentId, { refundCloses: true });
    const started = await refund(paymentId, { requestId: newRequestId(), amount: 8_000, reason: '退费' });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    await eventually(async () => {
      const refunds = await t.world.core.client.topUpRefunds(paymentId);
      return refunds.items[0]?.status === 'failed';
    });
    const bill = await t.world.core.client.feeBill(billId);
    assert.deepEqual([bill.amountDue, bill.amountPaid, bill.status], [8_000, 8_000, 'paid']);
    assert.equal(bill.payments[0]?.refundedAmount, 0);
    assert.equal(await itemBalance(billId), before);
    assert.deepEqual((await checkLedger(t.world.core.core.db)).breaks, []);
    // The refused refund holds nothing: the payment may be refunded again.
    t.wechatPay.faults.setForOrder(paymentId, {});
    const retry = await refund(paymentId, { requestId: newRequestId(), amount: 8_000, reason: '退费' });
    assert.equal(retry.status, 200, JSON.stringify(retry.body));
  });

  test('when five refunds of one Alipay-paid fee are asked at once, then one is made at Alipay and the rest are refused', async () => {
    const student = await t.alipayStudent();
    const billId = await billFor(student.cardNo, 5_000);
    const paymentId = await paidByPlatform(student, billId, 5_000, 'alipay');
    const requestIds = Array.from({ length: 5 }, newRequestId);
    const answers = await Promise.all(
      requestIds.map((requestId) => refund(paymentId, { requestId, amount: 1_000, reason: '多收退回' })),
    );
    const made = answers.filter((a) => a.status === 200);
    assert.equal(made.length, 1, JSON.stringify(answers.map((a) => a.body)));
    assert.deepEqual(
      [...new Set(answers.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.body.code}`))],
      ['409 ALREADY_EXISTS'],
    );
    // Alipay answers at once: done, and the same request again answers the same refund.
    assert.equal(made[0]?.body.status, 'done');
    const winner = requestIds[answers.indexOf(made[0] as (typeof answers)[number])] as string;
    const again = await refund(paymentId, { requestId: winner, amount: 1_000, reason: '多收退回' });
    assert.deepEqual([again.body.id, again.body.status], [made[0]?.body.id, 'done']);
    assert.deepEqual(
      t.alipay.trade(ALIPAY_APP_ID, paymentId)?.refunds.map((r) => r.amountFen),
      [1_000],
    );
    const bill = await t.world.core.client.feeBill(billId);
    assert.deepEqual([bill.amountDue, bill.amountPaid], [4_000, 4_000]);
    assert.deepEqual((await checkLedger(t.world.core.core.db)).breaks, []);
  });

  test('when finance refunds a fee paid from the card, then the same route gives it back to the wallets', async () => {
    const student = await t.browserStudent();
    const billId = await billFor(student.cardNo, 2_500);
    await t.world.core.client.topUp({
      id: `cash-${randomBytes(6).toString('hex')}`,
      cardNo: student.cardNo,
      amount: 2_500,
      channel: 'cash',
    });
    const paid = await t.world.core.client.payFeeByCard(billId, {
      id: `pay-${randomBytes(6).toString('hex')}`,
      cardNo: student.cardNo,
      amount: 2_500,
    });
    assert.equal(paid.status, 'paid');
    const reply = await refund(paid.id, { requestId: newRequestId(), amount: 1_000, reason: '多收' });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.deepEqual([reply.body.channel, reply.body.status], ['card', 'done']);
    assert.equal(await t.balance(student.cardNo), 1_000);
  });

  test('when Alipay refuses a fee refund, then the answer says so and nothing changed', async () => {
    const student = await t.alipayStudent();
    const billId = await billFor(student.cardNo, 3_000);
    const paymentId = await paidByPlatform(student, billId, 3_000, 'alipay');
    const before = await itemBalance(billId);
    // Alipay's trade was refunded in part behind our back: the whole amount is more than it has left.
    await t.clientOf(ALIPAY_APP_ID, t.appKeys, t.notifyUrl).refund({
      outTradeNo: paymentId,
      refundId: 'outside-fee-1',
      amount: 100,
      reason: '测试',
    });
    const reply = await refund(paymentId, { requestId: newRequestId(), amount: 3_000, reason: '退费' });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.deepEqual([reply.body.status, reply.body.failureCode], ['refused', 'PLATFORM_REFUSED']);
    const bill = await t.world.core.client.feeBill(billId);
    assert.deepEqual([bill.amountDue, bill.amountPaid, bill.status], [3_000, 3_000, 'paid']);
    assert.equal(bill.payments[0]?.refundedAmount, 0);
    assert.equal(await itemBalance(billId), before);
    assert.deepEqual((await checkLedger(t.world.core.core.db)).breaks, []);
  });
});
