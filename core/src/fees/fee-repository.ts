import type {
  FeeBill,
  FeeBillStatus,
  FeeCategory,
  FeeItem,
  FeePayment,
  FeeProgress,
} from '../contract/fees.ts';
import type { Database, Param } from '../db/database.ts';
import { isDuplicateKey } from '../db/database.ts';
import { newId } from '../ids.ts';

const itemColumns = 'id, code, name, category, due_day, allow_partial, merchant_id, source, created_at_ms';
const billSelect = `SELECT b.id, b.item_id, b.person_id, b.amount_due, b.amount_paid, b.created_at_ms,
  i.code, i.name AS item_name, i.category, i.due_day, i.allow_partial, p.person_no, p.name, p.department
  FROM fee_bills b JOIN fee_items i ON i.id = b.item_id JOIN persons p ON p.id = b.person_id`;
const paymentColumns =
  'id, bill_id, card_no, amount, channel, status, failure_code, refunded_amount, receipt_no, created_at_ms';

function toItem(r: Record<string, unknown>): FeeItem {
  return {
    id: String(r.id),
    code: String(r.code),
    name: String(r.name),
    category: String(r.category) as FeeCategory,
    dueDay: String(r.due_day),
    allowPartial: Number(r.allow_partial) === 1,
    merchantId: String(r.merchant_id),
    source: String(r.source) as FeeItem['source'],
    createdAtMs: Number(r.created_at_ms),
  };
}

export function billStatus(due: number, paid: number): FeeBillStatus {
  if (due === 0) return 'waived';
  if (paid >= due) return 'paid';
  return paid > 0 ? 'partial' : 'unpaid';
}

function toBill(r: Record<string, unknown>): FeeBill {
  const due = Number(r.amount_due);
  const paid = Number(r.amount_paid);
  return {
    id: String(r.id),
    itemId: String(r.item_id),
    item: {
      code: String(r.code),
      name: String(r.item_name),
      category: String(r.category) as FeeCategory,
      dueDay: String(r.due_day),
      allowPartial: Number(r.allow_partial) === 1,
    },
    personId: String(r.person_id),
    personNo: String(r.person_no),
    name: String(r.name),
    department: r.department === null ? null : String(r.department),
    amountDue: due,
    amountPaid: paid,
    status: billStatus(due, paid),
    createdAtMs: Number(r.created_at_ms),
  };
}

function toPayment(r: Record<string, unknown>): FeePayment {
  return {
    id: String(r.id),
    billId: String(r.bill_id),
    cardNo: String(r.card_no),
    amount: Number(r.amount),
    channel: String(r.channel) as FeePayment['channel'],
    status: String(r.status) as FeePayment['status'],
    failureCode: r.failure_code === null ? null : String(r.failure_code),
    refundedAmount: Number(r.refunded_amount),
    receiptNo: String(r.receipt_no),
    createdAtMs: Number(r.created_at_ms),
  };
}

/** fee_items, fee_bills, fee_payments and fee_refunds (sql/061): the only SQL of the fees domain. */
export class FeeRepository {
  constructor(private readonly db: Database) {}

  async insertItem(
    item: Omit<FeeItem, 'createdAtMs'> & { createdBy: string | null },
    nowMs: number,
  ): Promise<void> {
    await this.db.execute(
      `INSERT INTO fee_items (id, code, name, category, due_day, allow_partial, merchant_id, source, created_by, created_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        item.id,
        item.code,
        item.name,
        item.category,
        item.dueDay,
        item.allowPartial ? 1 : 0,
        item.merchantId,
        item.source,
        item.createdBy,
        nowMs,
      ],
    );
  }

  async item(id: string): Promise<FeeItem | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${itemColumns} FROM fee_items WHERE id = ?`,
      [id],
    );
    return rows[0] ? toItem(rows[0]) : undefined;
  }

