import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { dialects, openStudent, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { CoreError } from '../src/client/index.ts';
import { formatDay, shanghaiDay } from '../src/time.ts';

const key = () => `k-${randomBytes(8).toString('hex')}`;
const txId = () => `42000${Array.from(randomBytes(23), (b) => b % 10).join('')}`;

for (const dialect of dialects) {
  describe(`top-up orders on ${dialect}`, () => {
    let t: TestCore;
    before(async () => {
      t = await startTestCore(dialect);
    });
    after(() => t.stop());

    const order = (
      cardNo: string,
      amount: number,
      extra: { dailyCap?: number; idempotencyKey?: string } = {},
    ) =>
      t.client.createTopUpOrder({
        openid: 'o-student-1',
        cardNo,
        idempotencyKey: extra.idempotencyKey ?? key(),
        amount,
        dailyCap: extra.dailyCap ?? 100_000,
        ttlMs: 15 * 60_000,
      });

    test('when payment is confirmed many times at once, then the card is credited once and the order is credited', async () => {
      // Goal: duplicates and races between notifications and the poller move money once.
      const cardNo = await openStudent(t.client);
      const created = await order(cardNo, 2_500);
      assert.equal(created.status, 'created');
      const transactionId = txId();
      const confirmations = await Promise.all(
        Array.from({ length: 5 }, () =>
          t.client.confirmTopUpPayment(created.id, { transactionId, amount: 2_500, paidAtMs: Date.now() }),
        ),
      );
      for (const c of confirmations) assert.equal(c.status, 'credited');
      assert.equal(confirmations[0]?.operationId, `wx:${transactionId}`);
      assert.equal((await t.client.getCard(cardNo)).balance.main, 2_500);
    });

    test('when the card was cancelled before the payment arrives, then the order is failed with the code and can be refunded whole', async () => {
      const cardNo = await openStudent(t.client);
      const created = await order(cardNo, 1_800);
      const closed = await t.client.closeOut(cardNo, {
        id: `close-${randomBytes(4).toString('hex')}`,
        reason: 'left school',
        actor: { type: 'admin', id: 'a-1' },
      });
      assert.equal(closed.status, 'ok');
      const paid = await t.client.confirmTopUpPayment(created.id, {
        transactionId: txId(),
        amount: 1_800,
        paidAtMs: Date.now(),
      });
      assert.equal(paid.status, 'failed');
      assert.equal(paid.failureCode, 'CARD_CANCELLED');
      const refundId = `R${randomBytes(6).toString('hex')}`;
      await t.client.startTopUpRefund(created.id, { refundId, amount: 1_800, reason: 'card cancelled' });
      await t.client.settleTopUpRefund(refundId, { status: 'succeeded', wechatRefundId: '50001' });
      assert.equal((await t.client.topUpOrder(created.id)).status, 'refunded');
    });

    test('when the paid amount or the transaction differs, then it is refused and nothing moves', async () => {
      const cardNo = await openStudent(t.client);
      const created = await order(cardNo, 1_000);
      await assert.rejects(
        t.client.confirmTopUpPayment(created.id, {
          transactionId: txId(),
          amount: 999,
          paidAtMs: Date.now(),
        }),
        (e: unknown) => e instanceof CoreError && e.code === 'TOP_UP_MISMATCH',
      );
      await t.client.confirmTopUpPayment(created.id, {
        transactionId: txId(),
        amount: 1_000,
        paidAtMs: Date.now(),
      });
      await assert.rejects(
        t.client.confirmTopUpPayment(created.id, {
          transactionId: txId(),
          amount: 1_000,
          paidAtMs: Date.now(),
        }),
        (e: unknown) => e instanceof CoreError && e.code === 'TOP_UP_MISMATCH',
      );
      assert.equal((await t.client.getCard(cardNo)).balance.main, 1_000);
    });

    test('when the same key is sent again, then the same order answers; another amount under it is ID_REUSED', async () => {
      const cardNo = await openStudent(t.client);
      const k = key();
      const first = await order(cardNo, 3_000, { idempotencyKey: k });
      const again = await order(cardNo, 3_000, { idempotencyKey: k });
      assert.equal(again.id, first.id);
      await assert.rejects(
        order(cardNo, 3_001, { idempotencyKey: k }),
        (e: unknown) => e instanceof CoreError && e.code === 'ID_REUSED',
      );
    });

    test('when the daily cap would be passed, then TOP_UP_DAILY_CAP; closing an unpaid order gives its share back', async () => {
      const cardNo = await openStudent(t.client);
      const results = await Promise.allSettled(
        Array.from({ length: 4 }, () => order(cardNo, 4_000, { dailyCap: 10_000 })),
      );
      const made = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
      assert.equal(made.length, 2, 'two of four 40-yuan orders fit a 100-yuan cap');
      for (const r of results)
        if (r.status === 'rejected') assert.equal((r.reason as CoreError).code, 'TOP_UP_DAILY_CAP');
      const closed = await t.client.closeTopUpOrder(made[0]?.id ?? '');
      assert.equal(closed.status, 'closed');
      assert.equal((await t.client.closeTopUpOrder(closed.id)).status, 'closed');
      assert.equal((await order(cardNo, 4_000, { dailyCap: 10_000 })).status, 'created');
    });

    test('when a credited top-up is refunded, then the wallet gives it back once and more than is left is refused', async () => {
      const cardNo = await openStudent(t.client);
      const created = await order(cardNo, 5_000);
      await t.client.confirmTopUpPayment(created.id, {
        transactionId: txId(),
        amount: 5_000,
        paidAtMs: Date.now(),
      });
      const refundId = `R${randomBytes(6).toString('hex')}`;
      const refund = await t.client.startTopUpRefund(created.id, { refundId, amount: 2_000, reason: 'test' });
      assert.equal(refund.status, 'processing');
      await t.client.startTopUpRefund(created.id, { refundId, amount: 2_000, reason: 'test' });
      assert.equal((await t.client.getCard(cardNo)).balance.main, 3_000);
      await assert.rejects(
        t.client.startTopUpRefund(created.id, { refundId: `${refundId}x`, amount: 3_001, reason: 'test' }),
        (e: unknown) => e instanceof CoreError && e.code === 'REFUND_EXCEEDS_PAYMENT',
      );
      const settled = await t.client.settleTopUpRefund(refundId, {
        status: 'succeeded',
        wechatRefundId: '5000',
      });
      assert.equal(settled.status, 'succeeded');
      assert.equal((await t.client.topUpOrder(created.id)).status, 'credited');
    });

    test('when the bill says paid but we never saw it, or another amount, then state_differs and amount_differs', async () => {
      const cardNo = await openStudent(t.client);
      const unseen = await order(cardNo, 1_300);
      const odd = await order(cardNo, 1_400);
      const oddTx = txId();
      await t.client.confirmTopUpPayment(odd.id, {
        transactionId: oddTx,
        amount: 1_400,
        paidAtMs: Date.now(),
      });
      const billDate = formatDay(shanghaiDay(Date.now()));
      const { mismatches } = await t.client.reconcileTopUps(billDate, [
        { outTradeNo: unseen.id, transactionId: txId(), state: 'SUCCESS', amount: 1_300 },
        { outTradeNo: odd.id, transactionId: oddTx, state: 'SUCCESS', amount: 1_500 },
        { outTradeNo: odd.id, transactionId: oddTx, state: 'REFUND', amount: 100 },
      ]);
      const mine = mismatches.filter((m) => m.outTradeNo === unseen.id || m.outTradeNo === odd.id);
      assert.deepEqual(
        mine.map((m) => [m.outTradeNo, m.kind]).sort(),
        [
          [odd.id, 'amount_differs'],
          [unseen.id, 'state_differs'],
        ].sort(),
      );
    });

    test('when WeChat cannot refund, then the money goes back to the wallet once and the order may be refunded again', async () => {
      const cardNo = await openStudent(t.client);
      const created = await order(cardNo, 4_000);
      await t.client.confirmTopUpPayment(created.id, {
        transactionId: txId(),
        amount: 4_000,
        paidAtMs: Date.now(),
      });
      const refundId = `R${randomBytes(6).toString('hex')}`;
      await t.client.startTopUpRefund(created.id, { refundId, amount: 4_000, reason: 'test' });
      assert.equal((await t.client.getCard(cardNo)).balance.main, 0);
      const failed = await t.client.settleTopUpRefund(refundId, { status: 'failed', wechatRefundId: null });
      assert.equal(failed.status, 'failed');
      await t.client.settleTopUpRefund(refundId, { status: 'failed', wechatRefundId: null });
      assert.equal((await t.client.getCard(cardNo)).balance.main, 4_000);
      const back = await t.client.topUpOrder(created.id);
      assert.equal(back.refundedAmount, 0);
      assert.equal(back.status, 'credited');
    });

    test('when the bill and our orders differ, then each difference is stored once and listed', async () => {
      const cardNo = await openStudent(t.client);
      const ok = await order(cardNo, 1_100);
      const okTx = txId();
      await t.client.confirmTopUpPayment(ok.id, { transactionId: okTx, amount: 1_100, paidAtMs: Date.now() });
      const ourOnly = await order(cardNo, 1_200);
      await t.client.confirmTopUpPayment(ourOnly.id, {
        transactionId: txId(),
        amount: 1_200,
        paidAtMs: Date.now(),
      });
      const billDate = formatDay(shanghaiDay(Date.now()));
      const rows = [
        { outTradeNo: ok.id, transactionId: okTx, state: 'SUCCESS', amount: 1_100 },
        { outTradeNo: 'TUNOTOURS00000000000000000000', transactionId: txId(), state: 'SUCCESS', amount: 500 },
      ];
      // Orders of the other tests were paid today too: look only at this test's three.
      const mine = new Set([ok.id, ourOnly.id, 'TUNOTOURS00000000000000000000']);
      const first = await t.client.reconcileTopUps(billDate, rows);
      const found = first.mismatches.filter((m) => mine.has(m.outTradeNo));
      assert.deepEqual(found.map((m) => [m.outTradeNo, m.kind]).sort(), [
        [ourOnly.id, 'missing_theirs'],
        ['TUNOTOURS00000000000000000000', 'missing_ours'],
      ]);
      await t.client.reconcileTopUps(billDate, rows);
      const listed = await t.client.topUpMismatches({ billDate, limit: 1000 });
      assert.equal(listed.items.filter((m) => mine.has(m.outTradeNo)).length, 2);
    });
    test("when the bill's refunds and ours differ, then each difference is stored once by refund number, and a refund the platform made yesterday is compared with yesterday's bill", async () => {
      // Goal: refunds are reconciled like payments, on the platform's day of the refund.
      const cardNo = await openStudent(t.client);
      const paid = await order(cardNo, 5_000);
      const tx = txId();
      await t.client.confirmTopUpPayment(paid.id, { transactionId: tx, amount: 5_000, paidAtMs: Date.now() });
      const id = (name: string) => `${name}${randomBytes(5).toString('hex')}`;
      const [agreed, processing, oursOnly, lateNight] = [id('RA'), id('RP'), id('RO'), id('RL')];
      for (const [refundId, amount] of [
        [agreed, 500],
        [processing, 600],
        [oursOnly, 700],
        [lateNight, 800],
      ] as const)
        await t.client.startTopUpRefund(paid.id, { refundId, amount, reason: 'test' });
      await t.client.settleTopUpRefund(agreed, { status: 'succeeded', wechatRefundId: 'W1' });
      await t.client.settleTopUpRefund(oursOnly, { status: 'succeeded', wechatRefundId: 'W3' });
      const today = shanghaiDay(Date.now());
      // WeChat refunded this one at 23:59:59 yesterday (its success_time); we learnt of it today.
      const yesterdayEndMs = today * 86_400_000 - 8 * 3_600_000 - 1_000;
      await t.client.settleTopUpRefund(lateNight, {
        status: 'succeeded',
        wechatRefundId: 'W4',
        settledAtMs: yesterdayEndMs,
      });
      const refundRow = (outRefundNo: string, amount: number, refundId: string) => ({
        outTradeNo: paid.id,
        outRefundNo,
        refundId,
        state: 'SUCCESS',
        amount,
      });
      const planted = id('RX');
      const bill = [
        refundRow(agreed, 500, 'W1'),
        refundRow(processing, 600, 'W2'),
        refundRow(planted, 900, 'W9'),
      ];
      const billDate = formatDay(today);
      const mine = new Set([agreed, processing, oursOnly, lateNight, planted]);
      const pick = (
        items: {
          outRefundNo?: string | null | undefined;
          kind: string;
          ours: string | null;
          theirs: string | null;
        }[],
      ) =>
        items
          .filter((m) => mine.has(m.outRefundNo ?? ''))
          .map((m) => [m.outRefundNo, m.kind, m.ours, m.theirs])
          .sort();
      const first = await t.client.reconcileTopUps(billDate, [], 'wechat', bill);
      const expected = [
        [oursOnly, 'missing_theirs', 'succeeded 700 W3', null],
        [planted, 'missing_ours', null, 'SUCCESS 900 W9'],
        [processing, 'state_differs', 'processing 600', 'SUCCESS 600 W2'],
      ].sort();
      assert.deepEqual(pick(first.mismatches), expected);
      await t.client.reconcileTopUps(billDate, [], 'wechat', bill);
      const listed = await t.client.topUpMismatches({ billDate, limit: 1000 });
      assert.deepEqual(pick(listed.items), expected, 'stored once each');
      // Yesterday's bill lists the late-night refund: no difference; without it, missing_theirs.
      const yesterday = formatDay(today - 1);
      const withIt = await t.client.reconcileTopUps(yesterday, [], 'wechat', [
        refundRow(lateNight, 800, 'W4'),
      ]);
      assert.deepEqual(pick(withIt.mismatches), []);
      const without = await t.client.reconcileTopUps(yesterday, [], 'wechat', []);
      assert.deepEqual(pick(without.mismatches), [[lateNight, 'missing_theirs', 'succeeded 800 W4', null]]);
      // A bill of the other channel naming our WeChat refund: not ours there.
      const other = await t.client.reconcileTopUps(billDate, [], 'alipay', [refundRow(agreed, 500, 'A1')]);
      assert.deepEqual(pick(other.mismatches), [
        [agreed, 'missing_ours', `succeeded 500 W1 order ${paid.id}`, 'SUCCESS 500 A1'],
      ]);
    });
  });
}
