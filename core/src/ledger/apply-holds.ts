import { shanghaiDay } from '../time.ts';
import type { BatchEffects, BatchState, LedgerLimits } from './apply.ts';
import {
  checkDailyLimit,
  consumeCode,
  refuse,
  splitDraw,
  unusedCode,
  usableDevice,
  usableForDebit,
  usableMerchant,
} from './apply-checks.ts';
import { account, move, record, reserve } from './apply-journal.ts';
import type { Operation } from './operations.ts';
import type { Accepted } from './results.ts';
import { available, type HoldRow } from './state.ts';

// Two-phase transfers for meters (shower, laundry): a hold reserves, a post, void or expiry resolves it once.

export function hold(
  op: Extract<Operation, { kind: 'hold' }>,
  s: BatchState,
  fx: BatchEffects,
  limits: LedgerLimits,
): Accepted {
  const r = op.request;
  usableDevice(s, r.deviceId);
  unusedCode(s, r.codeId);
  const card = usableForDebit(s, r.cardNo, r.cardVersion);
  const merchant = usableMerchant(s, r.merchantId);
  if (r.amount > limits.paymentAmountMax)
    refuse('AMOUNT_OUT_OF_RANGE', `a hold is at most ${limits.paymentAmountMax} fen`);
  if (r.timeoutMs > limits.holdTimeoutMsMax)
    refuse('AMOUNT_OUT_OF_RANGE', `a hold lasts at most ${limits.holdTimeoutMsMax} ms`);
  const spent = checkDailyLimit(card, s.nowMs, r.amount);
  const total = available(account(s, card.subsidyAccountId)) + available(account(s, card.mainAccountId));
  if (r.minBalance !== undefined && total < r.minBalance) {
    refuse('BELOW_MIN_BALANCE', `starting needs a balance of at least ${r.minBalance} fen`, {
      minBalance: r.minBalance,
      available: total,
    });
  }
  const { fromSubsidy, fromMain } = splitDraw(s, card, r.amount);
  const merchantAccount = account(s, merchant.accountId);
  reserve(fx, s, r.id, account(s, card.subsidyAccountId), merchantAccount, fromSubsidy);
  reserve(fx, s, r.id, account(s, card.mainAccountId), merchantAccount, fromMain);
  // The whole hold counts toward the day it was opened on from now on, so no payment can use the
  // same room while the meter runs; resolve() replaces it by what is posted (docs/ledger.md).
  card.spentDay = shanghaiDay(s.nowMs);
  card.spentDayAmount = spent + r.amount;
  fx.touchedCards.add(card);
  const row: HoldRow = {
    id: r.id,
    cardNo: card.cardNo,
    merchantId: merchant.id,
    deviceId: r.deviceId ?? null,
    amount: r.amount,
    subsidyAmount: fromSubsidy,
    usageAmount: 0,
    status: 'pending',
    expiresAtMs: s.nowMs + r.timeoutMs,
    resolvedBy: null,
    resolvedAmount: null,
    resolvedAtMs: null,
    createdAtMs: s.nowMs,
  };
  s.holds.set(row.id, row);
  fx.newHolds.add(row);
  consumeCode(s, fx, r.codeId, r.id, card);
  return record(op, s, fx, card, {
    amount: r.amount,
    subsidyAmount: fromSubsidy,
    merchantId: merchant.id,
    answer: { holdId: row.id, expiresAtMs: row.expiresAtMs },
  });
}

/** Releases a hold's reservation and posts `postAmount` of it, subsidy part first. */
export function resolve(
  op: Extract<Operation, { kind: 'post' | 'void' | 'expire' }>,
  s: BatchState,
  fx: BatchEffects,
  h: HoldRow,
  postAmount: number,
  status: 'posted' | 'voided' | 'expired',
): Accepted {
  const card = s.cards.get(h.cardNo);
  const merchant = s.merchants.get(h.merchantId);
  if (!card || !merchant) throw new Error(`card or merchant of hold ${h.id} was not loaded`);
  const subsidy = account(s, card.subsidyAccountId);
  const main = account(s, card.mainAccountId);
  const merchantAccount = account(s, merchant.accountId);
  subsidy.debitsPending -= h.subsidyAmount;
  main.debitsPending -= h.amount - h.subsidyAmount;
  merchantAccount.creditsPending -= h.amount;
  const fromSubsidy = Math.min(postAmount, h.subsidyAmount);
  move(fx, s, op.request.id, subsidy, merchantAccount, fromSubsidy);
  move(fx, s, op.request.id, main, merchantAccount, postAmount - fromSubsidy);
  // The hold reserved its whole amount in the total of the day it was opened on (Asia/Shanghai).
  // While the card's total is still that day's, the reservation is replaced by what is posted (a
  // void or an expiry at no usage releases it all). Once the card's total has moved to a later day,
  // the amount stays charged to the opening day, which the reservation already covered: the later
  // day's total is not touched, so a session across midnight never counts twice.
  if (card.spentDay === shanghaiDay(h.createdAtMs)) {
    card.spentDayAmount = Math.max(0, card.spentDayAmount - (h.amount - postAmount));
    fx.touchedCards.add(card);
  }
  h.status = status;
  h.resolvedBy = op.request.id;
  h.resolvedAmount = postAmount;
  h.resolvedAtMs = s.nowMs;
  if (!fx.newHolds.has(h)) fx.resolvedHolds.add(h);
  return record(op, s, fx, card, {
    amount: postAmount,
    subsidyAmount: fromSubsidy,
    merchantId: merchant.id,
    referenceId: h.id,
    answer: { holdId: h.id, releasedAmount: h.amount - postAmount },
  });
}

/**
 * The pending hold a post or a void resolves. A hold another device opened is, for the device that
 * names it, the same as no hold at all: HOLD_NOT_FOUND, a definite refusal that is never retried.
 * A hold already settled answers HOLD_ALREADY_RESOLVED with what it settled at, so a second stop
 * under a new id can still tell the meter the settled result.
 */
export function pendingHold(s: BatchState, holdId: string, deviceId: string | undefined): HoldRow {
  const h = s.holds.get(holdId);
  if (!h || (deviceId !== undefined && h.deviceId !== deviceId)) refuse('HOLD_NOT_FOUND', 'no such hold');
  if (h.status !== 'pending')
    refuse('HOLD_ALREADY_RESOLVED', `the hold is already ${h.status}`, settled(s, h));
  if (s.nowMs >= h.expiresAtMs) {
    refuse('HOLD_EXPIRED', 'the hold expired; it settles at the last reported usage', {
      amount: h.amount,
      usageAmount: h.usageAmount,
    });
  }
  return h;
}

/** What a resolved hold settled at, and the card's balances now. */
export function settled(s: BatchState, h: HoldRow): Record<string, unknown> {
  const charged = h.resolvedAmount ?? 0;
  const card = s.cards.get(h.cardNo);
  return {
    status: h.status,
    chargedAmount: charged,
    releasedAmount: h.amount - charged,
    resolvedBy: h.resolvedBy,
    ...(card
      ? {
          balance: {
            main: available(account(s, card.mainAccountId)),
            subsidy: available(account(s, card.subsidyAccountId)),
          },
        }
      : {}),
  };
}
