import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, opId, type TestCore } from '@campus-card/tests/kit';
import { fundedCard, ok, refused, startLedgerCore, stopBalanced } from './ledger-world.ts';

for (const dialect of dialects) {
  describe(`ledger rules: payments, refunds, adjustments and close-out on ${dialect}`, () => {
    let t: TestCore;
    let canteen: string;
    let shower: string;
    before(async () => {
      ({ t, canteen, shower } = await startLedgerCore(dialect));
    });
    after(() => stopBalanced(t));
    const funded = (main: number, subsidy = 0) => fundedCard(t, main, subsidy);

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
