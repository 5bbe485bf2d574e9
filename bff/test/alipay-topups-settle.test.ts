import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { checkLedger } from '../../core/src/ledger/ledger-check.ts';
import { shanghaiToday } from '../../core/src/time.ts';
import { outRequestNoOf } from '../src/services/alipay-pay.ts';
import {
  ALIPAY_APP_ID,
  type AlipayTopUps,
  eventually,
  h5Origin,
  startAlipayTopUps,
} from './alipay-topups-support.ts';
import { cardCentre } from './topups-support.ts';

/** Alipay top-ups after the notification: the poller, expiry, refunds, the H5 cashier and the daily bill (docs/alipay.md): the real core, Redis and BFF with alipay-sdk against the Alipay stand-in. */
describe('Alipay top-ups: poller, refunds, H5 cashier and bill', () => {
  let t: AlipayTopUps;
  before(async () => {
    t = await startAlipayTopUps();
  });
  after(async () => {
    await t.stop();
  });

  test('when the gateway is down while notifications are lost, then the poller credits later once it answers', async () => {
    t.alipay.faults.clear();
    const student = await t.alipayStudent();
    const created = await t.create(student, 700);
    await t.setFaults(created.body.id, { delayMs: 60_000 });
    t.tradePay(created.body);
    t.alipay.faults.setGlobal({ gatewayDown: true });
    try {
      const report = await t.world.bff.bff.topUps?.pollOnce();
      assert.ok((report?.failed ?? 0) >= 1, JSON.stringify(report));
      assert.equal((await t.stored(created.body.id)).status, 'created');
    } finally {
      t.alipay.faults.setGlobal({});
    }
    await t.world.bff.bff.topUps?.pollOnce();
    assert.equal((await t.stored(created.body.id)).status, 'credited');
    assert.equal(await t.balance(student.cardNo), 700);
  });

  test('when an unpaid Alipay order expires, then the poller closes it at Alipay first and then here, and it can no longer be paid', async () => {
    t.alipay.faults.clear();
    const student = await t.alipayStudent();
    const created = await t.create(student, 900);
    await t.world.core.core.db.execute('UPDATE top_up_orders SET expires_at_ms = ? WHERE id = ?', [
      Date.now() - 1,
      created.body.id,
    ]);
    await t.world.bff.bff.topUps?.pollOnce();
    assert.equal((await t.stored(created.body.id)).status, 'closed');
    assert.equal(t.alipay.trade(ALIPAY_APP_ID, created.body.id)?.status, 'TRADE_CLOSED');
    const late = t.alipay.pay(ALIPAY_APP_ID, { outTradeNo: created.body.id });
    assert.equal(late.ok, false);
    assert.equal(await t.balance(student.cardNo), 0);
  });

  test('when finance refunds part and then the rest of an Alipay top-up, then t.alipay.trade.refund moves the money under each out_request_no and the order is refunded', async () => {
    t.alipay.faults.clear();
    const student = await t.alipayStudent();
    const created = await t.create(student, 2_000);
    t.tradePay(created.body);
    await eventually(async () => (await t.stored(created.body.id)).status === 'credited');
    const centre = await cardCentre(t.world);
    const requestId = randomBytes(6).toString('hex');
    const first = await centre.refund(created.body.id, { requestId, amount: 600, reason: '退款' });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    // A retry of the same request moves nothing again (same out_request_no at Alipay).
    await centre.refund(created.body.id, { requestId, amount: 600, reason: '退款' });
    const trade = t.alipay.trade(ALIPAY_APP_ID, created.body.id);
    assert.deepEqual(
      trade?.refunds.map((r) => [r.outRequestNo, r.amountFen]),
      [[outRequestNoOf(`adm-${requestId}`), 600]],
    );
    assert.equal(await t.balance(student.cardNo), 1_400);
    await centre.refund(created.body.id, {
      requestId: randomBytes(6).toString('hex'),
      amount: 1_400,
      reason: '退款',
    });
    assert.equal(await t.balance(student.cardNo), 0);
    assert.equal((await t.stored(created.body.id)).status, 'refunded');
    assert.equal(t.alipay.trade(ALIPAY_APP_ID, created.body.id)?.status, 'TRADE_CLOSED');
    const refunds = await t.world.core.client.topUpRefunds(created.body.id);
    assert.deepEqual(
      refunds.items.map((r) => r.status),
      ['succeeded', 'succeeded'],
    );
    assert.deepEqual((await checkLedger(t.world.core.core.db)).breaks, []);
  });

  test('when Alipay refuses a refund, then the money goes back to the wallet and the refund is failed', async () => {
    t.alipay.faults.clear();
    const student = await t.alipayStudent();
    const created = await t.create(student, 1_000);
    t.tradePay(created.body);
    await eventually(async () => (await t.stored(created.body.id)).status === 'credited');
    // Alipay's trade was refunded in part behind our back: our full refund is more than it has left.
    await t.clientOf(ALIPAY_APP_ID, t.appKeys, t.notifyUrl).refund({
      outTradeNo: created.body.id,
      refundId: 'outside-1',
      amount: 100,
      reason: '测试',
    });
    const centre = await cardCentre(t.world);
    const reply = await centre.refund(created.body.id, {
      requestId: randomBytes(6).toString('hex'),
      amount: 1_000,
      reason: '退款',
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal((reply.body as { refund: { status: string } }).refund.status, 'failed');
    assert.equal(await t.balance(student.cardNo), 1_000);
    assert.equal((await t.stored(created.body.id)).refundedAmount, 0);
    assert.deepEqual((await checkLedger(t.world.core.core.db)).breaks, []);
  });

  test("when Alipay's answers cannot be trusted (signed with another key) or the gateway is down, then an order is not placed, a refund stays processing with the money out of the wallet, never failed, and the poller settles it once under the same out_request_no", async () => {
    t.alipay.faults.clear();
    const student = await t.alipayStudent();
    const centre = await cardCentre(t.world);

    // trade.create answered with a foreign signature: the student is told Alipay is unavailable.
    t.alipay.faults.setGlobal({ badResponseSignature: true });
    try {
      const refused = await t.create(student, 500);
      assert.equal(refused.status, 503, JSON.stringify(refused.body));
      assert.equal(refused.body.code, 'ALIPAY_UNAVAILABLE');
    } finally {
      t.alipay.faults.setGlobal({});
    }

    const created = await t.create(student, 2_000);
    t.tradePay(created.body);
    await eventually(async () => (await t.stored(created.body.id)).status === 'credited');
    const refundsAtAlipay = () =>
      t.alipay.trade(ALIPAY_APP_ID, created.body.id)?.refunds.map((r) => [r.outRequestNo, r.amountFen]);

    // Alipay takes the refund but its answer does not verify: it may have moved money, so the refund
    // is neither failed (that would give the money back to the wallet) nor succeeded. Its refund
    // notification (which would settle it) is held back, so only the poller's question can.
    await t.setFaults(created.body.id, { delayMs: 3_600_000 });
    const untrusted = randomBytes(6).toString('hex');
    t.alipay.faults.setGlobal({ badResponseSignature: true });
    try {
      const reply = await centre.refund(created.body.id, {
        requestId: untrusted,
        amount: 700,
        reason: '退款',
      });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.equal((reply.body as { refund: { status: string } }).refund.status, 'processing');
      assert.equal(await t.balance(student.cardNo), 1_300);
      await centre.poll();
      assert.equal((await t.world.core.client.topUpRefunds(created.body.id)).items[0]?.status, 'processing');
    } finally {
      t.alipay.faults.setGlobal({});
    }
    assert.deepEqual(refundsAtAlipay(), [[outRequestNoOf(`adm-${untrusted}`), 700]]);

    // The gateway down (502): the refund never reached Alipay; it stays processing as well.
    const unanswered = randomBytes(6).toString('hex');
    t.alipay.faults.setGlobal({ gatewayDown: true });
    try {
      const reply = await centre.refund(created.body.id, {
        requestId: unanswered,
        amount: 300,
        reason: '退款',
      });
      assert.equal((reply.body as { refund: { status: string } }).refund.status, 'processing');
      assert.equal(await t.balance(student.cardNo), 1_000);
    } finally {
      t.alipay.faults.setGlobal({});
    }
    assert.equal(refundsAtAlipay()?.length, 1);

    // Alipay answers honestly again: the poller asks under the same numbers; the first is answered as
    // the repeat it is (nothing moves twice), the second is taken now.
    await centre.poll();
    const settled = (await t.world.core.client.topUpRefunds(created.body.id)).items;
    assert.deepEqual(
      settled.map((r) => [r.id, r.status]).sort(),
      [
        [`adm-${unanswered}`, 'succeeded'],
        [`adm-${untrusted}`, 'succeeded'],
      ].sort(),
    );
    assert.deepEqual(refundsAtAlipay(), [
      [outRequestNoOf(`adm-${untrusted}`), 700],
      [outRequestNoOf(`adm-${unanswered}`), 300],
    ]);
    assert.equal(await t.balance(student.cardNo), 1_000);
    assert.equal((await t.stored(created.body.id)).refundedAmount, 1_000);
    assert.deepEqual((await checkLedger(t.world.core.core.db)).breaks, []);
  });

  test("when the bill's download answer cannot be trusted or the gateway is down, then the on-demand reconciliation answers ALIPAY_UNAVAILABLE and stores no Alipay difference", async () => {
    t.alipay.faults.clear();
    const student = await t.alipayStudent();
    const lost = await t.create(student, 1_040);
    await t.setFaults(lost.body.id, { delayMs: 3_600_000 });
    t.tradePay(lost.body);
    const centre = await cardCentre(t.world);
    for (const fault of [{ badResponseSignature: true }, { gatewayDown: true }]) {
      t.alipay.faults.setGlobal(fault);
      try {
        const reply = await centre.reconcile(shanghaiToday());
        assert.equal(reply.status, 503, `${JSON.stringify(fault)} ${JSON.stringify(reply.body)}`);
        assert.equal((reply.body as { code?: string }).code, 'ALIPAY_UNAVAILABLE');
      } finally {
        t.alipay.faults.setGlobal({});
      }
      assert.deepEqual(await t.mismatchesOf(lost.body.id), []);
    }
    // Once Alipay answers, the same run finds the paid trade not credited here.
    assert.equal((await centre.reconcile(shanghaiToday())).status, 200);
    assert.deepEqual(
      (await t.mismatchesOf(lost.body.id)).map((m) => m.kind),
      ['state_differs'],
    );
  });

  test('when a student outside the Alipay app (H5) tops up with Alipay, then the answer is a signed wap.pay cashier URL and paying there credits the card', async () => {
    t.alipay.faults.clear();
    const student = await t.browserStudent();
    const limits = await t.world.request<{ channels: string[] }>('GET', '/api/v1/top-ups/limits', {
      token: student.accessToken,
    });
    assert.deepEqual(limits.body.channels, ['wechat', 'alipay'], 'the H5 page may offer both');
    const created = await t.create(student, 1_100);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.alipay, undefined);
    const url = new URL(created.body.payPageUrl ?? '');
    assert.equal(url.origin + url.pathname, t.alipay.gatewayUrl);
    assert.equal(url.searchParams.get('method'), 'alipay.trade.wap.pay');
    const cashier = await fetch(url);
    assert.equal(cashier.status, 200, await cashier.clone().text());
    const html = await cashier.text();
    const tradeNo = /name="trade_no" value="(\d+)"/.exec(html)?.[1];
    assert.ok(tradeNo);
    const paid = await fetch(`${t.alipay.baseUrl}/__mock/cashier`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ app_id: ALIPAY_APP_ID, trade_no: tradeNo }),
      redirect: 'manual',
    });
    assert.equal(paid.status, 303);
    // Alipay's signed synchronous return, back to the H5 result page of this order.
    const back = new URL(paid.headers.get('location') ?? '');
    assert.equal(back.origin, h5Origin);
    assert.equal(back.hash, `#/pages/top-up-result/index?id=${created.body.id}`);
    assert.equal(back.searchParams.get('out_trade_no'), created.body.id);
    await eventually(async () => (await t.stored(created.body.id)).status === 'credited');
    assert.equal(await t.balance(student.cardNo), 1_100);
  });

  test("when today's Alipay bill is downloaded (zipped GBK CSV) and reconciled, then a trade paid at Alipay but not credited here is state_differs, one we never ordered is missing_ours, and a credited one is no difference", async () => {
    t.alipay.faults.clear();
    const student = await t.alipayStudent();
    const credited = await t.create(student, 1_010);
    t.tradePay(credited.body);
    await eventually(async () => (await t.stored(credited.body.id)).status === 'credited');
    const lost = await t.create(student, 1_020);
    // An hour of delay: as good as lost while the test runs (on a loaded machine it takes a minute).
    await t.setFaults(lost.body.id, { delayMs: 3_600_000 });
    t.tradePay(lost.body);
    const unknown = `TU${randomBytes(13).toString('hex').toUpperCase()}`;
    const tradeNo = await t.clientOf(ALIPAY_APP_ID, t.appKeys, t.receiver.url).createForMiniProgram({
      outTradeNo: unknown,
      amount: 1_030,
      expiresAtMs: Date.now() + 60_000,
      openid: 'ali-somebody',
    });
    assert.ok(t.alipay.pay(ALIPAY_APP_ID, { tradeNo }).ok);
    const day = shanghaiToday();
    const centre = await cardCentre(t.world);
    const reply = await centre.reconcile(day);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.deepEqual(
      (await t.mismatchesOf(lost.body.id)).map((m) => m.kind),
      ['state_differs'],
    );
    assert.deepEqual(
      (await t.mismatchesOf(unknown)).map((m) => [m.kind, m.theirs]),
      [['missing_ours', `SUCCESS 1030 ${tradeNo}`]],
    );
    assert.deepEqual(await t.mismatchesOf(credited.body.id), []);
    // A rerun stores nothing twice.
    await centre.reconcile(day);
    assert.equal((await t.mismatchesOf(lost.body.id)).length, 1);
  });
  test("when Alipay's bill lists a refund we never asked for, lacks one we recorded, or refunded another amount, then each is a refund difference by our refund id, once; a refund both agree on is none", async () => {
    t.alipay.faults.clear();
    const student = await t.alipayStudent();
    const centre = await cardCentre(t.world);
    const core = t.world.core.client;
    const merchant = t.clientOf(ALIPAY_APP_ID, t.appKeys, t.notifyUrl);
    const credited = async (amount: number) => {
      const created = await t.create(student, amount);
      t.tradePay(created.body);
      await eventually(async () => (await t.stored(created.body.id)).status === 'credited');
      return created.body.id;
    };
    // Agreed: the backoffice's refund (id adm-…, on the bill as its out_request_no adm_2D…).
    const agreed = await credited(2_000);
    const requestId = randomBytes(6).toString('hex');
    assert.equal((await centre.refund(agreed, { requestId, amount: 800, reason: '退款' })).status, 200);
    // On Alipay's bill only.
    const planted = await credited(1_500);
    const plantedNo = `outside${randomBytes(6).toString('hex')}`;
    await merchant.refund({ outTradeNo: planted, refundId: plantedNo, amount: 300, reason: '测试' });
    // Ours only: recorded as succeeded, never asked of Alipay.
    const oursOnly = await credited(1_600);
    const oursOnlyId = `ours${randomBytes(6).toString('hex')}`;
    await core.startTopUpRefund(oursOnly, { refundId: oursOnlyId, amount: 400, reason: 'by hand' });
    await core.settleTopUpRefund(oursOnlyId, { status: 'succeeded', wechatRefundId: null });
    // Another amount under our number: Alipay refunded 12.00 first, ours is 15.00; asking again answers
    // the first refund (once per out_request_no), so ours is settled succeeded.
    const differs = await credited(3_000);
    const differsId = `diff-${randomBytes(6).toString('hex')}`;
    await core.startTopUpRefund(differs, { refundId: differsId, amount: 1_500, reason: 'by hand' });
    await merchant.refund({ outTradeNo: differs, refundId: differsId, amount: 1_200, reason: '测试' });
    await centre.poll();
    const refundOf = async (orderId: string, id: string) =>
      (await core.topUpRefunds(orderId)).items.find((r) => r.id === id);
    assert.equal((await refundOf(differs, differsId))?.status, 'succeeded');
    assert.equal((await refundOf(agreed, `adm-${requestId}`))?.status, 'succeeded');

    const day = shanghaiToday();
    assert.equal((await centre.reconcile(day)).status, 200);
    const tradeNoOf = (id: string) => t.alipay.trade(ALIPAY_APP_ID, id)?.tradeNo;
    const listed = async (refundNo: string) =>
      (await core.topUpMismatches({ billDate: day, limit: 1000 })).items
        .filter((m) => m.outRefundNo === refundNo)
        .map((m) => [m.outTradeNo, m.kind, m.ours, m.theirs, m.channel]);
    assert.deepEqual(await listed(`adm-${requestId}`), []);
    assert.deepEqual(await listed(plantedNo), [
      [planted, 'missing_ours', null, `SUCCESS 300 ${tradeNoOf(planted)}`, 'alipay'],
    ]);
    assert.deepEqual(await listed(oursOnlyId), [
      [oursOnly, 'missing_theirs', 'succeeded 400', null, 'alipay'],
    ]);
    assert.deepEqual(await listed(differsId), [
      [differs, 'amount_differs', 'succeeded 1500', `SUCCESS 1200 ${tradeNoOf(differs)}`, 'alipay'],
    ]);
    await centre.reconcile(day);
    for (const no of [plantedNo, oursOnlyId, differsId]) assert.equal((await listed(no)).length, 1, no);
  });
});
