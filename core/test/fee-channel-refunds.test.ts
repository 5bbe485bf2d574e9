import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { openStudent, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { checkLedger } from '../src/ledger/ledger-check.ts';

/**
 * The core's side of refunding a fee paid straight by WeChat Pay or Alipay (#16, docs/funds.md § Fees), on
 * SQLite: the refund goes through the top-up refund of the fee's order, the fee side reserves it (one in
 * force per payment, by a unique index), the platform's answer settles it, and a refund cut off by a crash
 * before its top-up refund is finished by the fee job. The BFF's test (bff/test/admin-fee-refunds.test.ts)
 * runs the same against the platforms' stand-ins on MariaDB.
 */
let t: TestCore;
before(async () => {
  t = await startTestCore('sqlite');
});
after(async () => {
  assert.deepEqual((await checkLedger(t.core.db)).breaks, []);
  await t.stop();
});

const key = () => `k${randomBytes(8).toString('hex')}`;

/** A bill of `amount` (parts allowed) paid by a platform order of `channel`; answers the bill and the order (= payment) id. */
async function paidByPlatform(amount: number, channel: 'wechat' | 'alipay') {
  const cardNo = await openStudent(t.client);
  const card = await t.client.getCard(cardNo);
  await t.client.createFeeItem({
    code: `CR${randomBytes(5).toString('hex')}`,
    name: '住宿费',
    category: 'accommodation',
    amount,
    dueDay: '2027-09-01',
    allowPartial: true,
    audience: { persons: [{ personNo: card.personNo }] },
  });
  const billId = (await t.client.cardFeeBills(cardNo)).items[0]?.id ?? assert.fail('no bill');
  const order = await t.client.createTopUpOrder({
    openid: `o${randomBytes(6).toString('hex')}`,
    cardNo,
    idempotencyKey: key(),
    amount,
    channel,
    dailyCap: 100,
    feeBillId: billId,
    ttlMs: 60_000,
  });
  const paid = await t.client.confirmTopUpPayment(order.id, {
    transactionId: randomBytes(12).toString('hex'),
    amount,
    paidAtMs: Date.now(),
  });
  assert.equal(paid.status, 'credited');
  return { billId, paymentId: order.id };
}

/** The fee item's clearing account balance, fen. */
async function itemBalance(billId: string): Promise<number> {
  const bill = await t.client.feeBill(billId);
  const { item } = await t.client.feeItem(bill.itemId);
  const merchant = await t.client.getMerchant(item.merchantId);
  const rows = await t.core.db.select<{ balance: number }>(
    'SELECT credits_posted - debits_posted AS balance FROM accounts WHERE id = ?',
    [merchant.accountId],
  );
  return Number(rows[0]?.balance);
}

test('when five refunds of one platform-paid fee start at once, then one is in force and the platform answer settles the bill', async () => {
  const { billId, paymentId } = await paidByPlatform(6_000, 'alipay');
  const before = await itemBalance(billId);
  const ids = Array.from({ length: 5 }, (_, i) => `fr-burst-${i}-${randomBytes(3).toString('hex')}`);
  const answers = await Promise.allSettled(
    ids.map((refundId) => t.client.startTopUpRefund(paymentId, { refundId, amount: 1_500, reason: '多收' })),
  );
  const started = answers.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
  assert.equal(started.length, 1, JSON.stringify(answers));
  assert.deepEqual(
    [
      ...new Set(
        answers.flatMap((a) => (a.status === 'rejected' ? [(a.reason as { code: string }).code] : [])),
      ),
    ],
    ['ALREADY_EXISTS'],
  );
  const refund = started[0] ?? assert.fail();
  assert.equal(refund.status, 'processing');
  // Its money has left the item before the platform is asked; ledger:check counts it as in force.
  assert.equal(await itemBalance(billId), before - 1_500);
  assert.deepEqual((await checkLedger(t.core.db)).breaks, []);
  // The same id again answers the same refund and moves nothing more.
  const again = await t.client.startTopUpRefund(paymentId, {
    refundId: refund.id,
    amount: 1_500,
    reason: '多收',
  });
  assert.equal(again.id, refund.id);
  assert.equal(await itemBalance(billId), before - 1_500);
  await t.client.settleTopUpRefund(refund.id, { status: 'succeeded', wechatRefundId: null });
  const bill = await t.client.feeBill(billId);
  assert.deepEqual([bill.amountDue, bill.amountPaid, bill.status], [4_500, 4_500, 'paid']);
  assert.equal(bill.payments[0]?.refundedAmount, 1_500);
  // A second settlement (a repeated notification) changes nothing.
  await t.client.settleTopUpRefund(refund.id, { status: 'succeeded', wechatRefundId: null });
  assert.equal((await t.client.feeBill(billId)).amountDue, 4_500);
  assert.deepEqual((await checkLedger(t.core.db)).breaks, []);
});

test('when the platform refuses, then the money is back with the item, the payment and bill are as they were, and another refund may start', async () => {
  const { billId, paymentId } = await paidByPlatform(2_000, 'wechat');
  const before = await itemBalance(billId);
  const refund = await t.client.startTopUpRefund(paymentId, {
    refundId: `fr-${key()}`,
    amount: 2_000,
    reason: '退费',
  });
  await t.client.settleTopUpRefund(refund.id, { status: 'failed', wechatRefundId: null });
  const bill = await t.client.feeBill(billId);
  assert.deepEqual([bill.amountDue, bill.amountPaid, bill.payments[0]?.refundedAmount], [2_000, 2_000, 0]);
  assert.equal(await itemBalance(billId), before);
  assert.deepEqual((await checkLedger(t.core.db)).breaks, []);
  // Asked again under its own id, the refused refund stays refused; a new id may refund.
  const same = await t.client.startTopUpRefund(paymentId, {
    refundId: refund.id,
    amount: 2_000,
    reason: '退费',
  });
  assert.equal(same.status, 'failed');
  assert.equal(await itemBalance(billId), before);
  const next = await t.client.startTopUpRefund(paymentId, {
    refundId: `fr-${key()}`,
    amount: 2_000,
    reason: '退费',
  });
  assert.equal(next.status, 'processing');
  // The card-refund route still refuses it: its money never came from a wallet.
  await assert.rejects(t.client.refundFee(paymentId, { id: `fr-${key()}`, amount: 100, reason: 'x' }), {
    code: 'INVALID_TRANSITION',
  });
});

test('when a fee refund was cut off before its top-up refund, then the fee job starts the top-up refund under the same id', async () => {
  const { billId, paymentId } = await paidByPlatform(3_000, 'wechat');
  const refundId = `fr-${key()}`;
  // The fee side only, as if the process died before the top-up refund was written.
  await t.core.fees.startChannelRefund({ paymentId, refundId, amount: 3_000, reason: '退宿' });
  assert.deepEqual((await t.client.topUpRefunds(paymentId)).items, []);
  await t.core.db.execute('UPDATE fee_refunds SET created_at_ms = ? WHERE id = ?', [
    Date.now() - 120_000,
    refundId,
  ]);
  await t.core.fees.resolvePending();
  assert.deepEqual(
    (await t.client.topUpRefunds(paymentId)).items.map((r) => [r.id, r.amount, r.status]),
    [[refundId, 3_000, 'processing']],
    'the platform is asked by the BFF poller from here',
  );
  await t.client.settleTopUpRefund(refundId, { status: 'succeeded', wechatRefundId: null });
  const bill = await t.client.feeBill(billId);
  assert.deepEqual([bill.amountDue, bill.amountPaid, bill.status], [0, 0, 'waived']);
  assert.equal((await t.client.topUpOrder(paymentId)).status, 'refunded');
});
