import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { checkLedger } from '../../core/src/ledger/ledger-check.ts';
import type { TopUpView } from '../src/services/top-ups/top-up-service.ts';
import {
  ALIPAY_APP_ID,
  type AlipayTopUps,
  eventually,
  OTHER_APP_ID,
  startAlipayTopUps,
} from './alipay-topups-support.ts';
import { cardCentre } from './topups-support.ts';

/** Alipay's notifications of a paid top-up: credited once whatever arrives, however often, and nothing on a forged, mismatched or foreign one (docs/alipay.md): the real core, Redis and BFF with alipay-sdk against the Alipay stand-in. */
describe('Alipay top-up notifications', () => {
  let t: AlipayTopUps;
  before(async () => {
    t = await startAlipayTopUps();
  });
  after(async () => {
    await t.stop();
  });

  test('when an Alipay student orders, pays with my.tradePay and Alipay notifies, then the card is credited once under ali:<trade_no> and Alipay reads success', async () => {
    t.alipay.faults.clear();
    const student = await t.alipayStudent();
    const created = await t.create(student, 2_990);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.channel, 'alipay');
    assert.equal(created.body.payment, undefined, 'no WeChat requestPayment parameters');
    // The same account asking for a WeChat payment is refused before any order exists.
    const wechat = await t.world.request<{ code: string }>('POST', '/api/v1/top-ups', {
      token: student.accessToken,
      body: { amount: 2_990, channel: 'wechat' },
    });
    assert.equal(wechat.status, 400, JSON.stringify(wechat.body));
    assert.equal(wechat.body.code, 'VALIDATION_FAILED');
    assert.equal((await t.world.core.client.topUpOrders(student.cardNo)).items.length, 1);
    const trade = t.alipay.trade(ALIPAY_APP_ID, created.body.id);
    assert.equal(trade?.totalFen, 2_990, 'alipay.trade.create for 29.90 yuan');
    assert.equal(trade?.buyer.openId, student.openId, 'the buyer is the signed-in Alipay account');
    const tradeNo = t.tradePay(created.body);
    await eventually(async () => (await t.stored(created.body.id)).status === 'credited');
    const order = await t.stored(created.body.id);
    assert.equal(order.operationId, `ali:${tradeNo}`);
    assert.equal(order.transactionId, tradeNo);
    assert.equal(await t.balance(student.cardNo), 2_990);
    await eventually(() => t.deliveries(created.body.id).some((d) => d.acknowledged));
    assert.deepEqual(
      t.deliveries(created.body.id).map((d) => [d.status, d.answer]),
      [[200, 'success']],
    );
    const read = await t.world.request<TopUpView>('GET', `/api/v1/top-ups/${created.body.id}`, {
      token: student.accessToken,
    });
    assert.equal(read.body.status, 'credited');
  });

  test('when the same notification arrives twice, late and overtaken by a refund, then the card is credited once', async () => {
    t.alipay.faults.clear();
    const student = await t.alipayStudent();
    const created = await t.create(student, 1_500);
    await t.setFaults(created.body.id, { duplicate: true, delayMs: 150, outOfOrder: true });
    t.tradePay(created.body);
    // The payment's notification is held back (outOfOrder) until the next one, the refund's: the
    // result page's read asks Alipay (t.alipay.trade.query) and credits meanwhile.
    const read = await t.world.request<TopUpView>('GET', `/api/v1/top-ups/${created.body.id}`, {
      token: student.accessToken,
    });
    assert.equal(read.body.status, 'credited');
    assert.equal(t.deliveries(created.body.id).length, 0, 'no notification has arrived yet');
    assert.equal(await t.balance(student.cardNo), 1_500);
    const centre = await cardCentre(t.world);
    const refunded = await centre.refund(created.body.id, {
      requestId: randomBytes(6).toString('hex'),
      amount: 500,
      reason: '多充',
    });
    assert.equal(refunded.status, 200, JSON.stringify(refunded.body));
    // The refund's notification first, then the payment's twice (duplicate), all late.
    await eventually(() => t.deliveries(created.body.id).filter((d) => d.acknowledged).length >= 4, 8_000);
    assert.ok(
      t.deliveries(created.body.id).every((d) => d.answer === 'success'),
      JSON.stringify(t.deliveries(created.body.id)),
    );
    assert.equal(await t.balance(student.cardNo), 1_000, 'credited once, refunded once');
    assert.deepEqual((await checkLedger(t.world.core.core.db)).breaks, []);
  });

  test('when an Alipay student pays a fee with my.tradePay, then the fee is paid once under ali:<trade_no>, the card is not loaded, and the ledger checks', async () => {
    // Goal (#16): the fee order's payment moves Alipay's clearing money to the fee item, never the card.
    t.alipay.faults.clear();
    const student = await t.alipayStudent();
    const card = await t.world.core.client.getCard(student.cardNo);
    await t.world.core.client.createFeeItem({
      code: `ALI${Date.now().toString(36)}`,
      name: '补考费',
      category: 'makeup_exam',
      amount: 6_000,
      dueDay: '2027-01-15',
      audience: { persons: [{ personNo: card.personNo }] },
    });
    const billId = (await t.world.core.client.cardFeeBills(student.cardNo)).items[0]?.id ?? '';
    const created = await t.world.request<TopUpView>('POST', `/api/v1/fees/${billId}/channel-payments`, {
      token: student.accessToken,
      body: { channel: 'alipay', amount: 6_000 },
      headers: { 'idempotency-key': `fee-${randomBytes(8).toString('hex')}` },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const tradeNo = t.tradePay(created.body);
    await eventually(async () => (await t.stored(created.body.id)).status === 'credited');
    assert.equal((await t.stored(created.body.id)).operationId, `ali:${tradeNo}`);
    const bill = await t.world.core.client.feeBill(billId);
    assert.deepEqual(
      [bill.amountPaid, bill.payments.map((p) => [p.channel, p.status])],
      [6_000, [['alipay', 'paid']]],
    );
    assert.equal(await t.balance(student.cardNo), 0);
    assert.deepEqual((await checkLedger(t.world.core.core.db)).breaks, []);
  });

  const post = (body: string) =>
    fetch(t.notifyUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    }).then(async (r) => [r.status, await r.text()] as const);

  test('when 50 copies of one genuine notification arrive at once, then the card is credited once and every copy reads success', async () => {
    t.alipay.faults.clear();
    const student = await t.browserStudent();
    const created = await t.create(student, 1_234);
    // The trade is opened at Alipay with a capturing notify_url, so the test holds Alipay's own
    // signed notification and can deliver it 50 times at once.
    const client = t.clientOf(ALIPAY_APP_ID, t.appKeys, t.receiver.url);
    const tradeNo = await client.createForMiniProgram({
      outTradeNo: created.body.id,
      amount: 1_234,
      expiresAtMs: created.body.expiresAtMs,
      openid: 'ali-buyer-of-h5',
    });
    const paid = t.alipay.pay(ALIPAY_APP_ID, { tradeNo });
    assert.ok(paid.ok);
    await eventually(() => t.receiver.received.some((r) => r.fields.out_trade_no === created.body.id));
    const captured = t.receiver.received.find((r) => r.fields.out_trade_no === created.body.id);
    assert.ok(captured?.verified);
    const body = new URLSearchParams(captured.fields).toString();
    const answers = await Promise.all(Array.from({ length: 50 }, () => post(body)));
    for (const a of answers) assert.deepEqual(a, [200, 'success']);
    assert.equal(await t.balance(student.cardNo), 1_234);
    assert.equal((await t.stored(created.body.id)).operationId, `ali:${tradeNo}`);
    // One field changed after signing is a forgery: refused, nothing changes.
    const tampered = new URLSearchParams({ ...captured.fields, total_amount: '99.99' }).toString();
    assert.deepEqual(await post(tampered), [401, 'fail']);
  });

  test('when a notification is signed with a foreign key, then it is refused (not success) and nothing is credited until the poller asks Alipay', async () => {
    t.alipay.faults.clear();
    const student = await t.alipayStudent();
    const created = await t.create(student, 800);
    await t.setFaults(created.body.id, { badSignature: true });
    t.tradePay(created.body);
    await eventually(() => t.deliveries(created.body.id).length >= 2);
    for (const d of t.deliveries(created.body.id)) {
      assert.equal(d.acknowledged, false);
      assert.equal(d.answer, 'fail');
    }
    assert.equal((await t.stored(created.body.id)).status, 'created');
    assert.equal(await t.balance(student.cardNo), 0);
    // The payment is genuine at Alipay: the poller's signed query credits it.
    await t.world.bff.bff.topUps?.pollOnce();
    assert.equal((await t.stored(created.body.id)).status, 'credited');
    assert.equal(await t.balance(student.cardNo), 800);
  });

  test('when a genuine notification says one fen more than the order, then nothing is credited, Alipay reads success and the card centre sees amount_differs', async () => {
    t.alipay.faults.clear();
    const student = await t.alipayStudent();
    const created = await t.create(student, 1_000);
    await t.setFaults(created.body.id, { amountMismatch: true });
    t.tradePay(created.body);
    await eventually(() => t.deliveries(created.body.id).some((d) => d.acknowledged));
    assert.equal(t.deliveries(created.body.id)[0]?.answer, 'success');
    assert.equal((await t.stored(created.body.id)).status, 'created');
    assert.equal(await t.balance(student.cardNo), 0);
    const found = await t.mismatchesOf(created.body.id);
    assert.deepEqual(
      found.map((m) => m.kind),
      ['amount_differs'],
    );
    assert.match(found[0]?.theirs ?? '', /10\.01/);
  });

  test('when a genuine notification names an order we never made or another app, then it is answered success and filed, nothing credited', async () => {
    t.alipay.faults.clear();
    // Our app, an out_trade_no of our form that we never made.
    const unknown = `TU${randomBytes(13).toString('hex').toUpperCase()}`;
    const ours = t.clientOf(ALIPAY_APP_ID, t.appKeys, t.notifyUrl);
    const tradeNo = await ours.createForMiniProgram({
      outTradeNo: unknown,
      amount: 500,
      expiresAtMs: Date.now() + 60_000,
      openid: 'ali-somebody',
    });
    assert.ok(t.alipay.pay(ALIPAY_APP_ID, { tradeNo }).ok);
    await eventually(() => t.deliveries(unknown).some((d) => d.acknowledged));
    assert.deepEqual(
      t.deliveries(unknown).map((d) => d.answer),
      ['success'],
    );
    assert.deepEqual(
      (await t.mismatchesOf(unknown)).map((m) => m.kind),
      ['missing_ours'],
    );
    // Another app's genuine notification naming one of our real orders: not ours to credit.
    const student = await t.browserStudent();
    const created = await t.create(student, 600);
    const other = t.clientOf(OTHER_APP_ID, t.otherKeys, t.notifyUrl);
    const otherTrade = await other.createForMiniProgram({
      outTradeNo: created.body.id,
      amount: 600,
      expiresAtMs: Date.now() + 60_000,
      openid: 'ali-somebody',
    });
    assert.ok(t.alipay.pay(OTHER_APP_ID, { tradeNo: otherTrade }).ok);
    await eventually(() => t.deliveries(created.body.id).some((d) => d.acknowledged));
    assert.equal((await t.stored(created.body.id)).status, 'created');
    assert.equal(await t.balance(student.cardNo), 0);
    assert.deepEqual(
      (await t.mismatchesOf(created.body.id)).map((m) => m.kind),
      ['missing_ours'],
    );
  });
});
