import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, openStudent, opId, startTestCore, type TestCore } from '@campus-card/tests/kit';

for (const dialect of dialects) {
  describe(`smoke on ${dialect}`, () => {
    let t: TestCore;
    before(async () => {
      t = await startTestCore(dialect);
    });
    after(() => t.stop());

    test('when a student tops up and pays, then balances move', async () => {
      const m = await t.client.createMerchant({ name: '一食堂 1 号窗口', category: 'canteen' });
      const cardNo = await openStudent(t.client);
      const topUp = await t.client.topUp({ id: opId(), cardNo, amount: 10_000, channel: 'wechat' });
      assert.equal(topUp.status, 'ok');
      const pay = await t.client.pay({ id: opId(), cardNo, merchantId: m.id, amount: 1_250 });
      assert.equal(pay.status, 'ok', JSON.stringify(pay));
      const card = await t.client.getCard(cardNo);
      assert.equal(card.balance.main, 8_750);
    });
  });
}
