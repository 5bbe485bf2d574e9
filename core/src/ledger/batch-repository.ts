import { insertCardEvents } from '../cards/card-events.ts';
import type { Database, Param, Statement, Tx } from '../db/database.ts';
import type { BatchEffects, BatchState } from './apply.ts';
import { type StoredOperation, storedOperationColumns } from './operation-record.ts';
import { toCard, toHold, toPayment, wallet } from './rows.ts';
import type { AccountRow, CardRow, DeviceRow, HoldRow, MerchantRow, PaymentRow } from './state.ts';

/**
 * The SQL of one ledger batch: load the rows the batch touches, locked in one global order
 * (holds → referenced payments → cards → accounts, each sorted by key) so concurrent batches never
 * deadlock; then write everything the batch decided with a handful of multi-row statements.
 */
export interface BatchKeys {
  operationIds: string[];
  holdIds: string[];
  paymentIds: string[];
  cardNos: string[];
  merchantIds: string[];
  /** Accounts named directly (adjustments); locked after the cards and their wallets. */
  accountIds: string[];
  /** Devices the requests name (parsed device ids); share-locked last, so a disable waits for the batch. */
  deviceIds?: string[];
  /** Codes the payments present; read after their cards are locked (a code belongs to one card). */
  codeIds?: string[];
}

export interface LoadedRows {
  nowMs: number;
  stored: Map<string, StoredOperation>;
  holds: Map<string, HoldRow>;
  payments: Map<string, PaymentRow>;
  cards: Map<string, CardRow>;
  merchants: Map<string, MerchantRow>;
  /** Wallets (and directly named accounts) with their balances, locked. */
  accounts: Map<string, AccountRow>;
  devices: Map<string, DeviceRow>;
  /** Code id → the payment that consumed it. */
  codeUses: Map<string, string>;
}

export class BatchRepository {
  constructor(private readonly db: Database) {}

