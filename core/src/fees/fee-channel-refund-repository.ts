import type { Database } from '../db/database.ts';
import { isDuplicateKey } from '../db/database.ts';

/**
 * Refunds of fees paid by WeChat Pay or Alipay (sql/064): fee_refunds rows whose channel_payment_id
 * names their payment while they are pending or done, so one payment has at most one platform refund in
 * force (a unique index), and the reservations and the bill that follow them.
 */
export class FeeChannelRefundRepository {
  constructor(private readonly db: Database) {}

  /**
   * The refund and its reservation on the payment, in one transaction: 'exists' when this refund id is
   * taken (checked first, so a retry never reads as too much), 'taken' when another platform refund of the
   * payment is in force, 'exceeds' when the payment is not paid or has too little left. Nothing is written
   * unless 'inserted'.
   */
  async insert(
    r: { id: string; paymentId: string; amount: number; reason: string },
    nowMs: number,
  ): Promise<'inserted' | 'exists' | 'taken' | 'exceeds'> {
    const exceeds = new Error('exceeds');
    try {
      return await this.db.transaction(async (tx) => {
        await this.db.execute(
          `INSERT INTO fee_refunds (id, payment_id, amount, reason, status, created_at_ms, channel_payment_id)
           VALUES (?, ?, ?, ?, 'pending', ?, ?)`,
          [r.id, r.paymentId, r.amount, r.reason, nowMs, r.paymentId],
          tx,
        );
        const reserved = await this.db.execute(
          `UPDATE fee_payments SET refunded_amount = refunded_amount + ?, updated_at_ms = ?
            WHERE id = ? AND status = 'paid' AND refunded_amount + ? <= amount`,
          [r.amount, nowMs, r.paymentId, r.amount],
          tx,
        );
        // Thrown to roll the row back with the transaction.
        if (reserved !== 1) throw exceeds;
        return 'inserted' as const;
      });
    } catch (error) {
      if (error === exceeds) return 'exceeds';
      if (!isDuplicateKey(error)) throw error;
      const rows = await this.db.select<{ id: string }>('SELECT id FROM fee_refunds WHERE id = ?', [r.id]);
      return rows.length > 0 ? 'exists' : 'taken';
    }
  }

  /** The platform refund in force for a payment (pending or done), if any. */
  async inForce(paymentId: string): Promise<string | undefined> {
    const rows = await this.db.select<{ id: string }>(
      'SELECT id FROM fee_refunds WHERE channel_payment_id = ?',
      [paymentId],
    );
    return rows[0]?.id;
  }

  /**
   * pending -> done | refused, once, with what follows in the same transaction: done lowers the bill by
   * the amount (neither paid nor owed any more, as a card refund does); refused gives the payment's
   * reservation back and frees the payment for another platform refund.
   */
  async settle(
    id: string,
    to: 'done' | 'refused',
    failureCode: string | null,
    nowMs: number,
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const rows = await this.db.select<{ payment_id: string; amount: number }>(
        "SELECT payment_id, amount FROM fee_refunds WHERE id = ? AND status = 'pending' AND channel_payment_id IS NOT NULL",
        [id],
        tx,
      );
      const row = rows[0];
      if (!row) return false;
      const changed = await this.db.execute(
        `UPDATE fee_refunds SET status = ?, failure_code = ?, channel_payment_id = ${to === 'refused' ? 'NULL' : 'channel_payment_id'}
          WHERE id = ? AND status = 'pending'`,
        [to, failureCode, id],
        tx,
      );
      if (changed !== 1) return false;
      const amount = Number(row.amount);
      if (to === 'refused')
        await this.db.execute(
          'UPDATE fee_payments SET refunded_amount = refunded_amount - ?, updated_at_ms = ? WHERE id = ? AND refunded_amount >= ?',
          [amount, nowMs, row.payment_id, amount],
          tx,
        );
      else
        await this.db.execute(
          `UPDATE fee_bills SET amount_paid = amount_paid - ?, amount_due = amount_due - ?, updated_at_ms = ?
            WHERE id = (SELECT bill_id FROM fee_payments WHERE id = ?) AND amount_paid >= ? AND amount_due >= ?`,
          [amount, amount, nowMs, row.payment_id, amount, amount],
          tx,
        );
      return true;
    });
  }
}
