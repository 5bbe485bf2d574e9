import type { Database } from '../db/database.ts';

/** Sales kinds: what a merchant is paid for (payments, settled holds from meters, other centres' cards). */
const salesKinds = "('payment', 'post', 'expire', 'foreign_sale')";

/** The day's figures of one merchant as the statement stores them. */
export interface StatementFigures {
  paymentCount: number;
  paymentAmount: number;
  refundCount: number;
  refundAmount: number;
  feeAmount: number;
  netAmount: number;
  journalNetAmount: number;
}

/**
 * Storage of the daily merchant statements (the settlements table), and the two reads a statement is
 * reconciled from: the day's operations and the journal entries on the merchant's account. These are
 * aggregate reads of the ledger's tables over an index, in the measured SQL layer (docs/architecture.md).
 */
export class SettlementRepository {
  constructor(private readonly db: Database) {}

  async stored(merchantId: string, day: number): Promise<Record<string, unknown> | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      'SELECT * FROM settlements WHERE merchant_id = ? AND settle_day = ?',
      [merchantId, day],
    );
    return rows[0];
  }

  /** Records the statement unless the day is already recorded; answers whether this call recorded it. */
  async insertOnce(merchantId: string, day: number, s: StatementFigures, nowMs: number): Promise<boolean> {
    const inserted = await this.db.execute(
      `INSERT INTO settlements (merchant_id, settle_day, payment_count, payment_amount, refund_count, refund_amount, fee_amount, net_amount, journal_net_amount, created_at_ms)
       SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM settlements WHERE merchant_id = ? AND settle_day = ?)`,
      [
        merchantId,
        day,
        s.paymentCount,
        s.paymentAmount,
        s.refundCount,
        s.refundAmount,
        s.feeAmount,
        s.netAmount,
        s.journalNetAmount,
        nowMs,
        merchantId,
        day,
      ],
    );
    return inserted === 1;
  }

  /** The merchants that stand for federated centres (sql/160): settled between the centres, not here. */
  async centreMerchantIds(): Promise<string[]> {
    const rows = await this.db.select<{ merchant_id: string }>('SELECT merchant_id FROM federation_centres');
    return rows.map((r) => r.merchant_id);
  }

  /** The day's accepted sales and refunds of the merchant, counted and summed. */
  async operationTotals(
    merchantId: string,
    day: number,
  ): Promise<{ paymentCount: number; paymentAmount: number; refundCount: number; refundAmount: number }> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT CAST(SUM(CASE WHEN kind IN ${salesKinds} AND amount > 0 THEN 1 ELSE 0 END) AS SIGNED) AS payment_count,
              CAST(SUM(CASE WHEN kind IN ${salesKinds} THEN amount ELSE 0 END) AS SIGNED) AS payment_amount,
              CAST(SUM(CASE WHEN kind = 'refund' THEN 1 ELSE 0 END) AS SIGNED) AS refund_count,
              CAST(SUM(CASE WHEN kind = 'refund' THEN amount ELSE 0 END) AS SIGNED) AS refund_amount
         FROM operations WHERE merchant_id = ? AND created_day = ? AND outcome = 'ok'`,
      [merchantId, day],
    );
    const o = rows[0] ?? {};
    return {
      paymentCount: Number(o.payment_count ?? 0),
      paymentAmount: Number(o.payment_amount ?? 0),
      refundCount: Number(o.refund_count ?? 0),
      refundAmount: Number(o.refund_amount ?? 0),
    };
  }

  /** What the journal credited and debited the account between two instants (posted transfers only). */
  async journalTotals(
    accountId: string,
    startMs: number,
    endMs: number,
  ): Promise<{ credits: number; debits: number }> {
    const rows = await this.db.select<{ credits: unknown; debits: unknown }>(
      `SELECT CAST(COALESCE(SUM(CASE WHEN credit_account_id = ? THEN amount ELSE 0 END), 0) AS SIGNED) AS credits,
              CAST(COALESCE(SUM(CASE WHEN debit_account_id = ? THEN amount ELSE 0 END), 0) AS SIGNED) AS debits
         FROM transfers
        WHERE pending = 0 AND created_at_ms >= ? AND created_at_ms < ? AND (credit_account_id = ? OR debit_account_id = ?)`,
      [accountId, accountId, startMs, endMs, accountId, accountId],
    );
    return { credits: Number(rows[0]?.credits ?? 0), debits: Number(rows[0]?.debits ?? 0) };
  }
}
