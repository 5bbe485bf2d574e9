import { shanghaiDay } from '../time.ts';
import type { BatchEffects, BatchState } from './apply.ts';
import { answerExtra, requestExtra } from './operation-record.ts';
import type { Operation } from './operations.ts';
import type { Accepted, Outcome } from './results.ts';
import {
  type AccountRow,
  available,
  type CardRow,
  type OperationRow,
  type PaymentRow,
  type TransferRow,
} from './state.ts';

// What an accepted operation leaves behind: its journal entries (posted or pending), the counters they
// move, and the operation row with its answer.

export function account(s: BatchState, id: string): AccountRow {
  const row = s.accounts.get(id);
  if (!row) throw new Error(`account ${id} was not loaded`);
  return row;
}

/** A posted transfer. */
export function move(
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
export function reserve(
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

export function record(
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

export function operationRow(
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
