import type { Database } from '../db/database.ts';
import { CoreError } from '../errors.ts';
import { dayBoundsMs, formatDay, shanghaiDay } from '../time.ts';

export interface Statement {
  merchantId: string;
  day: string;
  paymentCount: number;
  paymentAmount: number;
  refundCount: number;
  refundAmount: number;
  feeAmount: number;
  netAmount: number;
  /** What the journal says the merchant account gained that day; equals paymentAmount - refundAmount. */
  journalNetAmount: number;
  reconciled: boolean;
  settled: boolean;
}

/** Sales kinds: what a merchant is paid for (payments, and settled holds from meters). */
const salesKinds = "('payment', 'post', 'expire')";

/**
 * Daily merchant statements (Asia/Shanghai days), computed two ways — from the operations and from
 * the journal entries on the merchant's account — and reconciled before they are recorded.
 */
export class SettlementService {
  constructor(private readonly db: Database) {}

  async statement(merchantId: string, day: number): Promise<Statement> {
    const stored = await this.db.select<Record<string, unknown>>(
      'SELECT * FROM settlements WHERE merchant_id = ? AND settle_day = ?',
      [merchantId, day],
    );
    if (stored[0]) return fromRow(stored[0]);
    return this.compute(merchantId, day);
  }

  /** Records the day's statement for every merchant. Settling a day twice changes nothing. */
  async settleDay(day: number): Promise<Statement[]> {
    if (day >= shanghaiDay(Date.now()))
      throw new CoreError('VALIDATION_FAILED', 'a day is settled once it has ended (Asia/Shanghai)');
    const merchants = await this.db.select<{ id: string }>('SELECT id FROM merchants ORDER BY id');
    const statements: Statement[] = [];
    for (const { id } of merchants) {
      const statement = await this.compute(id, day);
      if (!statement.reconciled)
        throw new CoreError('INTERNAL_ERROR', `merchant ${id} does not reconcile on ${statement.day}`);
      const inserted = await this.db.execute(
        `INSERT INTO settlements (merchant_id, settle_day, payment_count, payment_amount, refund_count, refund_amount, fee_amount, net_amount, journal_net_amount, created_at_ms)
         SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM settlements WHERE merchant_id = ? AND settle_day = ?)`,
        [
          id,
          day,
          statement.paymentCount,
          statement.paymentAmount,
          statement.refundCount,
          statement.refundAmount,
          statement.feeAmount,
          statement.netAmount,
          statement.journalNetAmount,
          Date.now(),
          id,
          day,
        ],
      );
      statements.push(inserted === 1 ? { ...statement, settled: true } : await this.statement(id, day));
    }
    return statements;
  }

  private async compute(merchantId: string, day: number): Promise<Statement> {
    const merchant = await this.db.select<{ account_id: string; fee_rate_bp: number }>(
      'SELECT account_id, fee_rate_bp FROM merchants WHERE id = ?',
      [merchantId],
    );
    const m = merchant[0];
    if (!m) throw new CoreError('MERCHANT_NOT_FOUND', 'no such merchant');
    const ops = await this.db.select<Record<string, unknown>>(
      `SELECT CAST(SUM(CASE WHEN kind IN ${salesKinds} AND amount > 0 THEN 1 ELSE 0 END) AS SIGNED) AS payment_count,
              CAST(SUM(CASE WHEN kind IN ${salesKinds} THEN amount ELSE 0 END) AS SIGNED) AS payment_amount,
              CAST(SUM(CASE WHEN kind = 'refund' THEN 1 ELSE 0 END) AS SIGNED) AS refund_count,
              CAST(SUM(CASE WHEN kind = 'refund' THEN amount ELSE 0 END) AS SIGNED) AS refund_amount
         FROM operations WHERE merchant_id = ? AND created_day = ? AND outcome = 'ok'`,
      [merchantId, day],
    );
    const { startMs, endMs } = dayBoundsMs(day);
    const journal = await this.db.select<{ credits: unknown; debits: unknown }>(
      `SELECT CAST(COALESCE(SUM(CASE WHEN credit_account_id = ? THEN amount ELSE 0 END), 0) AS SIGNED) AS credits,
              CAST(COALESCE(SUM(CASE WHEN debit_account_id = ? THEN amount ELSE 0 END), 0) AS SIGNED) AS debits
         FROM transfers
        WHERE pending = 0 AND created_at_ms >= ? AND created_at_ms < ? AND (credit_account_id = ? OR debit_account_id = ?)`,
      [m.account_id, m.account_id, startMs, endMs, m.account_id, m.account_id],
    );
    const o = ops[0] ?? {};
    const paymentAmount = Number(o.payment_amount ?? 0);
    const refundAmount = Number(o.refund_amount ?? 0);
    const journalNetAmount = Number(journal[0]?.credits ?? 0) - Number(journal[0]?.debits ?? 0);
    // Fees in whole fen, rounded half up, computed in BigInt so no amount can lose precision.
    const feeAmount = Number((BigInt(paymentAmount - refundAmount) * BigInt(m.fee_rate_bp) + 5000n) / 10000n);
    return {
      merchantId,
      day: formatDay(day),
      paymentCount: Number(o.payment_count ?? 0),
      paymentAmount,
      refundCount: Number(o.refund_count ?? 0),
      refundAmount,
      feeAmount,
      netAmount: paymentAmount - refundAmount - feeAmount,
      journalNetAmount,
      reconciled: journalNetAmount === paymentAmount - refundAmount,
      settled: false,
    };
  }
}

function fromRow(r: Record<string, unknown>): Statement {
  const paymentAmount = Number(r.payment_amount);
  const refundAmount = Number(r.refund_amount);
  const journalNetAmount = Number(r.journal_net_amount);
  return {
    merchantId: String(r.merchant_id),
    day: formatDay(Number(r.settle_day)),
    paymentCount: Number(r.payment_count),
    paymentAmount,
    refundCount: Number(r.refund_count),
    refundAmount,
    feeAmount: Number(r.fee_amount),
    netAmount: Number(r.net_amount),
    journalNetAmount,
    reconciled: journalNetAmount === paymentAmount - refundAmount,
    settled: true,
  };
}
