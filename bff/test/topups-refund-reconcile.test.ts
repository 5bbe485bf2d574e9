import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TopUpMismatch } from '@campus-card/core/client';
import { shanghaiToday } from '../../core/src/time.ts';
import {
  boundStudent,
  type CardCentre,
  cardCentre,
  createTopUp,
  MCHID,
  newKey,
  type PayWorld,
  payLikeWechat,
  startPayWorld,
  waitFor,
  waitForStatus,
} from './topups-support.ts';

/**
 * Goal: the daily reconciliation compares the refund rows of WeChat's trade bill (the stand-in's bill,
 * in WeChat's format) with our refunds, by out_refund_no, and keeps each difference once beside the
 * payments' differences, where the backoffice lists them.
 */
describe('top-ups: refunds in the reconciliation against WeChat Pay', () => {
  let w: PayWorld;
  let centre: CardCentre;
  before(async () => {
    w = await startPayWorld();
    centre = await cardCentre(w.world);
  });
  after(() => w.stop());

  const creditedOrder = async (amount: number) => {
    const student = await boundStudent(w.world);
    const order = (await createTopUp(w.world, student, amount)).body;
    await payLikeWechat(w.standIn, order);
    await waitForStatus(w.world, student, order.id, 'credited');
    return order;
  };
  const until = async (check: () => Promise<boolean>) => {
    const deadline = Date.now() + 5_000;
    while (!(await check())) {
      if (Date.now() > deadline) assert.fail('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const refundStatus = async (orderId: string, refundId: string) =>
    (await w.world.core.client.topUpRefunds(orderId)).items.find((r) => r.id === refundId)?.status;

  test('when WeChat refunded what we did not ask, did not refund what we recorded, or refunded another amount, then each is a refund difference, once; a refund both agree on is none', async () => {
    const core = w.world.core.client;
    // Agreed: refunded through the backoffice, settled by WeChat's notification.
    const agreed = await creditedOrder(3_000);
    const requestId = `R${newKey()}`;
    const started = await centre.refund(agreed.id, { requestId, amount: 1_000, reason: 'left school' });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    const agreedRefundId = `adm-${requestId}`;
    await until(async () => (await refundStatus(agreed.id, agreedRefundId)) === 'succeeded');

    // On WeChat's bill only: the merchant refunded at WeChat outside the platform.
    const planted = await creditedOrder(2_000);
    const plantedRefundNo = `PLANT${newKey().slice(4).toUpperCase()}`;
    const plantedAnswer = await w.pay.refunds({
      out_trade_no: planted.id,
      out_refund_no: plantedRefundNo,
      amount: { refund: 500, total: 2_000, currency: 'CNY' },
    });
    assert.equal(plantedAnswer.status, 200, JSON.stringify(plantedAnswer));
    await waitFor(() => w.standIn.refund(MCHID, plantedRefundNo)?.status === 'SUCCESS');

    // Ours only: a refund recorded as succeeded that WeChat never got.
    const oursOnly = await creditedOrder(2_500);
    const oursOnlyId = `OURS${newKey().slice(4).toUpperCase()}`;
    await core.startTopUpRefund(oursOnly.id, { refundId: oursOnlyId, amount: 700, reason: 'by hand' });
    await core.settleTopUpRefund(oursOnlyId, { status: 'succeeded', wechatRefundId: null });

    // Another amount: ours is 15.00, WeChat refunded 12.00 under the same out_refund_no.
    const differs = await creditedOrder(4_000);
    const differsId = `DIFF${newKey().slice(4).toUpperCase()}`;
    await core.startTopUpRefund(differs.id, { refundId: differsId, amount: 1_500, reason: 'by hand' });
    const differsAnswer = await w.pay.refunds({
      out_trade_no: differs.id,
      out_refund_no: differsId,
      amount: { refund: 1_200, total: 4_000, currency: 'CNY' },
    });
    assert.equal(differsAnswer.status, 200, JSON.stringify(differsAnswer));
    await waitFor(() => w.standIn.refund(MCHID, differsId)?.status === 'SUCCESS');
    // The poller follows our processing refund: WeChat says SUCCESS, so ours is settled succeeded.
    await centre.poll();
    assert.equal(await refundStatus(differs.id, differsId), 'succeeded');

    const day = shanghaiToday();
    const run = await centre.reconcile(day);
    assert.equal(run.status, 200, JSON.stringify(run.body));
    const ofRefund = (items: TopUpMismatch[], refundNo: string) =>
      items.filter((m) => m.outRefundNo === refundNo).map((m) => [m.outTradeNo, m.kind, m.ours, m.theirs]);
    const listed = async () => (await centre.mismatches(day)).body.items as TopUpMismatch[];
    const items = await listed();
    const plantedRefundId = w.standIn.refund(MCHID, plantedRefundNo)?.refundId;
    const differsRefundId = w.standIn.refund(MCHID, differsId)?.refundId;
    assert.deepEqual(ofRefund(items, agreedRefundId), []);
    assert.deepEqual(ofRefund(items, plantedRefundNo), [
      [planted.id, 'missing_ours', null, `SUCCESS 500 ${plantedRefundId}`],
    ]);
    assert.deepEqual(ofRefund(items, oursOnlyId), [[oursOnly.id, 'missing_theirs', 'succeeded 700', null]]);
    assert.deepEqual(ofRefund(items, differsId), [
      [differs.id, 'amount_differs', `succeeded 1500 ${differsRefundId}`, `SUCCESS 1200 ${differsRefundId}`],
    ]);
    // Listed with the order's channel, as the payments' differences are.
    assert.equal(items.find((m) => m.outRefundNo === oursOnlyId)?.channel, 'wechat');
    // A rerun stores nothing twice.
    await centre.reconcile(day);
    const again = await listed();
    for (const no of [plantedRefundNo, oursOnlyId, differsId])
      assert.equal(ofRefund(again, no).length, 1, no);
  });
});