  /**
   * Two round trips. First the stored operations and the holds and payments the batch resolves or
   * refunds; then the cards those lead to, joined to their wallets so each card is locked together
   * with its two wallets, and last the clock. The clock is read after the locks: a batch that
   * waited for a card is then never earlier than the batch it waited for, so "the card paid here
   * a moment ago" and hold expiry never see time run backwards. Merchant and system accounts are
   * not read or locked here at all: they may run negative, so no decision depends on their
   * balance, and the batch only adds to them in its final UPDATE — that is what keeps a hot
   * canteen window from serialising every batch for its whole length.
   */
  async load(keys: BatchKeys, tx: Tx): Promise<LoadedRows> {
    const db = this.db;
    const clock: Statement = { sql: `SELECT ${db.nowMsSql} AS now_ms`, params: [] };
    const first: (Statement | undefined)[] = [
      inList(`SELECT ${storedOperationColumns} FROM operations WHERE id IN`, keys.operationIds, ''),
    ];
    first.push(
      inList(
        `SELECT id, card_no, merchant_id, device_id, amount, subsidy_amount, usage_amount, status, expires_at_ms,
                resolved_by, resolved_amount, resolved_at_ms, created_at_ms FROM holds WHERE id IN`,
        sorted(keys.holdIds),
        ` ORDER BY id${db.forUpdate}`,
      ),
    );
    first.push(
      inList(
        'SELECT id, kind, outcome, card_no, merchant_id, amount, subsidy_amount, refunded_amount FROM operations WHERE id IN',
        sorted(keys.paymentIds),
        ` ORDER BY id${db.forUpdate}`,
      ),
    );
    // Payments and top-ups name their cards directly, so their batches read and lock everything in
    // one round trip; only holds and refunds must first learn which cards they touch.
    const oneTrip = keys.holdIds.length === 0 && keys.paymentIds.length === 0;
    const firstResults = await selectAll(
      db,
      oneTrip ? [...first, ...this.cardStatements(keys.cardNos, keys.merchantIds, keys), clock] : first,
      tx,
    );
    const [storedRows, holdRows, paymentRows] = firstResults;
    const holds = new Map((holdRows ?? []).map((r) => [String(r.id), toHold(r)]));
    const payments = new Map((paymentRows ?? []).map((r) => [String(r.id), toPayment(r)]));
    const cardNos = new Set(keys.cardNos);
    const merchantIds = new Set(keys.merchantIds);
    for (const h of holds.values()) {
      cardNos.add(h.cardNo);
      merchantIds.add(h.merchantId);
    }
    for (const p of payments.values()) {
      if (p.cardNo) cardNos.add(p.cardNo);
      if (p.merchantId) merchantIds.add(p.merchantId);
    }
    const [cardRows, merchantRows, accountRows, deviceRows, codeRows, placeRows, nowRows] = oneTrip
      ? firstResults.slice(3)
      : await selectAll(db, [...this.cardStatements([...cardNos], [...merchantIds], keys), clock], tx);
    const cards = new Map<string, CardRow>();
    const accounts = new Map<string, AccountRow>();
    for (const r of cardRows ?? []) {
      const card = toCard(r);
      cards.set(card.cardNo, card);
      accounts.set(
        card.mainAccountId,
        wallet(card.mainAccountId, 'wallet_main', r.m_dp, r.m_cp, r.m_dq, r.m_cq),
      );
      accounts.set(
        card.subsidyAccountId,
        wallet(card.subsidyAccountId, 'wallet_subsidy', r.s_dp, r.s_cp, r.s_dq, r.s_cq),
      );
    }
    for (const r of accountRows ?? []) {
      accounts.set(String(r.id), {
        id: String(r.id),
        kind: r.kind as AccountRow['kind'],
        allowOverdraft: Number(r.allow_overdraft) === 1,
        debitsPosted: Number(r.debits_posted),
        creditsPosted: Number(r.credits_posted),
        debitsPending: Number(r.debits_pending),
        creditsPending: Number(r.credits_pending),
      });
    }
    const merchants = new Map(
      (merchantRows ?? []).map((r) => [
        String(r.id),
        { id: String(r.id), accountId: String(r.account_id), status: r.status as MerchantRow['status'] },
      ]),
    );
    const stored = new Map((storedRows ?? []).map((r) => [String(r.id), r as unknown as StoredOperation]));
    const devices = new Map(
      (deviceRows ?? []).map((r): [string, DeviceRow] => [
        String(r.id),
        {
          id: String(r.id),
          status: r.status as DeviceRow['status'],
          keyVersion: Number(r.key_version),
          disabledAtMs: r.disabled_at_ms === null ? null : Number(r.disabled_at_ms),
          reenabledAtMs: r.reenabled_at_ms === null ? null : Number(r.reenabled_at_ms),
        },
      ]),
    );
    const codeUses = new Map((codeRows ?? []).map((r) => [String(r.code_id), String(r.operation_id)]));
    for (const r of placeRows ?? [])
      cards.get(String(r.card_no))?.places.set(String(r.merchant_id), {
        lastPaidAtMs: Number(r.last_paid_at_ms),
        knownSinceMs: Number(r.known_since_ms),
      });
    return {
      nowMs: Number(nowRows?.[0]?.now_ms),
      stored,
      holds,
      payments,
      cards,
      merchants,
      accounts,
      devices,
      codeUses,
    };
  }

