import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Accepted, Answer, Rejected } from '../src/client/index.ts';
import { checkLedger } from '../src/ledger/ledger-check.ts';
import { dialects, openStudent, opId, startTestCore, type TestCore } from './support.ts';

function ok(answer: Answer): Accepted & { replayed: boolean } {
  assert.equal(answer.status, 'ok', `expected ok, got ${JSON.stringify(answer)}`);
  return answer as Accepted & { replayed: boolean };
}
function refused(answer: Answer, code: string): Rejected & { replayed: boolean } {
  assert.equal(answer.status, 'rejected', `expected ${code}, got ${JSON.stringify(answer)}`);
  assert.equal((answer as Rejected).code, code);
  return answer as Rejected & { replayed: boolean };
}

for (const dialect of dialects) {
  describe(`ledger rules on ${dialect}`, () => {
    let t: TestCore;
    let canteen: string;
    let shower: string;
    before(async () => {
      t = await startTestCore(dialect, { PAY_INTERVAL_MS_MIN: '60000', HOLD_SWEEP_INTERVAL_MS: '1000' });
      canteen = (await t.client.createMerchant({ name: '一食堂 3 号窗口', category: 'canteen' })).id;
      shower = (await t.client.createMerchant({ name: '浴室', category: 'shower' })).id;
    });
    after(async () => {
      try {
        // Every test below leaves the books balanced.
        assert.deepEqual((await checkLedger(t.core.db)).breaks, []);
      } finally {
        await t.stop();
      }
    });

    async function funded(main: number, subsidy = 0): Promise<string> {
      const cardNo = await openStudent(t.client);
      if (main > 0) ok(await t.client.topUp({ id: opId('top'), cardNo, amount: main, channel: 'wechat' }));
      if (subsidy > 0) ok(await t.client.subsidize({ id: opId('sub'), cardNo, amount: subsidy }));
      return cardNo;
    }

    test('when a card pays, then the subsidy wallet is drawn first and the rest from main', async () => {
      // Goal: linked transfers — subsidy first, then main, and the merchant gets the whole amount.
      const cardNo = await funded(5_000, 300);
      const before = (await t.client.getMerchant(canteen)).balance;
      const paid = ok(await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 1_000 }));
      assert.equal(paid.subsidyAmount, 300);
      assert.equal(paid.mainAmount, 700);
      assert.deepEqual(paid.balance, { main: 4_300, subsidy: 0 });
      assert.equal((await t.client.getMerchant(canteen)).balance - before, 1_000);
    });

    test('when the balance is too low, then INSUFFICIENT_FUNDS and nothing moves', async () => {
      // Goal: all or nothing — a payment the two wallets cannot cover takes nothing from either.
      const cardNo = await funded(500, 200);
      refused(
        await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 701 }),
        'INSUFFICIENT_FUNDS',
      );
      const card = await t.client.getCard(cardNo);
      assert.deepEqual([card.balance.main, card.balance.subsidy], [500, 200]);
    });

    test('when a payment is retried with the same id and body, then the original answer comes back once', async () => {
      // Goal: idempotency — the retry is a replay and charges nothing more.
      const cardNo = await funded(2_000);
      const id = opId();
      const first = ok(await t.client.pay({ id, cardNo, merchantId: canteen, amount: 500 }));
      const again = ok(await t.client.pay({ id, cardNo, merchantId: canteen, amount: 500 }));
      assert.equal(again.replayed, true);
      assert.deepEqual({ ...again, replayed: false }, { ...first, replayed: false });
      assert.equal((await t.client.getCard(cardNo)).balance.main, 1_500);
    });

    test('when a refused payment is retried after a top-up, then it is still refused the same way', async () => {
      // Goal: rejections are outcomes too; a retry never turns into a different result.
      const cardNo = await funded(100);
      const id = opId();
      refused(await t.client.pay({ id, cardNo, merchantId: canteen, amount: 500 }), 'INSUFFICIENT_FUNDS');
      ok(await t.client.topUp({ id: opId(), cardNo, amount: 1_000, channel: 'alipay' }));
      const retry = refused(
        await t.client.pay({ id, cardNo, merchantId: canteen, amount: 500 }),
        'INSUFFICIENT_FUNDS',
      );
      assert.equal(retry.replayed, true);
      assert.equal((await t.client.getCard(cardNo)).balance.main, 1_100);
    });

    test('when an id is reused with a different body, then ID_REUSED names the fields and nothing moves', async () => {
      // Goal: a reused id is an error, not a second payment.
      const cardNo = await funded(2_000);
      const id = opId();
      ok(await t.client.pay({ id, cardNo, merchantId: canteen, amount: 500 }));
      const reused = refused(
        await t.client.pay({ id, cardNo, merchantId: shower, amount: 600 }),
        'ID_REUSED',
      );
      assert.deepEqual(reused.details, { fields: ['amount', 'merchantId'] });
      assert.equal((await t.client.getCard(cardNo)).balance.main, 1_500);
    });

    test('when the same new id arrives twice in one moment, then it is applied once', async () => {
      // Goal: duplicates inside one batch (and across concurrent batches) are charged once.
      const cardNo = await funded(10_000);
      const id = opId();
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => t.client.pay({ id, cardNo, merchantId: canteen, amount: 100 })),
      );
      assert.equal(answers.filter((a) => a.status === 'ok' && !a.replayed).length, 1);
      assert.equal((await t.client.getCard(cardNo)).balance.main, 9_900);
    });

    test('when a card is lost or frozen, then its payments are refused until it is restored', async () => {
      // Goal: a lost card stops spending at once, and cancel-loss brings it back.
      const cardNo = await funded(2_000);
      const lost = await t.client.changeCard(
        cardNo,
        'report_loss',
        { type: 'self', id: 'student' },
        '丢在图书馆',
      );
      assert.equal(lost.status, 'lost');
      refused(await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 100 }), 'CARD_LOST');
      await t.client.changeCard(cardNo, 'cancel_loss', { type: 'self', id: 'student' });
      await t.client.changeCard(cardNo, 'freeze', { type: 'parent', id: 'mum' });
      refused(await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 100 }), 'CARD_FROZEN');
      await t.client.changeCard(cardNo, 'unfreeze', { type: 'admin', id: 'op1' });
      ok(await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 100 }));
      const history = await t.client.getCard(cardNo);
      assert.equal(history.version, 5);
    });

    test('when a credential older than the card version pays, then CARD_VERSION_STALE', async () => {
      // Goal: a reissue kills the old phone's credentials for online checks.
      const cardNo = await funded(2_000);
      const reissued = await t.client.changeCard(cardNo, 'reissue', { type: 'admin', id: 'op1' }, '换手机');
      refused(
        await t.client.pay({
          id: opId(),
          cardNo,
          merchantId: canteen,
          amount: 100,
          cardVersion: reissued.version - 1,
        }),
        'CARD_VERSION_STALE',
      );
      ok(
        await t.client.pay({
          id: opId(),
          cardNo,
          merchantId: canteen,
          amount: 100,
          cardVersion: reissued.version,
        }),
      );
    });

    test('when the daily limit would be passed, then LIMIT_EXCEEDED', async () => {
      // Goal: the per-card daily limit is checked with the payment itself.
      const cardNo = await funded(50_000);
      await t.client.setDailyLimit(cardNo, 3_000);
      ok(await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 2_000 }));
      const over = refused(
        await t.client.pay({ id: opId(), cardNo, merchantId: shower, amount: 1_001 }),
        'LIMIT_EXCEEDED',
      );
      assert.equal(over.details?.spentToday, 2_000);
      ok(await t.client.pay({ id: opId(), cardNo, merchantId: shower, amount: 1_000 }));
    });

    test('when a payment is above the PIN-free limit, then it needs the right PIN', async () => {
      // Goal: large payments need the card PIN; a wrong PIN is refused.
      const cardNo = await funded(50_000);
      refused(await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 6_000 }), 'PIN_REQUIRED');
      await t.client.setPin(cardNo, '135790', { type: 'self', id: 'student' });
      refused(
        await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 6_000, pin: '000000' }),
        'PIN_INVALID',
      );
      ok(await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 6_000, pin: '135790' }));
      await assert.rejects(t.client.setPin(cardNo, '111111', { type: 'self', id: 'student' }, '999999'), {
        code: 'PIN_INVALID',
      });
    });

    test('when the same card pays twice at one device within the interval, then REPEAT_TOO_SOON', async () => {
      // Goal: double swipes at one POS are stopped; another POS is not affected.
      const cardNo = await funded(5_000);
      ok(await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 100, deviceId: 'POS-1' }));
      refused(
        await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 100, deviceId: 'POS-1' }),
        'REPEAT_TOO_SOON',
      );
      ok(await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 100, deviceId: 'POS-2' }));
    });

    test('when the merchant is unknown or disabled, or the amount too large, then the payment is refused', async () => {
      // Goal: each refusal has its own code.
      const cardNo = await funded(5_000);
      refused(
        await t.client.pay({ id: opId(), cardNo, merchantId: 'NO_SUCH_MERCHANT', amount: 100 }),
        'MERCHANT_NOT_FOUND',
      );
      const closed = (await t.client.createMerchant({ name: '停业小卖部', category: 'shop' })).id;
      await t.core.merchants.setStatus(closed, 'disabled');
      refused(
        await t.client.pay({ id: opId(), cardNo, merchantId: closed, amount: 100 }),
        'MERCHANT_DISABLED',
      );
      refused(
        await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 100_001 }),
        'AMOUNT_OUT_OF_RANGE',
      );
      refused(
        await t.client.pay({ id: opId(), cardNo: '800000000001', merchantId: canteen, amount: 100 }),
        'CARD_NOT_FOUND',
      );
    });

    test('when payments are refunded, then main is refunded first and the total never passes the payment', async () => {
      // Goal: refunds reference the payment and are bounded by what is left.
      const cardNo = await funded(1_000, 400);
      const payment = ok(await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 1_000 }));
      const first = ok(await t.client.refund({ id: opId(), paymentId: payment.id, amount: 700 }));
      assert.deepEqual([first.mainAmount, first.subsidyAmount], [600, 100]);
      refused(
        await t.client.refund({ id: opId(), paymentId: payment.id, amount: 301 }),
        'REFUND_EXCEEDS_PAYMENT',
      );
      ok(await t.client.refund({ id: opId(), paymentId: payment.id, amount: 300 }));
      refused(
        await t.client.refund({ id: opId(), paymentId: payment.id, amount: 1 }),
        'REFUND_EXCEEDS_PAYMENT',
      );
      refused(
        await t.client.refund({ id: opId(), paymentId: 'no-such-payment', amount: 1 }),
        'PAYMENT_NOT_FOUND',
      );
      const card = await t.client.getCard(cardNo);
      assert.deepEqual([card.balance.main, card.balance.subsidy], [1_000, 400]);
      assert.equal((await t.client.getOperation(payment.id)).refundedAmount, 1_000);
    });

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
      for (let i = 0; i < 50 && settled.status === 'pending'; i++) {
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

    test("#12.2 when a credential names a version other than the card's current one, then CARD_VERSION_STALE and nothing moves", async () => {
      // Goal: a forged certificate with a huge version (minted with a leaked key) is refused, online and in a hold;
      // an offline record under it books the whole amount as a receivable, not the card holder's money.
      const cardNo = await funded(5_000);
      const version = (await t.client.getCard(cardNo)).version;
      for (const cardVersion of [version + 1, 4_000_000_000]) {
        refused(
          await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 100, cardVersion }),
          'CARD_VERSION_STALE',
        );
        refused(
          await t.client.hold({
            id: opId('hold'),
            cardNo,
            merchantId: shower,
            amount: 100,
            timeoutMs: 60_000,
            cardVersion,
          }),
          'CARD_VERSION_STALE',
        );
      }
      const offline = ok(
        await t.client.pay({
          id: opId(),
          cardNo,
          merchantId: canteen,
          amount: 300,
          cardVersion: 4_000_000_000,
          offline: true,
        }),
      );
      assert.deepEqual([offline.receivableAmount, offline.shortfall], [300, 'CARD_VERSION_STALE']);
      assert.equal((await t.client.getCard(cardNo)).balance.main, 5_000);
      ok(await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 100, cardVersion: version }));
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
      for (let i = 0; i < 50 && settled.status === 'pending'; i++) {
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

    test('when an admin adjusts a wallet, then it is a correcting transfer that cannot overdraw', async () => {
      // Goal: manual adjustments are journal entries against the adjustment account.
      const cardNo = await funded(1_000);
      const card = await t.client.getCard(cardNo);
      const wallets = await t.core.db.select<{ id: string }>(
        'SELECT main_account_id AS id FROM cards WHERE card_no = ?',
        [cardNo],
      );
      const accountId = wallets[0]?.id as string;
      ok(await t.client.adjust({ id: opId(), accountId, amount: 250, reason: '补录漏记的充值' }));
      ok(await t.client.adjust({ id: opId(), accountId, amount: -50, reason: '冲正' }));
      refused(
        await t.client.adjust({ id: opId(), accountId, amount: -5_000, reason: '超额冲正' }),
        'INSUFFICIENT_FUNDS',
      );
      assert.equal((await t.client.getCard(cardNo)).balance.main, card.balance.main + 200);
    });

    test('when a card is cancelled, then its balances are refunded and it can never pay again', async () => {
      // Goal: 销户 with balance refund — main to refund payable, subsidy back to the fund, one transaction.
      const cardNo = await funded(1_000, 300);
      const hold = ok(
        await t.client.hold({
          id: opId('hold'),
          cardNo,
          merchantId: shower,
          amount: 200,
          timeoutMs: 600_000,
        }),
      );
      const actor = { type: 'admin' as const, id: 'op-7' };
      refused(await t.client.closeOut(cardNo, { id: opId(), reason: '毕业离校', actor }), 'HOLDS_PENDING');
      ok(await t.client.postHold(hold.id, { id: opId(), amount: 150 }));
      const id = opId('close');
      const closed = ok(await t.client.closeOut(cardNo, { id, reason: '毕业离校', actor }));
      assert.deepEqual([closed.amount, closed.subsidyAmount, closed.mainAmount], [1_150, 150, 1_000]);
      assert.deepEqual(closed.balance, { main: 0, subsidy: 0 });
      assert.equal((await t.client.closeOut(cardNo, { id, reason: '毕业离校', actor })).replayed, true);
      const card = await t.client.getCard(cardNo);
      assert.equal(card.status, 'cancelled');
      refused(await t.client.pay({ id: opId(), cardNo, merchantId: canteen, amount: 1 }), 'CARD_CANCELLED');
      refused(await t.client.closeOut(cardNo, { id: opId(), reason: '再次', actor }), 'CARD_CANCELLED');
      const events = await t.core.cards.history(cardNo);
      assert.deepEqual(events.at(-1), {
        ...events.at(-1),
        kind: 'cancelled',
        toStatus: 'cancelled',
        actorId: 'op-7',
        reason: '毕业离校',
        version: card.version,
      });
    });

    test('when a day is looked at, then the merchant statement reconciles with the journal', async () => {
      // Goal: statements are computed from operations and from journal entries, and they agree.
      const merchant = (await t.client.createMerchant({ name: '二食堂', category: 'canteen', feeRateBp: 60 }))
        .id;
      const cardNo = await funded(10_000);
      const p = ok(await t.client.pay({ id: opId(), cardNo, merchantId: merchant, amount: 1_500 }));
      ok(await t.client.pay({ id: opId(), cardNo, merchantId: merchant, amount: 2_500 }));
      ok(await t.client.refund({ id: opId(), paymentId: p.id, amount: 500 }));
      const today = new Date(p.createdAtMs + 8 * 3600_000).toISOString().slice(0, 10);
      const statement = await t.client.statement(merchant, today);
      assert.equal(statement.paymentCount, 2);
      assert.equal(statement.paymentAmount, 4_000);
      assert.equal(statement.refundAmount, 500);
      assert.equal(statement.feeAmount, 21);
      assert.equal(statement.netAmount, 3_479);
      assert.equal(statement.journalNetAmount, 3_500);
      assert.equal(statement.reconciled, true);
      await assert.rejects(t.client.settleDay(today), { code: 'VALIDATION_FAILED' });
      const yesterday = new Date(p.createdAtMs + 8 * 3600_000 - 86_400_000).toISOString().slice(0, 10);
      const first = await t.client.settleDay(yesterday);
      const again = await t.client.settleDay(yesterday);
      assert.deepEqual(again, first);
      assert.ok(first.every((s) => s.settled && s.reconciled));
    });
  });
}
