import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, opId, type TestCore } from '@campus-card/tests/kit';
import { fundedCard, ok, refused, startLedgerCore, stopBalanced } from './ledger-world.ts';

// The risk step-up on the payment path (core/src/ledger/risk-step-up.ts, docs/analytics.md): after two
// payments of ¥15 or more within an hour, one at a place new to the card (not paid at within 60 days,
// or only within the hour), a card with a PIN needs the PIN for its next payment, whatever the amount;
// the right PIN pays and clears it. A third payment of ¥15 or more within the hour, wherever, needs the
// PIN itself.

const pin = '246810';
const self = { type: 'self', id: 'student' } as const;

for (const dialect of dialects) {
  describe(`the PIN step-up after unusual payments on ${dialect}`, () => {
    let t: TestCore;
    let canteen: string;
    let shower: string;
    let shops: string[];
    before(async () => {
      ({ t, canteen, shower } = await startLedgerCore(dialect));
      shops = [];
      for (const name of ['超市', '咖啡馆', '文具店'])
        shops.push((await t.client.createMerchant({ name, category: 'shop' })).id);
    });
    after(() => stopBalanced(t));

    /** A card with a PIN and a history: one small payment at the canteen. */
    const usedCard = async (main = 50_000) => {
      const cardNo = await fundedCard(t, main);
      await t.client.setPin(cardNo, pin, self);
      ok(await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 800 }));
      return cardNo;
    };
    const events = async (cardNo: string) =>
      (
        await t.core.db.select<{ kind: string; actor_type: string }>(
          "SELECT kind, actor_type FROM card_events WHERE card_no = ? AND kind LIKE 'pin_step_up%' ORDER BY created_at_ms, kind",
          [cardNo],
        )
      ).map((e) => `${e.kind}:${e.actor_type}`);

    test('when a card pays ¥15+ at a new place and ¥15+ again within the hour, then its next payment needs the PIN, a wrong one is refused, the right one pays and clears the step-up', async () => {
      // Goal: the thief's third payment meets a PIN prompt; the owner passes it once and pays on freely.
      const cardNo = await usedCard();
      ok(await t.client.pay({ id: opId(), cardNo, merchantId: shops[0] as string, amount: 2_000 }));
      ok(await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 1_600 }));
      assert.deepEqual(await events(cardNo), ['pin_step_up:system']);
      const asked = refused(
        await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 300 }),
        'PIN_REQUIRED',
      );
      assert.equal(asked.details?.stepUp, true, 'the refusal says the step-up asked, not the amount');
      refused(
        await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 300, pin: '000000' }),
        'PIN_INVALID',
      );
      ok(await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 300, pin }));
      assert.deepEqual(await events(cardNo), ['pin_step_up:system', 'pin_step_up_cleared:self']);
      ok(await t.client.pay({ id: opId(), cardNo, merchantId: shower, amount: 300 }));
      assert.equal((await t.client.getCard(cardNo)).balance.main, 50_000 - 800 - 2_000 - 1_600 - 300 - 300);
    });

    test('when a stepped-up card is presented in a burst of concurrent payments without the PIN, then none gets through', async () => {
      // Goal: the step-up is read with the card row locked: no payment slips past it, however many arrive at once.
      const cardNo = await usedCard();
      ok(await t.client.pay({ id: opId(), cardNo, merchantId: shops[1] as string, amount: 1_800 }));
      ok(await t.client.pay({ id: opId(), cardNo, merchantId: shops[2] as string, amount: 1_800 }));
      const before = (await t.client.getCard(cardNo)).balance.main;
      const answers = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          t.client.pay({ id: opId(), cardNo, merchantId: i % 2 ? canteen : shower, amount: 500 + i }),
        ),
      );
      for (const a of answers) refused(a, 'PIN_REQUIRED');
      assert.equal((await t.client.getCard(cardNo)).balance.main, before);
    });

    test('when a card with a history sends a burst of high payments at new places at once, then only the two that complete the pattern are paid and the rest need the PIN', async () => {
      // Goal: the counter that guards the step-up is reserved one payment at a time, never read stale by a concurrent one.
      const cardNo = await usedCard();
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          t.client.pay({ id: opId(), cardNo, merchantId: shops[i % 3] as string, amount: 2_000 + i }),
        ),
      );
      const paid = answers.filter((a) => a.status === 'ok');
      assert.equal(paid.length, 2, JSON.stringify(answers.map((a) => a.status === 'ok' || a.code)));
      for (const a of answers) if (a.status !== 'ok') assert.equal(a.code, 'PIN_REQUIRED');
      assert.deepEqual(await events(cardNo), ['pin_step_up:system']);
    });

    test('when a card pays ¥15+ twice within the hour at places it knows, then the third such payment itself needs the PIN (the card stepped up as it asks), and with the right PIN it pays and clears', async () => {
      // Goal: a burst anywhere is asked at its own third payment (PIN_STEP_UP_BURST), so a thief shopping where the owner does is refused there, not a payment later.
      const cardNo = await usedCard();
      ok(await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 2_000 }));
      ok(await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 1_600 }));
      assert.deepEqual(await events(cardNo), [], 'two at known places step nothing up');
      const third = { id: opId(), cardNo, merchantId: canteen, amount: 1_500 };
      const asked = refused(await t.client.pay(third), 'PIN_REQUIRED');
      assert.equal(asked.details?.stepUp, true);
      assert.deepEqual(await events(cardNo), ['pin_step_up:system']);
      refused(await t.client.pay(third), 'PIN_REQUIRED');
      assert.deepEqual(
        await events(cardNo),
        ['pin_step_up:system'],
        'a retry replays the answer, nothing more',
      );
      refused(await t.client.pay({ ...third, id: opId(), amount: 300 }), 'PIN_REQUIRED');
      ok(await t.client.pay({ ...third, id: opId(), pin }));
      assert.deepEqual(await events(cardNo), ['pin_step_up:system', 'pin_step_up_cleared:self']);
      assert.equal((await t.client.getCard(cardNo)).balance.main, 50_000 - 800 - 2_000 - 1_600 - 1_500);
    });

    test('when a card sends many ¥20 payments at once at a place it knows, then exactly two are paid and the rest need the PIN', async () => {
      // Goal: the burst's count is reserved one payment at a time under the card row's lock.
      const cardNo = await usedCard();
      const answers = await Promise.all(
        Array.from({ length: 10 }, () =>
          t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 2_000 }),
        ),
      );
      const paid = answers.filter((a) => a.status === 'ok');
      assert.equal(paid.length, 2, JSON.stringify(answers.map((a) => a.status === 'ok' || a.code)));
      for (const a of answers) if (a.status !== 'ok') assert.equal(a.code, 'PIN_REQUIRED');
      assert.deepEqual(await events(cardNo), ['pin_step_up:system']);
    });

    const placeRow = async (cardNo: string, merchantId: string) => {
      const [row] = await t.core.db.select<{ last_paid_at_ms: number; known_since_ms: number }>(
        'SELECT last_paid_at_ms, known_since_ms FROM card_places WHERE card_no = ? AND merchant_id = ?',
        [cardNo, merchantId],
      );
      return row && { lastPaidAtMs: Number(row.last_paid_at_ms), knownSinceMs: Number(row.known_since_ms) };
    };
    /** Moves a card's place back in time, as if its payments there were that old. */
    const age = (cardNo: string, merchantId: string, lastAgoMs: number, knownAgoMs: number) =>
      t.core.db.execute(
        `UPDATE card_places SET last_paid_at_ms = ${t.core.db.nowMsSql} - ?, known_since_ms = ${t.core.db.nowMsSql} - ?
          WHERE card_no = ? AND merchant_id = ?`,
        [lastAgoMs, knownAgoMs, cardNo, merchantId],
      );

    test("when a card pays at a place it last paid at more than 60 days ago, then the place is new again, as in the detector's profile; within 60 days it is not", async () => {
      // Goal: the step-up's memory of places is the detector's 60 days, written at each payment a day apart at most.
      const day = 86_400_000;
      const forgotten = await usedCard();
      ok(await t.client.pay({ id: opId(), cardNo: forgotten, merchantId: shops[0] as string, amount: 500 }));
      await age(forgotten, shops[0] as string, 61 * day, 200 * day);
      const before = (await placeRow(forgotten, canteen))?.lastPaidAtMs;
      ok(await t.client.pay({ id: opId(), cardNo: forgotten, merchantId: canteen, amount: 300 }));
      assert.equal(
        (await placeRow(forgotten, canteen))?.lastPaidAtMs,
        before,
        'the same day: not written again',
      );
      ok(
        await t.client.pay({ id: opId(), cardNo: forgotten, merchantId: shops[0] as string, amount: 2_000 }),
      );
      ok(await t.client.pay({ id: opId(), cardNo: forgotten, merchantId: canteen, amount: 1_600 }));
      assert.deepEqual(await events(forgotten), ['pin_step_up:system']);
      const renewed = await placeRow(forgotten, shops[0] as string);
      assert.ok(renewed && renewed.knownSinceMs === renewed.lastPaidAtMs, 'known again from that payment');
      assert.ok(renewed && (await t.core.db.nowMs()) - renewed.lastPaidAtMs < day);

      const remembered = await usedCard();
      ok(await t.client.pay({ id: opId(), cardNo: remembered, merchantId: shops[0] as string, amount: 500 }));
      await age(remembered, shops[0] as string, 59 * day, 200 * day);
      ok(
        await t.client.pay({ id: opId(), cardNo: remembered, merchantId: shops[0] as string, amount: 2_000 }),
      );
      ok(await t.client.pay({ id: opId(), cardNo: remembered, merchantId: canteen, amount: 1_600 }));
      assert.deepEqual(await events(remembered), []);
      const moved = await placeRow(remembered, shops[0] as string);
      assert.ok(moved && (await t.core.db.nowMs()) - moved.lastPaidAtMs < day, 'a day-old row moves on');
      assert.ok(moved && (await t.core.db.nowMs()) - moved.knownSinceMs > 199 * day, 'and stays known');
    });

    test("when a card's first payment at a place was within the hour, then its next high payment there still counts as at a new place", async () => {
      // Goal: as in the detector, a thief's small first payment at a shop does not make the shop familiar.
      const cardNo = await usedCard();
      ok(await t.client.pay({ id: opId(), cardNo, merchantId: shops[1] as string, amount: 500 }));
      ok(await t.client.pay({ id: opId(), cardNo, merchantId: shops[1] as string, amount: 2_000 }));
      assert.deepEqual(await events(cardNo), []);
      ok(await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 1_600 }));
      assert.deepEqual(await events(cardNo), ['pin_step_up:system']);
      // Known for more than the hour: the same payments step nothing up.
      const known = await usedCard();
      ok(await t.client.pay({ id: opId(), cardNo: known, merchantId: shops[1] as string, amount: 500 }));
      await age(known, shops[1] as string, 0, 61 * 60_000);
      ok(await t.client.pay({ id: opId(), cardNo: known, merchantId: shops[1] as string, amount: 2_000 }));
      ok(await t.client.pay({ id: opId(), cardNo: known, merchantId: canteen, amount: 1_600 }));
      assert.deepEqual(await events(known), []);
    });

    test('when a card without a PIN, or a new card with no history, pays the same way, then nothing asks for a PIN it cannot give', async () => {
      // Goal: the step-up asks only for a PIN the holder has, and a card with no places has nothing to differ from.
      const noPin = await fundedCard(t, 50_000);
      ok(await t.client.pay({ id: opId(), cardNo: noPin, merchantId: canteen, amount: 800 }));
      for (const shop of shops)
        ok(await t.client.pay({ id: opId(), cardNo: noPin, merchantId: shop, amount: 2_000 }));
      const fresh = await fundedCard(t, 50_000);
      await t.client.setPin(fresh, pin, self);
      ok(await t.client.pay({ id: opId(), cardNo: fresh, merchantId: shops[0] as string, amount: 2_000 }));
      ok(await t.client.pay({ id: opId(), cardNo: fresh, merchantId: shops[0] as string, amount: 2_000 }));
      // (A third within the hour would be asked, history or not: a burst anywhere, tested above.)
      assert.deepEqual([await events(noPin), await events(fresh)], [[], []]);
    });
  });
}
