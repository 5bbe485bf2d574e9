import type { Binding, CardTransaction, CoreClient } from '@campus-card/core/client';
import { CoreError } from '@campus-card/core/client';
import { BffError } from '../errors.ts';

/** The filters the mini-program offers, and the ledger kinds each one covers. */
export const transactionFilters = {
  payment: ['payment', 'post', 'expire'],
  top_up: ['top_up'],
  subsidy: ['subsidy'],
  refund: ['refund'],
  // Holds still pending: a settled hold's line is its settlement, and a void charged nothing (the core
  // leaves both out of a bill).
  hold: ['hold'],
} as const;
export type TransactionFilterName = keyof typeof transactionFilters;

/** An opaque cursor: the (time, id) of the last item shown, base64url JSON. */
export function encodeCursor(next: { beforeAtMs: number; beforeId: string }): string {
  return Buffer.from(JSON.stringify([next.beforeAtMs, next.beforeId])).toString('base64url');
}

export function decodeCursor(cursor: string): { beforeAtMs: number; beforeId: string } {
  try {
    const [atMs, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (Number.isSafeInteger(atMs) && typeof id === 'string' && /^[A-Za-z0-9:_.-]{1,64}$/.test(id))
      return { beforeAtMs: atMs as number, beforeId: id };
  } catch {
    // falls through to the one refusal below
  }
  throw new BffError('VALIDATION_FAILED', 'cursor: not a cursor this API gave out');
}

/**
 * A bill line as the holder reads it. Internal ids stay out (a device's id, the operation's reference):
 * the device is told by its kind, a top-up by its channel. A hold is a reservation, not spending: its
 * amount is 0 and `hold` says what is held aside; a settlement's `hold` says what was held and released.
 */
function transaction(t: CardTransaction) {
  return {
    id: t.id,
    kind: t.kind,
    amount: t.amount,
    mainAmount: t.mainAmount,
    subsidyAmount: t.subsidyAmount,
    refundedAmount: t.refundedAmount,
    // Absent rather than null, as the mini-program's types have them (a top-up has no merchant).
    ...(t.merchantName === null ? {} : { merchantName: t.merchantName }),
    ...(t.category === null ? {} : { category: t.category }),
    ...(t.deviceKind === null ? {} : { deviceKind: t.deviceKind }),
    ...(t.channel === null ? {} : { channel: t.channel }),
    ...(t.hold === null
      ? {}
      : {
          hold: {
            status: t.hold.status,
            heldAmount: t.hold.heldAmount,
            ...(t.hold.chargedAmount === null ? {} : { chargedAmount: t.hold.chargedAmount }),
            ...(t.hold.releasedAmount === null ? {} : { releasedAmount: t.hold.releasedAmount }),
          },
        }),
    createdAtMs: t.createdAtMs,
  };
}

/** Bills and statements of the caller's own card. */
export class Bills {
  constructor(private readonly core: CoreClient) {}

  /** A card's bill; the holder's binding, or a child's card a parent may see. */
  async list(
    binding: Pick<Binding, 'cardNo'>,
    query: { month?: string; kind?: TransactionFilterName; cursor?: string; limit: number },
  ) {
    const page = await this.core.cardTransactions(binding.cardNo, {
      ...(query.month ? { month: query.month } : {}),
      ...(query.kind ? { kinds: transactionFilters[query.kind] } : {}),
      ...(query.cursor ? decodeCursor(query.cursor) : {}),
      limit: query.limit,
    });
    return {
      items: page.items.map(transaction),
      ...(page.next ? { next: encodeCursor(page.next) } : {}),
    };
  }

  /** The card's showers and laundry runs: what each holds aside now, or what it finally cost. */
  async meterSessions(binding: Pick<Binding, 'cardNo'>, query: { cursor?: string; limit: number }) {
    const page = await this.core.meterSessions(binding.cardNo, {
      ...(query.cursor ? decodeCursor(query.cursor) : {}),
      limit: query.limit,
    });
    return {
      items: page.items.map((m) => ({
        id: m.id,
        kind: m.deviceKind ?? 'other',
        status: m.status === 'pending' ? 'running' : m.status,
        heldAmount: m.heldAmount,
        usageAmount: m.usageAmount,
        ...(m.postedAmount === null ? {} : { postedAmount: m.postedAmount }),
        ...(m.merchantName === null ? {} : { deviceName: m.merchantName }),
        deviceId: m.deviceId,
        startedAtMs: m.startedAtMs,
        ...(m.endedAtMs === null ? {} : { endedAtMs: m.endedAtMs }),
        expiresAtMs: m.expiresAtMs,
      })),
      ...(page.next ? { next: encodeCursor(page.next) } : {}),
    };
  }

  async detail(binding: Binding, id: string) {
    try {
      return transaction(await this.core.cardTransaction(binding.cardNo, id));
    } catch (error) {
      if (error instanceof CoreError && error.code === 'OPERATION_NOT_FOUND')
        throw new BffError('TRANSACTION_NOT_FOUND', 'no such transaction on your card');
      throw error;
    }
  }

  async statement(binding: Binding, month: string) {
    const s = await this.core.monthlyStatement(binding.cardNo, month);
    return {
      month: s.month,
      spent: s.spent,
      refunded: s.refunded,
      toppedUp: s.toppedUp,
      subsidies: s.subsidies,
      previousMonth: s.previousMonth,
      previousSpent: s.previousSpent,
      spentChange: s.spentChange,
      byCategory: s.byCategory,
      byMerchant: s.byMerchant.map((m) => ({
        merchantName: m.merchantName,
        category: m.category,
        amount: m.amount,
      })),
      byDay: s.byDay,
    };
  }
}
