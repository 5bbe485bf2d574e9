import {
  type MismatchKind,
  type TopUpChannel,
  type TopUpMismatch,
  type TopUpOrder,
  type TopUpRefund,
  type TopUpStatus,
  topUpPayChannels,
  topUpStatuses,
} from '../contract/top-ups.ts';
import { type Database, isDuplicateKey, isRetryable, type Tx } from '../db/database.ts';

export {
  type MismatchKind,
  type TopUpChannel,
  type TopUpMismatch,
  type TopUpOrder,
  type TopUpRefund,
  type TopUpStatus,
  topUpPayChannels,
  topUpStatuses,
};

const orderColumns =
  'id, card_no, openid, idempotency_key, channel, amount, day, status, prepay_id, transaction_id, operation_id, failure_code, refunded_amount, created_at_ms, expires_at_ms, paid_at_ms, credited_at_ms, closed_at_ms, fee_bill_id';

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function toOrder(r: Record<string, unknown>): TopUpOrder {
  return {
    id: String(r.id),
    cardNo: String(r.card_no),
    openid: String(r.openid),
    idempotencyKey: String(r.idempotency_key),
    channel: r.channel === 'alipay' ? 'alipay' : 'wechat',
    amount: num(r.amount),
    day: num(r.day),
    status: String(r.status) as TopUpStatus,
    prepayId: strOrNull(r.prepay_id),
    transactionId: strOrNull(r.transaction_id),
    operationId: strOrNull(r.operation_id),
    failureCode: strOrNull(r.failure_code),
    refundedAmount: num(r.refunded_amount),
    createdAtMs: num(r.created_at_ms),
    expiresAtMs: num(r.expires_at_ms),
    paidAtMs: numOrNull(r.paid_at_ms),
    creditedAtMs: numOrNull(r.credited_at_ms),
    closedAtMs: numOrNull(r.closed_at_ms),
    feeBillId: strOrNull(r.fee_bill_id),
  };
}

function toRefund(r: Record<string, unknown>): TopUpRefund {
  return {
    id: String(r.id),
    orderId: String(r.order_id),
    amount: num(r.amount),
    reason: String(r.reason),
    status: String(r.status) as TopUpRefund['status'],
    operationId: String(r.operation_id),
    refundId: strOrNull(r.refund_id),
    createdAtMs: num(r.created_at_ms),
    settledAtMs: numOrNull(r.settled_at_ms),
  };
}

/** Top-up orders, the per-day reservations behind the daily cap, refunds and reconciliation findings. */
export class TopUpRepository {
  constructor(private readonly db: Database) {}

