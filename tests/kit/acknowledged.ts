// What a crash or failover test of the bank workload asserts at the end (core/test/cores-crash.test.ts,
// tests/cluster/failover.test.ts): every operation a caller was answered is stored once with that
// answer, nothing is stored that no caller was answered, each card's balance is its seed moved by the
// acknowledged operations, and the ledger check is clean.

import assert from 'node:assert/strict';
import type { Answer } from '../../core/src/client/index.ts';
import type { Database } from '../../core/src/db/database.ts';
import { checkLedger } from '../../core/src/ledger/ledger-check.ts';

export interface Acknowledged {
  readonly kind: 'pay' | 'topUp' | 'refund';
  readonly answer: Answer;
}

export async function assertAcknowledgedOnce(options: {
  db: Database;
  /** The answered operations by id. */
  done: ReadonlyMap<string, Acknowledged>;
  /** A LIKE pattern matching the workload's operation ids (and no others). */
  idLike: string;
  cards: readonly string[];
  /** Each card's balance before the workload, fen. */
  seed: number;
  balanceOf: (cardNo: string) => Promise<number>;
}): Promise<void> {
  const { db, done } = options;
  const rows = await db.select<{ id: string; outcome: string; n: number }>(
    'SELECT id, outcome, COUNT(*) AS n FROM operations WHERE id LIKE ? GROUP BY id, outcome',
    [options.idLike],
  );
  const stored = new Map(rows.map((r) => [r.id, r]));
  for (const [id, d] of done) {
    const s = stored.get(id);
    const expected = d.answer.status === 'ok' ? 'ok' : (d.answer as { code: string }).code;
    assert.equal(s?.outcome, expected, `acknowledged ${id} is stored as ${expected}`);
    assert.equal(Number(s?.n), 1, `${id} stored once`);
  }
  assert.equal(rows.length, done.size, 'no operation is stored that no caller was answered');
  // Each acknowledged operation moved money exactly once: a doubled one would show in a balance.
  const expected = new Map(options.cards.map((c) => [c, options.seed]));
  for (const d of done.values()) {
    if (d.answer.status !== 'ok') continue;
    const a = d.answer as { amount: number; cardNo: string };
    expected.set(a.cardNo, (expected.get(a.cardNo) ?? 0) + (d.kind === 'pay' ? -a.amount : a.amount));
  }
  for (const cardNo of options.cards)
    assert.equal(await options.balanceOf(cardNo), expected.get(cardNo), `balance of ${cardNo}`);
  assert.deepEqual((await checkLedger(db)).breaks, [], 'ledger check');
}
