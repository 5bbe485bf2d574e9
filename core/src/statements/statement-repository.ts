import type { CardTransaction, MeterSession, MonthFigures } from '../contract/statements.ts';
import type { Database, Param } from '../db/database.ts';
import { shanghaiDay } from '../time.ts';

export type { CardTransaction, MeterSession, MonthFigures };

export interface TransactionFilter {
  fromMs?: number;
  toMs?: number;
  kinds?: readonly string[];
  before?: { atMs: number; id: string };
  limit: number;
}

/** Kinds that take money from the card's wallets, and kinds that bring it in. */
const moneyOut = new Set(['payment', 'post', 'expire', 'close_out', 'subsidy_clear']);
const moneyIn = new Set(['top_up', 'subsidy', 'refund']);
/** Kinds that count as spending in a statement: what was paid, net of refunds. */
const spendingKinds = ['payment', 'post', 'expire'] as const;

// A hold's own line joins its hold by id; a post, void or expiry joins the hold it settled. The
// device is the hold's when a settlement names none, and joins the devices table by its bare id
// (holds and payments name a re-keyed device <id>-<keyVersion>).
const selectTransactions = `SELECT o.id, o.kind, o.amount, o.subsidy_amount, o.refunded_amount, o.merchant_id,
        COALESCE(o.device_id, h.device_id) AS device_id,
        o.reference_id, o.request_extra, o.created_at_ms, m.name AS merchant_name, m.category,
        h.status AS hold_status, h.amount AS hold_amount, h.resolved_amount AS hold_resolved_amount
   FROM operations o LEFT JOIN merchants m ON m.id = o.merchant_id
   LEFT JOIN holds h ON o.kind IN ('hold', 'post', 'void', 'expire')
        AND h.id = CASE WHEN o.kind = 'hold' THEN o.id ELSE o.reference_id END`;

/**
 * Lines a bill leaves out: a hold once it has settled (its settlement is the line), and a settlement
 * that charged nothing (a void, or a run that used nothing): no money moved, so no bill line.
 */
const billLinesOnly = `NOT (o.kind = 'hold' AND h.status <> 'pending')
   AND NOT (o.kind IN ('post', 'void', 'expire') AND o.amount = 0)`;

export class StatementRepository {
  constructor(private readonly db: Database) {}

