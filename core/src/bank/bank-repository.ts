import type {
  AutoTopUpView,
  BankBindingView,
  BankMismatchView,
  BankTransferStatus,
  BankTransferView,
} from '../contract/bank.ts';
import { type Database, isDuplicateKey } from '../db/database.ts';

/** A binding as the service needs it: the view plus what never leaves the core. */
export interface BankBinding extends BankBindingView {
  requestId: string | null;
  token: string | null;
  smsAttempts: number;
}

export interface NewTransfer {
  id: string;
  cardNo: string;
  bindingId: string;
  direction: 'load' | 'payout';
  origin: BankTransferView['origin'];
  idempotencyKey: string;
  amount: number;
  day: number;
  nowMs: number;
}

export interface BankTransfer extends BankTransferView {
  bindingId: string;
  idempotencyKey: string;
  day: number;
}

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

const bindingColumns =
  'id, card_no, status, request_id, token, masked, phone_tail, sms_attempts, bound_at_ms';
const transferColumns =
  'id, card_no, binding_id, direction, origin, idempotency_key, amount, day, status, bank_serial, failure_code, created_at_ms, updated_at_ms';

function toBinding(r: Record<string, unknown>): BankBinding {
  return {
    id: String(r.id),
    cardNo: String(r.card_no),
    status: String(r.status) as BankBinding['status'],
    requestId: strOrNull(r.request_id),
    token: strOrNull(r.token),
    masked: String(r.masked),
    phoneTail: strOrNull(r.phone_tail),
    smsAttempts: num(r.sms_attempts),
    boundAtMs: numOrNull(r.bound_at_ms),
  };
}

function toTransfer(r: Record<string, unknown>): BankTransfer {
  return {
    id: String(r.id),
    cardNo: String(r.card_no),
    bindingId: String(r.binding_id),
    direction: String(r.direction) as BankTransfer['direction'],
    origin: String(r.origin) as BankTransfer['origin'],
    idempotencyKey: String(r.idempotency_key),
    amount: num(r.amount),
    day: num(r.day),
    status: String(r.status) as BankTransferStatus,
    bankSerial: strOrNull(r.bank_serial),
    failureCode: strOrNull(r.failure_code),
    createdAtMs: num(r.created_at_ms),
    updatedAtMs: num(r.updated_at_ms),
  };
}

/** The bank domain's tables (sql/070): bindings, transfers, auto top-up settings, day-file findings. */
export class BankRepository {
  constructor(private readonly db: Database) {}

  async insertBinding(b: {
    id: string;
    cardNo: string;
    requestId: string;
    masked: string;
    phoneTail: string;
    nowMs: number;
  }): Promise<void> {
    await this.db.execute(
      `INSERT INTO bank_bindings (id, card_no, status, request_id, masked, phone_tail, sms_attempts, created_at_ms)
       VALUES (?, ?, 'pending', ?, ?, ?, 0, ?)`,
      [b.id, b.cardNo, b.requestId, b.masked, b.phoneTail, b.nowMs],
    );
  }

