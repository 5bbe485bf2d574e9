import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, openStudent, opId, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { checkLedger } from '../src/ledger/ledger-check.ts';

const admin = { type: 'admin', id: 'A1' } as const;

async function receivableDebits(t: TestCore): Promise<number> {
  const rows = await t.core.db.select<{ debits_posted: number }>(
    "SELECT debits_posted FROM accounts WHERE id = 'SYS-OFFLINE-RECEIVABLE'",
  );
  return Number(rows[0]?.debits_posted ?? 0);
}

for (const dialect of dialects) {
  describe(`offline payments (${dialect})`, () => {
    let t: TestCore;
    let merchantId: string;
    before(async () => {
      t = await startTestCore(dialect);
      merchantId = (await t.client.createMerchant({ name: '二食堂', category: 'canteen' })).id;
    });
    after(async () => {
      await t.stop();
    });

    test('when the wallet holds less than an offline payment, then it pays what it holds and the rest is a receivable', async () => {
      // Goal: the goods were handed over offline; the wallet never goes negative, the debt is booked.
      const cardNo = await openStudent(t.client);
      await t.client.topUp({ id: opId(), cardNo, amount: 300, channel: 'cash' });
      const before = await receivableDebits(t);
      const request = {
        id: opId('dev'),
        cardNo,
        merchantId,
        amount: 800,
        offline: true,
        takenAtMs: 1,
      } as const;
      const answer = await t.client.pay(request);
      assert.equal(answer.status, 'ok');
      assert.equal(answer.status === 'ok' && answer.amount, 800);
      assert.equal(answer.status === 'ok' && answer.receivableAmount, 500);
      assert.equal(answer.status === 'ok' && answer.shortfall, 'INSUFFICIENT_FUNDS');
      assert.deepEqual(answer.status === 'ok' && answer.balance, { main: 0, subsidy: 0 });
      assert.equal((await receivableDebits(t)) - before, 500);
      const again = await t.client.pay(request);
      assert.equal(again.replayed, true);
      assert.equal(again.status === 'ok' && again.receivableAmount, 500);
      assert.equal((await receivableDebits(t)) - before, 500, 'the retry books nothing');
      assert.deepEqual((await checkLedger(t.core.db)).breaks, []);
    });

    test('when the wallet holds enough, then an offline payment is charged in full with no receivable', async () => {
      // Goal: the ordinary case costs nothing extra.
      const cardNo = await openStudent(t.client);
      await t.client.topUp({ id: opId(), cardNo, amount: 1_000, channel: 'cash' });
      const answer = await t.client.pay({ id: opId('dev'), cardNo, merchantId, amount: 800, offline: true });
      assert.equal(answer.status === 'ok' && answer.receivableAmount, 0);
      assert.equal(answer.status === 'ok' && answer.shortfall, undefined);
      assert.equal((await t.client.getCard(cardNo)).balance.main, 200);
    });

    test('when the card was lost before the offline payment was uploaded, then the card pays nothing and all is receivable', async () => {
      // Goal: the owner of a lost card does not pay for what a finder bought offline.
      const cardNo = await openStudent(t.client);
      await t.client.topUp({ id: opId(), cardNo, amount: 1_000, channel: 'cash' });
      await t.client.changeCard(cardNo, 'report_loss', admin);
      const answer = await t.client.pay({ id: opId('dev'), cardNo, merchantId, amount: 800, offline: true });
      assert.equal(answer.status === 'ok' && answer.receivableAmount, 800);
      assert.equal(answer.status === 'ok' && answer.shortfall, 'CARD_LOST');
      assert.equal((await t.client.getCard(cardNo)).balance.main, 1_000);
      assert.deepEqual((await checkLedger(t.core.db)).breaks, []);
    });

    test('when an offline payment names no such card or is above the maximum, then it is refused and moves nothing', async () => {
      // Goal: the few refusals an offline payment still has are stable codes.
      const unknown = await t.client.pay({
        id: opId('dev'),
        cardNo: '899999999999',
        merchantId,
        amount: 100,
        offline: true,
      });
      assert.equal(unknown.status === 'rejected' && unknown.code, 'CARD_NOT_FOUND');
      const cardNo = await openStudent(t.client);
      const big = await t.client.pay({
        id: opId('dev'),
        cardNo,
        merchantId,
        amount: 10_000_000,
        offline: true,
      });
      assert.equal(big.status === 'rejected' && big.code, 'AMOUNT_OUT_OF_RANGE');
    });
  });
}
