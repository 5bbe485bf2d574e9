import type { Database, Param } from '../src/db/database.ts';
import { newId } from '../src/ids.ts';
import { shanghaiDay } from '../src/time.ts';

/**
 * Opens `count` funded student cards with multi-row inserts: persons, both wallets, the card, and
 * the top-up that funds it as a real journal entry, so ledger:check holds afterwards.
 */
export async function seedFundedCards(
  db: Database,
  count: number,
  fundFen: number,
  onProgress?: (done: number) => void,
): Promise<string[]> {
  const cardNos: string[] = [];
  const chunk = 1_000;
  const now = await db.nowMs();
  for (let start = 0; start < count; start += chunk) {
    const n = Math.min(chunk, count - start);
    const persons: Param[] = [];
    const accounts: Param[] = [];
    const cards: Param[] = [];
    const ops: Param[] = [];
    const legs: Param[] = [];
    for (let i = 0; i < n; i++) {
      const k = start + i;
      const personId = newId(now);
      const mainId = newId(now);
      const subsidyId = newId(now);
      const cardNo = `9${String(k).padStart(11, '0')}`;
      cardNos.push(cardNo);
      persons.push(personId, `B${k}`, `学生${k}`, 'student', '压测学院', 'active', now, now);
      accounts.push(
        mainId,
        'wallet_main',
        personId,
        0,
        0,
        fundFen,
        now,
        subsidyId,
        'wallet_subsidy',
        personId,
        0,
        0,
        0,
        now,
      );
      cards.push(cardNo, personId, 'active', 1, mainId, subsidyId, 200_000, 5_000, now, now);
      const opId = `seed-${cardNo}`;
      ops.push(
        opId,
        'top_up',
        'ok',
        cardNo,
        fundFen,
        fundFen,
        0,
        JSON.stringify({ channel: 'bank' }),
        shanghaiDay(now),
        now,
      );
      legs.push(`${opId}:0`, opId, 'SYS-BANK-TRANSFER', mainId, fundFen, now);
    }
    await db.transaction(async (tx) => {
      await db.execute(
        `INSERT INTO persons (id, person_no, name, type, department, status, created_at_ms, updated_at_ms) VALUES ${rows(n, 8)}`,
        persons,
        tx,
      );
      await db.execute(
        `INSERT INTO accounts (id, kind, owner_id, allow_overdraft, debits_posted, credits_posted, created_at_ms) VALUES ${rows(2 * n, 7)}`,
        accounts,
        tx,
      );
      await db.execute(
        `INSERT INTO cards (card_no, person_id, status, version, main_account_id, subsidy_account_id, daily_limit, pin_free_limit, created_at_ms, updated_at_ms) VALUES ${rows(n, 10)}`,
        cards,
        tx,
      );
      await db.execute(
        `INSERT INTO operations (id, kind, outcome, card_no, amount, main_after, subsidy_after, request_extra, created_day, created_at_ms) VALUES ${rows(n, 10)}`,
        ops,
        tx,
      );
      await db.execute(
        `INSERT INTO transfers (id, operation_id, debit_account_id, credit_account_id, amount, created_at_ms) VALUES ${rows(n, 6)}`,
        legs,
        tx,
      );
      await db.execute(
        "UPDATE accounts SET debits_posted = debits_posted + ? WHERE id = 'SYS-BANK-TRANSFER'",
        [n * fundFen],
        tx,
      );
    });
    onProgress?.(start + n);
  }
  return cardNos;
}

function rows(count: number, width: number): string {
  const row = `(${Array.from({ length: width }, () => '?').join(', ')})`;
  return Array.from({ length: count }, () => row).join(', ');
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
