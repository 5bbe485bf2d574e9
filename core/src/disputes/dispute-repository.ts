import type { Dispute, DisputeListQuery, DisputeReason, DisputeStatus } from '../contract/disputes.ts';
import { type Database, isDuplicateKey } from '../db/database.ts';

export interface NewDisputeRow {
  id: string;
  cardNo: string;
  requestId: string;
  paymentId: string;
  merchantId: string;
  paymentAmount: number;
  reason: DisputeReason;
  note: string | null;
}

/** A dispute row with the fields only the service needs: the accept's attempt number. */
export interface StoredDispute extends Dispute {
  refundAttempt: number;
}

const listMax = 200;
const columns = `SELECT id, card_no, payment_id, merchant_id, payment_amount, reason, note, status, refund_amount,
  refund_attempt, refund_operation_id, decision_note, decided_by, created_at_ms, decided_at_ms FROM disputes`;

const nullable = (v: unknown) => (v === null || v === undefined ? null : String(v));

function toDispute(r: Record<string, unknown>): StoredDispute {
  return {
    id: String(r.id),
    paymentId: String(r.payment_id),
    cardNo: String(r.card_no),
    merchantId: String(r.merchant_id),
    paymentAmount: Number(r.payment_amount),
    reason: String(r.reason) as DisputeReason,
    note: nullable(r.note),
    status: String(r.status) as DisputeStatus,
    refundAmount: r.refund_amount === null ? null : Number(r.refund_amount),
    refundOperationId: nullable(r.refund_operation_id),
    decisionNote: nullable(r.decision_note),
    decidedBy: nullable(r.decided_by),
    createdAtMs: Number(r.created_at_ms),
    decidedAtMs: r.decided_at_ms === null ? null : Number(r.decided_at_ms),
    refundAttempt: Number(r.refund_attempt),
  };
}

/** The disputes table (sql/090): the only place with its SQL. */
export class DisputeRepository {
  constructor(private readonly db: Database) {}

  /**
   * Inserts an open dispute. 'already_open' when the payment has an undecided one (the unique
   * open_payment_id key decides any race), 'replayed' when the card already used this request id.
   */
  async insert(d: NewDisputeRow, atMs: number): Promise<'inserted' | 'already_open' | 'replayed'> {
    try {
      await this.db.execute(
        `INSERT INTO disputes (id, card_no, request_id, payment_id, open_payment_id, merchant_id, payment_amount,
           reason, note, status, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)`,
        [
          d.id,
          d.cardNo,
          d.requestId,
          d.paymentId,
          d.paymentId,
          d.merchantId,
          d.paymentAmount,
          d.reason,
          d.note,
          atMs,
        ],
      );
      return 'inserted';
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      return (await this.byRequest(d.cardNo, d.requestId)) ? 'replayed' : 'already_open';
    }
  }

  async byRequest(cardNo: string, requestId: string): Promise<StoredDispute | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `${columns} WHERE card_no = ? AND request_id = ?`,
      [cardNo, requestId],
    );
    return rows[0] ? toDispute(rows[0]) : undefined;
  }

  async byId(id: string): Promise<StoredDispute | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(`${columns} WHERE id = ?`, [id]);
    return rows[0] ? toDispute(rows[0]) : undefined;
  }

  /** Newest first, at most 200. */
  async list(q: DisputeListQuery): Promise<Dispute[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.status) {
      where.push('status = ?');
      params.push(q.status);
    }
    if (q.cardNo) {
      where.push('card_no = ?');
      params.push(q.cardNo);
    }
    if (q.paymentId) {
      where.push('payment_id = ?');
      params.push(q.paymentId);
    }
    params.push(listMax);
    const rows = await this.db.select<Record<string, unknown>>(
      `${columns}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at_ms DESC, id DESC LIMIT ?`,
      params,
    );
    return rows.map((r) => {
      const { refundAttempt: _, ...dispute } = toDispute(r);
      return dispute;
    });
  }

  /**
   * Reserves an open dispute for an accept of `amount`: open → refunding with a new attempt number,
   * in one conditional UPDATE, so of many accepts at once exactly one reserves it.
   */
  async reserveAccept(id: string, amount: number, decidedBy: string, note: string | null): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE disputes SET status = 'refunding', refund_amount = ?, refund_attempt = refund_attempt + 1,
         decided_by = ?, decision_note = ? WHERE id = ? AND status = 'open'`,
      [amount, decidedBy, note, id],
    );
    return changed === 1;
  }

  /** refunding → accepted once the ledger booked the refund. */
  async completeAccept(id: string, refundOperationId: string, atMs: number): Promise<void> {
    await this.db.execute(
      `UPDATE disputes SET status = 'accepted', open_payment_id = NULL, refund_operation_id = ?, decided_at_ms = ?
         WHERE id = ? AND status = 'refunding'`,
      [refundOperationId, atMs, id],
    );
  }

  /** refunding → open again when the ledger refused the refund (nothing moved). */
  async releaseAccept(id: string, attempt: number): Promise<void> {
    await this.db.execute(
      `UPDATE disputes SET status = 'open', refund_amount = NULL, decided_by = NULL, decision_note = NULL
         WHERE id = ? AND status = 'refunding' AND refund_attempt = ?`,
      [id, attempt],
    );
  }

  /** open → rejected, in one conditional UPDATE (a dispute being refunded cannot be rejected). */
  async reject(id: string, reason: string, decidedBy: string, atMs: number): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE disputes SET status = 'rejected', open_payment_id = NULL, decision_note = ?, decided_by = ?,
         decided_at_ms = ? WHERE id = ? AND status = 'open'`,
      [reason, decidedBy, atMs, id],
    );
    return changed === 1;
  }
}
