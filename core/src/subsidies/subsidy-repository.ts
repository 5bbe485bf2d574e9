import type {
  SubsidyBatchStatus as BatchStatus,
  SubsidyRowError as RowError,
  SubsidyRowStatus as RowStatus,
  SubsidyBatch,
  SubsidyClearing,
  SubsidyRow,
} from '../contract/subsidies.ts';
import { type Database, isDuplicateKey, type Param, type Tx } from '../db/database.ts';

export type {
  SubsidyBatch,
  SubsidyBatchStatus as BatchStatus,
  SubsidyClearing,
  SubsidyRow,
  SubsidyRowError as RowError,
  SubsidyRowStatus as RowStatus,
} from '../contract/subsidies.ts';

export interface Payee {
  personNo: string;
  name: string;
  cardNo: string | null;
  cardStatus: string | null;
}

const lookupChunk = 500;
const insertChunk = 200;

export class SubsidyRepository {
  constructor(private readonly db: Database) {}

  async payees(personNos: readonly string[]): Promise<Map<string, Payee>> {
    const found = new Map<string, Payee>();
    for (let i = 0; i < personNos.length; i += lookupChunk) {
      const chunk = personNos.slice(i, i + lookupChunk);
      const rows = await this.db.select<Record<string, unknown>>(
        `SELECT p.person_no, p.name, c.card_no, c.status FROM persons p LEFT JOIN cards c ON c.person_id = p.id
          WHERE p.person_no IN (${chunk.map(() => '?').join(', ')})`,
        chunk,
      );
      for (const r of rows) found.set(String(r.person_no), payee(r));
    }
    return found;
  }

  /** The active people of a department or class (class from the identity sync), by person number. */
  async group(by: { department: string } | { classCode: string }, limit: number): Promise<Payee[]> {
    const rows =
      'department' in by
        ? await this.db.select<Record<string, unknown>>(
            `SELECT p.person_no, p.name, c.card_no, c.status FROM persons p LEFT JOIN cards c ON c.person_id = p.id
              WHERE p.department = ? AND p.status = 'active' ORDER BY p.person_no LIMIT ?`,
            [by.department, limit],
          )
        : await this.db.select<Record<string, unknown>>(
            `SELECT p.person_no, p.name, c.card_no, c.status FROM sync_people sp JOIN persons p ON p.id = sp.person_id
               LEFT JOIN cards c ON c.person_id = p.id
              WHERE sp.class_code = ? AND p.status = 'active' ORDER BY p.person_no LIMIT ?`,
            [by.classCode, limit],
          );
    return rows.map(payee);
  }