  /**
   * Cards locked together with their two wallets, the merchants, directly named accounts, then the
   * devices (a shared lock: batches do not wait for each other, a disable or re-key waits for the batch
   * and every later batch sees it) and the codes the payments present (no lock needed: each code
   * belongs to one card, whose row is locked by now; the primary key is the last word).
   */
  private cardStatements(
    cardNos: string[],
    merchantIds: string[],
    keys: Pick<BatchKeys, 'accountIds' | 'deviceIds' | 'codeIds'>,
  ): (Statement | undefined)[] {
    const db = this.db;
    const forShare = db.forUpdate === '' ? '' : ' LOCK IN SHARE MODE';
    return [
      inList(
        `SELECT c.card_no, c.person_id, c.status, c.version, c.main_account_id, c.subsidy_account_id, c.daily_limit,
                c.pin_free_limit, c.spent_day, c.spent_day_amount, c.last_pay_device_id, c.last_pay_at_ms,
                CASE WHEN c.pin_hash IS NULL THEN 0 ELSE 1 END AS pin_set, c.risk_window_start_ms,
                c.risk_high_payments, c.risk_new_place_payments, c.pin_step_up_at_ms,
                m.debits_posted AS m_dp, m.credits_posted AS m_cp, m.debits_pending AS m_dq, m.credits_pending AS m_cq,
                s.debits_posted AS s_dp, s.credits_posted AS s_cp, s.debits_pending AS s_dq, s.credits_pending AS s_cq
           FROM cards c
           JOIN accounts m ON m.id = c.main_account_id
           JOIN accounts s ON s.id = c.subsidy_account_id
          WHERE c.card_no IN`,
        sorted(cardNos),
        ` ORDER BY c.card_no${db.forUpdate}`,
      ),
      inList('SELECT id, account_id, status FROM merchants WHERE id IN', merchantIds, ''),
      inList(
        'SELECT id, kind, allow_overdraft, debits_posted, credits_posted, debits_pending, credits_pending FROM accounts WHERE id IN',
        sorted(keys.accountIds),
        ` ORDER BY id${db.forUpdate}`,
      ),
      inList(
        'SELECT id, status, key_version, disabled_at_ms, reenabled_at_ms FROM devices WHERE id IN',
        sorted(keys.deviceIds ?? []),
        ` ORDER BY id${forShare}`,
      ),
      inList('SELECT code_id, operation_id FROM code_uses WHERE code_id IN', keys.codeIds ?? [], ''),
      // The places among the batch's merchants each card has paid at, and when last (the risk step-up's "new place").
      merchantIds.length === 0
        ? undefined
        : inList(
            'SELECT card_no, merchant_id, last_paid_at_ms, known_since_ms FROM card_places WHERE card_no IN',
            cardNos,
            ` AND merchant_id IN (${marks(merchantIds)})`,
            merchantIds,
          ),
    ];
  }

