// The card centre's desk work in the core (#19): a forgotten PIN reset against the ID number on
// file, a card's two limits, and temporary cards that stop working once their expiry has passed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, opId, startTestCore, type TestCore } from '@campus-card/tests/kit';
import type { Answer } from '../src/client/index.ts';

const counter = { type: 'admin', id: 'counter' } as const;
const idNumber = '11010519491231002X';
let serial = 0;

function outcome(answer: Answer): string {
  return answer.status === 'rejected' ? answer.code : 'ok';
}

for (const dialect of dialects) {
  describe(`card desk: counter PIN reset, limits, expiring cards (${dialect})`, () => {
    let t: TestCore;
    let canteen: string;
    before(async () => {
      t = await startTestCore(dialect);
      canteen = (await t.client.createMerchant({ name: '一食堂', category: 'canteen' })).id;
    });
    after(() => t.stop());

    const open = async (extra: { idNumber?: string; expiresAtMs?: number } = {}) => {
      serial += 1;
      const card = await t.client.openCard({
        personNo: `D${process.pid}${Date.now().toString(36)}${serial}`.slice(0, 32),
        name: '柜台测试',
        type: extra.expiresAtMs ? 'visitor' : 'staff',
        department: '后勤处',
        ...extra,
        actor: counter,
      });
      await t.client.topUp({ id: opId(), cardNo: card.cardNo, amount: 50_000, channel: 'cash' });
      return card.cardNo;
    };
    const pay = (cardNo: string, amount: number, pin?: string) =>
      t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount, ...(pin ? { pin } : {}) });

    test('when the counter resets a PIN, then a wrong ID number is refused IDENTITY_MISMATCH and leaves no PIN, a card without one on file IDENTITY_REQUIRED, and the right one (any case of X) sets a PIN that pays and is recorded as pin_reset', async () => {
      const cardNo = await open({ idNumber });
      await assert.rejects(t.client.resetPinAtCounter(cardNo, '135790', '110105194912310011', counter), {
        code: 'IDENTITY_MISMATCH',
      });
      assert.equal((await t.client.getCard(cardNo)).pinSet, false);
      const without = await open();
      await assert.rejects(t.client.resetPinAtCounter(without, '135790', idNumber, counter), {
        code: 'IDENTITY_REQUIRED',
      });
      await t.client.resetPinAtCounter(cardNo, '135790', idNumber.toLowerCase(), counter);
      assert.equal((await t.client.getCard(cardNo)).pinSet, true);
      // Above the PIN-free limit (¥50 by default) the new PIN is asked for and accepted.
      assert.equal(outcome(await pay(cardNo, 6_000, '135790')), 'ok');
      assert.equal(outcome(await pay(cardNo, 6_000, '000000')), 'PIN_INVALID');
      assert.deepEqual(
        (await t.client.cardHistory(cardNo)).map((e) => [e.kind, e.actorType]),
        [
          ['opened', 'admin'],
          ['pin_reset', 'admin'],
        ],
      );
    });

    test('when the card centre sets the limits, then both apply to payments; a PIN-free limit above the daily one or a daily one above DAILY_LIMIT_MAX is refused LIMIT_EXCEEDED and changes nothing', async () => {
      const cardNo = await open({ idNumber });
      await t.client.setCardLimits(cardNo, { dailyLimit: 10_000, pinFreeLimit: 2_000 });
      await assert.rejects(t.client.setCardLimits(cardNo, { dailyLimit: 10_000, pinFreeLimit: 10_001 }), {
        code: 'LIMIT_EXCEEDED',
      });
      await assert.rejects(t.client.setCardLimits(cardNo, { dailyLimit: 200_001, pinFreeLimit: 0 }), {
        code: 'LIMIT_EXCEEDED',
      });
      const card = await t.client.getCard(cardNo);
      assert.deepEqual([card.dailyLimit, card.pinFreeLimit], [10_000, 2_000]);
      // ¥25 is above the PIN-free ¥20 (no PIN set: refused), ¥20 pays; the daily ¥100 stops the sixth.
      assert.equal(outcome(await pay(cardNo, 2_500)), 'PIN_REQUIRED');
      for (let i = 0; i < 5; i += 1) assert.equal(outcome(await pay(cardNo, 2_000)), 'ok');
      assert.equal(outcome(await pay(cardNo, 2_000)), 'LIMIT_EXCEEDED');
    });

    test('when a temporary card has expired, then the expiry job freezes it (an expired event by the system), it pays no more, and unfreezing it is refused; a card whose expiry is ahead is left alone and one cannot be opened already expired', async () => {
      await assert.rejects(open({ expiresAtMs: Date.now() - 1 }), { code: 'VALIDATION_FAILED' });
      const expiring = await open({ expiresAtMs: Date.now() + 3_600_000 });
      const ahead = await open({ expiresAtMs: Date.now() + 3_600_000 });
      assert.equal(outcome(await pay(expiring, 100)), 'ok');
      assert.equal((await t.client.getCard(expiring)).expiresAtMs !== null, true);
      // Its end comes: the stored expiry moved into the past, as the clock would have it in an hour.
      await t.core.db.execute('UPDATE cards SET expires_at_ms = ? WHERE card_no = ?', [
        Date.now() - 1,
        expiring,
      ]);
      assert.equal(await t.core.cards.expireDue(), 1);
      assert.equal(await t.core.cards.expireDue(), 0, 'a second run finds nothing more');
      assert.equal((await t.client.getCard(expiring)).status, 'frozen');
      assert.equal((await t.client.getCard(ahead)).status, 'active');
      assert.deepEqual((await t.client.cardHistory(expiring)).at(-1)?.kind, 'expired');
      assert.equal(outcome(await pay(expiring, 100)), 'CARD_FROZEN');
      await assert.rejects(t.client.changeCard(expiring, 'unfreeze', counter), {
        code: 'INVALID_TRANSITION',
      });
      assert.equal(outcome(await pay(ahead, 100)), 'ok');
    });
  });
}
