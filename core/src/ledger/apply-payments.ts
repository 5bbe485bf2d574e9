import type { ErrorCode } from '../errors.ts';
import { shanghaiDay } from '../time.ts';
import type { BatchEffects, BatchState, LedgerLimits } from './apply.ts';
import {
  checkDailyLimit,
  consumeCode,
  offlineDevice,
  refuse,
  splitDraw,
  unusedCode,
  usableDevice,
  usableForDebit,
  usableMerchant,
} from './apply-checks.ts';
import { account, move, record } from './apply-journal.ts';
import { type Operation, systemAccounts } from './operations.ts';
import type { Accepted } from './results.ts';
import {
  afterPayment,
  burstAsksPin,
  burstStepUpReason,
  isNewPlace,
  type PlaceSeen,
  pinStepUpOn,
  placeAfterPayment,
  type StepUpRule,
  steppedUpAt,
  stepUpReason,
} from './risk-step-up.ts';
import { available, type CardRow } from './state.ts';

// The stories that move money out of a card and back: an online payment, an offline one, a refund, and
// the close-out (销户) that empties both wallets.

export function pay(
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
  // The risk step-up (risk-step-up.ts) asks for the PIN at any amount, on cards that have one.
  const stepUp = limits.stepUp.highPaymentsMin > 0 && card.pinSet;
  if (stepUp && pinStepUpOn(card.risk) && op.pinCheck !== 'ok') {
    refuse('PIN_REQUIRED', 'after unusual payments this card needs its PIN for the next one', {
      pinFreeLimit: card.pinFreeLimit,
      stepUp: true,
    });
  }
  // A burst's last high payment asks for the PIN itself: the card is stepped up as it is refused (its
  // row and history are written with the refusal; no money has moved).
  if (
    stepUp &&
    op.pinCheck !== 'ok' &&
    burstAsksPin(card.risk, { atMs: s.nowMs, amount: r.amount }, limits.stepUp)
  ) {
    card.risk = steppedUpAt(s.nowMs);
    fx.touchedCards.add(card);
    fx.cardEvents.push(stepUpEvent(card, s.nowMs, burstStepUpReason(limits.stepUp)));
    refuse('PIN_REQUIRED', 'this payment completes a burst of high payments: it needs the PIN', {
      pinFreeLimit: card.pinFreeLimit,
      stepUp: true,
    });
  }
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
  const place = card.places.get(merchant.id);
  if (stepUp) noteRisk(s, fx, card, place, r.amount, op.pinCheck === 'ok', limits.stepUp);
  const placeNow = placeAfterPayment(place, s.nowMs, card.lastPayAtMs === null);
  if (placeNow) {
    card.places.set(merchant.id, placeNow);
    fx.placePayments.push({ cardNo: card.cardNo, merchantId: merchant.id, ...placeNow });
  }
  card.spentDay = shanghaiDay(s.nowMs);
  card.spentDayAmount = spent + r.amount;
  card.lastPayDeviceId = r.deviceId ?? null;
  card.lastPayAtMs = s.nowMs;
  fx.touchedCards.add(card);
  consumeCode(s, fx, r.codeId, r.id, card);
  return record(op, s, fx, card, { amount: r.amount, subsidyAmount: fromSubsidy, merchantId: merchant.id });
}

/**
 * Counts an accepted payment for the risk step-up (the card row is locked, so a burst is counted one
 * payment at a time) and writes a step-up, or its clearing by the right PIN, into the card's history.
 * A card that never paid online has no places to differ from: its payments are never new places.
 */
function noteRisk(
  s: BatchState,
  fx: BatchEffects,
  card: CardRow,
  place: PlaceSeen | undefined,
  amount: number,
  withPin: boolean,
  rule: StepUpRule,
): void {
  const newPlace = card.lastPayAtMs !== null && isNewPlace(place, s.nowMs, rule.windowMs);
  const seen = afterPayment(card.risk, { atMs: s.nowMs, amount, newPlace, withPin }, rule);
  card.risk = seen.state;
  if (seen.steppedUp) fx.cardEvents.push(stepUpEvent(card, s.nowMs, stepUpReason(rule)));
  if (!seen.cleared) return;
  fx.cardEvents.push({
    cardNo: card.cardNo,
    kind: 'pin_step_up_cleared',
    fromStatus: card.status,
    toStatus: card.status,
    version: card.version,
    actorType: 'self',
    actorId: null,
    reason: '持卡人输入了正确的密码',
    createdAtMs: s.nowMs,
  });
}

/** The card event of a step-up, by the system, with the rule as its reason. */
const stepUpEvent = (card: CardRow, atMs: number, reason: string) => ({
  cardNo: card.cardNo,
  kind: 'pin_step_up',
  fromStatus: card.status,
  toStatus: card.status,
  version: card.version,
  actorType: 'system' as const,
  actorId: null,
  reason,
  createdAtMs: atMs,
});

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

export function refund(
  op: Extract<Operation, { kind: 'refund' }>,
  s: BatchState,
  fx: BatchEffects,
): Accepted {
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

/**
 * Cancellation (销户) with balance refund, in one transaction with the status change so no payment
 * can slip between them: the main balance goes to refund payable (paid out to the person), the
 * subsidy balance back to the subsidy fund. A running meter session must end first.
 */
export function closeOut(
  op: Extract<Operation, { kind: 'close_out' }>,
  s: BatchState,
  fx: BatchEffects,
): Accepted {
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
