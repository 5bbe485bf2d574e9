import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, opId, type TestCore } from '@campus-card/tests/kit';
import { CoreError } from '../src/client/index.ts';
import { disputeRefundId } from '../src/disputes/dispute-service.ts';
import { fundedCard, ok, startLedgerCore, stopBalanced } from './ledger-world.ts';

// Goal: 消费纠错 — a holder disputes only their own accepted payment, one undecided dispute per payment
// whatever the races; an accept refunds through the ledger once (a burst of 50 accepts → one refund),
// never more than what is left of the payment; a refused refund leaves the dispute open; a decided
// dispute cannot be decided the other way.
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof CoreError ? e.code : `other: ${(e as Error).message}`),
  );
let serial = 0;
const requestId = () => `req${process.pid}${Date.now().toString(36)}${++serial}`;

for (const dialect of dialects) {
  describe(`disputes (消费纠错), core on ${dialect}`, () => {
    let t: TestCore;
    let canteen: string;
    before(async () => {
      ({ t, canteen } = await startLedgerCore(dialect));
    });
    after(() => stopBalanced(t));

    async function paid(amount: number): Promise<{ cardNo: string; paymentId: string }> {
      const cardNo = await fundedCard(t, 10_000);
      const paymentId = opId('pay');
      ok(await t.client.pay({ id: paymentId, cardNo, merchantId: canteen, amount }));
      return { cardNo, paymentId };
    }
    const balance = async (cardNo: string) => (await t.client.getCard(cardNo)).balance.main;

    test('when 50 disputes of one payment arrive at once, then one is open and the rest are DISPUTE_ALREADY_OPEN', async () => {
      const { cardNo, paymentId } = await paid(1_200);
      const codes = await Promise.all(
        Array.from({ length: 50 }, () =>
          codeOf(
            t.client.openDispute({ requestId: requestId(), cardNo, paymentId, reason: 'charged_twice' }),
          ),
        ),
      );
      assert.equal(codes.filter((c) => c === 'ok').length, 1);
      assert.deepEqual([...new Set(codes.filter((c) => c !== 'ok'))], ['DISPUTE_ALREADY_OPEN']);
      const { items } = await t.client.disputes({ paymentId });
      assert.equal(items.length, 1);
      assert.equal(items[0]?.status, 'open');
      assert.equal(items[0]?.paymentAmount, 1_200);
    });

    test("when a holder disputes another card's payment, a top-up or an unknown id, then PAYMENT_NOT_FOUND and nothing is stored", async () => {
      const { paymentId } = await paid(300);
      const other = await fundedCard(t, 500);
      const topUpId = opId('top');
      ok(await t.client.topUp({ id: topUpId, cardNo: other, amount: 100, channel: 'cash' }));
      for (const id of [paymentId, topUpId, opId('none')]) {
        assert.equal(
          await codeOf(
            t.client.openDispute({
              requestId: requestId(),
              cardNo: other,
              paymentId: id,
              reason: 'not_mine',
            }),
          ),
          'PAYMENT_NOT_FOUND',
        );
      }
      assert.deepEqual((await t.client.disputes({ cardNo: other })).items, []);
    });

    test('when the same request is sent twice, then the second answers the first dispute', async () => {
      const { cardNo, paymentId } = await paid(400);
      const input = {
        requestId: requestId(),
        cardNo,
        paymentId,
        reason: 'wrong_amount' as const,
        note: '打了两份菜',
      };
      const first = await t.client.openDispute(input);
      const again = await t.client.openDispute(input);
      assert.equal(again.id, first.id);
      assert.equal(first.note, '打了两份菜');
    });

    test('when 50 accepts of one dispute arrive at once, then the payment is refunded once and the dispute is accepted', async () => {
      const { cardNo, paymentId } = await paid(1_500);
      const before = await balance(cardNo);
      const dispute = await t.client.openDispute({
        requestId: requestId(),
        cardNo,
        paymentId,
        reason: 'wrong_amount',
      });
      const answers = await Promise.allSettled(
        Array.from({ length: 50 }, () =>
          t.client.acceptDispute(dispute.id, { amount: 500, decidedBy: 'finance-1' }),
        ),
      );
      const refundIds = new Set(
        answers.flatMap((a) => (a.status === 'fulfilled' ? [a.value.refundOperationId] : [])),
      );
      const refusals = new Set(
        answers.flatMap((a) => (a.status === 'rejected' ? [(a.reason as CoreError).code] : [])),
      );
      assert.deepEqual([...refundIds], [disputeRefundId(dispute.id, 1)]);
      // Every accept of the burst either answered the accepted dispute or found it being refunded.
      assert.ok(
        [...refusals].every((c) => c === 'DISPUTE_DECIDED'),
        [...refusals].join(),
      );
      assert.equal(await balance(cardNo), before + 500);
      const payment = await t.client.getOperation(paymentId);
      assert.equal(payment.refundedAmount, 500);
      const decided = await t.client.dispute(dispute.id);
      assert.equal(decided.status, 'accepted');
      assert.equal(decided.refundAmount, 500);
      assert.equal(decided.decidedBy, 'finance-1');
      // Decided: rejecting it now, or accepting another amount, is refused and moves nothing.
      assert.equal(
        await codeOf(t.client.rejectDispute(dispute.id, { reason: '无误', decidedBy: 'f' })),
        'DISPUTE_DECIDED',
      );
      assert.equal(
        await codeOf(t.client.acceptDispute(dispute.id, { amount: 600, decidedBy: 'f' })),
        'DISPUTE_DECIDED',
      );
      assert.equal(await balance(cardNo), before + 500);
      // The payment can be disputed again, for what is left of it.
      const second = await t.client.openDispute({
        requestId: requestId(),
        cardNo,
        paymentId,
        reason: 'other',
      });
      assert.equal(second.status, 'open');
    });

    test('when an accept asks more than is left of the payment, then REFUND_EXCEEDS_PAYMENT, nothing moves and the dispute stays open', async () => {
      const { cardNo, paymentId } = await paid(800);
      ok(await t.client.refund({ id: opId('ref'), paymentId, amount: 300 }));
      const before = await balance(cardNo);
      const dispute = await t.client.openDispute({
        requestId: requestId(),
        cardNo,
        paymentId,
        reason: 'wrong_amount',
      });
      assert.equal(
        await codeOf(t.client.acceptDispute(dispute.id, { amount: 501, decidedBy: 'finance-1' })),
        'REFUND_EXCEEDS_PAYMENT',
      );
      assert.equal((await t.client.dispute(dispute.id)).status, 'open');
      assert.equal(await balance(cardNo), before);
      // More than the whole payment is refused the same way.
      assert.equal(
        await codeOf(t.client.acceptDispute(dispute.id, { amount: 801, decidedBy: 'finance-1' })),
        'REFUND_EXCEEDS_PAYMENT',
      );
      // The card centre may then accept what is left.
      const accepted = await t.client.acceptDispute(dispute.id, { amount: 500, decidedBy: 'finance-1' });
      assert.equal(accepted.status, 'accepted');
      assert.equal(accepted.refundOperationId, disputeRefundId(dispute.id, 1));
      assert.equal(await balance(cardNo), before + 500);
    });

    test('when the ledger refuses the refund (the card was closed out meanwhile), then nothing moves, the dispute stays open and can be rejected', async () => {
      const { cardNo, paymentId } = await paid(600);
      const dispute = await t.client.openDispute({
        requestId: requestId(),
        cardNo,
        paymentId,
        reason: 'not_mine',
      });
      ok(
        await t.client.closeOut(cardNo, {
          id: opId('close'),
          reason: '退学销户',
          actor: { type: 'admin', id: 'a-1' },
        }),
      );
      assert.equal(
        await codeOf(t.client.acceptDispute(dispute.id, { amount: 600, decidedBy: 'finance-1' })),
        'CARD_CANCELLED',
      );
      const still = await t.client.dispute(dispute.id);
      assert.deepEqual([still.status, still.refundAmount, still.decidedBy], ['open', null, null]);
      assert.equal((await t.client.getOperation(paymentId)).refundedAmount, 0);
      const rejected = await t.client.rejectDispute(dispute.id, {
        reason: '卡已销户，请到服务中心办理',
        decidedBy: 'finance-1',
      });
      assert.deepEqual([rejected.status, rejected.decisionNote], ['rejected', '卡已销户，请到服务中心办理']);
      // The same rejection again answers the rejected dispute.
      assert.equal(
        (
          await t.client.rejectDispute(dispute.id, {
            reason: '卡已销户，请到服务中心办理',
            decidedBy: 'finance-1',
          })
        ).status,
        'rejected',
      );
    });

    test('when a dispute is rejected with a reason while accepts race it, then exactly one decision stands', async () => {
      const { cardNo, paymentId } = await paid(700);
      const before = await balance(cardNo);
      const dispute = await t.client.openDispute({
        requestId: requestId(),
        cardNo,
        paymentId,
        reason: 'not_received',
      });
      await Promise.allSettled([
        t.client.rejectDispute(dispute.id, { reason: '监控显示已取餐', decidedBy: 'finance-2' }),
        ...Array.from({ length: 10 }, () =>
          t.client.acceptDispute(dispute.id, { amount: 700, decidedBy: 'finance-1' }),
        ),
      ]);
      const decided = await t.client.dispute(dispute.id);
      assert.ok(decided.status === 'accepted' || decided.status === 'rejected', decided.status);
      assert.equal(await balance(cardNo), decided.status === 'accepted' ? before + 700 : before);
      assert.equal(
        (await t.client.getOperation(paymentId)).refundedAmount,
        decided.status === 'accepted' ? 700 : 0,
      );
    });
  });
}
