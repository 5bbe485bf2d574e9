import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBff } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import {
  balanceOf,
  boundStudent,
  type CardCentre,
  cardCentre,
  createTopUp,
  deliveriesOf,
  h5Origin,
  MCHID,
  newKey,
  orderOf,
  type PayWorld,
  payLikeWechat,
  setFaults,
  startPayWorld,
  storedStatus,
  waitFor,
  waitForStatus,
} from './topups-support.ts';

const today = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

describe('top-ups: poller, expiry, refunds, reconciliation and the H5 payment page', () => {
  let w: PayWorld;
  let centre: CardCentre;
  before(async () => {
    w = await startPayWorld();
    centre = await cardCentre(w.world);
  });
  after(() => w.stop());

  test('when a paid order never gets its notification, then the poller finds it paid and credits it once', async () => {
    const student = await boundStudent(w.world);
    const order = (await createTopUp(w.world, student, 4_200)).body;
    // An hour of delay: as good as lost while the test runs.
    await setFaults(w.standIn, order.id, { delayMs: 3_600_000 });
    await payLikeWechat(w.standIn, order);
    assert.equal(await storedStatus(w.world, order.id), 'created');
    const report = await centre.poll();
    assert.equal(report.status, 200);
    assert.ok(Number(report.body.credited) >= 1);
    assert.equal((await orderOf(w.world, student, order.id)).status, 'credited');
    await centre.poll();
    assert.equal(await balanceOf(w.world, student.cardNo), 4_200);
    assert.equal(deliveriesOf(w.standIn, order.id).length, 0);
  });

  test('when the result page reads an order paid at WeChat but not yet notified, then WeChat is asked and it reads credited', async () => {
    const student = await boundStudent(w.world);
    const order = (await createTopUp(w.world, student, 3_300)).body;
    await setFaults(w.standIn, order.id, { delayMs: 3_600_000 });
    assert.equal((await orderOf(w.world, student, order.id)).status, 'created', 'unpaid: nothing to find');
    await payLikeWechat(w.standIn, order);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    assert.equal((await orderOf(w.world, student, order.id)).status, 'credited');
    assert.equal((await orderOf(w.world, student, order.id)).status, 'credited');
    assert.equal(await balanceOf(w.world, student.cardNo), 3_300);
  });

  test('when an order expires unpaid, then the poller closes it at WeChat and here, and it can no longer be paid', async () => {
    // Goal: close before forgetting, so an expired order cannot be paid behind our back. The order is
    // placed at WeChat without its own expiry, so only our close stops it.
    const student = await boundStudent(w.world);
    const order = await w.world.core.client.createTopUpOrder({
      openid: student.openid,
      cardNo: student.cardNo,
      idempotencyKey: newKey(),
      amount: 1_500,
      dailyCap: 100_000,
      ttlMs: 1_000,
    });
    const placed = await w.pay.transactions_jsapi({
      description: '校园卡充值',
      out_trade_no: order.id,
      notify_url: w.notifyUrl,
      amount: { total: 1_500, currency: 'CNY' },
      payer: { openid: student.openid },
    });
    assert.equal(placed.status, 200);
    await centre.poll();
    assert.equal((await orderOf(w.world, student, order.id)).status, 'created', 'not expired yet');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await centre.poll();
    assert.equal((await orderOf(w.world, student, order.id)).status, 'closed');
    assert.equal(w.standIn.order(MCHID, order.id)?.state, 'CLOSED');
    const late = await w.standIn.pay(placed.data);
    assert.equal(late.ok ? 'paid' : late.code, 'ORDER_CLOSED');
  });

  test('when an order WeChat never received expires, then it is closed here', async () => {
    const student = await boundStudent(w.world);
    const order = await w.world.core.client.createTopUpOrder({
      openid: student.openid,
      cardNo: student.cardNo,
      idempotencyKey: newKey(),
      amount: 1_000,
      dailyCap: 100_000,
      ttlMs: 1_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await centre.poll();
    assert.equal((await orderOf(w.world, student, order.id)).status, 'closed');
  });

  test('when a credited top-up is refunded, then the wallet gives it back, WeChat refunds, and its notification settles the refund', async () => {
    const student = await boundStudent(w.world);
    const order = (await createTopUp(w.world, student, 6_000)).body;
    await payLikeWechat(w.standIn, order);
    await waitForStatus(w.world, student, order.id, 'credited');
    const requestId = `R${newKey()}`.slice(0, 40);
    const started = await centre.refund(order.id, {
      requestId,
      amount: 6_000,
      reason: 'card cancelled',
    });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.equal((started.body.refund as { status: string }).status, 'processing');
    assert.equal(await balanceOf(w.world, student.cardNo), 0);
    const again = await centre.refund(order.id, {
      requestId,
      amount: 6_000,
      reason: 'card cancelled',
    });
    assert.equal(again.status, 200, 'the same refund id again is safe');
    await waitForStatus(w.world, student, order.id, 'refunded');
    const refunds = await w.world.core.client.topUpRefunds(order.id);
    assert.deepEqual(
      refunds.items.map((r) => r.status),
      ['succeeded'],
    );
    assert.equal(await balanceOf(w.world, student.cardNo), 0);
    const more = await centre.refund(order.id, {
      requestId: `${requestId}b`,
      amount: 1,
      reason: 'again',
    });
    assert.equal(more.status, 422);
    assert.equal(more.body.code, 'REFUND_EXCEEDS_PAYMENT');
  });

  test('when WeChat closes a top-up refund instead of paying it (refundCloses), then the refund is failed and the money is back in the wallet, once', async () => {
    const student = await boundStudent(w.world);
    const order = (await createTopUp(w.world, student, 2_500)).body;
    await payLikeWechat(w.standIn, order);
    await waitForStatus(w.world, student, order.id, 'credited');
    w.standIn.faults.setForOrder(order.id, { refundCloses: true });
    try {
      const started = await centre.refund(order.id, {
        requestId: `R${newKey()}`.slice(0, 40),
        amount: 2_500,
        reason: 'card cancelled',
      });
      assert.equal(started.status, 200, JSON.stringify(started.body));
      const deadline = Date.now() + 10_000;
      while ((await w.world.core.client.topUpRefunds(order.id)).items[0]?.status !== 'failed') {
        assert.ok(Date.now() < deadline, 'the refund is failed');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      w.standIn.faults.setForOrder(order.id, {});
    }
    // The closing notification and the poller change nothing more.
    await centre.poll();
    assert.equal(await balanceOf(w.world, student.cardNo), 2_500);
    assert.equal((await orderOf(w.world, student, order.id)).status, 'credited');
    assert.deepEqual(
      (await w.world.core.client.topUpRefunds(order.id)).items.map((r) => r.status),
      ['failed'],
    );
  });

  test('when a refund notification never comes, then the poller settles the refund from the refund query', async () => {
    const student = await boundStudent(w.world);
    const order = (await createTopUp(w.world, student, 2_500)).body;
    await payLikeWechat(w.standIn, order);
    await waitForStatus(w.world, student, order.id, 'credited');
    await setFaults(w.standIn, order.id, { delayMs: 3_600_000 });
    const requestId = `R${newKey()}`;
    const started = await centre.refund(order.id, {
      requestId,
      amount: 2_500,
      reason: 'left school',
    });
    assert.equal((started.body.refund as { status: string }).status, 'processing');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await orderOf(w.world, student, order.id)).status, 'credited', 'no notification yet');
    const report = await centre.poll();
    assert.ok(Number(report.body.refunds) >= 1);
    assert.equal((await orderOf(w.world, student, order.id)).status, 'refunded');
    assert.equal(await balanceOf(w.world, student.cardNo), 0);
  });

  test('when a refund is more than the wallet holds, then it is refused and nothing is asked of WeChat', async () => {
    const student = await boundStudent(w.world);
    const order = (await createTopUp(w.world, student, 2_000)).body;
    await payLikeWechat(w.standIn, order);
    await waitForStatus(w.world, student, order.id, 'credited');
    await w.world.core.client.adjust({
      id: `spend-${newKey()}`,
      accountId: (await mainAccount(w, student.cardNo)) ?? '',
      amount: -1_500,
      reason: 'spent in the canteen',
    });
    const refused = await centre.refund(order.id, {
      requestId: `R${newKey()}`,
      amount: 2_000,
      reason: 'card cancelled',
    });
    assert.equal(refused.status, 422);
    assert.equal(refused.body.code, 'INSUFFICIENT_FUNDS');
    assert.equal(w.standIn.order(MCHID, order.id)?.state, 'SUCCESS');
    assert.equal(await balanceOf(w.world, student.cardNo), 500);
  });

  test('when the bill lists a payment we never ordered, then reconciliation stores it as missing on our side, once', async () => {
    const student = await boundStudent(w.world);
    const ours = (await createTopUp(w.world, student, 1_234)).body;
    await payLikeWechat(w.standIn, ours);
    await waitForStatus(w.world, student, ours.id, 'credited');
    const plantedNo = `TUPLANTED${newKey().slice(4, 20).toUpperCase()}`;
    const planted = await w.pay.transactions_jsapi({
      description: 'not through us',
      out_trade_no: plantedNo,
      notify_url: 'http://127.0.0.1:9/unused',
      amount: { total: 777, currency: 'CNY' },
      payer: { openid: student.openid },
    });
    await w.standIn.pay(planted.data);
    const run = await centre.reconcile(today());
    assert.equal(run.status, 200, JSON.stringify(run.body));
    const found = (run.body.mismatches as { outTradeNo: string; kind: string }[]).filter(
      (m) => m.outTradeNo === plantedNo || m.outTradeNo === ours.id,
    );
    assert.deepEqual(
      found.map((m) => [m.outTradeNo, m.kind]),
      [[plantedNo, 'missing_ours']],
    );
    await centre.reconcile(today());
    const listed = await centre.mismatches(today());
    const items = listed.body.items as { outTradeNo: string }[];
    assert.equal(items.filter((m) => m.outTradeNo === plantedNo).length, 1);
    // Reading the bill's differences is finance's and the auditor's; running it is finance's alone.
    const byAuditor = await centre.call(
      'POST',
      `/top-up-reconciliations/${today()}`,
      { confirm: true },
      centre.tokens.auditor,
    );
    assert.equal(byAuditor.status, 403);
  });

  test('when the core cannot be reached, then the notification is answered 500 and WeChat sends it again', async () => {
    // A second BFF of the same merchant whose core is gone: the signature checks pass, the credit cannot.
    const cut = await startBff(loadConfig({ ...w.world.env, BFF_PORT: '0', CORE_URL: 'http://127.0.0.1:9' }));
    try {
      const outTradeNo = `TUCUT${newKey().slice(4).toUpperCase()}`;
      const placed = await w.pay.transactions_jsapi({
        description: '校园卡充值',
        out_trade_no: outTradeNo,
        notify_url: `${cut.url}/api/v1/pay/notify`,
        amount: { total: 100, currency: 'CNY' },
        payer: { openid: 'o-cut' },
      });
      await w.standIn.pay(placed.data);
      await waitFor(() => deliveriesOf(w.standIn, outTradeNo).length >= 2);
      assert.ok(deliveriesOf(w.standIn, outTradeNo).every((d) => d.status === 500));
    } finally {
      await cut.close();
    }
  });

  describe('H5 payment page', () => {
    test('when the page is opened with a forged paySign, then it refuses like the WeChat client and nothing is paid', async () => {
      const student = await boundStudent(w.world);
      const order = (await createTopUp(w.world, student, 1_000)).body;
      const url = new URL(order.payPageUrl ?? '');
      url.searchParams.set('nonceStr', 'forged');
      const page = await fetch(url);
      assert.equal(page.status, 401);
      assert.match(await page.text(), /SIGN_ERROR/);
      const post = await fetch(`${url.origin}${url.pathname}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: url.searchParams.toString(),
        redirect: 'manual',
      });
      assert.equal(post.status, 401);
      assert.equal(w.standIn.order(MCHID, order.id)?.state, 'NOTPAY');
    });

    test('when the page is confirmed, then it pays, the notification credits, and it returns to the H5 result page only', async () => {
      const student = await boundStudent(w.world);
      const order = (await createTopUp(w.world, student, 1_800)).body;
      const url = new URL(order.payPageUrl ?? '');
      const returnUrl = url.searchParams.get('return_url') ?? '';
      assert.equal(returnUrl, `${h5Origin}/#/pages/top-up-result/index?id=${order.id}`);
      const page = await fetch(url);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /¥18\.00/);
      const elsewhere = new URL(url);
      elsewhere.searchParams.set('return_url', 'https://evil.example/steal');
      assert.equal((await fetch(elsewhere)).status, 400);
      const confirmed = await fetch(`${url.origin}${url.pathname}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: url.searchParams.toString(),
        redirect: 'manual',
      });
      assert.equal(confirmed.status, 303);
      assert.equal(confirmed.headers.get('location'), returnUrl);
      await waitForStatus(w.world, student, order.id, 'credited');
      await waitFor(() => deliveriesOf(w.standIn, order.id).length === 1);
      assert.equal(await balanceOf(w.world, student.cardNo), 1_800);
    });
  });
});

async function mainAccount(w: PayWorld, cardNo: string): Promise<string | undefined> {
  // The test reaches into the core's database only to spend money without a merchant set up.
  const rows = await w.world.core.core.db.select<{ main_account_id: string }>(
    'SELECT main_account_id FROM cards WHERE card_no = ?',
    [cardNo],
  );
  return rows[0]?.main_account_id;
}