  async insertBatch(batch: SubsidyBatch, rows: readonly SubsidyRow[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.db.execute(
        `INSERT INTO subsidy_batches (id, title, source, status, row_count, valid_count, total_amount, created_by, created_at_ms)
         VALUES (?, ?, ?, 'draft', ?, ?, ?, ?, ?)`,
        [
          batch.id,
          batch.title,
          batch.source,
          batch.rowCount,
          batch.validCount,
          batch.totalAmount,
          batch.createdBy,
          batch.createdAtMs,
        ],
        tx,
      );
      for (let i = 0; i < rows.length; i += insertChunk) {
        const chunk = rows.slice(i, i + insertChunk);
        const params: Param[] = [];
        for (const r of chunk) {
          params.push(
            batch.id,
            r.rowNo,
            r.personNo,
            r.name,
            r.cardNo,
            r.amount,
            r.amountText,
            r.note,
            r.error,
            r.status,
          );
        }
        await this.db.execute(
          `INSERT INTO subsidy_batch_rows (batch_id, row_no, person_no, name, card_no, amount, amount_text, note, error, status)
           VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
          params,
          tx,
        );
      }
    });
  }

  async batch(id: string): Promise<SubsidyBatch | undefined> {
    const rows = await this.db.select<Record<string, unknown>>('SELECT * FROM subsidy_batches WHERE id = ?', [
      id,
    ]);
    return rows[0] ? batchFrom(rows[0]) : undefined;
  }

  async batches(q: { status?: BatchStatus; limit: number; beforeId?: string }): Promise<SubsidyBatch[]> {
    const where: string[] = [];
    const params: Param[] = [];
    if (q.status) {
      where.push('status = ?');
      params.push(q.status);
    }
    if (q.beforeId) {
      where.push('id < ?');
      params.push(q.beforeId);
    }
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT * FROM subsidy_batches ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
      [...params, q.limit],
    );
    return rows.map(batchFrom);
  }

  async rows(
    batchId: string,
    q: { errorsOnly?: boolean; afterRowNo?: number; limit: number },
  ): Promise<SubsidyRow[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT * FROM subsidy_batch_rows WHERE batch_id = ? AND row_no > ? ${q.errorsOnly ? "AND status IN ('invalid', 'failed')" : ''}
        ORDER BY row_no LIMIT ?`,
      [batchId, q.afterRowNo ?? 0, q.limit],
    );
    return rows.map(rowFrom);
  }

  /** A conditional state change; answers whether this call made it (so each happens once). */
  async transition(
    id: string,
    from: readonly BatchStatus[],
    to: BatchStatus,
    set: Record<string, Param>,
    extraWhere = '',
    extraParams: readonly Param[] = [],
  ): Promise<boolean> {
    const columns = Object.keys(set);
    const changed = await this.db.execute(
      `UPDATE subsidy_batches SET status = ?${columns.map((c) => `, ${c} = ?`).join('')}
        WHERE id = ? AND status IN (${from.map(() => '?').join(', ')})${extraWhere}`,
      [to, ...Object.values(set), id, ...from, ...extraParams],
    );
    return changed === 1;
  }

  /**
   * Reserves amount in a maker's total for a day of what they posted without a checker, only if the
   * total stays at or under totalMax: one conditional UPDATE, so concurrent postings cannot together
   * pass it. Answers whether it was reserved.
   */
  async reserveMakerDay(
    makerId: string,
    kind: 'subsidy_batch',
    day: string,
    amount: number,
    totalMax: number,
  ): Promise<boolean> {
    try {
      await this.db.execute('INSERT INTO maker_day_totals (maker_id, kind, day, total) VALUES (?, ?, ?, 0)', [
        makerId,
        kind,
        day,
      ]);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const changed = await this.db.execute(
      `UPDATE maker_day_totals SET total = total + ?
        WHERE maker_id = ? AND kind = ? AND day = ? AND total + ? <= ?`,
      [amount, makerId, kind, day, amount, totalMax],
    );
    return changed === 1;
  }

  /** What a maker has posted without a checker on a day (0 if nothing), to show before posting. */
  async makerDayTotal(makerId: string, kind: 'subsidy_batch', day: string): Promise<number> {
    const rows = await this.db.select<{ total: number }>(
      'SELECT total FROM maker_day_totals WHERE maker_id = ? AND kind = ? AND day = ?',
      [makerId, kind, day],
    );
    return Number(rows[0]?.total ?? 0);
  }

  /** Gives back a reservation whose posting did not start (another call started it first). */
  async releaseMakerDay(makerId: string, kind: 'subsidy_batch', day: string, amount: number): Promise<void> {
    await this.db.execute(
      'UPDATE maker_day_totals SET total = total - ? WHERE maker_id = ? AND kind = ? AND day = ? AND total >= ?',
      [amount, makerId, kind, day, amount],
    );
  }

  async postingBatchIds(): Promise<string[]> {
    const rows = await this.db.select<{ id: string }>(
      "SELECT id FROM subsidy_batches WHERE status = 'posting'",
    );
    return rows.map((r) => r.id);
  }

  async pendingRows(
    batchId: string,
    limit: number,
  ): Promise<{ rowNo: number; cardNo: string; amount: number }[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      "SELECT row_no, card_no, amount FROM subsidy_batch_rows WHERE batch_id = ? AND status = 'pending' ORDER BY row_no LIMIT ?",
      [batchId, limit],
    );
    return rows.map((r) => ({
      rowNo: Number(r.row_no),
      cardNo: String(r.card_no),
      amount: Number(r.amount),
    }));
  }

  /** Records the ledger's answers for a page of rows, then the batch's counts from its rows. */
  async recordAnswers(
    batchId: string,
    answers: readonly { rowNo: number; code: string | null }[],
  ): Promise<void> {
    await this.db.transaction(async (tx: Tx) => {
      for (const a of answers) {
        await this.db.execute(
          "UPDATE subsidy_batch_rows SET status = ?, result_code = ? WHERE batch_id = ? AND row_no = ? AND status = 'pending'",
          [a.code === null ? 'posted' : 'failed', a.code, batchId, a.rowNo],
          tx,
        );
      }
      await this.db.execute(
        `UPDATE subsidy_batches SET
           posted_count = (SELECT COUNT(*) FROM subsidy_batch_rows r WHERE r.batch_id = ? AND r.status = 'posted'),
           posted_amount = (SELECT COALESCE(SUM(r.amount), 0) FROM subsidy_batch_rows r WHERE r.batch_id = ? AND r.status = 'posted'),
           failed_count = (SELECT COUNT(*) FROM subsidy_batch_rows r WHERE r.batch_id = ? AND r.status = 'failed')
         WHERE id = ?`,
        [batchId, batchId, batchId, batchId],
        tx,
      );
    });
  }

  // Term-end clearing.

  async runningClearing(): Promise<SubsidyClearing | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      "SELECT * FROM subsidy_clearings WHERE status = 'running' ORDER BY id LIMIT 1",
    );
    return rows[0] ? clearingFrom(rows[0]) : undefined;
  }

