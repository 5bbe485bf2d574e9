import type { Settlement, SettlementException, SettlementLine } from '../contract/federation.ts';
import type { Database } from '../db/database.ts';

type Stored = Omit<Settlement, 'day' | 'exceptions'>;

/** The inter-centre day files read from the journal, and the reconciled days (sql/162). */
export class FederationSettlementRepository {
  constructor(private readonly db: Database) {}

  /** Our cards' accepted payments to the merchant that stands for a centre, on a day. */
  async debits(merchantId: string, day: number): Promise<SettlementLine[]> {
    const rows = await this.db.select<{ id: string; amount: unknown }>(
      "SELECT id, amount FROM operations WHERE merchant_id = ? AND created_day = ? AND kind = 'payment' AND outcome = 'ok' ORDER BY id",
      [merchantId, day],
    );
    return rows.map((r) => ({ id: r.id, amount: Number(r.amount) }));
  }

  /** Sales to a centre's cards at our devices (from its receivable account), on a day. */
  async sales(receivableAccountId: string, day: number): Promise<SettlementLine[]> {
    const rows = await this.db.select<{ id: string; amount: unknown }>(
      `SELECT o.id, o.amount FROM operations o JOIN transfers t ON t.operation_id = o.id
        WHERE o.created_day = ? AND o.kind = 'foreign_sale' AND o.outcome = 'ok' AND t.debit_account_id = ?
        ORDER BY o.id`,
      [day, receivableAccountId],
    );
    return rows.map((r) => ({ id: r.id, amount: Number(r.amount) }));
  }

  async settlement(centreId: string, day: number): Promise<Stored | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      'SELECT * FROM federation_settlements WHERE centre_id = ? AND settle_day = ?',
      [centreId, day],
    );
    const r = rows[0];
    if (r === undefined) return undefined;
    return {
      centreId,
      receivableAmount: Number(r.receivable_amount),
      payableAmount: Number(r.payable_amount),
      netAmount: Number(r.net_amount),
      theirReceivableAmount: r.their_receivable_amount === null ? null : Number(r.their_receivable_amount),
      theirPayableAmount: r.their_payable_amount === null ? null : Number(r.their_payable_amount),
      netRecordedAtMs: r.net_recorded_at_ms === null ? null : Number(r.net_recorded_at_ms),
    };
  }

  async exceptions(centreId: string, day: number): Promise<SettlementException[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      'SELECT * FROM federation_exceptions WHERE centre_id = ? AND settle_day = ? ORDER BY direction, operation_id',
      [centreId, day],
    );
    return rows.map((r) => ({
      direction: r.direction as SettlementException['direction'],
      operationId: String(r.operation_id),
      kind: r.kind as SettlementException['kind'],
      ourAmount: r.our_amount === null ? null : Number(r.our_amount),
      theirAmount: r.their_amount === null ? null : Number(r.their_amount),
    }));
  }

  /**
   * The day's reconciliation, replacing an earlier one of the same day, unless its net was recorded
   * (then nothing changes and false is answered).
   */
  async replace(
    s: Stored,
    day: number,
    exceptions: readonly SettlementException[],
    nowMs: number,
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const recorded = await this.db.select(
        `SELECT 1 FROM federation_settlements WHERE centre_id = ? AND settle_day = ? AND net_recorded_at_ms IS NOT NULL${this.db.forUpdate}`,
        [s.centreId, day],
        tx,
      );
      if (recorded.length > 0) return false;
      await this.db.execute(
        'DELETE FROM federation_settlements WHERE centre_id = ? AND settle_day = ?',
        [s.centreId, day],
        tx,
      );
      await this.db.execute(
        'DELETE FROM federation_exceptions WHERE centre_id = ? AND settle_day = ?',
        [s.centreId, day],
        tx,
      );
      await this.db.execute(
        `INSERT INTO federation_settlements (centre_id, settle_day, receivable_amount, payable_amount, net_amount, their_receivable_amount, their_payable_amount, exception_count, net_recorded_at_ms, reconciled_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)`,
        [
          s.centreId,
          day,
          s.receivableAmount,
          s.payableAmount,
          s.netAmount,
          s.theirReceivableAmount,
          s.theirPayableAmount,
          exceptions.length,
          nowMs,
        ],
        tx,
      );
      for (const e of exceptions)
        await this.db.execute(
          `INSERT INTO federation_exceptions (centre_id, settle_day, direction, operation_id, kind, our_amount, their_amount)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
          [s.centreId, day, e.direction, e.operationId, e.kind, e.ourAmount, e.theirAmount],
          tx,
        );
      return true;
    });
  }

  /** Marks the day's net recorded, once; false when it was already (or the day has exceptions or is unknown). */
  async markNetRecorded(centreId: string, day: number, nowMs: number): Promise<boolean> {
    const updated = await this.db.execute(
      'UPDATE federation_settlements SET net_recorded_at_ms = ? WHERE centre_id = ? AND settle_day = ? AND net_recorded_at_ms IS NULL AND exception_count = 0',
      [nowMs, centreId, day],
    );
    return updated === 1;
  }
}