  /** A card's holds, newest first, paged by (created_at_ms, id), with the device kind and merchant. */
  async meterSessions(
    cardNo: string,
    page: { limit: number; before?: { atMs: number; id: string } },
  ): Promise<MeterSession[]> {
    const params: Param[] = [cardNo];
    let where = 'h.card_no = ?';
    if (page.before) {
      where += ' AND (h.created_at_ms < ? OR (h.created_at_ms = ? AND h.id < ?))';
      params.push(page.before.atMs, page.before.atMs, page.before.id);
    }
    params.push(page.limit);
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT h.id, h.status, h.device_id, h.amount, h.usage_amount, h.resolved_amount, h.created_at_ms,
              h.resolved_at_ms, h.expires_at_ms, m.name AS merchant_name
         FROM holds h LEFT JOIN merchants m ON m.id = h.merchant_id
        WHERE ${where} ORDER BY h.created_at_ms DESC, h.id DESC LIMIT ?`,
      params,
    );
    // Holds name the device as <id>-<keyVersion> after a re-key; the device row has the bare id.
    const deviceIds = [
      ...new Set(
        rows.map((r) => (r.device_id === null ? null : (String(r.device_id).split('-')[0] as string))),
      ),
    ].filter((id): id is string => id !== null);
    const kinds = new Map<string, string>();
    if (deviceIds.length > 0) {
      const devices = await this.db.select<{ id: string; kind: string }>(
        `SELECT id, kind FROM devices WHERE id IN (${deviceIds.map(() => '?').join(', ')})`,
        deviceIds,
      );
      for (const d of devices) kinds.set(String(d.id), String(d.kind));
    }
    return rows.map((r) => {
      const deviceId = r.device_id === null ? null : String(r.device_id);
      return {
        id: String(r.id),
        status: String(r.status) as MeterSession['status'],
        deviceKind: deviceId === null ? null : (kinds.get(deviceId.split('-')[0] as string) ?? null),
        deviceId,
        merchantName: r.merchant_name === null ? null : String(r.merchant_name),
        heldAmount: Number(r.amount),
        usageAmount: Number(r.usage_amount),
        postedAmount: r.resolved_amount === null ? null : Number(r.resolved_amount),
        startedAtMs: Number(r.created_at_ms),
        endedAtMs: r.resolved_at_ms === null ? null : Number(r.resolved_at_ms),
        expiresAtMs: Number(r.expires_at_ms),
      };
    });
  }

  /** Accepted operations of a card, newest first, paged by (created_at_ms, id). */
  async transactions(cardNo: string, filter: TransactionFilter): Promise<CardTransaction[]> {
    const params: Param[] = [cardNo];
    let where = `o.card_no = ? AND o.outcome = 'ok' AND ${billLinesOnly}`;
    if (filter.fromMs !== undefined) {
      where += ' AND o.created_at_ms >= ?';
      params.push(filter.fromMs);
    }
    if (filter.toMs !== undefined) {
      where += ' AND o.created_at_ms < ?';
      params.push(filter.toMs);
    }
    if (filter.kinds && filter.kinds.length > 0) {
      where += ` AND o.kind IN (${filter.kinds.map(() => '?').join(', ')})`;
      params.push(...filter.kinds);
    }
    if (filter.before) {
      where += ' AND (o.created_at_ms < ? OR (o.created_at_ms = ? AND o.id < ?))';
      params.push(filter.before.atMs, filter.before.atMs, filter.before.id);
    }
    params.push(filter.limit);
    const rows = await this.db.select<Record<string, unknown>>(
      `${selectTransactions} WHERE ${where} ORDER BY o.created_at_ms DESC, o.id DESC LIMIT ?`,
      params,
    );
    return this.withDeviceKinds(rows.map(toTransaction));
  }

  async transaction(cardNo: string, id: string): Promise<CardTransaction | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `${selectTransactions} WHERE o.id = ? AND o.card_no = ? AND o.outcome = 'ok'`,
      [id, cardNo],
    );
    return rows[0] ? (await this.withDeviceKinds([toTransaction(rows[0])]))[0] : undefined;
  }

  /** Fills each transaction's device kind from the devices table (one query for the page). */
  private async withDeviceKinds(items: CardTransaction[]): Promise<CardTransaction[]> {
    const ids = [...new Set(items.flatMap((t) => (t.deviceId === null ? [] : [bareDeviceId(t.deviceId)])))];
    if (ids.length === 0) return items;
    const devices = await this.db.select<{ id: string; kind: string }>(
      `SELECT id, kind FROM devices WHERE id IN (${ids.map(() => '?').join(', ')})`,
      ids,
    );
    const kinds = new Map(devices.map((d) => [String(d.id), String(d.kind)]));
    return items.map((t) =>
      t.deviceId === null ? t : { ...t, deviceKind: kinds.get(bareDeviceId(t.deviceId)) ?? null },
    );
  }

  /** A card's figures for [fromMs, toMs): sums in the database, grouped by kind, merchant and day. */
  async month(cardNo: string, fromMs: number, toMs: number): Promise<MonthFigures> {
    const kinds = await this.db.select<{ kind: string; total: number | string }>(
      `SELECT kind, SUM(amount) AS total FROM operations
        WHERE card_no = ? AND outcome = 'ok' AND created_at_ms >= ? AND created_at_ms < ?
        GROUP BY kind`,
      [cardNo, fromMs, toMs],
    );
    const total = (kind: string) => Number(kinds.find((k) => k.kind === kind)?.total ?? 0);
    const spendingIn = `kind IN (${spendingKinds.map(() => '?').join(', ')})`;
    // Spending by merchant, net of refunds made in the same month.
    const merchants = await this.db.select<Record<string, unknown>>(
      `SELECT o.merchant_id, m.name, m.category,
              SUM(CASE WHEN o.kind = 'refund' THEN -o.amount ELSE o.amount END) AS amount
         FROM operations o JOIN merchants m ON m.id = o.merchant_id
        WHERE o.card_no = ? AND o.outcome = 'ok' AND o.created_at_ms >= ? AND o.created_at_ms < ?
          AND (o.${spendingIn} OR o.kind = 'refund')
        GROUP BY o.merchant_id, m.name, m.category`,
      [cardNo, fromMs, toMs, ...spendingKinds],
    );
    const byMerchant = merchants
      .map((r) => ({
        merchantId: String(r.merchant_id),
        merchantName: String(r.name),
        category: String(r.category),
        amount: Number(r.amount),
      }))
      .filter((m) => m.amount !== 0)
      .sort((a, b) => b.amount - a.amount || a.merchantName.localeCompare(b.merchantName));
    const categories = new Map<string, number>();
    for (const m of byMerchant) categories.set(m.category, (categories.get(m.category) ?? 0) + m.amount);
    const days = await this.db.select<{ created_day: number | string; amount: number | string }>(
      `SELECT created_day, SUM(amount) AS amount FROM operations
        WHERE card_no = ? AND outcome = 'ok' AND created_at_ms >= ? AND created_at_ms < ? AND ${spendingIn}
        GROUP BY created_day ORDER BY created_day`,
      [cardNo, fromMs, toMs, ...spendingKinds],
    );
    const firstDay = shanghaiDay(fromMs);
    const refunded = total('refund');
    return {
      spent: spendingKinds.reduce((sum, kind) => sum + total(kind), 0) - refunded,
      refunded,
      toppedUp: total('top_up'),
      subsidies: total('subsidy'),
      byCategory: [...categories]
        .map(([category, amount]) => ({ category, amount }))
        .sort((a, b) => b.amount - a.amount || a.category.localeCompare(b.category)),
      byMerchant,
      byDay: days.map((d) => ({ day: Number(d.created_day) - firstDay + 1, amount: Number(d.amount) })),
    };
  }
}

/** A device as the devices table names it: holds and payments after a re-key say <id>-<keyVersion>. */
function bareDeviceId(deviceId: string): string {
  return deviceId.split('-')[0] as string;
}

/** A top-up's channel, kept in the operation's request_extra (JSON). */
function channelOf(kind: string, requestExtra: unknown): string | null {
  if (kind !== 'top_up' || typeof requestExtra !== 'string') return null;
  try {
    const channel = (JSON.parse(requestExtra) as { channel?: unknown }).channel;
    return typeof channel === 'string' ? channel : null;
  } catch {
    return null;
  }
}

function holdOf(r: Record<string, unknown>): CardTransaction['hold'] {
  if (r.hold_status === null || r.hold_status === undefined) return null;
  const held = Number(r.hold_amount);
  const charged = r.hold_resolved_amount === null ? null : Number(r.hold_resolved_amount);
  return {
    status: String(r.hold_status) as NonNullable<CardTransaction['hold']>['status'],
    heldAmount: held,
    chargedAmount: charged,
    releasedAmount: charged === null ? null : held - charged,
  };
}

function toTransaction(r: Record<string, unknown>): CardTransaction {
  const kind = String(r.kind);
  const amount = Number(r.amount);
  const subsidyAmount = Number(r.subsidy_amount);
  // A hold moves no money off the card until it settles: it is held aside, so its line reads 0.
  const sign = kind === 'hold' ? 0 : moneyOut.has(kind) ? -1 : moneyIn.has(kind) ? 1 : 0;
  return {
    id: String(r.id),
    kind,
    amount: sign * amount,
    subsidyAmount,
    mainAmount: amount - subsidyAmount,
    refundedAmount: Number(r.refunded_amount),
    merchantId: r.merchant_id === null ? null : String(r.merchant_id),
    merchantName: r.merchant_name === null || r.merchant_name === undefined ? null : String(r.merchant_name),
    category: r.category === null || r.category === undefined ? null : String(r.category),
    deviceId: r.device_id === null ? null : String(r.device_id),
    deviceKind: null,
    channel: channelOf(kind, r.request_extra),
    referenceId: r.reference_id === null ? null : String(r.reference_id),
    hold: holdOf(r),
    createdAtMs: Number(r.created_at_ms),
  };
}
