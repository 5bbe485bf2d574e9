import type { Database } from '../db/database.ts';
import { channelAccount, systemAccounts } from './operations.ts';

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
 * every entry has an operation and every accepted operation's entries sum to its amount (no entry
 * doubled, changed or missing, even with the counters raised to match); card spending moves between
 * the card's wallets and its merchant; no hold is resolved twice, each hold's status is what its
 * resolving operation did and every pending hold is still reserved; no payment is over-refunded;
 * refund payable equals what the refund list still owes; every consumed pay code names an accepted
 * payment or hold of its card; a utility order's hold is posted exactly when the outside system credited
 * it; each fee item's clearing account holds its payments less its refunds.
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

  // Every entry belongs to an operation that exists: money that moved for no recorded reason.
  for (const r of await db.select<Record<string, unknown>>(
    'SELECT t.operation_id, COUNT(*) AS n, SUM(t.amount) AS total FROM transfers t LEFT JOIN operations o ON o.id = t.operation_id WHERE o.id IS NULL GROUP BY t.operation_id',
  )) {
    note(`journal entries of ${r.operation_id} (${r.n} of ${Number(r.total)}) belong to no operation`);
  }

  // Every accepted operation's entries add up to its amount: a hold's as pending legs, every other
  // kind's as posted legs. This is what catches an entry doubled or changed with the counters raised
  // to match (the account check above cannot), and an operation whose entries are gone.
  for (const r of await db.select<Record<string, unknown>>(`
    SELECT o.id, o.kind, o.amount, COALESCE(t.posted, 0) AS posted, COALESCE(t.pending, 0) AS pending, COALESCE(t.n, 0) AS n
      FROM operations o
      LEFT JOIN (SELECT operation_id, COUNT(*) AS n,
                        SUM(CASE WHEN pending = 0 THEN amount ELSE 0 END) AS posted,
                        SUM(CASE WHEN pending = 1 THEN amount ELSE 0 END) AS pending
                   FROM transfers GROUP BY operation_id) t ON t.operation_id = o.id
     WHERE o.outcome = 'ok'
       AND ((o.kind = 'hold' AND (COALESCE(t.pending, 0) <> o.amount OR COALESCE(t.posted, 0) <> 0))
         OR (o.kind <> 'hold' AND (COALESCE(t.posted, 0) <> o.amount OR COALESCE(t.pending, 0) <> 0)))`)) {
    note(
      Number(r.n) === 0
        ? `${r.kind} ${r.id} of ${Number(r.amount)} has no journal entries`
        : `${r.kind} ${r.id} of ${Number(r.amount)}: its journal entries sum to ${Number(r.posted)} posted, ${Number(r.pending)} pending`,
    );
  }

  // Each kind moves money only between the accounts it names: card spending from the card's wallets
  // (or, offline, the receivable) to the operation's merchant, a refund back, a top-up from a channel
  // into the main wallet, subsidies between the fund and the subsidy wallet, a close-out to refund
  // payable and the fund, a foreign sale from its centre's receivable to the merchant. An entry redirected elsewhere, counters moved to match, is named here.
  const wallets = "(COALESCE(c.main_account_id, ''), COALESCE(c.subsidy_account_id, ''))";
  const channels = Object.values(channelAccount)
    .map((id) => `'${id}'`)
    .join(', ');
  for (const r of await db.select<Record<string, unknown>>(`
    SELECT DISTINCT o.id, o.kind FROM operations o
      JOIN transfers t ON t.operation_id = o.id
      LEFT JOIN merchants m ON m.id = o.merchant_id
      LEFT JOIN cards c ON c.card_no = o.card_no
     WHERE o.outcome = 'ok' AND o.kind NOT IN ('adjustment', 'void') AND NOT (
           (o.kind IN ('payment', 'hold', 'post', 'expire') AND t.credit_account_id = COALESCE(m.account_id, '')
             AND (t.debit_account_id IN ${wallets} OR t.debit_account_id = '${systemAccounts.offlineReceivable}'))
        OR (o.kind = 'refund' AND t.debit_account_id = COALESCE(m.account_id, '') AND t.credit_account_id IN ${wallets})
        OR (o.kind = 'top_up' AND t.credit_account_id = COALESCE(c.main_account_id, '') AND t.debit_account_id IN (${channels}))
        OR (o.kind = 'subsidy' AND t.debit_account_id = '${systemAccounts.subsidyFund}'
             AND t.credit_account_id = COALESCE(c.subsidy_account_id, ''))
        OR (o.kind = 'subsidy_clear' AND t.debit_account_id = COALESCE(c.subsidy_account_id, '')
             AND t.credit_account_id = '${systemAccounts.subsidyFund}')
        OR (o.kind = 'foreign_sale' AND t.credit_account_id = COALESCE(m.account_id, '')
             AND t.debit_account_id IN (SELECT receivable_account_id FROM federation_centres))
        OR (o.kind = 'close_out'
             AND ((t.debit_account_id = COALESCE(c.main_account_id, '') AND t.credit_account_id = '${systemAccounts.refundPayable}')
               OR (t.debit_account_id = COALESCE(c.subsidy_account_id, '') AND t.credit_account_id = '${systemAccounts.subsidyFund}'))))`)) {
    note(
      `${r.kind} ${r.id} has journal entries between accounts other than its card's, its merchant's or its kind's`,
    );
  }

  // A paid top-up order moves money through its own channel's clearing account: its crediting
  // operation (wx:<transaction_id> or ali:<trade_no>) draws from that account, and its refund legs
  // (tur:<refund id>:c, and :rc when the platform gave the refund back) touch that account and no
  // other clearing account. An Alipay payment booked against WeChat's clearing is named here.
  const clearingAccounts = new Set<string>([channelAccount.wechat, channelAccount.alipay]);
  const clearingOf = (channel: unknown) =>
    channel === 'alipay' ? channelAccount.alipay : channel === 'wechat' ? channelAccount.wechat : '';
  for (const r of await db.select<Record<string, unknown>>(`
    SELECT u.id, u.channel, t.operation_id, t.debit_account_id FROM top_up_orders u
      JOIN operations o ON o.id = u.operation_id AND o.outcome = 'ok'
      JOIN transfers t ON t.operation_id = o.id`)) {
    if (r.debit_account_id !== clearingOf(r.channel))
      note(
        `top-up order ${r.id} (${r.channel}) was credited by ${r.operation_id} from ${r.debit_account_id}, not its channel's clearing account`,
      );
  }
  const refundLegs = new Map<string, { orderId: string; channel: unknown }>();
  for (const r of await db.select<Record<string, unknown>>(
    'SELECT r.operation_id, r.order_id, u.channel FROM top_up_refunds r JOIN top_up_orders u ON u.id = r.order_id',
  )) {
    for (const suffix of [':c', ':rc'])
      refundLegs.set(`${r.operation_id}${suffix}`.slice(0, 64), {
        orderId: String(r.order_id),
        channel: r.channel,
      });
  }
  if (refundLegs.size > 0) {
    for (const r of await db.select<Record<string, unknown>>(
      "SELECT operation_id, debit_account_id, credit_account_id FROM transfers WHERE operation_id LIKE 'tur:%'",
    )) {
      const leg = refundLegs.get(String(r.operation_id));
      if (!leg) continue;
      const touched = [String(r.debit_account_id), String(r.credit_account_id)].filter((id) =>
        clearingAccounts.has(id),
      );
      if (touched.length !== 1 || touched[0] !== clearingOf(leg.channel))
        note(
          `refund leg ${r.operation_id} of top-up order ${leg.orderId} (${leg.channel}) moves ${r.debit_account_id} -> ${r.credit_account_id}, not through its channel's clearing account`,
        );
    }
  }

  // Each hold's status is what the operation that resolved it did, for the amount it posted; each
  // accepted resolution is the one its hold names; each hold is its accepted hold operation.
  for (const r of await db.select<Record<string, unknown>>(`
    SELECT h.id, h.status, h.resolved_amount, o.kind, o.amount, o.reference_id
      FROM holds h JOIN operations o ON o.id = h.resolved_by
     WHERE h.status <> CASE o.kind WHEN 'post' THEN 'posted' WHEN 'void' THEN 'voided' WHEN 'expire' THEN 'expired' ELSE '' END
        OR COALESCE(o.reference_id, '') <> h.id OR COALESCE(h.resolved_amount, -1) <> o.amount`)) {
    note(
      `hold ${r.id} is ${r.status} at ${r.resolved_amount ?? '(none)'} but its resolution is a ${r.kind} of ${Number(r.amount)} for ${r.reference_id ?? '(no hold)'}`,
    );
  }
  for (const r of await db.select<Record<string, unknown>>(`
    SELECT o.id, o.kind, o.reference_id, h.status, h.resolved_by FROM operations o
      LEFT JOIN holds h ON h.id = o.reference_id
     WHERE o.kind IN ('post', 'void', 'expire') AND o.outcome = 'ok'
       AND (h.id IS NULL OR COALESCE(h.resolved_by, '') <> o.id)`)) {
    note(
      r.status === null || r.status === undefined
        ? `${r.kind} ${r.id} resolved hold ${r.reference_id}, which does not exist`
        : `${r.kind} ${r.id} resolved hold ${r.reference_id}, which is ${r.status} by ${r.resolved_by ?? '(nothing)'}`,
    );
  }
  for (const r of await db.select<Record<string, unknown>>(`
    SELECT COALESCE(h.id, o.id) AS id, h.amount AS held, o.amount FROM holds h
      LEFT JOIN operations o ON o.id = h.id AND o.kind = 'hold' AND o.outcome = 'ok'
     WHERE o.id IS NULL OR o.amount <> h.amount
    UNION ALL
    SELECT o.id, NULL AS held, o.amount FROM operations o LEFT JOIN holds h ON h.id = o.id
     WHERE o.kind = 'hold' AND o.outcome = 'ok' AND h.id IS NULL`)) {
    note(
      `hold ${r.id}: the hold row (${r.held ?? 'missing'}) and its hold operation (${r.amount ?? 'missing'}) differ`,
    );
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

  // Bank 圈存 (sql/070): every accepted bk:<transfer> top-up credits the card of a load the bank
  // booked, for its amount, and every load marked credited has that top-up. So SYS-BANK-TRANSFER
  // moves only for transfers the bank confirmed, and no confirmed transfer is credited twice or lost.
  for (const r of await db.select<Record<string, unknown>>(
    `SELECT o.id, o.card_no, o.amount, b.id AS transfer_id, b.card_no AS b_card, b.amount AS b_amount, b.status, b.direction
       FROM operations o LEFT JOIN bank_transfers b ON b.id = SUBSTR(o.id, 4)
      WHERE o.kind = 'top_up' AND o.outcome = 'ok' AND o.id LIKE 'bk:%'
        AND (b.id IS NULL OR b.status <> 'credited' OR b.direction <> 'load' OR b.card_no <> o.card_no OR b.amount <> o.amount)`,
  )) {
    note(
      `bank top-up ${r.id} of ${Number(r.amount)} to ${r.card_no} does not match a credited load (${r.transfer_id ? `${r.status} ${r.direction} ${Number(r.b_amount)} to ${r.b_card}` : 'no transfer'})`,
    );
  }
  for (const r of await db.select<Record<string, unknown>>(
    `SELECT b.id FROM bank_transfers b
      WHERE b.direction = 'load' AND b.status = 'credited'
        AND NOT EXISTS (SELECT 1 FROM operations o WHERE o.id = CONCAT('bk:', b.id) AND o.outcome = 'ok')`.replace(
      "CONCAT('bk:', b.id)",
      db.dialect === 'sqlite' ? "'bk:' || b.id" : "CONCAT('bk:', b.id)",
    ),
  )) {
    note(`bank load ${r.id} is marked credited but no accepted bk: top-up credited it`);
  }

  // A consumed pay code is the mark of one accepted payment (or meter hold) of its card (#12.3): a use naming anything
  // else (a refused or missing operation, another card) means a code could be refused wrongly or was
  // recorded without its payment.
  for (const r of await db.select<Record<string, unknown>>(
    "SELECT u.code_id, u.operation_id FROM code_uses u LEFT JOIN operations o ON o.id = u.operation_id AND o.kind IN ('payment', 'hold') AND o.outcome = 'ok' AND o.card_no = u.card_no WHERE o.id IS NULL",
  )) {
    note(
      `pay code ${r.code_id} is marked used by ${r.operation_id}, which is no accepted payment or hold of its card`,
    );
  }

  // Dorm electricity and the network fee (sql/060, docs/funds.md): a util:<order>:hold is posted only for
  // an order the outside system credited, at the order's amount, and every completed order's hold is
  // posted so. A posted hold of an order that failed, was refused or is still held is a charge without
  // a credit; a completed order without its posted hold, a credit without a charge.
  for (const r of await db.select<Record<string, unknown>>(
    `SELECT h.id, h.status AS hold_status, h.resolved_amount, o.id AS order_id, o.status, o.amount
       FROM holds h LEFT JOIN utility_orders o ON o.id = SUBSTR(h.id, 6, LENGTH(h.id) - 10)
      WHERE h.id LIKE 'util:%' AND h.status = 'posted'
        AND (o.id IS NULL OR o.status NOT IN ('credited', 'completed') OR h.resolved_amount <> o.amount)`,
  )) {
    note(
      `utility hold ${r.id} charged ${Number(r.resolved_amount)} for an order ${r.order_id ? `${r.status} of ${Number(r.amount)}` : 'that does not exist'}`,
    );
  }
  for (const r of await db.select<Record<string, unknown>>(
    `SELECT o.id, o.amount, h.status AS hold_status FROM utility_orders o
       LEFT JOIN holds h ON h.id = CONCAT('util:', o.id, ':hold')
      WHERE o.status = 'completed' AND (h.id IS NULL OR h.status <> 'posted' OR h.resolved_amount <> o.amount)`.replace(
      "CONCAT('util:', o.id, ':hold')",
      db.dialect === 'sqlite' ? "'util:' || o.id || ':hold'" : "CONCAT('util:', o.id, ':hold')",
    ),
  )) {
    note(
      `utility order ${r.id} is completed but its hold is ${r.hold_status ?? 'missing'}, not posted at ${Number(r.amount)}`,
    );
  }

  // Fees (sql/061): each item's clearing account (its merchant's) holds what its paid payments brought in
  // less the refunds done, and less the platform refunds in force (sql/064), whose money leaves the item
  // when the refund starts, before the platform answers. A payment or refund caught between the ledger and
  // its row (a crash) shows here until the fee job settles it.
  const feeHeld = await db.select<Record<string, unknown>>(
    `SELECT i.id, i.code, CAST(a.credits_posted - a.debits_posted AS SIGNED) AS held
       FROM fee_items i JOIN merchants m ON m.id = i.merchant_id JOIN accounts a ON a.id = m.account_id`,
  );
  if (feeHeld.length > 0) {
    const paid = new Map(
      (
        await db.select<Record<string, unknown>>(
          `SELECT b.item_id, CAST(SUM(p.amount) AS SIGNED) AS total FROM fee_payments p JOIN fee_bills b ON b.id = p.bill_id
            WHERE p.status = 'paid' GROUP BY b.item_id`,
        )
      ).map((r) => [String(r.item_id), Number(r.total)]),
    );
    const refunded = new Map(
      (
        await db.select<Record<string, unknown>>(
          `SELECT b.item_id, CAST(SUM(r.amount) AS SIGNED) AS total FROM fee_refunds r
             JOIN fee_payments p ON p.id = r.payment_id JOIN fee_bills b ON b.id = p.bill_id
            WHERE r.status = 'done' OR (r.status = 'pending' AND r.channel_payment_id IS NOT NULL)
            GROUP BY b.item_id`,
        )
      ).map((r) => [String(r.item_id), Number(r.total)]),
    );
    for (const r of feeHeld) {
      const expected = (paid.get(String(r.id)) ?? 0) - (refunded.get(String(r.id)) ?? 0);
      if (Number(r.held) !== expected)
        note(
          `fee item ${r.code}: its clearing account holds ${Number(r.held)} but its payments less refunds are ${expected}`,
        );
    }
  }

  const transfers = await db.select<{ n: unknown }>('SELECT COUNT(*) AS n FROM transfers');
  return { ok: breaks.length === 0, accounts: Number(t.n), transfers: Number(transfers[0]?.n), breaks };
}