  /**
   * Writes what the batch decided in one round trip: the operations, the journal, one UPDATE for
   * every account touched, the cards' day totals, the holds. Each UPDATE's row count is checked
   * before the caller commits, so a broken invariant fails the whole batch.
   */
  async write(
    state: BatchState,
    initialAccounts: Map<string, AccountRow>,
    fx: BatchEffects,
    tx: Tx,
  ): Promise<void> {
    const writes: { statement: Statement; expect?: number; what: string }[] = [];
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
          o.requestExtra,
          o.mainAfter,
          o.subsidyAfter,
          o.answerExtra,
          o.createdDay,
          o.createdAtMs,
        );
      }
      writes.push({
        what: 'operations',
        statement: {
          sql: `INSERT INTO operations (id, kind, outcome, card_no, merchant_id, device_id, reference_id, amount, subsidy_amount,
                  refunded_amount, request_extra, main_after, subsidy_after, answer_extra, created_day, created_at_ms) VALUES ${rows(fx.operations.length, 16)}`,
          params,
        },
      });
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
      writes.push({
        what: 'transfers',
        statement: {
          sql: `INSERT INTO transfers (id, operation_id, debit_account_id, credit_account_id, amount, pending, created_at_ms)
                VALUES ${rows(fx.transfers.length, 7)}`,
          params,
        },
      });
    }
    const cards = cardTotals(this.db, fx, state.nowMs);
    if (cards) writes.push({ what: 'cards', ...cards });
    if (fx.cardEvents.length > 0)
      writes.push({ what: 'card events', statement: insertCardEvents(fx.cardEvents) });
    if (fx.codeUses.length > 0) {
      // A second payment of one code that got past the read (it cannot: the card's lock orders them)
      // fails here on the primary key, and the batch is retried and refused CODE_REPLAYED.
      writes.push({
        what: 'code uses',
        statement: {
          sql: `INSERT INTO code_uses (code_id, operation_id, card_no, used_at_ms) VALUES ${rows(fx.codeUses.length, 4)}`,
          params: fx.codeUses.flatMap((u) => [u.codeId, u.operationId, u.cardNo, state.nowMs]),
        },
      });
    }
    if (fx.placePayments.length > 0) {
      // The card's row is locked, so no other batch writes the same place meanwhile; the greater time
      // wins all the same, so a place's last payment never goes back.
      const update =
        this.db.dialect === 'mysql'
          ? 'ON DUPLICATE KEY UPDATE last_paid_at_ms = GREATEST(last_paid_at_ms, VALUES(last_paid_at_ms)), known_since_ms = VALUES(known_since_ms)'
          : 'ON CONFLICT (card_no, merchant_id) DO UPDATE SET last_paid_at_ms = MAX(card_places.last_paid_at_ms, excluded.last_paid_at_ms), known_since_ms = excluded.known_since_ms';
      writes.push({
        what: 'card places',
        statement: {
          sql: `INSERT INTO card_places (card_no, merchant_id, first_paid_at_ms, last_paid_at_ms, known_since_ms) VALUES ${rows(fx.placePayments.length, 5)} ${update}`,
          params: fx.placePayments.flatMap((p) => [
            p.cardNo,
            p.merchantId,
            p.lastPaidAtMs,
            p.lastPaidAtMs,
            p.knownSinceMs,
          ]),
        },
      });
    }
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
      writes.push({
        what: 'new holds',
        statement: {
          sql: `INSERT INTO holds (id, card_no, merchant_id, device_id, amount, subsidy_amount, usage_amount, status, expires_at_ms,
                  resolved_by, resolved_amount, resolved_at_ms, created_at_ms) VALUES ${rows(fx.newHolds.size, 13)}`,
          params,
        },
      });
    }
    for (const h of fx.resolvedHolds) {
      // Each hold leaves 'pending' once: the WHERE makes a second resolution change nothing.
      writes.push({
        what: `hold ${h.id}`,
        expect: 1,
        statement: {
          sql: "UPDATE holds SET status = ?, resolved_by = ?, resolved_amount = ?, resolved_at_ms = ? WHERE id = ? AND status = 'pending'",
          params: [h.status, h.resolvedBy, h.resolvedAmount, h.resolvedAtMs, h.id],
        },
      });
    }
    const inserted = new Set(fx.operations.map((o) => o.id));
    for (const o of fx.operations) {
      if (o.kind !== 'refund' || o.outcome !== 'ok' || !o.referenceId || inserted.has(o.referenceId))
        continue;
      writes.push({
        what: `refund of ${o.referenceId}`,
        expect: 1,
        statement: {
          sql: 'UPDATE operations SET refunded_amount = refunded_amount + ? WHERE id = ? AND refunded_amount + ? <= amount',
          params: [o.amount, o.referenceId, o.amount],
        },
      });
    }
    // Last, so the rows other batches also want (a hot canteen window) are locked only from here
    // to the commit that follows.
    const accounts = accountDeltas(this.db, state, initialAccounts);
    if (accounts) writes.push({ what: 'accounts', ...accounts });
    const results = await this.db.run(
      writes.map((w) => w.statement),
      tx,
    );
    writes.forEach((w, i) => {
      if (w.expect !== undefined && results[i] !== w.expect) {
        throw new Error(`ledger write of ${w.what} changed ${String(results[i])} rows, expected ${w.expect}`);
      }
    });
  }
}