  async find(id: string, tx?: Tx): Promise<TopUpOrder | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${orderColumns} FROM top_up_orders WHERE id = ?`,
      [id],
      tx,
    );
    return rows[0] ? toOrder(rows[0]) : undefined;
  }

  async findByKey(openid: string, idempotencyKey: string): Promise<TopUpOrder | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${orderColumns} FROM top_up_orders WHERE openid = ? AND idempotency_key = ?`,
      [openid, idempotencyKey],
    );
    return rows[0] ? toOrder(rows[0]) : undefined;
  }

  /** A card's orders, newest first (ids sort by creation time). */
  async listForCard(cardNo: string, limit: number, beforeId?: string): Promise<TopUpOrder[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${orderColumns} FROM top_up_orders WHERE card_no = ?${beforeId ? ' AND id < ?' : ''} ORDER BY id DESC LIMIT ?`,
      beforeId ? [cardNo, beforeId, limit] : [cardNo, limit],
    );
    return rows.map(toOrder);
  }

  /** Orders still waiting for WeChat (created) or for the ledger (paid), oldest first, after an id. */
  async unsettled(createdBeforeMs: number, limit: number, afterId?: string): Promise<TopUpOrder[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${orderColumns} FROM top_up_orders WHERE status IN ('created', 'paid') AND created_at_ms < ?${afterId ? ' AND id > ?' : ''} ORDER BY id LIMIT ?`,
      afterId ? [createdBeforeMs, afterId, limit] : [createdBeforeMs, limit],
    );
    return rows.map(toOrder);
  }

  /** A channel's orders reported paid within [startMs, endMs): what that platform's day bill should list. */
  async paidBetween(channel: TopUpChannel, startMs: number, endMs: number): Promise<TopUpOrder[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${orderColumns} FROM top_up_orders WHERE paid_at_ms >= ? AND paid_at_ms < ? AND channel = ?`,
      [startMs, endMs, channel],
    );
    return rows.map(toOrder);
  }

  /** That channel's refunds that succeeded within [startMs, endMs) (the platform's refund time). */
  async refundsSucceededBetween(
    channel: TopUpChannel,
    startMs: number,
    endMs: number,
  ): Promise<TopUpRefund[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT r.* FROM top_up_refunds r JOIN top_up_orders o ON o.id = r.order_id
        WHERE r.status = 'succeeded' AND r.settled_at_ms >= ? AND r.settled_at_ms < ? AND o.channel = ?`,
      [startMs, endMs, channel],
    );
    return rows.map(toRefund);
  }

  /**
   * Reserves the amount against the card's day and inserts the order, in one transaction. The cap
   * is one conditional UPDATE: two orders racing for the last of the cap cannot both pass it.
   * Answers false when the cap would be exceeded (nothing written).
   */
  async insertWithinCap(order: TopUpOrder, dailyCap: number): Promise<boolean> {
    // Two first orders of a card's day both insert the day row: InnoDB may pick one as a deadlock
    // victim, which wrote nothing and simply runs again.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.insertWithinCapOnce(order, dailyCap);
      } catch (error) {
        if (attempt >= 5 || !isRetryable(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
      }
    }
  }

  private insertWithinCapOnce(order: TopUpOrder, dailyCap: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const ignore = this.db.dialect === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
      await this.db.execute(
        `${ignore} INTO top_up_days (card_no, day, reserved) VALUES (?, ?, 0)`,
        [order.cardNo, order.day],
        tx,
      );
      // A fee order (sql/062) never loads the card, so it takes nothing of the day's top-up cap.
      const reserved =
        order.feeBillId !== null
          ? 1
          : await this.db.execute(
              'UPDATE top_up_days SET reserved = reserved + ? WHERE card_no = ? AND day = ? AND reserved + ? <= ?',
              [order.amount, order.cardNo, order.day, order.amount, dailyCap],
              tx,
            );
      if (reserved !== 1) return false;
      await this.db.execute(
        `INSERT INTO top_up_orders (${orderColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          order.id,
          order.cardNo,
          order.openid,
          order.idempotencyKey,
          order.channel,
          order.amount,
          order.day,
          order.status,
          null,
          null,
          null,
          null,
          0,
          order.createdAtMs,
          order.expiresAtMs,
          null,
          null,
          null,
          order.feeBillId,
        ],
        tx,
      );
      return true;
    });
  }

  /** Records WeChat's prepay_id once; a repeat with the same id is harmless. */
  async setPrepayId(id: string, prepayId: string): Promise<boolean> {
    const changed = await this.db.execute(
      "UPDATE top_up_orders SET prepay_id = ? WHERE id = ? AND status = 'created' AND (prepay_id IS NULL OR prepay_id = ?)",
      [prepayId, id, prepayId],
    );
    return changed === 1;
  }

  /** created -> paid with the platform's transaction id (WeChat's transaction_id, Alipay's trade_no). */
  async markPaid(id: string, transactionId: string, paidAtMs: number): Promise<boolean> {
    try {
      const changed = await this.db.execute(
        "UPDATE top_up_orders SET status = 'paid', transaction_id = ?, paid_at_ms = ? WHERE id = ? AND status = 'created'",
        [transactionId, paidAtMs, id],
      );
      return changed === 1;
    } catch (error) {
      // The transaction already paid another order of the channel (unique index): this order stays
      // unpaid, and the caller sees that it was not paid by this transaction.
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /** paid -> credited (or failed, with the ledger's refusal code) once the ledger has answered. */
  async markCredited(id: string, operationId: string, atMs: number): Promise<boolean> {
    const changed = await this.db.execute(
      "UPDATE top_up_orders SET status = 'credited', operation_id = ?, credited_at_ms = ? WHERE id = ? AND status = 'paid'",
      [operationId, atMs, id],
    );
    return changed === 1;
  }

  async markFailed(id: string, operationId: string, failureCode: string): Promise<boolean> {
    const changed = await this.db.execute(
      "UPDATE top_up_orders SET status = 'failed', operation_id = ?, failure_code = ? WHERE id = ? AND status = 'paid'",
      [operationId, failureCode, id],
    );
    return changed === 1;
  }

  /** created -> closed, giving the day's reservation back in the same transaction. */
  async close(id: string, atMs: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const order = await this.find(id, tx);
      if (!order) return false;
      const changed = await this.db.execute(
        "UPDATE top_up_orders SET status = 'closed', closed_at_ms = ? WHERE id = ? AND status = 'created'",
        [atMs, id],
        tx,
      );
      if (changed !== 1) return false;
      if (order.feeBillId !== null) return true;
      await this.db.execute(
        'UPDATE top_up_days SET reserved = reserved - ? WHERE card_no = ? AND day = ?',
        [order.amount, order.cardNo, order.day],
        tx,
      );
      return true;
    });
  }

  async mainAccountOf(cardNo: string): Promise<string | undefined> {
    const rows = await this.db.select<{ main_account_id: string }>(
      'SELECT main_account_id FROM cards WHERE card_no = ?',
      [cardNo],
    );
    return rows[0]?.main_account_id;
  }

  /**
   * Starts a refund: the refund row and the order's refunded amount in one transaction. The CHECK
   * on refunded_amount refuses more than the order; a repeated refund id inserts nothing.
   */
  async insertRefund(refund: TopUpRefund): Promise<'inserted' | 'exists' | 'exceeds'> {
    try {
      return await this.db.transaction(async (tx) => {
        const bumped = await this.db.execute(
          "UPDATE top_up_orders SET refunded_amount = refunded_amount + ? WHERE id = ? AND status IN ('credited', 'failed', 'refunded') AND refunded_amount + ? <= amount",
          [refund.amount, refund.orderId, refund.amount],
          tx,
        );
        if (bumped !== 1) return 'exceeds';
        await this.db.execute(
          'INSERT INTO top_up_refunds (id, order_id, amount, reason, status, operation_id, refund_id, created_at_ms, settled_at_ms) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, NULL)',
          [
            refund.id,
            refund.orderId,
            refund.amount,
            refund.reason,
            refund.status,
            refund.operationId,
            refund.createdAtMs,
          ],
          tx,
        );
        return 'inserted';
      });
    } catch (error) {
      if (isDuplicateKey(error)) return 'exists';
      throw error;
    }
  }

  async findRefund(id: string): Promise<TopUpRefund | undefined> {
    const rows = await this.db.select<Record<string, unknown>>('SELECT * FROM top_up_refunds WHERE id = ?', [
      id,
    ]);
    return rows[0] ? toRefund(rows[0]) : undefined;
  }

  /** Refunds WeChat has not settled yet, created before the given time, oldest first. */
  async processingRefunds(createdBeforeMs: number, limit: number): Promise<TopUpRefund[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      "SELECT * FROM top_up_refunds WHERE status = 'processing' AND created_at_ms < ? ORDER BY created_at_ms LIMIT ?",
      [createdBeforeMs, limit],
    );
    return rows.map(toRefund);
  }

  async refundsOf(orderId: string): Promise<TopUpRefund[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      'SELECT * FROM top_up_refunds WHERE order_id = ? ORDER BY created_at_ms',
      [orderId],
    );
    return rows.map(toRefund);
  }

  /** A refund the wallet could not cover: failed at once, its amount given back to the order. */
  async abandonRefund(id: string, atMs: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      const changed = await this.db.execute(
        "UPDATE top_up_refunds SET status = 'failed', settled_at_ms = ? WHERE id = ? AND status = 'processing'",
        [atMs, id],
        tx,
      );
      if (changed !== 1) return;
      await this.db.execute(
        'UPDATE top_up_orders SET refunded_amount = refunded_amount - (SELECT amount FROM top_up_refunds WHERE id = ?) WHERE id = (SELECT order_id FROM top_up_refunds WHERE id = ?)',
        [id, id],
        tx,
      );
    });
  }

  /** processing -> succeeded | failed, once; a fully refunded order becomes refunded. */
  async settleRefund(
    id: string,
    status: 'succeeded' | 'failed',
    refundId: string | null,
    atMs: number,
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const changed = await this.db.execute(
        "UPDATE top_up_refunds SET status = ?, refund_id = COALESCE(?, refund_id), settled_at_ms = ? WHERE id = ? AND status = 'processing'",
        [status, refundId, atMs, id],
        tx,
      );
      if (changed !== 1) return false;
      const rows = await this.db.select<{ order_id: string; amount: number }>(
        'SELECT order_id, amount FROM top_up_refunds WHERE id = ?',
        [id],
        tx,
      );
      const row = rows[0];
      if (!row) return false;
      if (status === 'failed') {
        // The money went back to the wallet: the order may be refunded again up to its amount.
        await this.db.execute(
          'UPDATE top_up_orders SET refunded_amount = refunded_amount - ? WHERE id = ?',
          [row.amount, row.order_id],
          tx,
        );
      }
      if (status === 'succeeded') {
        await this.db.execute(
          "UPDATE top_up_orders SET status = 'refunded' WHERE id = ? AND status IN ('credited', 'failed') AND refunded_amount = amount",
          [row.order_id],
          tx,
        );
      }
      return true;
    });
  }

  /** Stores a reconciliation finding once (a refund's beside the payments'); a rerun finding it again changes nothing. */
  async saveMismatch(m: TopUpMismatch): Promise<void> {
    const ignore = this.db.dialect === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    if (m.outRefundNo) {
      await this.db.execute(
        `${ignore} INTO top_up_refund_mismatches (bill_date, out_refund_no, kind, out_trade_no, ours, theirs, found_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [m.billDate, m.outRefundNo, m.kind, m.outTradeNo, m.ours, m.theirs, m.foundAtMs],
      );
      return;
    }
    await this.db.execute(
      `${ignore} INTO top_up_mismatches (bill_date, out_trade_no, kind, ours, theirs, found_at_ms) VALUES (?, ?, ?, ?, ?, ?)`,
      [m.billDate, m.outTradeNo, m.kind, m.ours, m.theirs, m.foundAtMs],
    );
  }

  /** The payments' and the refunds' differences in one list, newest day first, each order's together. */
  async mismatches(billDate: string | undefined, limit: number): Promise<TopUpMismatch[]> {
    const where = billDate ? ' WHERE m.bill_date = ?' : '';
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT * FROM (
         SELECT m.bill_date, m.out_trade_no, NULL AS out_refund_no, m.kind, m.ours, m.theirs, m.found_at_ms, o.channel
           FROM top_up_mismatches m LEFT JOIN top_up_orders o ON o.id = m.out_trade_no${where}
         UNION ALL
         SELECT m.bill_date, m.out_trade_no, m.out_refund_no, m.kind, m.ours, m.theirs, m.found_at_ms, o.channel
           FROM top_up_refund_mismatches m LEFT JOIN top_up_orders o ON o.id = m.out_trade_no${where}
       ) x ORDER BY bill_date DESC, out_trade_no, out_refund_no LIMIT ?`,
      billDate ? [billDate, billDate, limit] : [limit],
    );
    return rows.map((r) => ({
      billDate: String(r.bill_date),
      outTradeNo: String(r.out_trade_no),
      outRefundNo: strOrNull(r.out_refund_no),
      kind: String(r.kind) as MismatchKind,
      ours: strOrNull(r.ours),
      theirs: strOrNull(r.theirs),
      foundAtMs: num(r.found_at_ms),
      channel: r.channel === 'wechat' || r.channel === 'alipay' ? r.channel : null,
    }));
  }
}
