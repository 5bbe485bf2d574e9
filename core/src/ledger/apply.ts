import type { CardEventRow } from '../cards/card-events.ts';
import type { ErrorCode } from '../errors.ts';
import { shanghaiDay } from '../time.ts';
import { parseDeviceRef } from './devices.ts';
import { answerExtra, requestExtra } from './operation-record.ts';
import { channelAccount, type Operation, systemAccounts } from './operations.ts';
import type { Accepted, Outcome, Rejected } from './results.ts';
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
    legCounts: new Map(),
  };
}

class Refusal {
  constructor(
    readonly code: ErrorCode,
    readonly message: string,
    readonly details?: Record<string, unknown>,
  ) {}
}

function refuse(code: ErrorCode, message: string, details?: Record<string, unknown>): never {
  throw new Refusal(code, message, details);
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

/**
 * Cancellation (销户) with balance refund, in one transaction with the status change so no payment
 * can slip between them: the main balance goes to refund payable (paid out to the person), the
 * subsidy balance back to the subsidy fund. A running meter session must end first.
 */
function closeOut(op: Extract<Operation, { kind: 'close_out' }>, s: BatchState, fx: BatchEffects): Accepted {
  const r = op.request;
  const card = s.cards.get(r.cardNo);
  if (!card) refuse('CARD_NOT_FOUND', 'no such card');
  if (card.status === 'cancelled') refuse('CARD_CANCELLED', 'the card is already cancelled');
  const main = account(s, card.mainAccountId);
  const subsidy = account(s, card.subsidyAccountId);
  if (main.debitsPending + subsidy.debitsPending > 0) {
    refuse('HOLDS_PENDING', 'a shower or laundry session is still running on this card');
  }
  const refunded = available(main);
  const returned = available(subsidy);
  move(fx, s, r.id, main, account(s, systemAccounts.refundPayable), refunded);
  move(fx, s, r.id, subsidy, account(s, systemAccounts.subsidyFund), returned);
  const fromStatus = card.status;
  card.status = 'cancelled';
  card.version += 1;
  fx.touchedCards.add(card);
  fx.cardEvents.push({
    cardNo: card.cardNo,
    kind: 'cancelled',
    fromStatus,
    toStatus: 'cancelled',
    version: card.version,
    actorType: r.actor.type,
    actorId: r.actor.id,
    reason: r.reason,
    createdAtMs: s.nowMs,
  });
  return record(op, s, fx, card, { amount: refunded + returned, subsidyAmount: returned, merchantId: null });
}

function pay(
  op: Extract<Operation, { kind: 'payment' }>,
  s: BatchState,
  fx: BatchEffects,
  limits: LedgerLimits,
): Accepted {
  const r = op.request;
  if (r.offline) return payOffline(op, s, fx, limits);
  usableDevice(s, r.deviceId);
  unusedCode(s, r.codeId);
  const card = usableForDebit(s, r.cardNo, r.cardVersion);
  const merchant = usableMerchant(s, r.merchantId);
  if (r.amount > limits.paymentAmountMax)
    refuse('AMOUNT_OUT_OF_RANGE', `a payment is at most ${limits.paymentAmountMax} fen`);
  if (op.pinCheck === 'bad') refuse('PIN_INVALID', 'the PIN is wrong');
  if (r.amount > card.pinFreeLimit && op.pinCheck !== 'ok') {
    refuse('PIN_REQUIRED', `payments above ${card.pinFreeLimit} fen need the card PIN`, {
      pinFreeLimit: card.pinFreeLimit,
    });
  }
  const spent = checkDailyLimit(card, s.nowMs, r.amount);
  if (
    r.deviceId !== undefined &&
    card.lastPayDeviceId === r.deviceId &&
    card.lastPayAtMs !== null &&
    s.nowMs - card.lastPayAtMs < limits.payIntervalMsMin
  ) {
    refuse('REPEAT_TOO_SOON', 'the card paid at this device a moment ago', {
      retryAfterMs: limits.payIntervalMsMin - (s.nowMs - card.lastPayAtMs),
    });
  }
  const { fromSubsidy, fromMain } = splitDraw(s, card, r.amount);
  const merchantAccount = account(s, merchant.accountId);
  move(fx, s, r.id, account(s, card.subsidyAccountId), merchantAccount, fromSubsidy);
  move(fx, s, r.id, account(s, card.mainAccountId), merchantAccount, fromMain);
  card.spentDay = shanghaiDay(s.nowMs);
  card.spentDayAmount = spent + r.amount;
  card.lastPayDeviceId = r.deviceId ?? null;
  card.lastPayAtMs = s.nowMs;
  fx.touchedCards.add(card);
  consumeCode(s, fx, r.codeId, r.id, card);
  return record(op, s, fx, card, { amount: r.amount, subsidyAmount: fromSubsidy, merchantId: merchant.id });
}

/**
 * A payment a device accepted offline: the goods are gone, so nothing refuses it but a missing card or
 * merchant, an amount out of range, a code another accepted payment consumed already (CODE_REPLAYED:
 * the code was paid once, online or by another record) or a record taken while its device was disabled
 * (DEVICE_DISABLED); those two are exceptions the administrators decide, and nothing is booked. The wallets pay what they hold (never more: a wallet cannot go
 * negative, here or in the database's CHECK); the shortfall is a debt booked against the offline
 * receivable, to be recovered from the card holder. A card that is not active, or a credential for any
 * version but the card's current one, pays nothing: the card holder did not make that payment.
 */
function payOffline(
  op: Extract<Operation, { kind: 'payment' }>,
  s: BatchState,
  fx: BatchEffects,
  limits: LedgerLimits,
): Accepted {
  const r = op.request;
  offlineDevice(s, r.deviceId, r.takenAtMs ?? s.nowMs);
  unusedCode(s, r.codeId);
  const card = s.cards.get(r.cardNo);
  if (!card) refuse('CARD_NOT_FOUND', 'no such card');
  const merchant = s.merchants.get(r.merchantId);
  if (!merchant) refuse('MERCHANT_NOT_FOUND', 'no such merchant');
  if (r.amount > limits.paymentAmountMax)
    refuse('AMOUNT_OUT_OF_RANGE', `a payment is at most ${limits.paymentAmountMax} fen`);
  const blocked: ErrorCode | undefined =
    card.status === 'lost'
      ? 'CARD_LOST'
      : card.status === 'frozen'
        ? 'CARD_FROZEN'
        : card.status === 'cancelled'
          ? 'CARD_CANCELLED'
          : r.cardVersion !== undefined && r.cardVersion !== card.version
            ? 'CARD_VERSION_STALE'
            : undefined;
  const subsidy = account(s, card.subsidyAccountId);
  const main = account(s, card.mainAccountId);
  const fromSubsidy = blocked ? 0 : Math.min(Math.max(available(subsidy), 0), r.amount);
  const fromMain = blocked ? 0 : Math.min(Math.max(available(main), 0), r.amount - fromSubsidy);
  const receivable = r.amount - fromSubsidy - fromMain;
  const merchantAccount = account(s, merchant.accountId);
  move(fx, s, r.id, subsidy, merchantAccount, fromSubsidy);
  move(fx, s, r.id, main, merchantAccount, fromMain);
  move(fx, s, r.id, account(s, systemAccounts.offlineReceivable), merchantAccount, receivable);
  if (!blocked) {
    const spent = card.spentDay === shanghaiDay(s.nowMs) ? card.spentDayAmount : 0;
    card.spentDay = shanghaiDay(s.nowMs);
    card.spentDayAmount = spent + fromSubsidy + fromMain;
    fx.touchedCards.add(card);
  }
  consumeCode(s, fx, r.codeId, r.id, card);
  const answer: Pick<Accepted, 'receivableAmount' | 'shortfall'> = { receivableAmount: receivable };
  if (receivable > 0) answer.shortfall = blocked ?? 'INSUFFICIENT_FUNDS';
  return record(op, s, fx, card, {
    amount: r.amount,
    subsidyAmount: fromSubsidy,
    merchantId: merchant.id,
    answer,
  });
}

function refund(op: Extract<Operation, { kind: 'refund' }>, s: BatchState, fx: BatchEffects): Accepted {
  const r = op.request;
  const payment = s.payments.get(r.paymentId);
  if (payment?.kind !== 'payment' || payment.outcome !== 'ok' || !payment.cardNo || !payment.merchantId) {
    refuse('PAYMENT_NOT_FOUND', 'no accepted payment with that id');
  }
  const remaining = payment.amount - payment.refundedAmount;
  if (r.amount > remaining)
    refuse('REFUND_EXCEEDS_PAYMENT', `only ${remaining} fen of the payment is left to refund`, { remaining });
  const card = s.cards.get(payment.cardNo);
  if (!card) throw new Error(`card ${payment.cardNo} of payment ${payment.id} was not loaded`);
  if (card.status === 'cancelled')
    refuse('CARD_CANCELLED', 'the card is cancelled; its balance was refunded at cancellation');
  const merchant = s.merchants.get(payment.merchantId);
  if (!merchant) throw new Error(`merchant ${payment.merchantId} of payment ${payment.id} was not loaded`);
  // Refunds give back the main-wallet part first, then the subsidy part, whatever their order.
  const mainPaid = payment.amount - payment.subsidyAmount;
  const toMain = Math.min(r.amount, mainPaid - Math.min(payment.refundedAmount, mainPaid));
  const toSubsidy = r.amount - toMain;
  const merchantAccount = account(s, merchant.accountId);
  move(fx, s, r.id, merchantAccount, account(s, card.mainAccountId), toMain);
  move(fx, s, r.id, merchantAccount, account(s, card.subsidyAccountId), toSubsidy);
  payment.refundedAmount += r.amount;
  return record(op, s, fx, card, {
    amount: r.amount,
    subsidyAmount: toSubsidy,
    merchantId: merchant.id,
    referenceId: payment.id,
  });
}

function hold(
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
function resolve(
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
function pendingHold(s: BatchState, holdId: string, deviceId: string | undefined): HoldRow {
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
function settled(s: BatchState, h: HoldRow): Record<string, unknown> {
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

function usableForDebit(s: BatchState, cardNo: string, cardVersion: number | undefined): CardRow {
  const card = s.cards.get(cardNo);
  if (!card) refuse('CARD_NOT_FOUND', 'no such card');
  if (card.status === 'lost') refuse('CARD_LOST', 'the card is reported lost');
  if (card.status === 'frozen') refuse('CARD_FROZEN', 'the card is frozen');
  if (card.status === 'cancelled') refuse('CARD_CANCELLED', 'the card is cancelled');
  // Only the card's current version is good: an older one was superseded, a newer one was never issued.
  if (cardVersion !== undefined && cardVersion !== card.version) {
    refuse('CARD_VERSION_STALE', 'the credential is not for the card as it is now', {
      cardVersion: card.version,
    });
  }
  return card;
}

/**
 * An online request's device, under the lock the batch holds on its row: disabled, or named under a key
 * that was replaced (`<id>-<keyVersion>` with an older version), is DEVICE_DISABLED. A request that
 * passed the gateway's check just before the disable is refused here. A name that is no registered
 * device (a service's own) is not checked.
 */
function usableDevice(s: BatchState, ref: string | undefined): void {
  const device = deviceOf(s, ref);
  if (!device) return;
  if (device.row.status !== 'active') refuse('DEVICE_DISABLED', 'the device is disabled');
  if (device.row.keyVersion !== device.keyVersion)
    refuse('DEVICE_DISABLED', 'the device was re-keyed; its old key is refused');
}

/**
 * An offline record's device: records taken before the device was disabled are its honest offline
 * sales and are charged; one taken at or after the disable (and, once re-enabled, before the re-enable)
 * is DEVICE_DISABLED. A device disabled with no recorded time (before sql/022) refuses all of them.
 */
function offlineDevice(s: BatchState, ref: string | undefined, takenAtMs: number): void {
  const device = deviceOf(s, ref)?.row;
  if (!device) return;
  const from = device.disabledAtMs;
  const inside =
    device.status === 'disabled'
      ? from === null || takenAtMs >= from
      : from !== null &&
        device.reenabledAtMs !== null &&
        takenAtMs >= from &&
        takenAtMs < device.reenabledAtMs;
  if (inside) refuse('DEVICE_DISABLED', 'the record was taken while the device was disabled');
}

function deviceOf(
  s: BatchState,
  ref: string | undefined,
): { row: DeviceRow; keyVersion: number } | undefined {
  const parsed = ref === undefined ? undefined : parseDeviceRef(ref);
  const row = parsed && s.devices.get(parsed.deviceId);
  return row && parsed ? { row, keyVersion: parsed.keyVersion } : undefined;
}

/** A code consumed by an accepted payment or hold, in an earlier batch or earlier in this one, pays no more. */
function unusedCode(s: BatchState, codeId: string | undefined): void {
  if (codeId !== undefined && s.codeUses.has(codeId))
    refuse('CODE_REPLAYED', 'this pay code was already used for a payment');
}

function consumeCode(
  s: BatchState,
  fx: BatchEffects,
  codeId: string | undefined,
  operationId: string,
  card: CardRow,
): void {
  if (codeId === undefined) return;
  s.codeUses.set(codeId, operationId);
  fx.codeUses.push({ codeId, operationId, cardNo: card.cardNo });
}

function usableForCredit(s: BatchState, cardNo: string): CardRow {
  const card = s.cards.get(cardNo);
  if (!card) refuse('CARD_NOT_FOUND', 'no such card');
  if (card.status === 'cancelled') refuse('CARD_CANCELLED', 'the card is cancelled');
  return card;
}

function usableMerchant(s: BatchState, merchantId: string): MerchantRow {
  const merchant = s.merchants.get(merchantId);
  if (!merchant) refuse('MERCHANT_NOT_FOUND', 'no such merchant');
  if (merchant.status !== 'active') refuse('MERCHANT_DISABLED', 'the merchant is disabled');
  return merchant;
}

/** Today's spending so far (Asia/Shanghai day), after checking the payment fits the daily limit. */
function checkDailyLimit(card: CardRow, nowMs: number, amount: number): number {
  const spent = card.spentDay === shanghaiDay(nowMs) ? card.spentDayAmount : 0;
  if (spent + amount > card.dailyLimit) {
    refuse('LIMIT_EXCEEDED', `the card's daily limit of ${card.dailyLimit} fen would be exceeded`, {
      dailyLimit: card.dailyLimit,
      spentToday: spent,
    });
  }
  return spent;
}

/** Subsidy wallet first, then the main wallet, all or nothing. */
function splitDraw(s: BatchState, card: CardRow, amount: number): { fromSubsidy: number; fromMain: number } {
  const fromSubsidy = Math.min(Math.max(available(account(s, card.subsidyAccountId)), 0), amount);
  const fromMain = amount - fromSubsidy;
  if (fromMain > available(account(s, card.mainAccountId)))
    refuse('INSUFFICIENT_FUNDS', 'the balance is too low');
  return { fromSubsidy, fromMain };
}

function account(s: BatchState, id: string): AccountRow {
  const row = s.accounts.get(id);
  if (!row) throw new Error(`account ${id} was not loaded`);
  return row;
}

/** A posted transfer. */
function move(
  fx: BatchEffects,
  s: BatchState,
  opId: string,
  debit: AccountRow,
  credit: AccountRow,
  amount: number,
): void {
  enter(fx, s, opId, debit, credit, amount, false);
}

/** A pending transfer: a hold's reservation. */
function reserve(
  fx: BatchEffects,
  s: BatchState,
  opId: string,
  debit: AccountRow,
  credit: AccountRow,
  amount: number,
): void {
  enter(fx, s, opId, debit, credit, amount, true);
}

function enter(
  fx: BatchEffects,
  s: BatchState,
  opId: string,
  debit: AccountRow,
  credit: AccountRow,
  amount: number,
  pending: boolean,
): void {
  if (amount === 0) return;
  if (!(amount > 0 && Number.isSafeInteger(amount))) throw new Error(`bad transfer amount ${amount}`);
  if (pending) {
    debit.debitsPending += amount;
    credit.creditsPending += amount;
  } else {
    debit.debitsPosted += amount;
    credit.creditsPosted += amount;
  }
  if (!debit.allowOverdraft && available(debit) < 0) throw new Error(`account ${debit.id} would go negative`);
  fx.transfers.push(leg(fx, s, opId, debit, credit, amount, pending));
}

function leg(
  fx: BatchEffects,
  s: BatchState,
  opId: string,
  debit: AccountRow,
  credit: AccountRow,
  amount: number,
  pending: boolean,
): TransferRow {
  const n = fx.legCounts.get(opId) ?? 0;
  fx.legCounts.set(opId, n + 1);
  return {
    id: `${opId}:${n}`,
    operationId: opId,
    debitAccountId: debit.id,
    creditAccountId: credit.id,
    amount,
    pending,
    createdAtMs: s.nowMs,
  };
}

interface RecordFacts {
  amount: number;
  subsidyAmount: number;
  merchantId: string | null;
  referenceId?: string;
  /** Fields of the answer particular to the operation's kind. */
  answer?: Pick<Accepted, 'holdId' | 'expiresAtMs' | 'releasedAmount' | 'receivableAmount' | 'shortfall'>;
}

function record(
  op: Operation,
  s: BatchState,
  fx: BatchEffects,
  card: CardRow | null,
  facts: RecordFacts,
): Accepted {
  const accepted: Accepted = {
    status: 'ok',
    id: op.request.id,
    kind: op.kind,
    amount: facts.amount,
    subsidyAmount: facts.subsidyAmount,
    mainAmount: facts.amount - facts.subsidyAmount,
    createdAtMs: s.nowMs,
    ...facts.answer,
  };
  if (card) {
    accepted.cardNo = card.cardNo;
    accepted.balance = {
      main: available(account(s, card.mainAccountId)),
      subsidy: available(account(s, card.subsidyAccountId)),
    };
  }
  let payment: PaymentRow | null = null;
  if (op.kind === 'payment') {
    payment = {
      id: op.request.id,
      kind: 'payment',
      outcome: 'ok',
      cardNo: card?.cardNo ?? null,
      merchantId: facts.merchantId,
      amount: facts.amount,
      subsidyAmount: facts.subsidyAmount,
      refundedAmount: 0,
    };
    s.payments.set(payment.id, payment);
  }
  fx.operations.push(
    operationRow(op, accepted, s, {
      cardNo: card?.cardNo ?? null,
      merchantId: facts.merchantId,
      subsidyAmount: facts.subsidyAmount,
      payment,
      amount: facts.amount,
      referenceId: facts.referenceId ?? null,
    }),
  );
  return accepted;
}

function operationRow(
  op: Operation,
  outcome: Outcome,
  s: BatchState,
  facts: {
    cardNo: string | null;
    merchantId: string | null;
    subsidyAmount: number;
    payment: PaymentRow | null;
    amount?: number;
    referenceId?: string | null;
  },
): OperationRow {
  const r = op.request as {
    amount?: number;
    cardNo?: string;
    merchantId?: string;
    deviceId?: string;
    paymentId?: string;
    holdId?: string;
  };
  return {
    id: op.request.id,
    kind: op.kind,
    outcome: outcome.status === 'ok' ? 'ok' : outcome.code,
    cardNo: facts.cardNo ?? r.cardNo ?? null,
    merchantId: facts.merchantId ?? r.merchantId ?? null,
    deviceId: r.deviceId ?? null,
    referenceId: facts.referenceId ?? r.paymentId ?? r.holdId ?? null,
    amount: facts.amount ?? Math.abs(r.amount ?? 0),
    subsidyAmount: facts.subsidyAmount,
    requestExtra: requestExtra(op),
    mainAfter: outcome.status === 'ok' ? (outcome.balance?.main ?? null) : null,
    subsidyAfter: outcome.status === 'ok' ? (outcome.balance?.subsidy ?? null) : null,
    answerExtra: answerExtra(outcome),
    createdDay: shanghaiDay(s.nowMs),
    createdAtMs: s.nowMs,
    payment: facts.payment,
  };
}
