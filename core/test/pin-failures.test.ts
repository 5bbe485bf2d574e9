import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, openStudent, opId, startTestCore, type TestCore } from '@campus-card/tests/kit';
import type { Answer } from '../src/client/index.ts';

const student = { type: 'self', id: 'student' } as const;
const rightPin = '135790';

function outcome(answer: Answer): string {
  return answer.status === 'rejected' ? answer.code : 'ok';
}

for (const dialect of dialects) {
  describe(`card PIN checks are counted per card (${dialect})`, () => {
    let t: TestCore;
    let canteen: string;
    before(async () => {
      t = await startTestCore(dialect);
      canteen = (await t.client.createMerchant({ name: '一食堂', category: 'canteen' })).id;
    });
    after(() => t.stop());

    async function cardWithPin(): Promise<string> {
      const cardNo = await openStudent(t.client);
      await t.client.topUp({ id: opId(), cardNo, amount: 100_000, channel: 'cash' });
      await t.client.setPin(cardNo, rightPin, student);
      return cardNo;
    }
    const payWith = (cardNo: string, pin: string) =>
      t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 6_000, pin });

    test('#12.1 class: when 60 payments with wrong PINs race for one card (a till guessing the PIN), then the PIN locks: the right PIN right after is refused PIN_INVALID and nothing is charged; after the window it pays', async () => {
      const cardNo = await cardWithPin();
      const wrong = Array.from({ length: 60 }, (_, i) => String(100_000 + i));
      const answers = await Promise.all(wrong.map((pin) => payWith(cardNo, pin)));
      assert.deepEqual([...new Set(answers.map(outcome))], ['PIN_INVALID']);
      assert.equal(
        outcome(await payWith(cardNo, rightPin)),
        'PIN_INVALID',
        'locked: the right PIN is not even compared',
      );
      assert.equal((await t.client.getCard(cardNo)).balance.main, 100_000);
      // The window ends: the PIN is checked again.
      await t.core.db.execute('UPDATE cards SET pin_failures_until_ms = ? WHERE card_no = ?', [
        Date.now() - 1,
        cardNo,
      ]);
      assert.equal(outcome(await payWith(cardNo, rightPin)), 'ok');
    });

    test('#12.1 class: when wrong PINs come one by one, then the fifth wrong one in a window locks the PIN, a right one in between does not count, and a new PIN unlocks it', async () => {
      const cardNo = await cardWithPin();
      for (let i = 0; i < 4; i++) assert.equal(outcome(await payWith(cardNo, '000000')), 'PIN_INVALID');
      assert.equal(outcome(await payWith(cardNo, rightPin)), 'ok', 'four wrong ones leave the PIN usable');
      assert.equal(outcome(await payWith(cardNo, '000000')), 'PIN_INVALID');
      assert.equal(outcome(await payWith(cardNo, rightPin)), 'PIN_INVALID', 'the fifth wrong one locked it');
      // The card centre sets a new PIN (the holder proved who they are): counting starts again.
      await t.client.setPin(cardNo, '246801', { type: 'admin', id: 'A1' });
      assert.equal(outcome(await payWith(cardNo, '246801')), 'ok');
    });
  });
}
