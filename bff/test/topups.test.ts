import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkLedger } from '../../core/src/ledger/ledger-check.ts';
import type { TopUpView } from '../src/services/top-ups/top-up-service.ts';
import { logIn } from './students.ts';
import {
  balanceOf,
  boundStudent,
  type CardCentre,
  cardCentre,
  createTopUp,
  deliveriesOf,
  newKey,
  orderOf,
  type PayWorld,
  payLikeWechat,
  type Student,
  setFaults,
  startPayWorld,
  storedStatus,
  waitFor,
  waitForStatus,
} from './topups-support.ts';

describe('top-ups: order, pay, notify, credit once', () => {
  let w: PayWorld;
  let centre: CardCentre;
  before(async () => {
    w = await startPayWorld({ TOP_UP_MIN: '100', TOP_UP_MAX: '20000', TOP_UP_DAILY_CAP: '30000' });
    centre = await cardCentre(w.world);
  });
  after(() => w.stop());

  test('when a student orders and pays, then the notification credits the card once and the order reads credited', async () => {
    // Goal: the whole path through the real SDK, the stand-in and the core, with the answer the page needs.
    const student = await boundStudent(w.world);
    const reply = await createTopUp(w.world, student, 5_000);
    assert.equal(reply.status, 201, JSON.stringify(reply.body));
    const order = reply.body;
    assert.equal(order.status, 'created');
    assert.equal(order.amount, 5_000);
    assert.match(order.id, /^TU[0-9A-Z]{26}$/);
    assert.match(order.payment?.package ?? '', /^prepay_id=wx/);
    assert.equal(order.payment?.signType, 'RSA');
    assert.ok(order.payment?.paySign && order.payment.timeStamp && order.payment.nonceStr);
    assert.match(order.payPageUrl ?? '', /\/pay\/h5\?/);
    await payLikeWechat(w.standIn, order);
    const credited = await waitForStatus(w.world, student, order.id, 'credited');
    assert.ok(credited.paidAtMs !== null && credited.creditedAtMs !== null);
    assert.equal(await balanceOf(w.world, student.cardNo), 5_000);
    await waitFor(() => deliveriesOf(w.standIn, order.id).some((d) => d.status === 204));
    assert.deepEqual(
      deliveriesOf(w.standIn, order.id).map((d) => d.status),
      [204],
      'WeChat stops after our first 204',
    );
    const list = await w.world.request<{ items: { id: string }[] }>('GET', '/api/v1/top-ups', {
      token: student.accessToken,
    });
    assert.deepEqual(
      list.body.items.map((i) => i.id),
      [order.id],
    );
  });

  test('when orders are listed, then they come newest first', async () => {
    const student = await boundStudent(w.world);
    const first = (await createTopUp(w.world, student, 1_000)).body;
    const second = (await createTopUp(w.world, student, 2_000)).body;
    const list = await w.world.request<{ items: { id: string }[] }>('GET', '/api/v1/top-ups', {
      token: student.accessToken,
    });
    assert.deepEqual(
      list.body.items.map((i) => i.id),
      [second.id, first.id],
    );
  });

  test('when the create is retried with the same Idempotency-Key, then the same order answers; another amount under it is refused', async () => {
    const student = await boundStudent(w.world);
    const key = newKey();
    const first = await createTopUp(w.world, student, 3_000, key);
    const again = await createTopUp(w.world, student, 3_000, key);
    assert.equal(again.status, 201);
    assert.equal(again.body.id, first.body.id);
    assert.equal(
      again.body.payment?.package,
      first.body.payment?.package,
      'WeChat answers the same prepay_id',
    );
    const other = await createTopUp(w.world, student, 3_500, key);
    assert.equal(other.status, 409);
    assert.equal(other.body.code, 'ID_REUSED');
  });

  test('when an amount is outside the bounds, then 422 AMOUNT_OUT_OF_RANGE and no order is made', async () => {
    const student = await boundStudent(w.world);
    for (const amount of [99, 20_001]) {
      const reply = await createTopUp(w.world, student, amount);
      assert.equal(reply.status, 422);
      assert.equal(reply.body.code, 'AMOUNT_OUT_OF_RANGE');
    }
    const bad = await createTopUp(w.world, student, 1.5);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'VALIDATION_FAILED');
    const list = await w.world.request<{ items: unknown[] }>('GET', '/api/v1/top-ups', {
      token: student.accessToken,
    });
    assert.equal(list.body.items.length, 0);
    const limits = await w.world.request('GET', '/api/v1/top-ups/limits', { token: student.accessToken });
    assert.equal(limits.body.minAmount, 100);
    assert.equal(limits.body.maxAmount, 20_000);
  });

  test('when the daily cap would be passed, then 422 TOP_UP_DAILY_CAP', async () => {
    const student = await boundStudent(w.world);
    assert.equal((await createTopUp(w.world, student, 20_000)).status, 201);
    const over = await createTopUp(w.world, student, 10_001);
    assert.equal(over.status, 422);
    assert.equal(over.body.code, 'TOP_UP_DAILY_CAP');
    assert.equal((await createTopUp(w.world, student, 10_000)).status, 201);
  });

  test("when a linked parent tops up the child's card, then the child is credited; an unlinked account is refused", async () => {
    const child = await boundStudent(w.world);
    const parent = await logIn(w.world);
    await w.world.core.client.linkGuardian({ parentOpenid: parent.openid, personNo: child.personNo });
    const reply = await w.world.request<TopUpView & { code?: string }>('POST', '/api/v1/top-ups', {
      token: parent.accessToken,
      body: { amount: 2_000, cardNo: child.cardNo },
      headers: { 'idempotency-key': newKey() },
    });
    assert.equal(reply.status, 201, JSON.stringify(reply.body));
    assert.equal(reply.body.cardNo, child.cardNo);
    await payLikeWechat(w.standIn, reply.body);
    for (let i = 0; i < 200 && (await storedStatus(w.world, reply.body.id)) !== 'credited'; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(await balanceOf(w.world, child.cardNo), 2_000);
    const stranger = await logIn(w.world);
    const refused = await w.world.request('POST', '/api/v1/top-ups', {
      token: stranger.accessToken,
      body: { amount: 2_000, cardNo: child.cardNo },
    });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'FORBIDDEN');
  });

  test("when a student reads another student's order, then it is not found", async () => {
    const owner = await boundStudent(w.world);
    const other = await boundStudent(w.world);
    const order = (await createTopUp(w.world, owner, 1_000)).body;
    const reply = await w.world.request('GET', `/api/v1/top-ups/${order.id}`, { token: other.accessToken });
    assert.equal(reply.status, 404);
    assert.equal(reply.body.code, 'NOT_FOUND');
  });

  test('when not signed in, then top-ups answer 401; the notify route is public but refuses an unsigned body', async () => {
    assert.equal((await w.world.request('POST', '/api/v1/top-ups', { body: { amount: 1_000 } })).status, 401);
    const forged = await w.world.request('POST', '/api/v1/pay/notify', {
      body: { id: 'x', event_type: 'TRANSACTION.SUCCESS' },
      headers: { 'wechatpay-timestamp': String(Math.floor(Date.now() / 1000)) },
    });
    assert.equal(forged.status, 401);
    assert.equal(forged.body.code, 'FAIL');
  });

  describe('fault switches', () => {
    async function orderWith(faults: Record<string, unknown>, amount = 1_000) {
      const student = await boundStudent(w.world);
      const order = (await createTopUp(w.world, student, amount)).body;
      await setFaults(w.standIn, order.id, faults);
      await payLikeWechat(w.standIn, order);
      return { student, order };
    }
    const poll = () => centre.poll();

    test('when the notification comes twice, then the card is credited once and both are answered 204', async () => {
      const { student, order } = await orderWith({ duplicate: true });
      await waitFor(() => deliveriesOf(w.standIn, order.id).length === 2);
      await waitForStatus(w.world, student, order.id, 'credited');
      assert.deepEqual(
        deliveriesOf(w.standIn, order.id).map((d) => d.status),
        [204, 204],
      );
      assert.equal(await balanceOf(w.world, student.cardNo), 1_000);
    });

    test('when the notification is delayed and the poller gets there first, then the late notification changes nothing', async () => {
      const { student, order } = await orderWith({ delayMs: 400 });
      assert.equal(await storedStatus(w.world, order.id), 'created');
      assert.equal((await poll()).status, 200);
      assert.equal((await orderOf(w.world, student, order.id)).status, 'credited');
      await waitFor(() => deliveriesOf(w.standIn, order.id).length === 1);
      assert.equal(deliveriesOf(w.standIn, order.id)[0]?.status, 204);
      assert.equal(await balanceOf(w.world, student.cardNo), 1_000);
    });

    for (const [fault, name] of [
      [{ badSignature: true }, 'a bad signature'],
      [{ staleTimestamp: true }, 'a timestamp outside 5 minutes'],
      [{ tamperedCiphertext: true }, 'a tampered ciphertext'],
    ] as const) {
      test(`when the notification has ${name}, then it is refused (WeChat retries), nothing is credited, and the poller settles it from the query`, async () => {
        const { student, order } = await orderWith(fault);
        await waitFor(() => deliveriesOf(w.standIn, order.id).length >= 2);
        assert.ok(deliveriesOf(w.standIn, order.id).every((d) => d.status === 401));
        assert.equal(await storedStatus(w.world, order.id), 'created');
        assert.equal(await balanceOf(w.world, student.cardNo), 0);
        await poll();
        assert.equal((await orderOf(w.world, student, order.id)).status, 'credited');
        assert.equal(await balanceOf(w.world, student.cardNo), 1_000);
      });
    }

    test('when notifications of two orders arrive out of order, then each order is credited once', async () => {
      const student: Student = await boundStudent(w.world);
      const first = (await createTopUp(w.world, student, 1_100)).body;
      const second = (await createTopUp(w.world, student, 2_200)).body;
      await setFaults(w.standIn, first.id, { delayMs: 200, duplicate: true });
      await payLikeWechat(w.standIn, first);
      await payLikeWechat(w.standIn, second);
      await waitForStatus(w.world, student, second.id, 'credited');
      assert.equal(await storedStatus(w.world, first.id), 'created');
      await waitForStatus(w.world, student, first.id, 'credited');
      await waitFor(() => deliveriesOf(w.standIn, first.id).length === 2);
      assert.equal(await balanceOf(w.world, student.cardNo), 3_300);
    });

    test('when WeChat says an order was paid a different amount, then nothing is credited and WeChat is told to stop (the card centre is alerted)', async () => {
      // Goal: a notification that verifies but does not match its order moves no money. The order
      // is planted at the stand-in under our order id with another amount, as a bug or attack would.
      // No retry can make it apply, so it is answered 200 (topups-notify.test.ts has the alert).
      const student = await boundStudent(w.world);
      const ours = await w.world.core.client.createTopUpOrder({
        openid: student.openid,
        cardNo: student.cardNo,
        idempotencyKey: newKey(),
        amount: 1_000,
        dailyCap: 30_000,
        ttlMs: 60_000,
      });
      const planted = await w.pay.transactions_jsapi({
        description: 'planted',
        out_trade_no: ours.id,
        notify_url: w.notifyUrl,
        amount: { total: 9_999, currency: 'CNY' },
        payer: { openid: student.openid },
      });
      assert.equal(planted.status, 200);
      await w.standIn.pay(planted.data);
      await waitFor(() => deliveriesOf(w.standIn, ours.id).length >= 1);
      assert.equal(deliveriesOf(w.standIn, ours.id)[0]?.status, 200);
      await poll();
      assert.equal(await storedStatus(w.world, ours.id), 'created');
      assert.equal(await balanceOf(w.world, student.cardNo), 0);
    });
  });

  describe('a fee paid straight by WeChat Pay (#16)', () => {
    /** One bill of `amount` fen for the student, as the finance office bills it. */
    async function billFor(student: Student, amount: number): Promise<string> {
      const card = await w.world.core.client.getCard(student.cardNo);
      await w.world.core.client.createFeeItem({
        code: `WX${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`,
        name: '住宿费',
        category: 'accommodation',
        amount,
        dueDay: '2027-09-01',
        audience: { persons: [{ personNo: card.personNo }] },
      });
      const bills = await w.world.core.client.cardFeeBills(student.cardNo);
      return bills.items[0]?.id ?? assert.fail('no bill');
    }
    const payFee = (student: Student, billId: string, amount: number, key = newKey()) =>
      w.world.request<TopUpView & { code?: string }>('POST', `/api/v1/fees/${billId}/channel-payments`, {
        token: student.accessToken,
        body: { channel: 'wechat', amount },
        headers: { 'idempotency-key': key },
      });

    test('when a student pays a fee above the top-up bounds by WeChat Pay, then the fee item is paid once, the card is not loaded, and the bill reconciles', async () => {
      // Goal: 1200 元 (above TOP_UP_MAX and the daily cap) goes to the fee, not the card; a repeated
      // notification or poll pays nothing twice; the receipt names WeChat Pay; the day's bill matches.
      const student = await boundStudent(w.world);
      const billId = await billFor(student, 120_000);
      const other = await boundStudent(w.world);
      assert.equal((await payFee(other, billId, 120_000)).status, 404, "another student's bill is not found");
      assert.equal((await payFee(student, billId, 50_000)).body.code, 'FEE_PARTIAL_NOT_ALLOWED');
      const reply = await payFee(student, billId, 120_000);
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
      assert.equal(reply.body.feeBillId, billId);
      await payLikeWechat(w.standIn, reply.body);
      await waitForStatus(w.world, student, reply.body.id, 'credited');
      await centre.poll();
      const bill = await w.world.core.client.feeBill(billId);
      assert.equal(bill.amountPaid, 120_000);
      assert.deepEqual(
        bill.payments.map((p) => [p.id, p.channel, p.status, p.amount]),
        [[reply.body.id, 'wechat', 'paid', 120_000]],
      );
      assert.equal(await balanceOf(w.world, student.cardNo), 0, 'the card was never loaded');
      const receipt = await w.world.request<{ channel: string; amount: number }>(
        'GET',
        `/api/v1/fee-payments/${reply.body.id}/receipt`,
        { token: student.accessToken },
      );
      assert.deepEqual([receipt.body.channel, receipt.body.amount], ['wechat', 120_000]);
      // Its money came from WeChat, not a wallet: the fee refund (to the wallet) refuses it.
      await assert.rejects(
        w.world.core.client.refundFee(reply.body.id, { id: newKey(), amount: 100, reason: '测试' }),
        (error: { code?: string }) => error.code === 'INVALID_TRANSITION',
      );
      // A fee order takes nothing of the day's top-up cap (30000 fen here).
      assert.equal((await createTopUp(w.world, student, 20_000)).status, 201);
      const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
      const found = await centre.reconcile(today);
      assert.equal(found.status, 200, JSON.stringify(found.body));
      const mismatches = (await centre.mismatches(today)).body as unknown as {
        items: { outTradeNo: string }[];
      };
      assert.ok(!mismatches.items.some((m) => m.outTradeNo === reply.body.id), 'the fee order reconciles');
    });

    test('when the bill is paid from the wallet before the WeChat payment arrives, then the WeChat money is refunded, never collected twice', async () => {
      // Goal: a definite "already paid" is never turned into a second collection: the order fails and
      // its whole amount goes back to WeChat under one refund number.
      const student = await boundStudent(w.world);
      const billId = await billFor(student, 3_000);
      const reply = await payFee(student, billId, 3_000);
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
      await w.world.core.client.topUp({
        id: newKey(),
        cardNo: student.cardNo,
        amount: 3_000,
        channel: 'cash',
      });
      const byWallet = await w.world.request<{ status: string }>('POST', `/api/v1/fees/${billId}/payments`, {
        token: student.accessToken,
        body: { id: newKey(), amount: 3_000 },
      });
      assert.equal(byWallet.body.status, 'paid', JSON.stringify(byWallet.body));
      await payLikeWechat(w.standIn, reply.body);
      for (let tries = 0; (await storedStatus(w.world, reply.body.id)) !== 'refunded'; tries++) {
        assert.ok(tries < 250, 'the fee order is refunded in time');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const bill = await w.world.core.client.feeBill(billId);
      assert.equal(bill.amountPaid, 3_000, 'paid once');
      assert.deepEqual(bill.payments.map((p) => [p.channel, p.status]).sort(), [
        ['card', 'paid'],
        ['wechat', 'refused'],
      ]);
      const refunds = await w.world.core.client.topUpRefunds(reply.body.id);
      assert.deepEqual(
        refunds.items.map((r) => [r.id, r.amount, r.status]),
        [[`fee-${reply.body.id}`, 3_000, 'succeeded']],
      );
      assert.equal(
        await balanceOf(w.world, student.cardNo),
        0,
        'the wallet paid the fee and got nothing back',
      );
      assert.deepEqual((await checkLedger(w.world.core.core.db)).breaks, []);
    });
  });
});