  async itemByCode(code: string): Promise<FeeItem | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${itemColumns} FROM fee_items WHERE code = ?`,
      [code],
    );
    return rows[0] ? toItem(rows[0]) : undefined;
  }

  async items(limit: number): Promise<FeeItem[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${itemColumns} FROM fee_items ORDER BY created_at_ms DESC, id DESC LIMIT ?`,
      [limit],
    );
    return rows.map(toItem);
  }

  /** People by number: id for each found. */
  async personsByNo(personNos: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (let i = 0; i < personNos.length; i += 500) {
      const chunk = personNos.slice(i, i + 500);
      const rows = await this.db.select<{ id: string; person_no: string }>(
        `SELECT id, person_no FROM persons WHERE person_no IN (${chunk.map(() => '?').join(', ')})`,
        [...chunk],
      );
      for (const r of rows) found.set(r.person_no, r.id);
    }
    return found;
  }

  /** Active people of a department, a class (from the identity sync) or a grade (number prefix). */
  async personsIn(where: { department?: string; classCode?: string; grade?: string }): Promise<string[]> {
    if (where.classCode !== undefined) {
      const rows = await this.db.select<{ id: string }>(
        `SELECT p.id FROM persons p JOIN sync_people s ON s.person_id = p.id WHERE s.class_code = ? AND p.status = 'active'`,
        [where.classCode],
      );
      return rows.map((r) => r.id);
    }
    if (where.department !== undefined) {
      const rows = await this.db.select<{ id: string }>(
        `SELECT id FROM persons WHERE department = ? AND status = 'active'`,
        [where.department],
      );
      return rows.map((r) => r.id);
    }
    const rows = await this.db.select<{ id: string }>(
      `SELECT id FROM persons WHERE person_no LIKE ? AND type = 'student' AND status = 'active'`,
      [`${where.grade ?? ''}%`],
    );
    return rows.map((r) => r.id);
  }

  /** One bill per person for the item; a person already billed for it keeps their bill. */
  async insertBills(
    itemId: string,
    bills: readonly { personId: string; amount: number }[],
    nowMs: number,
  ): Promise<void> {
    const ignore = this.db.dialect === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    for (let i = 0; i < bills.length; i += 500) {
      const chunk = bills.slice(i, i + 500);
      const params: Param[] = [];
      for (const b of chunk) params.push(newId(nowMs), itemId, b.personId, b.amount, nowMs, nowMs);
      await this.db.execute(
        `${ignore} INTO fee_bills (id, item_id, person_id, amount_due, amount_paid, created_at_ms, updated_at_ms)
         VALUES ${chunk.map(() => '(?, ?, ?, ?, 0, ?, ?)').join(', ')}`,
        params,
      );
    }
  }

  async bill(id: string): Promise<FeeBill | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(`${billSelect} WHERE b.id = ?`, [id]);
    return rows[0] ? toBill(rows[0]) : undefined;
  }

  async billsOfPerson(personId: string): Promise<FeeBill[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `${billSelect} WHERE b.person_id = ? ORDER BY i.due_day, b.id`,
      [personId],
    );
    return rows.map(toBill);
  }

  async billsOfItem(
    itemId: string,
    status: 'unpaid' | 'paid' | undefined,
    limit: number,
  ): Promise<FeeBill[]> {
    const filter =
      status === 'unpaid'
        ? ' AND b.amount_paid < b.amount_due'
        : status === 'paid'
          ? ' AND b.amount_paid >= b.amount_due'
          : '';
    const rows = await this.db.select<Record<string, unknown>>(
      `${billSelect} WHERE b.item_id = ?${filter} ORDER BY p.person_no LIMIT ?`,
      [itemId, limit],
    );
    return rows.map(toBill);
  }

  /**
   * Takes `amount` of the bill's remaining due before the ledger is asked: one conditional UPDATE, so
   * two payments racing for the last part cannot both have it. Without partial payment, only the
   * whole remaining amount.
   */
  async reserve(billId: string, amount: number, allowPartial: boolean, nowMs: number): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE fee_bills SET amount_paid = amount_paid + ?, updated_at_ms = ?
        WHERE id = ? AND amount_paid + ? <= amount_due AND (? = 1 OR amount_paid + ? = amount_due)`,
      [amount, nowMs, billId, amount, allowPartial ? 1 : 0, amount],
    );
    return changed === 1;
  }

  async giveBack(billId: string, amount: number, nowMs: number): Promise<void> {
    await this.db.execute(
      'UPDATE fee_bills SET amount_paid = amount_paid - ?, updated_at_ms = ? WHERE id = ? AND amount_paid >= ?',
      [amount, nowMs, billId, amount],
    );
  }

  /** A refund: the part refunded is neither paid nor owed any more. */
  async lower(billId: string, amount: number, nowMs: number): Promise<void> {
    await this.db.execute(
      `UPDATE fee_bills SET amount_paid = amount_paid - ?, amount_due = amount_due - ?, updated_at_ms = ?
        WHERE id = ? AND amount_paid >= ? AND amount_due >= ?`,
      [amount, amount, nowMs, billId, amount, amount],
    );
  }

  /** A channel payment (WeChat Pay, Alipay) names the ledger operation that moves its money (sql/062). */
  async insertPayment(
    p: Omit<FeePayment, 'status' | 'failureCode' | 'refundedAmount'> & { operationId?: string },
  ): Promise<boolean> {
    try {
      await this.db.execute(
        `INSERT INTO fee_payments (id, bill_id, card_no, amount, channel, status, refunded_amount, receipt_no, created_at_ms, updated_at_ms, operation_id)
         VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?)`,
        [
          p.id,
          p.billId,
          p.cardNo,
          p.amount,
          p.channel,
          p.receiptNo,
          p.createdAtMs,
          p.createdAtMs,
          p.operationId ?? null,
        ],
      );
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  async payment(id: string): Promise<FeePayment | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${paymentColumns} FROM fee_payments WHERE id = ?`,
      [id],
    );
    return rows[0] ? toPayment(rows[0]) : undefined;
  }

  async paymentsOfBill(billId: string): Promise<FeePayment[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${paymentColumns} FROM fee_payments WHERE bill_id = ? ORDER BY created_at_ms, id`,
      [billId],
    );
    return rows.map(toPayment);
  }

  async settlePayment(
    id: string,
    to: 'paid' | 'refused',
    failureCode: string | null,
    nowMs: number,
  ): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE fee_payments SET status = ?, failure_code = ?, updated_at_ms = ? WHERE id = ? AND status = 'pending'`,
      [to, failureCode, nowMs, id],
    );
    return changed === 1;
  }

  /** Payments left pending, with the ledger operation of a channel payment (null for a card's). */
  async pendingPayments(
    createdBeforeMs: number,
    limit: number,
  ): Promise<(FeePayment & { operationId: string | null })[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${paymentColumns}, operation_id FROM fee_payments WHERE status = 'pending' AND created_at_ms <= ? ORDER BY created_at_ms LIMIT ?`,
      [createdBeforeMs, limit],
    );
    return rows.map((r) => ({
      ...toPayment(r),
      operationId: r.operation_id === null || r.operation_id === undefined ? null : String(r.operation_id),
    }));
  }

  /** Reserves part of a paid payment for a refund (never more than what is left unrefunded). */
  async reserveRefund(paymentId: string, amount: number, nowMs: number): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE fee_payments SET refunded_amount = refunded_amount + ?, updated_at_ms = ?
        WHERE id = ? AND status = 'paid' AND refunded_amount + ? <= amount`,
      [amount, nowMs, paymentId, amount],
    );
    return changed === 1;
  }

  async giveBackRefund(paymentId: string, amount: number, nowMs: number): Promise<void> {
    await this.db.execute(
      'UPDATE fee_payments SET refunded_amount = refunded_amount - ?, updated_at_ms = ? WHERE id = ? AND refunded_amount >= ?',
      [amount, nowMs, paymentId, amount],
    );
  }

  async insertRefund(
    r: { id: string; paymentId: string; amount: number; reason: string },
    nowMs: number,
  ): Promise<boolean> {
    try {
      await this.db.execute(
        `INSERT INTO fee_refunds (id, payment_id, amount, reason, status, created_at_ms) VALUES (?, ?, ?, ?, 'pending', ?)`,
        [r.id, r.paymentId, r.amount, r.reason, nowMs],
      );
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  async refund(
    id: string,
  ): Promise<
    { id: string; paymentId: string; amount: number; status: string; failureCode: string | null } | undefined
  > {
    const rows = await this.db.select<Record<string, unknown>>(
      'SELECT id, payment_id, amount, status, failure_code FROM fee_refunds WHERE id = ?',
      [id],
    );
    const r = rows[0];
    return r
      ? {
          id: String(r.id),
          paymentId: String(r.payment_id),
          amount: Number(r.amount),
          status: String(r.status),
          failureCode: r.failure_code === null ? null : String(r.failure_code),
        }
      : undefined;
  }

  /** Refunds whose call died between the reservation and the ledger's answer. */
  async pendingRefunds(
    createdBeforeMs: number,
    limit: number,
  ): Promise<{ id: string; paymentId: string; amount: number; reason: string }[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT id, payment_id, amount, reason FROM fee_refunds WHERE status = 'pending' AND created_at_ms <= ? ORDER BY created_at_ms LIMIT ?`,
      [createdBeforeMs, limit],
    );
    return rows.map((r) => ({
      id: String(r.id),
      paymentId: String(r.payment_id),
      amount: Number(r.amount),
      reason: String(r.reason),
    }));
  }

  async settleRefund(id: string, to: 'done' | 'refused', failureCode: string | null): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE fee_refunds SET status = ?, failure_code = ? WHERE id = ? AND status = 'pending'`,
      [to, failureCode, id],
    );
    return changed === 1;
  }

  async progress(itemId: string): Promise<Omit<FeeProgress, 'item'>> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT COUNT(*) AS bills,
              COALESCE(SUM(CASE WHEN amount_paid >= amount_due THEN 1 ELSE 0 END), 0) AS paid_bills,
              COALESCE(SUM(CASE WHEN amount_paid > 0 AND amount_paid < amount_due THEN 1 ELSE 0 END), 0) AS partial_bills,
              COALESCE(SUM(amount_due), 0) AS due, COALESCE(SUM(amount_paid), 0) AS paid
         FROM fee_bills WHERE item_id = ?`,
      [itemId],
    );
    const r = rows[0] ?? {};
    const bills = Number(r.bills ?? 0);
    const paidBills = Number(r.paid_bills ?? 0);
    const partialBills = Number(r.partial_bills ?? 0);
    return {
      bills,
      paidBills,
      partialBills,
      unpaidBills: bills - paidBills - partialBills,
      amountDue: Number(r.due ?? 0),
      amountPaid: Number(r.paid ?? 0),
    };
  }

  /** People who still owe on the item, not reminded since `sinceMs`; marked reminded now. */
  async takeReminders(
    itemId: string,
    sinceMs: number,
    nowMs: number,
  ): Promise<{ personId: string; owed: number }[]> {
    const rows = await this.db.select<{ id: string; person_id: string; owed: number }>(
      `SELECT id, person_id, amount_due - amount_paid AS owed FROM fee_bills
        WHERE item_id = ? AND amount_paid < amount_due AND (reminded_at_ms IS NULL OR reminded_at_ms < ?)`,
      [itemId, sinceMs],
    );
    const taken: { personId: string; owed: number }[] = [];
    for (const r of rows) {
      const changed = await this.db.execute(
        'UPDATE fee_bills SET reminded_at_ms = ? WHERE id = ? AND (reminded_at_ms IS NULL OR reminded_at_ms < ?)',
        [nowMs, r.id, sinceMs],
      );
      if (changed === 1) taken.push({ personId: r.person_id, owed: Number(r.owed) });
    }
    return taken;
  }
}
