import type { Database, Param, Tx } from '../db/database.ts';
import type { BatchEffects, BatchState } from './apply.ts';
import type { AccountRow, CardRow, HoldRow, MerchantRow, PaymentRow, StoredOperation } from './state.ts';

/**
 * The SQL of one ledger batch: load the rows the batch touches, locked in one global order
 * (holds → referenced payments → cards → accounts, each sorted by key) so concurrent batches never
 * deadlock; then write everything the batch decided with a handful of multi-row statements.
 */
export class BatchRepository {
  constructor(private readonly db: Database) {}

  nowMs(tx: Tx): Promise<number> {
    return this.db
      .select<{ now_ms: number }>(`SELECT ${this.db.nowMsSql} AS now_ms`, [], tx)
      .then((rows) => Number(rows[0]?.now_ms));
  }

  async storedOperations(ids: string[], tx: Tx): Promise<Map<string, StoredOperation>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.select<StoredOperation>(
      `SELECT id, kind, outcome, request, result FROM operations WHERE id IN (${marks(ids)})`,
      ids,
      tx,
    );
    return new Map(rows.map((row) => [row.id, row]));
  }

  async lockHolds(ids: string[], tx: Tx): Promise<Map<string, HoldRow>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT id, card_no, merchant_id, device_id, amount, subsidy_amount, usage_amount, status, expires_at_ms,
              resolved_by, resolved_amount, resolved_at_ms, created_at_ms
         FROM holds WHERE id IN (${marks(ids)}) ORDER BY id${this.db.forUpdate}`,
      sorted(ids),
      tx,
    );
    return new Map(
      rows.map((r) => {
        const hold: HoldRow = {
          id: String(r.id),
          cardNo: String(r.card_no),
          merchantId: String(r.merchant_id),
          deviceId: r.device_id === null ? null : String(r.device_id),
          amount: Number(r.amount),
          subsidyAmount: Number(r.subsidy_amount),
          usageAmount: Number(r.usage_amount),
          status: r.status as HoldRow['status'],
          expiresAtMs: Number(r.expires_at_ms),
          resolvedBy: r.resolved_by === null ? null : String(r.resolved_by),
          resolvedAmount: r.resolved_amount === null ? null : Number(r.resolved_amount),
          resolvedAtMs: r.resolved_at_ms === null ? null : Number(r.resolved_at_ms),
          createdAtMs: Number(r.created_at_ms),
        };
        return [hold.id, hold];
      }),
    );
  }

  async lockPayments(ids: string[], tx: Tx): Promise<Map<string, PaymentRow>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT id, kind, outcome, card_no, merchant_id, amount, subsidy_amount, refunded_amount
         FROM operations WHERE id IN (${marks(ids)}) ORDER BY id${this.db.forUpdate}`,
      sorted(ids),
      tx,
    );
    return new Map(
      rows.map((r) => {
        const payment: PaymentRow = {
          id: String(r.id),
          kind: String(r.kind),
          outcome: String(r.outcome),
          cardNo: r.card_no === null ? null : String(r.card_no),
          merchantId: r.merchant_id === null ? null : String(r.merchant_id),
          amount: Number(r.amount),
          subsidyAmount: Number(r.subsidy_amount),
          refundedAmount: Number(r.refunded_amount),
        };
        return [payment.id, payment];
      }),
    );
  }

  async lockCards(cardNos: string[], tx: Tx): Promise<Map<string, CardRow>> {
    if (cardNos.length === 0) return new Map();
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT card_no, person_id, status, version, main_account_id, subsidy_account_id, daily_limit, pin_free_limit,
              spent_day, spent_day_amount, last_pay_device_id, last_pay_at_ms
         FROM cards WHERE card_no IN (${marks(cardNos)}) ORDER BY card_no${this.db.forUpdate}`,
      sorted(cardNos),
      tx,
    );
    return new Map(
      rows.map((r) => {
        const card: CardRow = {
          cardNo: String(r.card_no),
          personId: String(r.person_id),
          status: r.status as CardRow['status'],
          version: Number(r.version),
          mainAccountId: String(r.main_account_id),
          subsidyAccountId: String(r.subsidy_account_id),
          dailyLimit: Number(r.daily_limit),
          pinFreeLimit: Number(r.pin_free_limit),
          spentDay: Number(r.spent_day),
          spentDayAmount: Number(r.spent_day_amount),
          lastPayDeviceId: r.last_pay_device_id === null ? null : String(r.last_pay_device_id),
          lastPayAtMs: r.last_pay_at_ms === null ? null : Number(r.last_pay_at_ms),
        };
        return [card.cardNo, card];
      }),
    );
  }

  async merchants(ids: string[], tx: Tx): Promise<Map<string, MerchantRow>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.select<{ id: string; account_id: string; status: MerchantRow['status'] }>(
      `SELECT id, account_id, status FROM merchants WHERE id IN (${marks(ids)})`,
      ids,
      tx,
    );
    return new Map(rows.map((r) => [r.id, { id: r.id, accountId: r.account_id, status: r.status }]));
  }

  async lockAccounts(ids: string[], tx: Tx): Promise<Map<string, AccountRow>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT id, kind, allow_overdraft, debits_posted, credits_posted, debits_pending, credits_pending
         FROM accounts WHERE id IN (${marks(ids)}) ORDER BY id${this.db.forUpdate}`,
      sorted(ids),
      tx,
    );
    return new Map(
      rows.map((r) => {
        const account: AccountRow = {
          id: String(r.id),
          kind: r.kind as AccountRow['kind'],
          allowOverdraft: Number(r.allow_overdraft) === 1,
          debitsPosted: Number(r.debits_posted),
          creditsPosted: Number(r.credits_posted),
          debitsPending: Number(r.debits_pending),
          creditsPending: Number(r.credits_pending),
        };
        return [account.id, account];
      }),
    );
  }

  /** Writes the batch's decisions. Every statement is guarded so a broken invariant fails the batch. */
  async write(
    state: BatchState,
    initialAccounts: Map<string, AccountRow>,
    fx: BatchEffects,
    tx: Tx,
  ): Promise<void> {
    const db = this.db;
    if (fx.operations.length > 0) {
      const params: Param[] = [];
      for (const o of fx.operations) {
        params.push(
          o.id,
          o.kind,
          o.outcome,
          o.cardNo,
          o.merchantId,
          o.deviceId,
          o.referenceId,
          o.amount,
          o.subsidyAmount,
          o.payment?.refundedAmount ?? 0,
          o.request,
          o.result,
          o.createdDay,
          o.createdAtMs,
        );
      }
      await db.execute(
        `INSERT INTO operations (id, kind, outcome, card_no, merchant_id, device_id, reference_id, amount, subsidy_amount,
           refunded_amount, request, result, created_day, created_at_ms) VALUES ${rows(fx.operations.length, 14)}`,
        params,
        tx,
      );
    }
    if (fx.transfers.length > 0) {
      const params: Param[] = [];
      for (const t of fx.transfers) {
        params.push(
          t.id,
          t.operationId,
          t.debitAccountId,
          t.creditAccountId,
          t.amount,
          t.pending ? 1 : 0,
          t.createdAtMs,
        );
      }
      await db.execute(
        `INSERT INTO transfers (id, operation_id, debit_account_id, credit_account_id, amount, pending, created_at_ms)
         VALUES ${rows(fx.transfers.length, 7)}`,
        params,
        tx,
      );
    }
    await this.writeAccountDeltas(state, initialAccounts, tx);
    await this.writeCards(fx, state.nowMs, tx);
    await this.writeHolds(fx, tx);
    await this.writeRefunded(fx, tx);
  }

  private async writeAccountDeltas(
    state: BatchState,
    initial: Map<string, AccountRow>,
    tx: Tx,
  ): Promise<void> {
    const columns = [
      ['debits_posted', 'debitsPosted'],
      ['credits_posted', 'creditsPosted'],
      ['debits_pending', 'debitsPending'],
      ['credits_pending', 'creditsPending'],
    ] as const;
    const changed: { id: string; deltas: number[] }[] = [];
    for (const [id, now] of state.accounts) {
      const before = initial.get(id);
      if (!before) throw new Error(`account ${id} has no initial snapshot`);
      const deltas = columns.map(([, key]) => now[key] - before[key]);
      if (deltas.some((d) => d !== 0)) changed.push({ id, deltas });
    }
    if (changed.length === 0) return;
    // One statement for every account the batch touched: a hot canteen window is written once per
    // batch, not once per payment. The CHECK constraints on accounts still judge every row.
    const sets: string[] = [];
    const params: Param[] = [];
    columns.forEach(([column], c) => {
      const touched = changed.filter((a) => a.deltas[c] !== 0);
      if (touched.length === 0) return;
      sets.push(`${column} = ${column} + CASE id ${touched.map(() => 'WHEN ? THEN ?').join(' ')} ELSE 0 END`);
      for (const a of touched) params.push(a.id, a.deltas[c] as number);
    });
    for (const a of changed) params.push(a.id);
    const updated = await this.db.execute(
      `UPDATE accounts SET ${sets.join(', ')} WHERE id IN (${marks(changed)})`,
      params,
      tx,
    );
    if (updated !== changed.length)
      throw new Error(`account update touched ${updated} of ${changed.length} rows`);
  }

  private async writeCards(fx: BatchEffects, nowMs: number, tx: Tx): Promise<void> {
    if (fx.touchedCards.size === 0) return;
    const cards = [...fx.touchedCards];
    const params: Param[] = [];
    const caseOf = (pick: (c: CardRow) => Param) => {
      for (const c of cards) params.push(c.cardNo, pick(c));
      return `CASE card_no ${cards.map(() => 'WHEN ? THEN ?').join(' ')} END`;
    };
    const sql = `UPDATE cards SET spent_day = ${caseOf((c) => c.spentDay)}, spent_day_amount = ${caseOf((c) => c.spentDayAmount)},
      last_pay_device_id = ${caseOf((c) => c.lastPayDeviceId)}, last_pay_at_ms = ${caseOf((c) => c.lastPayAtMs)},
      updated_at_ms = ? WHERE card_no IN (${marks(cards)})`;
    params.push(nowMs, ...cards.map((c) => c.cardNo));
    const updated = await this.db.execute(sql, params, tx);
    if (updated !== cards.length) throw new Error(`card update touched ${updated} of ${cards.length} rows`);
  }

  private async writeHolds(fx: BatchEffects, tx: Tx): Promise<void> {
    if (fx.newHolds.size > 0) {
      const params: Param[] = [];
      for (const h of fx.newHolds) {
        params.push(
          h.id,
          h.cardNo,
          h.merchantId,
          h.deviceId,
          h.amount,
          h.subsidyAmount,
          h.usageAmount,
          h.status,
          h.expiresAtMs,
          h.resolvedBy,
          h.resolvedAmount,
          h.resolvedAtMs,
          h.createdAtMs,
        );
      }
      await this.db.execute(
        `INSERT INTO holds (id, card_no, merchant_id, device_id, amount, subsidy_amount, usage_amount, status, expires_at_ms,
           resolved_by, resolved_amount, resolved_at_ms, created_at_ms) VALUES ${rows(fx.newHolds.size, 13)}`,
        params,
        tx,
      );
    }
    for (const h of fx.resolvedHolds) {
      // Each hold leaves 'pending' once: the WHERE makes a second resolution change nothing.
      const updated = await this.db.execute(
        `UPDATE holds SET status = ?, resolved_by = ?, resolved_amount = ?, resolved_at_ms = ? WHERE id = ? AND status = 'pending'`,
        [h.status, h.resolvedBy, h.resolvedAmount, h.resolvedAtMs, h.id],
        tx,
      );
      if (updated !== 1) throw new Error(`hold ${h.id} was resolved concurrently`);
    }
  }

  private async writeRefunded(fx: BatchEffects, tx: Tx): Promise<void> {
    const inserted = new Set(fx.operations.map((o) => o.id));
    for (const o of fx.operations) {
      if (o.kind !== 'refund' || o.outcome !== 'ok' || !o.referenceId || inserted.has(o.referenceId))
        continue;
      const updated = await this.db.execute(
        'UPDATE operations SET refunded_amount = refunded_amount + ? WHERE id = ? AND refunded_amount + ? <= amount',
        [o.amount, o.referenceId, o.amount],
        tx,
      );
      if (updated !== 1) throw new Error(`refund ${o.id} exceeds payment ${o.referenceId}`);
    }
  }
}

function marks(items: readonly unknown[]): string {
  return items.map(() => '?').join(', ');
}

function rows(count: number, width: number): string {
  const row = `(${Array.from({ length: width }, () => '?').join(', ')})`;
  return Array.from({ length: count }, () => row).join(', ');
}

function sorted(ids: string[]): string[] {
  return [...ids].sort();
}
