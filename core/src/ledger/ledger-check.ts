import type { Database } from '../db/database.ts';

export interface CheckReport {
  ok: boolean;
  accounts: number;
  transfers: number;
  breaks: string[];
}

const breaksShownMax = 50;

/**
 * Verifies the ledger's invariants against the live database, from the journal up:
 * every account equals the sum of its entries; all accounts sum to zero; no wallet is negative;
 * no hold is resolved twice and every pending hold is still reserved; no payment is over-refunded;
 * refund payable equals what the refund list still owes.
 */
export async function checkLedger(db: Database): Promise<CheckReport> {
  const breaks: string[] = [];
  const note = (line: string) => {
    if (breaks.length < breaksShownMax) breaks.push(line);
    else if (breaks.length === breaksShownMax) breaks.push('… more breaks not shown');
  };

  const mismatched = await db.select<Record<string, unknown>>(`
    SELECT a.id, a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending,
           COALESCE(d.posted, 0) AS d_posted, COALESCE(c.posted, 0) AS c_posted,
           COALESCE(d.pending, 0) AS d_pending, COALESCE(c.pending, 0) AS c_pending
      FROM accounts a
      LEFT JOIN (SELECT t.debit_account_id AS id,
                        SUM(CASE WHEN t.pending = 0 THEN t.amount ELSE 0 END) AS posted,
                        SUM(CASE WHEN t.pending = 1 AND h.status = 'pending' THEN t.amount ELSE 0 END) AS pending
                   FROM transfers t LEFT JOIN holds h ON h.id = t.operation_id
                  GROUP BY t.debit_account_id) d ON d.id = a.id
      LEFT JOIN (SELECT t.credit_account_id AS id,
                        SUM(CASE WHEN t.pending = 0 THEN t.amount ELSE 0 END) AS posted,
                        SUM(CASE WHEN t.pending = 1 AND h.status = 'pending' THEN t.amount ELSE 0 END) AS pending
                   FROM transfers t LEFT JOIN holds h ON h.id = t.operation_id
                  GROUP BY t.credit_account_id) c ON c.id = a.id
     WHERE a.debits_posted <> COALESCE(d.posted, 0) OR a.credits_posted <> COALESCE(c.posted, 0)
        OR a.debits_pending <> COALESCE(d.pending, 0) OR a.credits_pending <> COALESCE(c.pending, 0)`);
  for (const r of mismatched) {
    note(
      `account ${r.id}: stored debits/credits posted ${r.debits_posted}/${r.credits_posted} pending ${r.debits_pending}/${r.credits_pending}, ` +
        `journal says ${Number(r.d_posted)}/${Number(r.c_posted)} pending ${Number(r.d_pending)}/${Number(r.c_pending)}`,
    );
  }

  const totals = await db.select<Record<string, unknown>>(
    'SELECT COUNT(*) AS n, CAST(COALESCE(SUM(credits_posted - debits_posted), 0) AS SIGNED) AS posted, CAST(COALESCE(SUM(credits_pending - debits_pending), 0) AS SIGNED) AS pending FROM accounts',
  );
  const t = totals[0] ?? {};
  if (Number(t.posted) !== 0) note(`accounts do not sum to zero: posted balances sum to ${t.posted}`);
  if (Number(t.pending) !== 0) note(`pending balances sum to ${t.pending}`);

  for (const r of await db.select<Record<string, unknown>>(
    'SELECT id, credits_posted - debits_posted - debits_pending AS available FROM accounts WHERE allow_overdraft = 0 AND credits_posted - debits_posted - debits_pending < 0',
  )) {
    note(`wallet ${r.id} is negative: ${r.available}`);
  }

  for (const r of await db.select<Record<string, unknown>>(
    "SELECT reference_id, COUNT(*) AS n FROM operations WHERE kind IN ('post', 'void', 'expire') AND outcome = 'ok' GROUP BY reference_id HAVING COUNT(*) > 1",
  )) {
    note(`hold ${r.reference_id} was resolved ${r.n} times`);
  }
  for (const r of await db.select<Record<string, unknown>>(
    "SELECT h.id, h.status, h.resolved_by FROM holds h LEFT JOIN operations o ON o.id = h.resolved_by AND o.outcome = 'ok' WHERE (h.status = 'pending') <> (h.resolved_by IS NULL) OR (h.resolved_by IS NOT NULL AND o.id IS NULL)",
  )) {
    note(`hold ${r.id} is ${r.status} but its resolution ${r.resolved_by ?? '(none)'} does not match`);
  }

  for (const r of await db.select<Record<string, unknown>>(`
    SELECT p.id, p.amount, p.refunded_amount, COALESCE(r.total, 0) AS refunds
      FROM operations p
      LEFT JOIN (SELECT reference_id, SUM(amount) AS total FROM operations
                  WHERE kind = 'refund' AND outcome = 'ok' GROUP BY reference_id) r ON r.reference_id = p.id
     WHERE p.kind = 'payment' AND p.outcome = 'ok'
       AND (p.refunded_amount <> COALESCE(r.total, 0) OR p.refunded_amount > p.amount)`)) {
    note(
      `payment ${r.id} of ${r.amount}: refunded_amount ${r.refunded_amount} but refunds sum to ${Number(r.refunds)}`,
    );
  }

  for (const r of await db.select<Record<string, unknown>>(
    "SELECT DISTINCT t.operation_id FROM transfers t JOIN operations o ON o.id = t.operation_id WHERE o.outcome <> 'ok'",
  )) {
    note(`rejected operation ${r.operation_id} has journal entries`);
  }

  // Refund payable holds what the refund list still owes: every close-out's main balance is listed,
  // and a payout moves it out as the entry is marked paid. Entries marked paid before payouts were
  // booked (sql/017) have no payout operation: their money never left. A payout posted but not yet
  // marked (a crash between the two) shows here until it is paid again, which completes it.
  const [payable] = await db.select<Record<string, unknown>>(
    "SELECT CAST(credits_posted - debits_posted AS SIGNED) AS held FROM accounts WHERE id = 'SYS-REFUND-PAYABLE'",
  );
  const [owed] = await db.select<Record<string, unknown>>(
    "SELECT CAST(COALESCE(SUM(main_amount), 0) AS SIGNED) AS owed FROM refund_list WHERE status = 'due' OR payout_operation_id IS NULL",
  );
  if (payable && Number(payable.held) !== Number(owed?.owed)) {
    note(
      `SYS-REFUND-PAYABLE holds ${Number(payable.held)} but the refund list owes ${Number(owed?.owed)} (a close-out not listed, or a payout not marked paid)`,
    );
  }

  for (const r of await db.select<Record<string, unknown>>(
    "SELECT o.id, o.amount - o.subsidy_amount AS main FROM operations o WHERE o.kind = 'close_out' AND o.outcome = 'ok' AND o.amount > o.subsidy_amount AND NOT EXISTS (SELECT 1 FROM refund_list r WHERE r.operation_id = o.id)",
  )) {
    note(`close-out ${r.id} moved ${Number(r.main)} to refund payable but is not on the refund list`);
  }

  const transfers = await db.select<{ n: unknown }>('SELECT COUNT(*) AS n FROM transfers');
  return { ok: breaks.length === 0, accounts: Number(t.n), transfers: Number(transfers[0]?.n), breaks };
}
