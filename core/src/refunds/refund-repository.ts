import type { PayoutChannel, RefundEntry, RefundReason } from '../contract/refunds.ts';
import type { Database, Tx } from '../db/database.ts';

export type { PayoutChannel, RefundEntry, RefundReason } from '../contract/refunds.ts';
export { payoutChannels } from '../contract/refunds.ts';

export interface NewRefundEntry {
  operationId: string;
  cardNo: string;
  mainAmount: number;
  subsidyAmount: number;
  reason: RefundReason;
}

const columns =
  'operation_id, card_no, person_no, main_amount, subsidy_amount, reason, status, created_at_ms, paid_at_ms, payout_channel, paid_by, payout_operation_id, payout_note';

/** refund_list (sql/005_sync.sql, sql/017_refund_payouts.sql). */
export class RefundRepository {
  constructor(private readonly db: Database) {}

  /**
   * Puts a close-out on the list once, however often it is retried: the entry is keyed by the
   * close-out's operation id and inserted only WHERE NOT EXISTS. The person is the card's.
   * Inside tx when the caller records more in the same transaction (the sync).
   */
  async record(entry: NewRefundEntry, nowMs: number, tx?: Tx): Promise<boolean> {
    const inserted = await this.db.execute(
      `INSERT INTO refund_list (operation_id, card_no, person_no, main_amount, subsidy_amount, reason, status, created_at_ms)
       SELECT ?, c.card_no, p.person_no, ?, ?, ?, 'due', ?
         FROM cards c JOIN persons p ON p.id = c.person_id
        WHERE c.card_no = ? AND NOT EXISTS (SELECT 1 FROM refund_list WHERE operation_id = ?)`,
      [
        entry.operationId,
        entry.mainAmount,
        entry.subsidyAmount,
        entry.reason,
        nowMs,
        entry.cardNo,
        entry.operationId,
      ],
      tx,
    );
    return inserted === 1;
  }

  /**
   * One page, newest first: due entries by when they were listed, paid ones by when they were paid.
   * `before` is the last item's (time, operationId) of the previous page.
   */
  async list(
    status: 'due' | 'paid',
    limit: number,
    before?: { atMs: number; operationId: string },
  ): Promise<RefundEntry[]> {
    const at = status === 'due' ? 'created_at_ms' : 'paid_at_ms';
    const params: (string | number)[] = [status];
    let after = '';
    if (before) {
      after = ` AND (${at} < ? OR (${at} = ? AND operation_id < ?))`;
      params.push(before.atMs, before.atMs, before.operationId);
    }
    params.push(limit);
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${columns} FROM refund_list WHERE status = ?${after} ORDER BY ${at} DESC, operation_id DESC LIMIT ?`,
      params,
    );
    return rows.map(toEntry);
  }

  async get(operationId: string): Promise<RefundEntry | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${columns} FROM refund_list WHERE operation_id = ?`,
      [operationId],
    );
    return rows[0] ? toEntry(rows[0]) : undefined;
  }

  /** Marks a due entry paid, once: a conditional UPDATE, so a repeat or a racing payout changes nothing. */
  async markPaid(
    operationId: string,
    paid: {
      channel: PayoutChannel;
      actorId: string;
      payoutOperationId: string | null;
      note: string | null;
      nowMs: number;
    },
  ): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE refund_list
          SET status = 'paid', paid_at_ms = ?, payout_channel = ?, paid_by = ?, payout_operation_id = ?, payout_note = ?
        WHERE operation_id = ? AND status = 'due'`,
      [paid.nowMs, paid.channel, paid.actorId, paid.payoutOperationId, paid.note, operationId],
    );
    return changed === 1;
  }
}

function toEntry(r: Record<string, unknown>): RefundEntry {
  const channel = r.payout_channel;
  return {
    operationId: String(r.operation_id),
    cardNo: String(r.card_no),
    personNo: String(r.person_no),
    mainAmount: Number(r.main_amount),
    subsidyAmount: Number(r.subsidy_amount),
    reason: String(r.reason),
    status: r.status === 'paid' ? 'paid' : 'due',
    createdAtMs: Number(r.created_at_ms),
    paidAtMs: r.paid_at_ms == null ? null : Number(r.paid_at_ms),
    channel: channel === 'cash' || channel === 'bank' ? channel : null,
    paidBy: r.paid_by == null ? null : String(r.paid_by),
    payoutOperationId: r.payout_operation_id == null ? null : String(r.payout_operation_id),
    note: r.payout_note == null ? null : String(r.payout_note),
  };
}
