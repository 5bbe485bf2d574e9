import type { CardEventRow } from '../cards/card-events.ts';
import { Refusal, refuse, usableDevice, usableForCredit } from './apply-checks.ts';
import { hold, pendingHold, resolve, settled } from './apply-holds.ts';
import { account, move, operationRow, record } from './apply-journal.ts';
import { closeOut, pay, refund } from './apply-payments.ts';
import { centreReceivableAccount, channelAccount, type Operation, systemAccounts } from './operations.ts';
import type { Accepted, Outcome, Rejected } from './results.ts';
import type { PlaceSeen, StepUpRule } from './risk-step-up.ts';
import {
  type AccountRow,
  available,
  type CardRow,
  type DeviceRow,
  type HoldRow,
  type MerchantRow,
  type OperationRow,
  type PaymentRow,
  type TransferRow,
} from './state.ts';

/**
 * The ledger's business rules as a pure state machine: each operation is applied in turn to rows
 * the executor has locked, changing them in memory and recording the journal entries to write.
 * TigerBeetle applies a batch the same way.
 */
export interface LedgerLimits {
  paymentAmountMax: number;
  topUpAmountMax: number;
  payIntervalMsMin: number;
  holdTimeoutMsMax: number;
  /** The risk step-up's rule (risk-step-up.ts); highPaymentsMin 0 switches it off. */
  stepUp: StepUpRule;
}

export interface BatchState {
  nowMs: number;
  cards: Map<string, CardRow>;
  accounts: Map<string, AccountRow>;
  merchants: Map<string, MerchantRow>;
  holds: Map<string, HoldRow>;
  payments: Map<string, PaymentRow>;
  /** The devices the batch's requests name, by device id (share-locked: a disable waits for the batch). */
  devices: Map<string, DeviceRow>;
  /** Code id → the accepted payment that consumed it, for the codes the batch's payments present. */
  codeUses: Map<string, string>;
}

export interface BatchEffects {
  operations: OperationRow[];
  transfers: TransferRow[];
  /** Holds created in this batch (inserted with their final state). */
  newHolds: Set<HoldRow>;
  /** Holds loaded from the database and resolved in this batch. */
  resolvedHolds: Set<HoldRow>;
  touchedCards: Set<CardRow>;
  cardEvents: CardEventRow[];
  /** Codes consumed by payments accepted in this batch (inserted under their unique key). */
  codeUses: { codeId: string; operationId: string; cardNo: string }[];
  /** Places whose row a payment changed (risk-step-up.ts placeAfterPayment), upserted into card_places. */
  placePayments: ({ cardNo: string; merchantId: string } & PlaceSeen)[];
  /** Journal entries so far per operation, to number each entry's id. */
  legCounts: Map<string, number>;
}

export function emptyEffects(): BatchEffects {
  return {
    operations: [],
    transfers: [],
    newHolds: new Set(),
    resolvedHolds: new Set(),
    touchedCards: new Set(),
    cardEvents: [],
    codeUses: [],
    placePayments: [],
    legCounts: new Map(),
  };
}

/** Applies one operation. Rules that fail leave the state untouched: every check runs before any change. */
export function applyOperation(
  op: Operation,
  state: BatchState,
  fx: BatchEffects,
  limits: LedgerLimits,
): Outcome {
  const legsBefore = fx.transfers.length;
  try {
    const accepted = applyRules(op, state, fx, limits);
    return accepted;
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    // A refusal is raised before the first change; this assert keeps it that way.
    if (fx.transfers.length !== legsBefore) throw new Error(`refusal after a journal entry in ${op.kind}`);
    const rejected: Rejected = {
      status: 'rejected',
      id: op.request.id,
      kind: op.kind,
      code: error.code,
      message: error.message,
    };
    if (error.details) rejected.details = error.details;
    fx.operations.push(
      operationRow(op, rejected, state, { cardNo: null, merchantId: null, subsidyAmount: 0, payment: null }),
    );
    return rejected;
  }
}

