import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, openStudent, opId, startTestCore, type TestCore } from '@campus-card/tests/kit';
import type { Accepted, Answer } from '../src/client/index.ts';
import { checkLedger } from '../src/ledger/ledger-check.ts';

function ok(answer: Answer): Accepted {
  assert.equal(answer.status, 'ok', `expected ok, got ${JSON.stringify(answer)}`);
  return answer as Accepted;
}

/**
 * `npm run ledger:check` against real corruption: a real ledger is built through the API, one class
 * of corruption is written into the database with SQL (as an insider with database access would), the
 * check must name it, and the corruption is undone so the next test starts from clean books.
 */
for (const dialect of dialects) {
  describe(`ledger:check on ${dialect}`, () => {
    let t: TestCore;
    let merchantId: string;
    let merchantAccount: string;
    let cardNo: string;
    let mainAccount: string;
    let paymentId: string;
    let postedHoldId: string;
    let postId: string;

    const sql = (text: string, params: (string | number | null)[] = []) => t.core.db.execute(text, params);
    async function breaks(): Promise<string[]> {
      return (await checkLedger(t.core.db)).breaks;
    }
    /** Asserts the check names the corruption (every pattern in one break line), then undoes it. */
    async function caught(patterns: RegExp[], undo: () => Promise<unknown>): Promise<void> {
      const found = await breaks();
      try {
        assert.ok(
          found.some((line) => patterns.every((p) => p.test(line))),
          `expected a break matching ${patterns.join(' and ')}, got ${JSON.stringify(found)}`,
        );
      } finally {
        await undo();
      }
      assert.deepEqual(await breaks(), []);
    }
    async function raise(account: string, column: string, by: number): Promise<void> {
      await sql(`UPDATE accounts SET ${column} = ${column} + ? WHERE id = ?`, [by, account]);
    }

    before(async () => {
      t = await startTestCore(dialect, { HOLD_SWEEP_INTERVAL_MS: '3600000' });
      merchantId = (await t.client.createMerchant({ name: '一食堂', category: 'canteen' })).id;
      cardNo = await openStudent(t.client);
      ok(await t.client.topUp({ id: opId('top'), cardNo, amount: 10_000, channel: 'wechat' }));
      paymentId = ok(await t.client.pay({ id: opId('pay'), cardNo, merchantId, amount: 1_200 })).id;
      postedHoldId = ok(
        await t.client.hold({ id: opId('hold'), cardNo, merchantId, amount: 800, timeoutMs: 600_000 }),
      ).id;
      postId = ok(await t.client.postHold(postedHoldId, { id: opId('post'), amount: 300 })).id;
      ok(await t.client.hold({ id: opId('hold'), cardNo, merchantId, amount: 500, timeoutMs: 600_000 }));
      const [card] = await t.core.db.select<{ main_account_id: string }>(
        'SELECT main_account_id FROM cards WHERE card_no = ?',
        [cardNo],
      );
      const [merchant] = await t.core.db.select<{ account_id: string }>(
        'SELECT account_id FROM merchants WHERE id = ?',
        [merchantId],
      );
      mainAccount = String(card?.main_account_id);
      merchantAccount = String(merchant?.account_id);
      assert.deepEqual(await breaks(), []);
    });
    after(() => t.stop());

    test('#12.6 when a payment is applied twice consistently (a second entry, both counters raised), then the check names the payment', async () => {
      // Goal: the case the review found passing: the accounts still equal their journal, the payment does not.
      await sql(
        'INSERT INTO transfers (id, operation_id, debit_account_id, credit_account_id, amount, pending, created_at_ms) VALUES (?, ?, ?, ?, ?, 0, 1)',
        [`${paymentId}:9`, paymentId, mainAccount, merchantAccount, 1_200],
      );
      await raise(mainAccount, 'debits_posted', 1_200);
      await raise(merchantAccount, 'credits_posted', 1_200);
      await caught([new RegExp(paymentId), /sum to 2400 posted/], async () => {
        await sql('DELETE FROM transfers WHERE id = ?', [`${paymentId}:9`]);
        await raise(mainAccount, 'debits_posted', -1_200);
        await raise(merchantAccount, 'credits_posted', -1_200);
      });
    });

    test('#12.6 when an entry amount is changed with the counters moved to match, then the check names the operation', async () => {
      // Goal: entry amount class — the operation's amount and its entries disagree.
      await sql('UPDATE transfers SET amount = amount + 50 WHERE operation_id = ?', [paymentId]);
      await raise(mainAccount, 'debits_posted', 50);
      await raise(merchantAccount, 'credits_posted', 50);
      await caught([new RegExp(paymentId), /of 1200/, /1250/], async () => {
        await sql('UPDATE transfers SET amount = amount - 50 WHERE operation_id = ?', [paymentId]);
        await raise(mainAccount, 'debits_posted', -50);
        await raise(merchantAccount, 'credits_posted', -50);
      });
    });

    test('#12.6 when an account counter is changed alone, then the check names the account', async () => {
      // Goal: counter class — an account no longer equals its journal, and the books do not sum to zero.
      await raise(mainAccount, 'credits_posted', 700);
      await caught([new RegExp(`account ${mainAccount}`), /journal says/], () =>
        raise(mainAccount, 'credits_posted', -700),
      );
    });

    test('#12.6 when a posted hold is flipped to voided, then the check names the hold and its post', async () => {
      // Goal: hold status class — the status must be what the resolving operation did.
      await sql("UPDATE holds SET status = 'voided' WHERE id = ?", [postedHoldId]);
      await caught([new RegExp(`hold ${postedHoldId} is voided`), /post of 300/], () =>
        sql("UPDATE holds SET status = 'posted' WHERE id = ?", [postedHoldId]),
      );
      await sql('UPDATE holds SET resolved_amount = 0 WHERE id = ?', [postedHoldId]);
      await caught([new RegExp(`hold ${postedHoldId} is posted at 0`)], () =>
        sql('UPDATE holds SET resolved_amount = 300 WHERE id = ?', [postedHoldId]),
      );
      await sql('UPDATE holds SET resolved_by = NULL, resolved_amount = NULL, status = ? WHERE id = ?', [
        'pending',
        postedHoldId,
      ]);
      const found = await breaks();
      await sql('UPDATE holds SET resolved_by = ?, resolved_amount = 300, status = ? WHERE id = ?', [
        postId,
        'posted',
        postedHoldId,
      ]);
      assert.ok(
        found.some((line) => line.includes(`post ${postId} resolved hold ${postedHoldId}, which is pending`)),
        JSON.stringify(found),
      );
      assert.deepEqual(await breaks(), []);
    });

    test('#12.6 when an operation loses its entries (counters lowered to match), then the check names it', async () => {
      // Goal: operation without entries class.
      const legs = await t.core.db.select<Record<string, unknown>>(
        'SELECT id, operation_id, debit_account_id, credit_account_id, amount, pending, created_at_ms FROM transfers WHERE operation_id = ?',
        [paymentId],
      );
      assert.equal(legs.length, 1);
      const leg = legs[0] as Record<string, unknown>;
      await sql('DELETE FROM transfers WHERE operation_id = ?', [paymentId]);
      await raise(String(leg.debit_account_id), 'debits_posted', -1_200);
      await raise(String(leg.credit_account_id), 'credits_posted', -1_200);
      await caught([new RegExp(`payment ${paymentId} of 1200 has no journal entries`)], async () => {
        await sql(
          'INSERT INTO transfers (id, operation_id, debit_account_id, credit_account_id, amount, pending, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
          [
            String(leg.id),
            String(leg.operation_id),
            String(leg.debit_account_id),
            String(leg.credit_account_id),
            Number(leg.amount),
            Number(leg.pending),
            Number(leg.created_at_ms),
          ],
        );
        await raise(String(leg.debit_account_id), 'debits_posted', 1_200);
        await raise(String(leg.credit_account_id), 'credits_posted', 1_200);
      });
    });

    test('#12.6 when entries exist for no operation (counters raised to match), then the check names them', async () => {
      // Goal: entries without operation class — money moved for no recorded reason.
      await sql(
        'INSERT INTO transfers (id, operation_id, debit_account_id, credit_account_id, amount, pending, created_at_ms) VALUES (?, ?, ?, ?, ?, 0, 1)',
        ['ghost-op:0', 'ghost-op', merchantAccount, mainAccount, 900],
      );
      await raise(merchantAccount, 'debits_posted', 900);
      await raise(mainAccount, 'credits_posted', 900);
      await caught([/ghost-op/, /belong to no operation/], async () => {
        await sql('DELETE FROM transfers WHERE id = ?', ['ghost-op:0']);
        await raise(merchantAccount, 'debits_posted', -900);
        await raise(mainAccount, 'credits_posted', -900);
      });
    });

    test('#12.6 when a payment entry is redirected to another merchant (counters moved to match), then the check names it', async () => {
      // Goal: card spending moves only between the card's wallets and the operation's merchant.
      const other = (await t.client.createMerchant({ name: '超市', category: 'shop' })).id;
      const [row] = await t.core.db.select<{ account_id: string }>(
        'SELECT account_id FROM merchants WHERE id = ?',
        [other],
      );
      const otherAccount = String(row?.account_id);
      await sql('UPDATE transfers SET credit_account_id = ? WHERE operation_id = ?', [
        otherAccount,
        paymentId,
      ]);
      await raise(merchantAccount, 'credits_posted', -1_200);
      await raise(otherAccount, 'credits_posted', 1_200);
      await caught([new RegExp(`payment ${paymentId}`), /accounts other than its card's/], async () => {
        await sql('UPDATE transfers SET credit_account_id = ? WHERE operation_id = ?', [
          merchantAccount,
          paymentId,
        ]);
        await raise(merchantAccount, 'credits_posted', 1_200);
        await raise(otherAccount, 'credits_posted', -1_200);
      });
    });

    test('#12.6 when a top-up is credited to another card (counters moved to match), then the check names it', async () => {
      // Goal: each kind's entries run between the accounts it names (here: the card's own main wallet).
      const owner = await openStudent(t.client);
      const topUp = ok(
        await t.client.topUp({ id: opId('top'), cardNo: owner, amount: 500, channel: 'cash' }),
      ).id;
      const thief = await openStudent(t.client);
      const accountOf = async (card: string) =>
        String(
          (
            await t.core.db.select<{ main_account_id: string }>(
              'SELECT main_account_id FROM cards WHERE card_no = ?',
              [card],
            )
          )[0]?.main_account_id,
        );
      const [ownerAccount, thiefAccount] = [await accountOf(owner), await accountOf(thief)];
      const move = async (from: string, to: string) => {
        await sql('UPDATE transfers SET credit_account_id = ? WHERE operation_id = ?', [to, topUp]);
        await raise(from, 'credits_posted', -500);
        await raise(to, 'credits_posted', 500);
      };
      await move(ownerAccount, thiefAccount);
      await caught([new RegExp(`top_up ${topUp}`), /accounts other than its card's/], () =>
        move(thiefAccount, ownerAccount),
      );
    });
  });
}
