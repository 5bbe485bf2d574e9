import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, opId, type TestCore } from '@campus-card/tests/kit';
import type { Rejected } from '../src/client/index.ts';
import { fundedCard, ok, refused, startLedgerCore, stopBalanced } from './ledger-world.ts';

for (const dialect of dialects) {
  describe(`ledger rules: holds on ${dialect}`, () => {
    let t: TestCore;
    let canteen: string;
    let shower: string;
    before(async () => {
      ({ t, canteen, shower } = await startLedgerCore(dialect));
    });
    after(() => stopBalanced(t));
    const funded = (main: number, subsidy = 0) => fundedCard(t, main, subsidy);

    test('when a shower hold is posted for less, then the rest is released and the hold resolves once', async () => {
      // Goal: two-phase transfers — pending, post (≤ held), rest released; a second resolution is refused.
      const cardNo = await funded(2_000, 100);
      const hold = ok(
        await t.client.hold({
          id: opId('hold'),
          cardNo,
          merchantId: shower,
          deviceId: 'SHOWER-7',
          amount: 600,
          timeoutMs: 600_000,
          minBalance: 300,
        }),
      );
      const during = await t.client.getCard(cardNo);
      assert.deepEqual(
        [
          during.balance.main,
          during.balance.subsidy,
          during.balance.mainPending,
          during.balance.subsidyPending,
        ],
        [1_500, 0, 500, 100],
      );
      await t.client.reportUsage(hold.id, 120);
      await t.client.reportUsage(hold.id, 90); // Lower reports never lower the figure.
      assert.equal((await t.client.getHold(hold.id)).usageAmount, 120);
      await assert.rejects(t.client.reportUsage(hold.id, 601), { code: 'AMOUNT_EXCEEDS_HOLD' });
      refused(await t.client.postHold(hold.id, { id: opId(), amount: 601 }), 'AMOUNT_EXCEEDS_HOLD');
      const posted = ok(await t.client.postHold(hold.id, { id: opId(), amount: 234 }));
      assert.equal(posted.releasedAmount, 366);
      assert.deepEqual([posted.subsidyAmount, posted.mainAmount], [100, 134]);
      refused(await t.client.postHold(hold.id, { id: opId(), amount: 10 }), 'HOLD_ALREADY_RESOLVED');
      refused(await t.client.voidHold(hold.id, { id: opId() }), 'HOLD_ALREADY_RESOLVED');
      const afterPost = await t.client.getCard(cardNo);
      assert.deepEqual(
        [afterPost.balance.main, afterPost.balance.subsidy, afterPost.balance.mainPending],
        [1_866, 0, 0],
      );
    });

    test('when a hold is voided, then everything is released', async () => {
      // Goal: void releases the whole reservation.
      const cardNo = await funded(1_000);
      const hold = ok(
        await t.client.hold({
          id: opId('hold'),
          cardNo,
          merchantId: shower,
          amount: 600,
          timeoutMs: 600_000,
        }),
      );
      ok(await t.client.voidHold(hold.id, { id: opId() }));
      assert.equal((await t.client.getCard(cardNo)).balance.main, 1_000);
      refused(await t.client.postHold('no-such-hold', { id: opId(), amount: 1 }), 'HOLD_NOT_FOUND');
    });

    test('#12.5 when a hold is open, then payments cannot use its room in the daily limit, and the post replaces the reservation', async () => {
      // Goal: limit 1,000, hold 600, pay 1,000 → refused (it used to pass, and post 600 made 1,600).
      const cardNo = await funded(5_000);
      await t.client.setDailyLimit(cardNo, 1_000);
      const hold = ok(
        await t.client.hold({
          id: opId('hold'),
          cardNo,
          merchantId: shower,
          amount: 600,
          timeoutMs: 600_000,
        }),
      );
      assert.equal((await t.client.getCard(cardNo)).spentToday, 600);
      const over = refused(
        await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 1_000 }),
        'LIMIT_EXCEEDED',
      );
      assert.equal(over.details?.spentToday, 600);
      refused(await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 401 }), 'LIMIT_EXCEEDED');
      ok(await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 400 }));
      // Posting less than was held gives the rest of the room back.
      ok(await t.client.postHold(hold.id, { id: opId(), amount: 250 }));
      assert.equal((await t.client.getCard(cardNo)).spentToday, 650);
      refused(await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 351 }), 'LIMIT_EXCEEDED');
      ok(await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 350 }));
      assert.equal((await t.client.getCard(cardNo)).spentToday, 1_000);
    });

    test('#12.5 when a hold is voided or expires, then the unused part of its reservation is released', async () => {
      // Goal: void gives back the whole reservation, expiry all but the last reported usage.
      const cardNo = await funded(5_000);
      await t.client.setDailyLimit(cardNo, 1_000);
      const voided = ok(
        await t.client.hold({
          id: opId('hold'),
          cardNo,
          merchantId: shower,
          amount: 700,
          timeoutMs: 600_000,
        }),
      );
      assert.equal((await t.client.getCard(cardNo)).spentToday, 700);
      ok(await t.client.voidHold(voided.id, { id: opId() }));
      assert.equal((await t.client.getCard(cardNo)).spentToday, 0);
      const silent = ok(
        await t.client.hold({ id: opId('hold'), cardNo, merchantId: shower, amount: 700, timeoutMs: 1_000 }),
      );
      await t.client.reportUsage(silent.id, 200);
      // While the meter runs, its whole hold is reserved.
      refused(await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 301 }), 'LIMIT_EXCEEDED');
      let settled = await t.client.getHold(silent.id);
      // The hold sweep (every HOLD_SWEEP_INTERVAL_MS = 1 s here) settles it once its second is over on the
      // database clock; waited for however slow the machine is (the runner's timeout bounds it).
      while (settled.status === 'pending') {
        await new Promise((r) => setTimeout(r, 100));
        settled = await t.client.getHold(silent.id);
      }
      assert.equal(settled.status, 'expired');
      assert.equal((await t.client.getCard(cardNo)).spentToday, 200);
      refused(await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 801 }), 'LIMIT_EXCEEDED');
      ok(await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 800 }));
    });

    test('#12.5 when a hold opened before Shanghai midnight is posted after it, then it stays charged to its opening day', async () => {
      // Goal: the reservation counts on day D; a post on D+1 never charges D+1's total (nor lowers it).
      const dayMs = 86_400_000;
      async function heldYesterday(cardNo: string, amount: number) {
        const hold = ok(
          await t.client.hold({ id: opId('hold'), cardNo, merchantId: shower, amount, timeoutMs: 600_000 }),
        );
        // The same state as a hold opened a day earlier: its creation and the card's day total moved back.
        await t.core.db.execute('UPDATE holds SET created_at_ms = created_at_ms - ? WHERE id = ?', [
          dayMs,
          hold.id,
        ]);
        await t.core.db.execute('UPDATE cards SET spent_day = spent_day - 1 WHERE card_no = ?', [cardNo]);
        return hold;
      }
      // Paid today first, then the post: today's total is the payment alone.
      const first = await funded(5_000);
      await t.client.setDailyLimit(first, 1_000);
      const a = await heldYesterday(first, 600);
      assert.equal((await t.client.getCard(first)).spentToday, 0);
      ok(await t.client.pay({ id: opId(), cardNo: first, merchantId: canteen, amount: 900 }));
      ok(await t.client.postHold(a.id, { id: opId(), amount: 600 }));
      assert.equal((await t.client.getCard(first)).spentToday, 900);
      ok(await t.client.pay({ id: opId(), cardNo: first, merchantId: canteen, amount: 100 }));
      refused(
        await t.client.pay({ id: opId(), cardNo: first, merchantId: canteen, amount: 1 }),
        'LIMIT_EXCEEDED',
      );
      // Posted today before any payment: today's room is untouched.
      const second = await funded(5_000);
      await t.client.setDailyLimit(second, 1_000);
      const b = await heldYesterday(second, 600);
      ok(await t.client.postHold(b.id, { id: opId(), amount: 100 }));
      assert.equal((await t.client.getCard(second)).spentToday, 0);
      ok(await t.client.pay({ id: opId(), cardNo: second, merchantId: canteen, amount: 1_000 }));
    });

    test('#12.5 when 60 holds and payments race for one daily limit, then exactly the limit is reserved and spent', async () => {
      // Goal: the reservation is taken under the card's lock with the check, so a burst cannot pass the limit.
      const cardNo = await funded(50_000);
      await t.client.setDailyLimit(cardNo, 1_000);
      const answers = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          i % 2 === 0
            ? t.client.hold({ id: opId('hold'), cardNo, merchantId: shower, amount: 100, timeoutMs: 600_000 })
            : t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 100 }),
        ),
      );
      const accepted = answers.filter((a) => a.status === 'ok');
      assert.equal(accepted.length, 10);
      assert.ok(answers.every((a) => a.status === 'ok' || (a as Rejected).code === 'LIMIT_EXCEEDED'));
      const holds = accepted.filter((a) => a.kind === 'hold');
      await Promise.all(holds.map((h) => t.client.postHold(h.id, { id: opId(), amount: 100 })));
      const card = await t.client.getCard(cardNo);
      assert.equal(card.spentToday, 1_000);
      assert.equal(card.balance.main, 49_000);
    });

    test("#12.19 when a hold is unknown or another device's, then HOLD_NOT_FOUND on post, void, usage and read, and it is untouched", async () => {
      // Goal: a definite refusal (never INTERNAL_ERROR), the same for a foreign hold as for none.
      const cardNo = await funded(2_000);
      const hold = ok(
        await t.client.hold({
          id: opId('hold'),
          cardNo,
          merchantId: shower,
          deviceId: 'SHOWER-1',
          amount: 500,
          timeoutMs: 600_000,
        }),
      );
      for (const holdId of ['no-such-hold', hold.id]) {
        const deviceId = 'SHOWER-2';
        refused(await t.client.postHold(holdId, { id: opId(), amount: 100, deviceId }), 'HOLD_NOT_FOUND');
        refused(await t.client.voidHold(holdId, { id: opId(), deviceId }), 'HOLD_NOT_FOUND');
        await assert.rejects(t.client.reportUsage(holdId, 100, deviceId), { code: 'HOLD_NOT_FOUND' });
        await assert.rejects(t.client.getHold(holdId, deviceId), { code: 'HOLD_NOT_FOUND' });
      }
      const untouched = await t.client.getHold(hold.id, 'SHOWER-1');
      assert.deepEqual([untouched.status, untouched.usageAmount], ['pending', 0]);
      assert.equal((await t.client.reportUsage(hold.id, 120, 'SHOWER-1')).usageAmount, 120);
      ok(await t.client.postHold(hold.id, { id: opId(), amount: 150, deviceId: 'SHOWER-1' }));
    });

    test('#12.19 when a settled hold is posted again under a new id, then HOLD_ALREADY_RESOLVED carries the settled amounts and the balance', async () => {
      // Goal: a second METER_STOP under a new sequence can answer the settled result, not a balance of 0.
      const cardNo = await funded(2_000, 100);
      const hold = ok(
        await t.client.hold({
          id: opId('hold'),
          cardNo,
          merchantId: shower,
          deviceId: 'SHOWER-3',
          amount: 600,
          timeoutMs: 600_000,
        }),
      );
      const posted = ok(
        await t.client.postHold(hold.id, { id: opId('stop'), amount: 240, deviceId: 'SHOWER-3' }),
      );
      const again = refused(
        await t.client.postHold(hold.id, { id: opId('stop'), amount: 260, deviceId: 'SHOWER-3' }),
        'HOLD_ALREADY_RESOLVED',
      );
      assert.deepEqual(again.details, {
        status: 'posted',
        chargedAmount: 240,
        releasedAmount: 360,
        resolvedBy: posted.id,
        balance: { main: 1_860, subsidy: 0 },
      });
      const usage = await t.client.reportUsage(hold.id, 300, 'SHOWER-3').catch((error: unknown) => error);
      assert.equal((usage as { code?: string }).code, 'HOLD_ALREADY_RESOLVED');
      assert.equal((usage as { details?: { chargedAmount?: number } }).details?.chargedAmount, 240);
    });

    test('when the balance is under the minimum to start, then BELOW_MIN_BALANCE', async () => {
      // Goal: a shower needs a minimum balance to start.
      const cardNo = await funded(250);
      refused(
        await t.client.hold({
          id: opId('hold'),
          cardNo,
          merchantId: shower,
          amount: 200,
          timeoutMs: 60_000,
          minBalance: 300,
        }),
        'BELOW_MIN_BALANCE',
      );
    });

    test('when a meter goes silent, then the hold expires and settles at the last reported usage', async () => {
      // Goal: the sweeper on the database clock settles expired holds; a late post is refused.
      const cardNo = await funded(1_000);
      const hold = ok(
        await t.client.hold({ id: opId('hold'), cardNo, merchantId: shower, amount: 600, timeoutMs: 1_000 }),
      );
      await t.client.reportUsage(hold.id, 180);
      let settled = await t.client.getHold(hold.id);
      // The hold sweep (every HOLD_SWEEP_INTERVAL_MS = 1 s here) settles it once its second is over on the
      // database clock; waited for however slow the machine is (the runner's timeout bounds it).
      while (settled.status === 'pending') {
        await new Promise((r) => setTimeout(r, 100));
        settled = await t.client.getHold(hold.id);
      }
      assert.equal(settled.status, 'expired');
      assert.equal(settled.resolvedAmount, 180);
      assert.equal((await t.client.getCard(cardNo)).balance.main, 820);
      const late = await t.client.postHold(hold.id, { id: opId(), amount: 200 });
      assert.equal(late.status, 'rejected');
      assert.ok(['HOLD_ALREADY_RESOLVED', 'HOLD_EXPIRED'].includes((late as Rejected).code));
    });
  });
}