  async clearing(id: string): Promise<SubsidyClearing | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      'SELECT * FROM subsidy_clearings WHERE id = ?',
      [id],
    );
    return rows[0] ? clearingFrom(rows[0]) : undefined;
  }

  async clearings(limit: number): Promise<SubsidyClearing[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      'SELECT * FROM subsidy_clearings ORDER BY id DESC LIMIT ?',
      [limit],
    );
    return rows.map(clearingFrom);
  }

  /** Opens a clearing unless one is running (a NOT EXISTS guard in the same statement). */
  async insertClearing(c: {
    id: string;
    reason: string;
    createdBy: string;
    createdAtMs: number;
  }): Promise<boolean> {
    const count = await this.db.select<{ n: unknown }>(
      `SELECT COUNT(*) AS n FROM cards c JOIN accounts s ON s.id = c.subsidy_account_id
        WHERE s.credits_posted - s.debits_posted - s.debits_pending > 0`,
    );
    const inserted = await this.db.execute(
      `INSERT INTO subsidy_clearings (id, reason, status, card_count, created_by, created_at_ms)
       SELECT ?, ?, 'running', ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM subsidy_clearings WHERE status = 'running')`,
      [c.id, c.reason, Number(count[0]?.n ?? 0), c.createdBy, c.createdAtMs],
    );
    return inserted === 1;
  }

  async clearingCursor(id: string): Promise<string> {
    const rows = await this.db.select<{ cursor_card_no: string | null }>(
      'SELECT cursor_card_no FROM subsidy_clearings WHERE id = ?',
      [id],
    );
    return rows[0]?.cursor_card_no ?? '';
  }

  /** The next cards after the cursor whose subsidy wallet holds anything. */
  /** What a clearing started now would take: the cards with subsidy left, and how much in all. */
  async clearingPreview(): Promise<{ cardCount: number; totalAmount: number }> {
    const rows = await this.db.select<{ n: number; total: number | null }>(
      `SELECT COUNT(*) AS n, SUM(s.credits_posted - s.debits_posted - s.debits_pending) AS total
         FROM cards c JOIN accounts s ON s.id = c.subsidy_account_id
        WHERE s.credits_posted - s.debits_posted - s.debits_pending > 0`,
    );
    return { cardCount: Number(rows[0]?.n ?? 0), totalAmount: Number(rows[0]?.total ?? 0) };
  }

  async cardsToClear(afterCardNo: string, limit: number): Promise<string[]> {
    const rows = await this.db.select<{ card_no: string }>(
      `SELECT c.card_no FROM cards c JOIN accounts s ON s.id = c.subsidy_account_id
        WHERE c.card_no > ? AND s.credits_posted - s.debits_posted - s.debits_pending > 0
        ORDER BY c.card_no LIMIT ?`,
      [afterCardNo, limit],
    );
    return rows.map((r) => r.card_no);
  }

  /**
   * Counts a page once: only when the cursor is still before the page's last card, so a page run
   * again after a stop (its operations answer as replays) is counted by the run that records it.
   */
  async advanceClearing(
    id: string,
    page: { lastCardNo: string; count: number; amount: number },
  ): Promise<void> {
    await this.db.execute(
      `UPDATE subsidy_clearings SET cleared_count = cleared_count + ?, cleared_amount = cleared_amount + ?, cursor_card_no = ?
        WHERE id = ? AND (cursor_card_no IS NULL OR cursor_card_no < ?)`,
      [page.count, page.amount, page.lastCardNo, id, page.lastCardNo],
    );
  }

  async finishClearing(id: string, atMs: number): Promise<void> {
    await this.db.execute(
      "UPDATE subsidy_clearings SET status = 'done', finished_at_ms = ? WHERE id = ? AND status = 'running'",
      [atMs, id],
    );
  }
}

