import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  dialects,
  openStudent,
  opId,
  startTestCore,
  type TestCore,
  testServiceKey,
} from '@campus-card/tests/kit';
import { CoreError } from '../src/client/index.ts';
import { migrationsDir, statements } from '../src/db/migrate.ts';
import { signedHeaders } from '../src/http/signature.ts';
import { checkLedger } from '../src/ledger/ledger-check.ts';
import { RefundRepository } from '../src/refunds/refund-repository.ts';
import { payoutOperationId } from '../src/refunds/refund-service.ts';

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof CoreError ? e.code : `other: ${(e as Error).message}`),
  );

/**
 * The refund list (退款清单): every close-out's main balance is owed until paid out, and a payout moves
 * the money out of SYS-REFUND-PAYABLE once, however often it is tried and whoever races it.
 */
for (const dialect of dialects) {
  describe(`refund list and payouts, core on ${dialect}`, () => {
    let t: TestCore;
    before(async () => {
      t = await startTestCore(dialect);
    });
    after(async () => {
      await t.stop();
    });

    async function balance(accountId: string): Promise<number> {
      const [row] = await t.core.db.select<{ b: number }>(
        'SELECT credits_posted - debits_posted AS b FROM accounts WHERE id = ?',
        [accountId],
      );
      return Number(row?.b);
    }
    /** A card with main and subsidy money, closed out by the card centre through the core's route. */
    async function closedCard(main: number, subsidy = 0): Promise<{ cardNo: string; operationId: string }> {
      const cardNo = await openStudent(t.client);
      if (main > 0) await t.client.topUp({ id: opId(), cardNo, amount: main, channel: 'cash' });
      if (subsidy > 0) await t.client.subsidize({ id: opId(), cardNo, amount: subsidy });
      const operationId = opId('adm-close');
      const closed = await t.client.closeOut(cardNo, {
        id: operationId,
        reason: '退学销户',
        actor: { type: 'admin', id: 'admin-1' },
      });
      assert.equal(closed.status, 'ok');
      return { cardNo, operationId };
    }
    async function assertReconciled() {
      const check = await checkLedger(t.core.db);
      assert.ok(check.ok, check.breaks.join('; '));
    }

    test('when the card centre closes a card out, then its main balance is listed once as card_closed, a replay records nothing new', async () => {
      // Goal: close-outs outside the sync are no longer forgotten; the entry is keyed by the operation id.
      const { cardNo, operationId } = await closedCard(1_500, 300);
      const replay = await t.client.closeOut(cardNo, {
        id: operationId,
        reason: '退学销户',
        actor: { type: 'admin', id: 'admin-1' },
      });
      assert.equal(replay.replayed, true);
      const entry = await t.client.refundEntry(operationId);
      assert.deepEqual(
        [entry.cardNo, entry.mainAmount, entry.subsidyAmount, entry.reason, entry.status],
        [cardNo, 1_500, 300, 'card_closed', 'due'],
      );
      const listed = (await t.client.refundList({ limit: 1000 })).items.filter((e) => e.cardNo === cardNo);
      assert.equal(listed.length, 1);
      // The core's card route (not only the batch the client uses) lists too; an empty wallet is not owed.
      const funded = await openStudent(t.client);
      await t.client.topUp({ id: opId(), cardNo: funded, amount: 250, channel: 'cash' });
      const viaRoute = opId('route-close');
      assert.equal((await fetchCloseOut(funded, viaRoute)).status, 'ok');
      assert.equal((await t.client.refundEntry(viaRoute)).mainAmount, 250);
      const empty = await openStudent(t.client);
      const emptyId = opId('route-close');
      assert.equal((await fetchCloseOut(empty, emptyId)).status, 'ok');
      await assert.rejects(t.client.refundEntry(emptyId), { code: 'REFUND_NOT_FOUND' });
      await assertReconciled();
    });

    /** The close-out through POST /v1/cards/:cardNo/close-out, signed as the client signs. */
    async function fetchCloseOut(cardNo: string, id: string): Promise<{ status: string }> {
      const path = `/v1/cards/${cardNo}/close-out`;
      const payload = JSON.stringify({ id, reason: '销户', actor: { type: 'admin', id: 'admin-1' } });
      const response = await fetch(`${t.core.url}${path}`, {
        method: 'POST',
        body: payload,
        headers: {
          'content-type': 'application/json',
          ...signedHeaders(testServiceKey, 'POST', path, payload),
        },
      });
      return (await response.json()) as { status: string };
    }

    test('when one refund is paid out many times at once in one channel, then the money moves once and every answer is the same', async () => {
      // Goal: the ledger's unique payout id decides a race; the conditional UPDATE marks it once.
      const { operationId } = await closedCard(2_000);
      const payableBefore = await balance('SYS-REFUND-PAYABLE');
      const cashBefore = await balance('SYS-CASH-DESK');
      const answers = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          t.client.payOutRefund(operationId, { channel: 'cash', actorId: `admin-${i}` }),
        ),
      );
      assert.equal(answers.filter((a) => a.changed).length, 1);
      for (const a of answers) {
        assert.deepEqual(
          [a.status, a.channel, a.mainAmount, a.payoutOperationId],
          ['paid', 'cash', 2_000, payoutOperationId(operationId)],
        );
      }
      assert.equal(await balance('SYS-REFUND-PAYABLE'), payableBefore - 2_000);
      assert.equal(await balance('SYS-CASH-DESK'), cashBefore + 2_000);
      const [legs] = await t.core.db.select<{ n: number }>(
        'SELECT COUNT(*) AS n FROM transfers WHERE operation_id = ?',
        [payoutOperationId(operationId)],
      );
      assert.equal(Number(legs?.n), 1);
      // A retry later answers the same; the other channel is a conflict and moves nothing.
      assert.equal(
        (await t.client.payOutRefund(operationId, { channel: 'cash', actorId: 'x' })).changed,
        false,
      );
      assert.equal(
        await codeOf(t.client.payOutRefund(operationId, { channel: 'bank', actorId: 'x' })),
        'REFUND_ALREADY_PAID',
      );
      assert.equal(await balance('SYS-REFUND-PAYABLE'), payableBefore - 2_000);
      await assertReconciled();
    });

    test('when cash and bank payouts of one refund race, then one channel wins, the other is refused, the money moves once', async () => {
      // Goal: two clerks paying the same person two ways cannot pay twice.
      const { operationId } = await closedCard(900);
      const payableBefore = await balance('SYS-REFUND-PAYABLE');
      const tries = ['cash', 'bank', 'cash', 'bank'] as const;
      const results = await Promise.all(
        tries.map((channel) =>
          t.client.payOutRefund(operationId, { channel, actorId: 'admin-1' }).then(
            (a) => ({ channel, answer: a, code: 'ok' }),
            (e: unknown) => ({ channel, answer: null, code: e instanceof CoreError ? e.code : String(e) }),
          ),
        ),
      );
      const entry = await t.client.refundEntry(operationId);
      assert.equal(entry.status, 'paid');
      for (const r of results) {
        if (r.channel === entry.channel) assert.equal(r.code, 'ok');
        else assert.equal(r.code, 'REFUND_ALREADY_PAID');
      }
      assert.equal(await balance('SYS-REFUND-PAYABLE'), payableBefore - 900);
      await assertReconciled();
    });

    test('when a payout died between the ledger and the marking, then the check shows it and the next try completes it', async () => {
      // Goal: the two steps are two transactions; a crash between them loses nothing and pays nothing twice.
      const { operationId } = await closedCard(640);
      // What the first try posted before it died: the same request the service makes.
      const posted = await t.client.adjust({
        id: payoutOperationId(operationId),
        accountId: 'SYS-BANK-TRANSFER',
        counterAccountId: 'SYS-REFUND-PAYABLE',
        amount: 640,
        reason: `refund payout: ${operationId}`,
      });
      assert.equal(posted.status, 'ok');
      assert.equal((await t.client.refundEntry(operationId)).status, 'due');
      const broken = await checkLedger(t.core.db);
      assert.ok(
        broken.breaks.some((b) => b.includes('SYS-REFUND-PAYABLE')),
        broken.breaks.join('; '),
      );
      const payableBefore = await balance('SYS-REFUND-PAYABLE');
      const paid = await t.client.payOutRefund(operationId, {
        channel: 'bank',
        actorId: 'admin-2',
        note: '工行转账',
      });
      assert.deepEqual(
        [paid.status, paid.changed, paid.channel, paid.note],
        ['paid', true, 'bank', '工行转账'],
      );
      assert.equal(await balance('SYS-REFUND-PAYABLE'), payableBefore, 'nothing moved a second time');
      await assertReconciled();
    });

    test('when an entry owes nothing, then it is marked paid without a ledger operation', async () => {
      // Goal: the sync lists a graduate with only subsidy money; paying out zero books nothing.
      const cardNo = await openStudent(t.client);
      await t.client.subsidize({ id: opId(), cardNo, amount: 400 });
      const operationId = opId('sync');
      const closed = await t.core.ledger.closeOut({
        id: operationId,
        cardNo,
        reason: 'identity sync: graduated',
        actor: { type: 'system', id: 'identity-sync' },
      });
      assert.equal(closed.status, 'ok');
      await new RefundRepository(t.core.db).record(
        { operationId, cardNo, mainAmount: 0, subsidyAmount: 400, reason: 'graduated' },
        Date.now(),
      );
      const paid = await t.client.payOutRefund(operationId, { channel: 'cash', actorId: 'admin-1' });
      assert.deepEqual([paid.status, paid.mainAmount, paid.payoutOperationId], ['paid', 0, null]);
      await assert.rejects(t.client.getOperation(payoutOperationId(operationId)), {
        code: 'OPERATION_NOT_FOUND',
      });
      await assertReconciled();
    });

    test('when the list is paged, then due entries come newest first and the paid tab shows who paid how', async () => {
      // Goal: the backoffice pages through a long list without gaps or repeats.
      const made = [];
      for (let i = 0; i < 3; i++) made.push((await closedCard(100 + i)).operationId);
      const seen: string[] = [];
      let page = await t.client.refundList({ limit: 2 });
      seen.push(...page.items.map((e) => e.operationId));
      while (page.next) {
        page = await t.client.refundList({ limit: 2, ...page.next });
        seen.push(...page.items.map((e) => e.operationId));
      }
      assert.equal(new Set(seen).size, seen.length);
      const all = (await t.client.refundList({ limit: 1000 })).items.map((e) => e.operationId);
      assert.deepEqual(seen, all);
      // Newest first: the last card closed comes before the first.
      assert.ok(all.indexOf(made[2] as string) < all.indexOf(made[0] as string));
      const paid = (await t.client.refundList({ status: 'paid', limit: 1000 })).items;
      assert.ok(paid.length >= 3);
      for (const e of paid) assert.ok(e.paidAtMs !== null && e.paidBy !== null);
    });

    test('when close-outs predate the refund list, then migration 017 lists them once and entries marked paid without a payout still count as owed', async () => {
      // Goal: an existing deployment reconciles after the upgrade: its card-centre close-outs become due,
      // and entries the old route marked paid (no money moved) keep their amount in refund payable.
      const cardNo = await openStudent(t.client);
      await t.client.topUp({ id: opId(), cardNo, amount: 770, channel: 'cash' });
      const operationId = opId('old-close');
      // A close-out as the core's route made it before: the ledger only, nothing listed.
      const closed = await t.core.ledger.closeOut({
        id: operationId,
        cardNo,
        reason: '销户',
        actor: { type: 'admin', id: 'admin-1' },
      });
      assert.equal(closed.status, 'ok');
      const unlisted = await checkLedger(t.core.db);
      assert.ok(
        unlisted.breaks.some((b) => b.includes(`close-out ${operationId}`)),
        unlisted.breaks.join('; '),
      );

      const backfill = statements(readFileSync(`${migrationsDir}017_refund_payouts.sql`, 'utf8')).find(
        (sql) => sql.startsWith('INSERT INTO refund_list'),
      );
      assert.ok(backfill);
      await t.core.db.execute(backfill);
      await t.core.db.execute(backfill);
      const entry = await t.client.refundEntry(operationId);
      assert.deepEqual([entry.mainAmount, entry.reason, entry.status], [770, 'card_closed', 'due']);
      await assertReconciled();

      // Marked paid the old way (a status flip, no payout): still owed by refund payable, still reconciled.
      await t.core.db.execute(
        "UPDATE refund_list SET status = 'paid', paid_at_ms = ? WHERE operation_id = ?",
        [Date.now(), operationId],
      );
      await assertReconciled();
      assert.equal(
        await codeOf(t.client.payOutRefund(operationId, { channel: 'cash', actorId: 'admin-1' })),
        'REFUND_ALREADY_PAID',
      );
    });

    test('when an adjustment names a counter account, then a system one is used and anything else refused', async () => {
      // Goal: system-to-system movements go through the ledger; wallets keep their own operations.
      const cashBefore = await balance('SYS-CASH-DESK');
      const bankBefore = await balance('SYS-BANK-TRANSFER');
      const move = {
        id: opId('adj'),
        accountId: 'SYS-CASH-DESK',
        counterAccountId: 'SYS-BANK-TRANSFER',
        amount: 5_000,
        reason: 'cash to the bank',
      };
      const moved = await t.client.adjust(move);
      assert.equal(moved.status, 'ok');
      assert.equal(await balance('SYS-CASH-DESK'), cashBefore + 5_000);
      assert.equal(await balance('SYS-BANK-TRANSFER'), bankBefore - 5_000);
      assert.equal((await t.client.adjust(move)).replayed, true);
      const reused = await t.client.adjust({ ...move, counterAccountId: 'SYS-ADJUSTMENT' });
      assert.deepEqual(
        [
          reused.status,
          reused.status === 'rejected' && reused.code,
          reused.status === 'rejected' && reused.details,
        ],
        ['rejected', 'ID_REUSED', { fields: ['counterAccountId'] }],
      );

      const cardNo = await openStudent(t.client);
      const [wallet] = await t.core.db.select<{ id: string }>(
        'SELECT main_account_id AS id FROM cards WHERE card_no = ?',
        [cardNo],
      );
      const refused = await t.client.adjust({
        id: opId('adj'),
        accountId: 'SYS-CASH-DESK',
        counterAccountId: String(wallet?.id),
        amount: 100,
        reason: 'not a system account',
      });
      assert.equal(refused.status === 'rejected' && refused.code, 'COUNTER_ACCOUNT_NOT_SYSTEM');
      const unknown = await t.client.adjust({
        id: opId('adj'),
        accountId: 'SYS-CASH-DESK',
        counterAccountId: 'SYS-NOWHERE',
        amount: 100,
        reason: 'no such account',
      });
      assert.equal(unknown.status === 'rejected' && unknown.code, 'ACCOUNT_NOT_FOUND');
      const itself = await t.client.adjust({
        id: opId('adj'),
        accountId: 'SYS-CASH-DESK',
        counterAccountId: 'SYS-CASH-DESK',
        amount: 100,
        reason: 'to itself',
      });
      assert.equal(itself.status === 'rejected' && itself.code, 'VALIDATION_FAILED');

      // An adjustment as before (no counter account) still moves against SYS-ADJUSTMENT, stored as before.
      const plain = { id: opId('adj'), accountId: String(wallet?.id), amount: 300, reason: 'correction' };
      const adjustmentBefore = await balance('SYS-ADJUSTMENT');
      assert.equal((await t.client.adjust(plain)).status, 'ok');
      assert.equal(await balance('SYS-ADJUSTMENT'), adjustmentBefore - 300);
      const [stored] = await t.core.db.select<{ request_extra: string }>(
        'SELECT request_extra FROM operations WHERE id = ?',
        [plain.id],
      );
      assert.deepEqual(JSON.parse(String(stored?.request_extra)), {
        accountId: plain.accountId,
        amount: 300,
        reason: 'correction',
      });
      assert.equal((await t.client.adjust(plain)).replayed, true);
      await assertReconciled();
    });
  });
}