  async binding(id: string): Promise<BankBinding | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${bindingColumns} FROM bank_bindings WHERE id = ?`,
      [id],
    );
    return rows[0] ? toBinding(rows[0]) : undefined;
  }

  async activeBinding(cardNo: string): Promise<BankBinding | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${bindingColumns} FROM bank_bindings WHERE card_no = ? AND status = 'active' ORDER BY bound_at_ms DESC LIMIT 1`,
      [cardNo],
    );
    return rows[0] ? toBinding(rows[0]) : undefined;
  }

  /** Takes one SMS-code attempt before the code is checked; false when none is left (or not pending). */
  async takeSmsAttempt(id: string, cardNo: string, attemptsMax: number): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE bank_bindings SET sms_attempts = sms_attempts + 1
        WHERE id = ? AND card_no = ? AND status = 'pending' AND sms_attempts < ?`,
      [id, cardNo, attemptsMax],
    );
    return changed === 1;
  }

  /** pending -> active; the card's earlier active binding is removed in the same transaction. */
  async activate(id: string, cardNo: string, token: string, masked: string, nowMs: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const changed = await this.db.execute(
        `UPDATE bank_bindings SET status = 'active', token = ?, masked = ?, bound_at_ms = ?, request_id = NULL
          WHERE id = ? AND status = 'pending'`,
        [token, masked, nowMs, id],
        tx,
      );
      if (changed === 1)
        await this.db.execute(
          `UPDATE bank_bindings SET status = 'removed', removed_at_ms = ? WHERE card_no = ? AND status = 'active' AND id <> ?`,
          [nowMs, cardNo, id],
          tx,
        );
      return changed === 1;
    });
  }

  async remove(cardNo: string, nowMs: number): Promise<number> {
    return this.db.execute(
      `UPDATE bank_bindings SET status = 'removed', removed_at_ms = ? WHERE card_no = ? AND status IN ('active', 'pending')`,
      [nowMs, cardNo],
    );
  }

  /** Inserts a transfer; undefined when the card already has one under this idempotency key. */
  async insertTransfer(t: NewTransfer): Promise<BankTransfer | undefined> {
    try {
      await this.db.execute(
        `INSERT INTO bank_transfers (id, card_no, binding_id, direction, origin, idempotency_key, amount, day, status, created_at_ms, updated_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
        [
          t.id,
          t.cardNo,
          t.bindingId,
          t.direction,
          t.origin,
          t.idempotencyKey,
          t.amount,
          t.day,
          t.nowMs,
          t.nowMs,
        ],
      );
    } catch (error) {
      if (isDuplicateKey(error)) return undefined;
      throw error;
    }
    return this.transfer(t.id);
  }

  async transfer(id: string): Promise<BankTransfer | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${transferColumns} FROM bank_transfers WHERE id = ?`,
      [id],
    );
    return rows[0] ? toTransfer(rows[0]) : undefined;
  }

  async transferByKey(cardNo: string, idempotencyKey: string): Promise<BankTransfer | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${transferColumns} FROM bank_transfers WHERE card_no = ? AND idempotency_key = ?`,
      [cardNo, idempotencyKey],
    );
    return rows[0] ? toTransfer(rows[0]) : undefined;
  }

  /**
   * One step of a transfer: from one of `from` to `to`, recording the bank's serial or failure code.
   * Each arrow of the state diagram is one of these; false when another step got there first.
   */
  async move(
    id: string,
    from: readonly BankTransferStatus[],
    to: BankTransferStatus,
    nowMs: number,
    facts: { serial?: string | null; code?: string | null } = {},
  ): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE bank_transfers SET status = ?, updated_at_ms = ?,
              bank_serial = COALESCE(?, bank_serial), failure_code = COALESCE(?, failure_code)
        WHERE id = ? AND status IN (${from.map(() => '?').join(', ')})`,
      [to, nowMs, facts.serial ?? null, facts.code ?? null, id, ...from],
    );
    return changed === 1;
  }

  /** Transfers a step is owed to, oldest first: confirmed ones always, pending/uncertain once older than a bound. */
  async unsettled(olderThanMs: number, limit: number): Promise<BankTransfer[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${transferColumns} FROM bank_transfers
        WHERE status = 'confirmed' OR (status IN ('pending', 'uncertain') AND created_at_ms < ?)
        ORDER BY created_at_ms LIMIT ?`,
      [olderThanMs, limit],
    );
    return rows.map(toTransfer);
  }

  async list(filter: {
    cardNo?: string;
    status?: BankTransferStatus;
    limit: number;
    beforeId?: string;
  }): Promise<BankTransfer[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.cardNo) where.push('card_no = ?') && params.push(filter.cardNo);
    if (filter.status) where.push('status = ?') && params.push(filter.status);
    if (filter.beforeId) where.push('id < ?') && params.push(filter.beforeId);
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${transferColumns} FROM bank_transfers ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
      [...params, filter.limit],
    );
    return rows.map(toTransfer);
  }

  async forDay(day: number): Promise<BankTransfer[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${transferColumns} FROM bank_transfers WHERE day = ?`,
      [day],
    );
    return rows.map(toTransfer);
  }

  async autoTopUp(
    cardNo: string,
  ): Promise<
    (Omit<AutoTopUpView, 'lastDay'> & { lastDay: number | null; month: number | null }) | undefined
  > {
    const rows = await this.db.select<Record<string, unknown>>(
      'SELECT card_no, enabled, threshold, amount, monthly_cap, last_day, month, month_used FROM bank_auto_top_ups WHERE card_no = ?',
      [cardNo],
    );
    const r = rows[0];
    if (!r) return undefined;
    return {
      cardNo: String(r.card_no),
      enabled: num(r.enabled) === 1,
      threshold: num(r.threshold),
      amount: num(r.amount),
      monthlyCap: num(r.monthly_cap),
      monthUsed: num(r.month_used),
      lastDay: numOrNull(r.last_day),
      month: numOrNull(r.month),
    };
  }

  async saveAutoTopUp(s: {
    cardNo: string;
    enabled: boolean;
    threshold: number;
    amount: number;
    monthlyCap: number;
    nowMs: number;
  }): Promise<void> {
    const changed = await this.db.execute(
      'UPDATE bank_auto_top_ups SET enabled = ?, threshold = ?, amount = ?, monthly_cap = ?, updated_at_ms = ? WHERE card_no = ?',
      [s.enabled ? 1 : 0, s.threshold, s.amount, s.monthlyCap, s.nowMs, s.cardNo],
    );
    if (changed === 1) return;
    try {
      await this.db.execute(
        'INSERT INTO bank_auto_top_ups (card_no, enabled, threshold, amount, monthly_cap, month_used, updated_at_ms) VALUES (?, ?, ?, ?, ?, 0, ?)',
        [s.cardNo, s.enabled ? 1 : 0, s.threshold, s.amount, s.monthlyCap, s.nowMs],
      );
    } catch (error) {
      // A racing first save inserted it: this one's values win as an update.
      if (!isDuplicateKey(error)) throw error;
      await this.saveAutoTopUp(s);
    }
  }

  /**
   * Reserves today's one auto load and its amount within the month's cap, in one conditional UPDATE:
   * of any number of racing triggers, one changes the row. A new month starts the count again.
   */
  async reserveAutoLoad(cardNo: string, day: number, month: number, nowMs: number): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE bank_auto_top_ups
          SET month_used = (CASE WHEN month = ? THEN month_used ELSE 0 END) + amount,
              month = ?, last_day = ?, updated_at_ms = ?
        WHERE card_no = ? AND enabled = 1 AND (last_day IS NULL OR last_day <> ?)
          AND (CASE WHEN month = ? THEN month_used ELSE 0 END) + amount <= monthly_cap`,
      [month, month, day, nowMs, cardNo, day, month],
    );
    return changed === 1;
  }

  /** Gives a load the bank definitely refused back to the month's cap (the day stays used). */
  async releaseAutoLoad(cardNo: string, month: number, amount: number): Promise<void> {
    await this.db.execute(
      'UPDATE bank_auto_top_ups SET month_used = month_used - ? WHERE card_no = ? AND month = ? AND month_used >= ?',
      [amount, cardNo, month, amount],
    );
  }

  async enabledAutoTopUps(afterCardNo: string, limit: number): Promise<string[]> {
    const rows = await this.db.select<{ card_no: string }>(
      'SELECT card_no FROM bank_auto_top_ups WHERE enabled = 1 AND card_no > ? ORDER BY card_no LIMIT ?',
      [afterCardNo, limit],
    );
    return rows.map((r) => String(r.card_no));
  }

  async recordMismatch(m: Omit<BankMismatchView, 'foundAtMs'>, nowMs: number): Promise<void> {
    const ignore = this.db.dialect === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    await this.db.execute(
      `${ignore} INTO bank_mismatches (bill_date, transfer_id, kind, ours, theirs, found_at_ms) VALUES (?, ?, ?, ?, ?, ?)`,
      [m.billDate, m.transferId, m.kind, m.ours, m.theirs, nowMs],
    );
  }

  async mismatches(limit: number): Promise<BankMismatchView[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      'SELECT bill_date, transfer_id, kind, ours, theirs, found_at_ms FROM bank_mismatches ORDER BY found_at_ms DESC LIMIT ?',
      [limit],
    );
    return rows.map((r) => ({
      billDate: String(r.bill_date),
      transferId: String(r.transfer_id),
      kind: String(r.kind) as BankMismatchView['kind'],
      ours: strOrNull(r.ours),
      theirs: strOrNull(r.theirs),
      foundAtMs: num(r.found_at_ms),
    }));
  }
}
