import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { dialects, openStudent, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { CoreError } from '../src/client/index.ts';
import { checkLedger } from '../src/ledger/ledger-check.ts';
import { shanghaiToday } from '../src/time.ts';

const key = () => `k-${randomBytes(8).toString('hex')}`;
/** Alipay's trade_no: 28 digits (date, then a serial). */
const tradeNo = () => `2026${Array.from(randomBytes(24), (b) => b % 10).join('')}`;
const wechatTx = () => `42000${Array.from(randomBytes(23), (b) => b % 10).join('')}`;

/**
 * Alipay top-ups on the same order model as WeChat's (docs/alipay.md): an order carries its channel,
 * is credited once under ali:<trade_no> from the Alipay clearing account, refunds go back to that
 * account, reconciliation compares one channel's bill with that channel's orders, and ledger:check
 * names a top-up booked against the other channel's clearing account.
 */
for (const dialect of dialects) {
  describe(`Alipay top-up orders on ${dialect}`, () => {
    let t: TestCore;
    before(async () => {
      t = await startTestCore(dialect);
    });
    after(() => t.stop());

    const order = (cardNo: string, amount: number, channel: 'wechat' | 'alipay', idempotencyKey = key()) =>
      t.client.createTopUpOrder({
        openid: 'ali-student-1',
        cardNo,
        idempotencyKey,
        amount,
        channel,
        dailyCap: 100_000,
        ttlMs: 15 * 60_000,
      });
    const clearing = async (id: string) => {
      const [row] = await t.core.db.select<{ balance: unknown }>(
        'SELECT credits_posted - debits_posted AS balance FROM accounts WHERE id = ?',
        [id],
      );
      return Number(row?.balance);
    };

    test('when an Alipay order is confirmed 50 times at once, then the card is credited once under ali:<trade_no> from the Alipay clearing account', async () => {
      const cardNo = await openStudent(t.client);
      const created = await order(cardNo, 2_345, 'alipay');
      assert.equal(created.channel, 'alipay');
      const alipayBefore = await clearing('SYS-CLEARING-ALIPAY');
      const wechatBefore = await clearing('SYS-CLEARING-WECHAT');
      const trade = tradeNo();
      const answers = await Promise.all(
        Array.from({ length: 50 }, () =>
          t.client.confirmTopUpPayment(created.id, {
            transactionId: trade,
            amount: 2_345,
            paidAtMs: Date.now(),
          }),
        ),
      );
      for (const a of answers) assert.equal(a.status, 'credited');
      assert.equal(answers[0]?.operationId, `ali:${trade}`);
      assert.equal((await t.client.getCard(cardNo)).balance.main, 2_345);
      assert.equal(await clearing('SYS-CLEARING-ALIPAY'), alipayBefore - 2_345);
      assert.equal(await clearing('SYS-CLEARING-WECHAT'), wechatBefore, 'WeChat clearing untouched');
      assert.deepEqual((await checkLedger(t.core.db)).breaks, []);
    });

    test('when an Alipay top-up is refunded, then the money goes from the wallet back to the Alipay clearing account, and a failed refund brings it back', async () => {
      const cardNo = await openStudent(t.client);
      const created = await order(cardNo, 3_000, 'alipay');
      await t.client.confirmTopUpPayment(created.id, {
        transactionId: tradeNo(),
        amount: 3_000,
        paidAtMs: Date.now(),
      });
      const alipayBefore = await clearing('SYS-CLEARING-ALIPAY');
      const wechatBefore = await clearing('SYS-CLEARING-WECHAT');
      const refundId = `adm-${randomBytes(6).toString('hex')}`;
      const refund = await t.client.startTopUpRefund(created.id, { refundId, amount: 1_000, reason: '退款' });
      assert.equal(refund.status, 'processing');
      assert.equal((await t.client.getCard(cardNo)).balance.main, 2_000);
      assert.equal(await clearing('SYS-CLEARING-ALIPAY'), alipayBefore + 1_000);
      assert.equal(await clearing('SYS-CLEARING-WECHAT'), wechatBefore);
      await t.client.settleTopUpRefund(refundId, { status: 'failed', wechatRefundId: null });
      assert.equal((await t.client.getCard(cardNo)).balance.main, 3_000);
      assert.equal(await clearing('SYS-CLEARING-ALIPAY'), alipayBefore);
      const whole = `adm-${randomBytes(6).toString('hex')}`;
      await t.client.startTopUpRefund(created.id, { refundId: whole, amount: 3_000, reason: '退款' });
      await t.client.settleTopUpRefund(whole, { status: 'succeeded', wechatRefundId: null });
      assert.equal((await t.client.topUpOrder(created.id)).status, 'refunded');
      assert.deepEqual((await checkLedger(t.core.db)).breaks, []);
    });

    test('when one Alipay trade number is reported for a second order, then that order is refused TOP_UP_MISMATCH and nothing more is credited', async () => {
      const cardNo = await openStudent(t.client);
      const first = await order(cardNo, 1_000, 'alipay');
      const second = await order(cardNo, 1_000, 'alipay');
      const trade = tradeNo();
      await t.client.confirmTopUpPayment(first.id, {
        transactionId: trade,
        amount: 1_000,
        paidAtMs: Date.now(),
      });
      await assert.rejects(
        t.client.confirmTopUpPayment(second.id, {
          transactionId: trade,
          amount: 1_000,
          paidAtMs: Date.now(),
        }),
        (e: unknown) => e instanceof CoreError && e.code === 'TOP_UP_MISMATCH',
      );
      assert.equal((await t.client.topUpOrder(second.id)).status, 'created');
      assert.equal((await t.client.getCard(cardNo)).balance.main, 1_000);
    });

    test('when an Idempotency-Key made a WeChat order and is sent again for Alipay, then it is ID_REUSED', async () => {
      const cardNo = await openStudent(t.client);
      const k = key();
      await order(cardNo, 1_000, 'wechat', k);
      await assert.rejects(
        order(cardNo, 1_000, 'alipay', k),
        (e: unknown) => e instanceof CoreError && e.code === 'ID_REUSED',
      );
      assert.equal((await order(cardNo, 1_000, 'wechat', k)).channel, 'wechat');
    });

    test("when a day's Alipay bill is reconciled, then WeChat orders paid that day are not missing from it, and a row naming a WeChat order is not ours", async () => {
      const cardNo = await openStudent(t.client);
      const ali = await order(cardNo, 1_100, 'alipay');
      const wx = await order(cardNo, 1_200, 'wechat');
      const aliTrade = tradeNo();
      await t.client.confirmTopUpPayment(ali.id, {
        transactionId: aliTrade,
        amount: 1_100,
        paidAtMs: Date.now(),
      });
      const wxTx = wechatTx();
      await t.client.confirmTopUpPayment(wx.id, { transactionId: wxTx, amount: 1_200, paidAtMs: Date.now() });
      const day = shanghaiToday(Date.now());
      const { mismatches } = await t.client.reconcileTopUps(
        day,
        [
          { outTradeNo: ali.id, transactionId: aliTrade, state: 'SUCCESS', amount: 1_100 },
          { outTradeNo: wx.id, transactionId: wxTx, state: 'SUCCESS', amount: 1_200 },
        ],
        'alipay',
      );
      const mine = mismatches.filter((m) => m.outTradeNo === ali.id || m.outTradeNo === wx.id);
      assert.deepEqual(
        mine.map((m) => [m.outTradeNo, m.kind]),
        [[wx.id, 'missing_ours']],
      );
    });

    test('when an Alipay top-up is booked against the WeChat clearing account, then ledger:check names the order', async () => {
      const cardNo = await openStudent(t.client);
      const created = await order(cardNo, 700, 'alipay');
      const trade = tradeNo();
      await t.client.confirmTopUpPayment(created.id, {
        transactionId: trade,
        amount: 700,
        paidAtMs: Date.now(),
      });
      const sql = (text: string, params: (string | number)[]) => t.core.db.execute(text, params);
      const move = async (from: string, to: string) => {
        await sql('UPDATE transfers SET debit_account_id = ? WHERE operation_id = ?', [to, `ali:${trade}`]);
        await sql('UPDATE accounts SET debits_posted = debits_posted - ? WHERE id = ?', [700, from]);
        await sql('UPDATE accounts SET debits_posted = debits_posted + ? WHERE id = ?', [700, to]);
      };
      await move('SYS-CLEARING-ALIPAY', 'SYS-CLEARING-WECHAT');
      try {
        const { breaks } = await checkLedger(t.core.db);
        assert.ok(
          breaks.some((line) => line.includes(created.id) && line.includes('SYS-CLEARING-WECHAT')),
          JSON.stringify(breaks),
        );
      } finally {
        await move('SYS-CLEARING-WECHAT', 'SYS-CLEARING-ALIPAY');
      }
      assert.deepEqual((await checkLedger(t.core.db)).breaks, []);
    });
  });
}