function payee(r: Record<string, unknown>): Payee {
  return {
    personNo: String(r.person_no),
    name: String(r.name),
    cardNo: r.card_no === null || r.card_no === undefined ? null : String(r.card_no),
    cardStatus: r.status === null || r.status === undefined ? null : String(r.status),
  };
}

const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function batchFrom(r: Record<string, unknown>): SubsidyBatch {
  const validCount = Number(r.valid_count);
  const postedCount = Number(r.posted_count);
  const failedCount = Number(r.failed_count);
  return {
    id: String(r.id),
    title: String(r.title),
    source: r.source as SubsidyBatch['source'],
    status: r.status as BatchStatus,
    rowCount: Number(r.row_count),
    validCount,
    errorCount: Number(r.row_count) - validCount,
    totalAmount: Number(r.total_amount),
    postedCount,
    postedAmount: Number(r.posted_amount),
    failedCount,
    approvalRequired: false,
    progress: { done: postedCount + failedCount, total: validCount },
    createdBy: String(r.created_by),
    approvedBy: text(r.approved_by),
    rejectedBy: text(r.rejected_by),
    rejectReason: text(r.reject_reason),
    postedBy: text(r.posted_by),
    createdAtMs: Number(r.created_at_ms),
    decidedAtMs: num(r.decided_at_ms),
    postingStartedAtMs: num(r.posting_started_at_ms),
    postedAtMs: num(r.posted_at_ms),
  };
}

function rowFrom(r: Record<string, unknown>): SubsidyRow {
  return {
    rowNo: Number(r.row_no),
    personNo: String(r.person_no),
    name: text(r.name),
    cardNo: text(r.card_no),
    amount: num(r.amount),
    amountText: String(r.amount_text),
    note: text(r.note),
    error: text(r.error) as RowError | null,
    status: r.status as RowStatus,
    resultCode: text(r.result_code),
  };
}

function clearingFrom(r: Record<string, unknown>): SubsidyClearing {
  return {
    id: String(r.id),
    reason: String(r.reason),
    status: r.status as SubsidyClearing['status'],
    cardCount: Number(r.card_count),
    clearedCount: Number(r.cleared_count),
    clearedAmount: Number(r.cleared_amount),
    createdBy: String(r.created_by),
    createdAtMs: Number(r.created_at_ms),
    finishedAtMs: num(r.finished_at_ms),
  };
}
