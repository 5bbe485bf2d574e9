// Federation in the sales reports and the merchants' daily settlement (docs/federation.md): at the centre
// whose devices sold (B), another centre's cards' sales (foreign_sale) are sales of B's merchant and also a
// line of their own; at the card's centre (A), the merchant that stands for B (what A's cards spent at B's
// devices) is not one of A's merchants: it is left out of A's reports and of A's merchant settlement.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, openStudent, opId } from '@campus-card/tests/kit';
import { type FederatedCentre, type Federation, startFederation } from '@campus-card/tests/kit/federation';
import { checkLedger } from '../src/ledger/ledger-check.ts';
import { formatDay, shanghaiDay } from '../src/time.ts';

type Sales = {
  merchantId: string;
  paymentCount: number;
  paymentAmount: number;
  foreignSaleCount: number;
  foreignSaleAmount: number;
  netAmount: number;
};

for (const dialect of dialects) {
  describe(`federated sales in reports and settlement on ${dialect}`, () => {
    let federation: Federation;
    let a: FederatedCentre;
    let b: FederatedCentre;
    let merchantA: string;
    let merchantB: string;
    let standsForB: string;
    const today = formatDay(shanghaiDay(Date.now()));
    const range = { from: today, to: today };

    before(async () => {
      federation = await startFederation([
        { id: 'CA', name: '甲大学', dialect },
        { id: 'CB', name: '乙大学', dialect },
      ]);
      a = federation.get('CA');
      b = federation.get('CB');
      standsForB = (await a.client.centres()).items.find((c) => c.id === 'CB')?.merchantId ?? '';
      merchantA = (await a.client.createMerchant({ name: '甲大学一食堂', category: 'canteen' })).id;
      merchantB = (await b.client.createMerchant({ name: '乙大学一食堂', category: 'canteen' })).id;
      const cardA = await openStudent(a.client);
      await a.client.topUp({ id: opId(), cardNo: cardA, amount: 5_000, channel: 'cash' });
      // A's card: 300 at A's own canteen, 700 and 450 at B's canteen.
      assert.equal(
        (await a.client.pay({ id: opId(), cardNo: cardA, merchantId: merchantA, amount: 300 })).status,
        'ok',
      );
      for (const amount of [700, 450])
        assert.equal(
          (
            await b.client.payForeign({
              id: opId(),
              centreId: 'CA',
              cardNo: cardA,
              merchantId: merchantB,
              amount,
            })
          ).status,
          'ok',
        );
      // B's own card at B's canteen: 200.
      const cardB = await openStudent(b.client);
      await b.client.topUp({ id: opId(), cardNo: cardB, amount: 1_000, channel: 'cash' });
      assert.equal(
        (await b.client.pay({ id: opId(), cardNo: cardB, merchantId: merchantB, amount: 200 })).status,
        'ok',
      );
    });

    after(async () => {
      await federation?.stop();
    });

    test("when B reports its sales, then A's cards at B's canteen are sales of the canteen and a line of their own, and its statement agrees", async () => {
      const merchants = await b.client.report<Sales>('turnover/merchants', range);
      const row = merchants.items.find((m) => m.merchantId === merchantB);
      assert.deepEqual(
        [row?.paymentCount, row?.paymentAmount, row?.foreignSaleCount, row?.foreignSaleAmount],
        [3, 1_350, 2, 1_150],
      );
      const statement = await b.client.statement(merchantB, today);
      assert.deepEqual([statement.paymentCount, statement.paymentAmount], [3, 1_350]);
      assert.ok(statement.reconciled);
      const daily = await b.client.report<Sales>('turnover/daily', range);
      assert.deepEqual(
        daily.items.map((d) => [d.paymentAmount, d.foreignSaleCount, d.foreignSaleAmount]),
        [[1_350, 2, 1_150]],
      );
      const sheet = await b.client.reportCsv('turnover/daily', range);
      assert.match(sheet.split('\r\n')[0] ?? '', /其中联盟卡笔数,其中联盟卡金额\(元\)/);
      assert.match(sheet.split('\r\n')[1] ?? '', /,3,13\.50,2,11\.50,/);
    });

    test("when A reports and settles its merchants, then the merchant that stands for B is in neither; A's own canteen is", async () => {
      const merchants = await a.client.report<Sales>('turnover/merchants', range);
      assert.deepEqual(
        merchants.items.map((m) => [m.merchantId, m.paymentAmount, m.foreignSaleAmount]),
        [[merchantA, 300, 0]],
      );
      const daily = await a.client.report<Sales>('turnover/daily', range);
      assert.deepEqual(
        daily.items.map((d) => [d.paymentCount, d.paymentAmount]),
        [[1, 300]],
      );
      const statements = await a.client.dayStatements(today);
      assert.equal(
        statements.some((s) => s.merchantId === standsForB),
        false,
      );
      assert.deepEqual(
        statements.filter((s) => s.merchantId === merchantA).map((s) => s.paymentAmount),
        [300],
      );
      // What A owes B for the day is still in A's books, for the inter-centre settlement.
      assert.equal((await a.client.statement(standsForB, today)).paymentAmount, 1_150);
      assert.deepEqual((await checkLedger(a.core.db)).breaks, []);
      assert.deepEqual((await checkLedger(b.core.db)).breaks, []);
    });
  });
}
