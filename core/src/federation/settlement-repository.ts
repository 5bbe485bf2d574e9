import type {
  ExceptionResolution,
  Settlement,
  SettlementException,
  SettlementLine,
} from '../contract/federation.ts';
import { type Database, isDuplicateKey, type Tx } from '../db/database.ts';

export type StoredSettlement = Omit<Settlement, 'day' | 'exceptions'>;
type Stored = StoredSettlement;
/** An exception as reconciled, before its state is known. */
export type Difference = Omit<SettlementException, 'state' | 'resolution'>;
/** A resolution as kept (sql/210), with the exception as it was when proposed. */
export interface StoredResolution extends ExceptionResolution {
  direction: Difference['direction'];
  operationId: string;
  kind: Difference['kind'];
  ourAmount: number | null;
  theirAmount: number | null;
  status: 'proposed' | 'resolved';
}
/** What a reconciliation stores, made inside its transaction from the day's resolutions as they are then. */
export interface Reconciled {
  settlement: Stored;
  exceptions: readonly Difference[];
  /** Exceptions not resolved: they block the net. */
  openCount: number;
}

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
      theirReceivableAmount: nullableNumber(r.their_receivable_amount),
      theirPayableAmount: nullableNumber(r.their_payable_amount),
      netRecordedAtMs: nullableNumber(r.net_recorded_at_ms),
    };
  }

  async exceptions(centreId: string, day: number): Promise<Difference[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      'SELECT * FROM federation_exceptions WHERE centre_id = ? AND settle_day = ? ORDER BY direction, operation_id',
      [centreId, day],
    );
    return rows.map((r) => ({
      direction: r.direction as SettlementException['direction'],
      operationId: String(r.operation_id),
      kind: r.kind as SettlementException['kind'],
      ourAmount: nullableNumber(r.our_amount),
      theirAmount: nullableNumber(r.their_amount),
    }));
  }

  async resolutions(centreId: string, day: number, tx?: Tx): Promise<StoredResolution[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT * FROM federation_resolutions WHERE centre_id = ? AND settle_day = ?${tx === undefined ? '' : this.db.forUpdate}`,
      [centreId, day],
      tx,
    );
    return rows.map((r) => ({
      direction: r.direction as Difference['direction'],
      operationId: String(r.operation_id),
      kind: r.kind as Difference['kind'],
      ourAmount: nullableNumber(r.our_amount),
      theirAmount: nullableNumber(r.their_amount),
      action: r.action as ExceptionResolution['action'],
      settledAmount: Number(r.settled_amount),
      reason: String(r.reason),
      status: r.status as StoredResolution['status'],
      makerId: String(r.maker_id),
      checkerId: r.checker_id === null ? null : String(r.checker_id),
      proposedAtMs: Number(r.proposed_at_ms),
      resolvedAtMs: nullableNumber(r.resolved_at_ms),
    }));
  }

  /**
   * The day's reconciliation, replacing an earlier one of the same day, unless its net was recorded
   * (then nothing changes and false is answered). The figures are made by `build` from the day's
   * resolutions read (and locked) in the same transaction, so a resolution approved meanwhile counts.
   */
  async replace(
    centreId: string,
    day: number,
    nowMs: number,
    build: (resolutions: StoredResolution[]) => Reconciled,
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const recorded = await this.db.select(
        `SELECT 1 FROM federation_settlements WHERE centre_id = ? AND settle_day = ? AND net_recorded_at_ms IS NOT NULL${this.db.forUpdate}`,
        [centreId, day],
        tx,
      );
      if (recorded.length > 0) return false;
      const { settlement: s, exceptions, openCount } = build(await this.resolutions(centreId, day, tx));
      await this.db.execute(
        'DELETE FROM federation_settlements WHERE centre_id = ? AND settle_day = ?',
        [centreId, day],
        tx,
      );
      await this.db.execute(
        'DELETE FROM federation_exceptions WHERE centre_id = ? AND settle_day = ?',
        [centreId, day],
        tx,
      );
      await this.db.execute(
        `INSERT INTO federation_settlements (centre_id, settle_day, receivable_amount, payable_amount, net_amount, their_receivable_amount, their_payable_amount, exception_count, net_recorded_at_ms, reconciled_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)`,
        [
          centreId,
          day,
          s.receivableAmount,
          s.payableAmount,
          s.netAmount,
          s.theirReceivableAmount,
          s.theirPayableAmount,
          openCount,
          nowMs,
        ],
        tx,
      );
      for (const e of exceptions)
        await this.db.execute(
          `INSERT INTO federation_exceptions (centre_id, settle_day, direction, operation_id, kind, our_amount, their_amount)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
          [centreId, day, e.direction, e.operationId, e.kind, e.ourAmount, e.theirAmount],
          tx,
        );
      return true;
    });
  }

  /**
   * A maker's resolution; one per exception. A proposal kept for the exception as it no longer is (the
   * day reconciled again since) is replaced. False when one stands already.
   */
  async propose(centreId: string, day: number, r: StoredResolution, stale: boolean): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      if (stale)
        await this.db.execute(
          "DELETE FROM federation_resolutions WHERE centre_id = ? AND settle_day = ? AND direction = ? AND operation_id = ? AND status = 'proposed'",
          [centreId, day, r.direction, r.operationId],
          tx,
        );
      try {
        await this.db.execute(
          `INSERT INTO federation_resolutions (centre_id, settle_day, direction, operation_id, kind, our_amount, their_amount, action, settled_amount, reason, status, maker_id, checker_id, proposed_at_ms, resolved_at_ms)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'proposed', ?, NULL, ?, NULL)`,
          [
            centreId,
            day,
            r.direction,
            r.operationId,
            r.kind,
            r.ourAmount,
            r.theirAmount,
            r.action,
            r.settledAmount,
            r.reason,
            r.makerId,
            r.proposedAtMs,
          ],
          tx,
        );
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    });
  }

  /** A proposal rejected: gone, the exception open again. False when there was none. */
  async reject(centreId: string, day: number, key: ResolutionKey): Promise<boolean> {
    const deleted = await this.db.execute(
      "DELETE FROM federation_resolutions WHERE centre_id = ? AND settle_day = ? AND direction = ? AND operation_id = ? AND status = 'proposed'",
      [centreId, day, key.direction, key.operationId],
    );
    return deleted === 1;
  }

  /**
   * A proposal approved by a second admin, and the day's figures moved by its difference in the same
   * transaction (the exception no longer counted against the net). False when there was no proposal by
   * another admin, or the day's net is recorded.
   */
  async approve(
    centreId: string,
    day: number,
    key: ResolutionKey,
    checkerId: string,
    nowMs: number,
    move: { receivable: number; payable: number },
  ): Promise<boolean> {
    return this.db
      .transaction(async (tx) => {
        const moved = await this.db.execute(
          `UPDATE federation_settlements
            SET receivable_amount = receivable_amount + ?, payable_amount = payable_amount + ?,
                net_amount = net_amount + ? - ?, exception_count = exception_count - 1
          WHERE centre_id = ? AND settle_day = ? AND net_recorded_at_ms IS NULL AND exception_count > 0`,
          [move.receivable, move.payable, move.receivable, move.payable, centreId, day],
          tx,
        );
        if (moved !== 1) return false;
        const approved = await this.db.execute(
          `UPDATE federation_resolutions SET status = 'resolved', checker_id = ?, resolved_at_ms = ?
          WHERE centre_id = ? AND settle_day = ? AND direction = ? AND operation_id = ? AND status = 'proposed' AND maker_id <> ?`,
          [checkerId, nowMs, centreId, day, key.direction, key.operationId, checkerId],
          tx,
        );
        if (approved !== 1) throw new NotApproved();
        return true;
      })
      .catch((error) => {
        if (error instanceof NotApproved) return false;
        throw error;
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

export interface ResolutionKey {
  direction: Difference['direction'];
  operationId: string;
}

/** Rolls an approval back when its proposal is not there to approve. */
class NotApproved extends Error {}

function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
