import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, openStudent, opId, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { shanghaiMonth } from '../src/notices/monthly-statements.ts';

// Issue 19: a shower's or laundry run's pre-authorisation was a bill line of −¥6.00 beside the real
// charge, so the bill overstated spending. A hold is a reservation: while pending its line says so
// (amount 0, what is held aside), and once settled only the settlement is a line.
for (const dialect of dialects) {
  describe(`holds in a card's bill (${dialect})`, () => {
    let t: TestCore;
    let baths: string;
    let deviceId: string;
    before(async () => {
      t = await startTestCore(dialect, { HOLD_SWEEP_INTERVAL_MS: '3600000' });
      baths = (await t.client.createMerchant({ name: '北区浴室', category: 'shower' })).id;
      deviceId = String(6100 + (process.pid % 1000));
      await t.client.registerDevice({ id: deviceId, kind: 'shower', merchantId: baths });
    });
    after(() => t.stop());

    test('#19.1 when a shower holds ¥6.00 and settles at ¥1.50, then the bill shows the hold as 0 while pending and afterwards only the ¥1.50 charge, with what was released', async () => {
      const cardNo = await openStudent(t.client);
      const topUp = opId('top');
      await t.client.topUp({ id: topUp, cardNo, amount: 5_000, channel: 'wechat' });
      const holdId = opId('hold');
      assert.equal(
        (
          await t.client.hold({
            id: holdId,
            cardNo,
            merchantId: baths,
            deviceId,
            amount: 600,
            timeoutMs: 60_000,
          })
        ).status,
        'ok',
      );

      const pending = await t.client.cardTransactions(cardNo);
      const holdLine = pending.items.find((i) => i.id === holdId);
      assert.ok(holdLine, 'a pending hold is a line');
      assert.equal(holdLine.amount, 0, 'held aside, not spent');
      assert.deepEqual(holdLine.hold, {
        status: 'pending',
        heldAmount: 600,
        chargedAmount: null,
        releasedAmount: null,
      });
      assert.equal(holdLine.deviceKind, 'shower');
      assert.equal(
        pending.items.reduce((sum, i) => sum + Math.min(i.amount, 0), 0),
        0,
        'nothing is spent while the shower runs',
      );
      // The top-up says how the money came in.
      assert.equal(pending.items.find((i) => i.id === topUp)?.channel, 'wechat');
      const pendingOnly = await t.client.cardTransactions(cardNo, { kinds: ['hold'] });
      assert.deepEqual(
        pendingOnly.items.map((i) => i.id),
        [holdId],
      );

      const postId = opId('post');
      assert.equal((await t.client.postHold(holdId, { id: postId, amount: 150 })).status, 'ok');
      const settled = await t.client.cardTransactions(cardNo);
      assert.deepEqual(
        settled.items.map((i) => [i.id, i.kind, i.amount]),
        [
          [postId, 'post', -150],
          [topUp, 'top_up', 5_000],
        ],
        'the settled hold is no line of its own; only its charge is',
      );
      const charge = await t.client.cardTransaction(cardNo, postId);
      assert.deepEqual(charge.hold, {
        status: 'posted',
        heldAmount: 600,
        chargedAmount: 150,
        releasedAmount: 450,
      });
      assert.equal(charge.deviceKind, 'shower');
      assert.equal(charge.channel, null);
      assert.deepEqual((await t.client.cardTransactions(cardNo, { kinds: ['hold'] })).items, []);

      // The month's spending is the charge alone, never the hold.
      const statement = await t.client.monthlyStatement(cardNo, shanghaiMonth(Date.now()));
      assert.equal(statement.spent, 150);
      assert.deepEqual(
        statement.byDay.map((d) => d.amount),
        [150],
      );
    });

    test('#19.1 when a hold is voided, then neither the hold nor the void is a bill line and nothing is spent', async () => {
      const cardNo = await openStudent(t.client);
      await t.client.topUp({ id: opId('top'), cardNo, amount: 2_000, channel: 'cash' });
      const holdId = opId('hold');
      await t.client.hold({
        id: holdId,
        cardNo,
        merchantId: baths,
        deviceId,
        amount: 600,
        timeoutMs: 60_000,
      });
      const pendingSpent = (await t.client.monthlyStatement(cardNo, shanghaiMonth(Date.now()))).spent;
      assert.equal(pendingSpent, 0, 'a pending hold is not spending');
      await t.client.voidHold(holdId, { id: opId('void') });
      const bill = await t.client.cardTransactions(cardNo);
      assert.deepEqual(
        bill.items.map((i) => [i.kind, i.amount, i.channel]),
        [['top_up', 2_000, 'cash']],
      );
      assert.equal((await t.client.monthlyStatement(cardNo, shanghaiMonth(Date.now()))).spent, 0);
    });
  });
}