/** One UPDATE for every account whose counters changed: a hot merchant is written once per batch. */
function accountDeltas(
  db: Database,
  state: BatchState,
  initial: Map<string, AccountRow>,
): { statement: Statement; expect: number } | undefined {
  const rows: Param[][] = [];
  for (const [id, now] of state.accounts) {
    const before = initial.get(id);
    if (!before) throw new Error(`account ${id} has no initial snapshot`);
    const deltas = [
      now.debitsPosted - before.debitsPosted,
      now.creditsPosted - before.creditsPosted,
      now.debitsPending - before.debitsPending,
      now.creditsPending - before.creditsPending,
    ];
    if (deltas.some((d) => d !== 0)) rows.push([id, ...deltas]);
  }
  if (rows.length === 0) return undefined;
  rows.sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1));
  // The CHECK constraints on accounts still judge every row this statement changes.
  const statement = db.bulkUpdate('accounts', 'id', ['dp', 'cp', 'dq', 'cq'], rows, [
    ['debits_posted', 't.debits_posted + d.dp'],
    ['credits_posted', 't.credits_posted + d.cp'],
    ['debits_pending', 't.debits_pending + d.dq'],
    ['credits_pending', 't.credits_pending + d.cq'],
  ]);
  return { statement, expect: rows.length };
}

/** The day's spending and last payment of every card a batch charged (rows locked since load). */
function cardTotals(
  db: Database,
  fx: BatchEffects,
  nowMs: number,
): { statement: Statement; expect: number } | undefined {
  if (fx.touchedCards.size === 0) return undefined;
  const rows = [...fx.touchedCards]
    .sort((a, b) => (a.cardNo < b.cardNo ? -1 : 1))
    .map((c): Param[] => [
      c.cardNo,
      c.status,
      c.version,
      c.spentDay,
      c.spentDayAmount,
      c.lastPayDeviceId,
      c.lastPayAtMs,
      c.risk.windowStartMs,
      c.risk.highPayments,
      c.risk.newPlacePayments,
      c.risk.stepUpAtMs,
      nowMs,
    ]);
  const columns = ['st', 've', 'sd', 'sa', 'ld', 'la', 'rw', 'rh', 'rn', 'ps', 'ua'];
  const statement = db.bulkUpdate('cards', 'card_no', columns, rows, [
    ['status', 'd.st'],
    ['version', 'd.ve'],
    ['spent_day', 'd.sd'],
    ['spent_day_amount', 'd.sa'],
    ['last_pay_device_id', 'd.ld'],
    ['last_pay_at_ms', 'd.la'],
    ['risk_window_start_ms', 'd.rw'],
    ['risk_high_payments', 'd.rh'],
    ['risk_new_place_payments', 'd.rn'],
    ['pin_step_up_at_ms', 'd.ps'],
    ['updated_at_ms', 'd.ua'],
  ]);
  return { statement, expect: rows.length };
}

/** A SELECT of the rows whose key is in ids; none for an empty list (it would read nothing). */
function inList(
  prefix: string,
  ids: readonly string[],
  suffix: string,
  suffixParams: string[] = [],
): Statement | undefined {
  return ids.length === 0
    ? undefined
    : { sql: `${prefix} (${marks(ids)})${suffix}`, params: [...ids, ...suffixParams] };
}

/**
 * Runs the SELECTs given in order, in one round trip, and answers each one's rows; a missing one (an empty
 * key list: a payments-only batch names no hold, refunded payment or account) is not sent and reads none, so
 * the server parses and plans only the statements that can find something (issue #20).
 */
async function selectAll(
  db: Database,
  statements: readonly (Statement | undefined)[],
  tx: Tx,
): Promise<Record<string, unknown>[][]> {
  const sent = statements.filter((st): st is Statement => st !== undefined);
  const results = (await db.run(sent, tx)) as Record<string, unknown>[][];
  let next = 0;
  return statements.map((st) => (st === undefined ? [] : (results[next++] as Record<string, unknown>[])));
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