function applyRules(op: Operation, s: BatchState, fx: BatchEffects, limits: LedgerLimits): Accepted {
  switch (op.kind) {
    case 'payment':
      return pay(op, s, fx, limits);
    case 'top_up': {
      const r = op.request;
      const card = usableForCredit(s, r.cardNo);
      if (r.amount > limits.topUpAmountMax)
        refuse('AMOUNT_OUT_OF_RANGE', `a top-up is at most ${limits.topUpAmountMax} fen`);
      const main = account(s, card.mainAccountId);
      move(fx, s, op.request.id, account(s, channelAccount[r.channel]), main, r.amount);
      return record(op, s, fx, card, { amount: r.amount, subsidyAmount: 0, merchantId: null });
    }
    case 'subsidy': {
      const r = op.request;
      const card = usableForCredit(s, r.cardNo);
      move(fx, s, r.id, account(s, systemAccounts.subsidyFund), account(s, card.subsidyAccountId), r.amount);
      return record(op, s, fx, card, { amount: r.amount, subsidyAmount: r.amount, merchantId: null });
    }
    case 'refund':
      return refund(op, s, fx);
    case 'hold':
      return hold(op, s, fx, limits);
    case 'post': {
      // A disabled device settles nothing: its hold expires at the usage it reported before the disable.
      usableDevice(s, op.request.deviceId);
      const h = pendingHold(s, op.request.holdId, op.request.deviceId);
      if (op.request.amount > h.amount)
        refuse('AMOUNT_EXCEEDS_HOLD', `the hold is ${h.amount} fen`, { held: h.amount });
      return resolve(op, s, fx, h, op.request.amount, 'posted');
    }
    case 'void':
      return resolve(op, s, fx, pendingHold(s, op.request.holdId, op.request.deviceId), 0, 'voided');
    case 'expire': {
      const h = s.holds.get(op.request.holdId);
      if (!h) refuse('HOLD_NOT_FOUND', 'no such hold');
      if (h.status !== 'pending')
        refuse('HOLD_ALREADY_RESOLVED', `the hold is already ${h.status}`, settled(s, h));
      if (s.nowMs < h.expiresAtMs) refuse('INVALID_TRANSITION', 'the hold has not expired yet');
      // A meter that went silent is charged what it last reported, never more than was held.
      return resolve(op, s, fx, h, h.usageAmount, 'expired');
    }
    case 'adjustment': {
      const r = op.request;
      const target = s.accounts.get(r.accountId);
      if (!target) refuse('ACCOUNT_NOT_FOUND', 'no such account');
      const counter = counterAccount(s, r.counterAccountId);
      if (counter === target)
        refuse('VALIDATION_FAILED', 'an adjustment moves between two different accounts');
      if (r.amount > 0) move(fx, s, r.id, counter, target, r.amount);
      else {
        if (!target.allowOverdraft && available(target) < -r.amount)
          refuse('INSUFFICIENT_FUNDS', 'the account cannot cover the adjustment');
        move(fx, s, r.id, target, counter, -r.amount);
      }
      return record(op, s, fx, null, { amount: Math.abs(r.amount), subsidyAmount: 0, merchantId: null });
    }
    case 'close_out':
      return closeOut(op, s, fx);
    case 'foreign_sale': {
      // The card's centre decided: its refusal is kept as ours, its acceptance is owed to us by it.
      // Nothing here may refuse an acceptance, so the merchant and device were checked before asking.
      const r = op.request;
      if (r.refusedBy !== undefined) refuse(r.refusedBy, `refused by centre ${r.centreId}`);
      const merchant = s.merchants.get(r.merchantId);
      if (!merchant) refuse('MERCHANT_NOT_FOUND', 'no such merchant');
      move(
        fx,
        s,
        r.id,
        account(s, centreReceivableAccount(r.centreId)),
        account(s, merchant.accountId),
        r.amount,
      );
      return record(op, s, fx, null, { amount: r.amount, subsidyAmount: 0, merchantId: merchant.id });
    }
    case 'subsidy_clear': {
      const card = s.cards.get(op.request.cardNo);
      if (!card) refuse('CARD_NOT_FOUND', 'no such card');
      // The amount is what the wallet holds now, under the lock: a reservation by a running meter
      // stays (it is not available), and nothing read before the batch can make it pay twice.
      const subsidy = account(s, card.subsidyAccountId);
      const cleared = available(subsidy);
      move(fx, s, op.request.id, subsidy, account(s, systemAccounts.subsidyFund), cleared);
      return record(op, s, fx, card, { amount: cleared, subsidyAmount: cleared, merchantId: null });
    }
  }
}

/**
 * The other side of an adjustment: SYS-ADJUSTMENT unless the request names one. A named one must be
 * a system account, so a movement between system accounts (a refund payout) goes through the ledger
 * while money in or out of a wallet or a merchant keeps its own operation and its checks.
 */
function counterAccount(s: BatchState, id: string | undefined): AccountRow {
  if (id === undefined) return account(s, systemAccounts.adjustment);
  const named = s.accounts.get(id);
  if (!named) refuse('ACCOUNT_NOT_FOUND', 'no such counter account');
  if (named.kind !== 'system')
    refuse('COUNTER_ACCOUNT_NOT_SYSTEM', 'the counter account of an adjustment must be a system account');
  return named;
}
