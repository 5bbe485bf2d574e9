import type { ErrorCode } from '../errors.ts';
import type { Operation, OperationKind } from './operations.ts';
import type { Accepted, Outcome, Rejected } from './results.ts';

/**
 * How an operation is stored so that a retry can be answered and compared: the request fields
 * that have columns of their own are read back from them, the few others travel as a small JSON
 * (request_extra), and the answer is rebuilt from its columns. Storing the request and the answer
 * as whole JSON documents cost ~400 bytes per payment to escape, send and write, measured as the
 * largest part of the core's CPU under load (docs/benchmarks.md).
 */
type ColumnField = 'cardNo' | 'merchantId' | 'deviceId' | 'amount' | 'paymentId' | 'holdId';

/** Request fields each kind keeps in a column; every other field goes to request_extra. */
const columnFields: Record<OperationKind, readonly ColumnField[]> = {
  payment: ['cardNo', 'merchantId', 'deviceId', 'amount'],
  top_up: ['cardNo', 'amount'],
  subsidy: ['cardNo', 'amount'],
  refund: ['paymentId', 'amount'],
  hold: ['cardNo', 'merchantId', 'deviceId', 'amount'],
  post: ['holdId', 'amount'],
  void: ['holdId'],
  expire: ['holdId'],
  adjustment: [],
  close_out: ['cardNo'],
  subsidy_clear: ['cardNo'],
  foreign_sale: ['merchantId', 'deviceId', 'amount'],
};

/** The stored row as the database returns it. */
export interface StoredOperation {
  id: string;
  kind: string;
  outcome: string;
  card_no: string | null;
  merchant_id: string | null;
  device_id: string | null;
  reference_id: string | null;
  amount: number | string;
  subsidy_amount: number | string;
  main_after: number | string | null;
  subsidy_after: number | string | null;
  request_extra: string | null;
  answer_extra: string | null;
  created_at_ms: number | string;
}

export const storedOperationColumns =
  'id, kind, outcome, card_no, merchant_id, device_id, reference_id, amount, subsidy_amount, main_after, subsidy_after, request_extra, answer_extra, created_at_ms';

/** The request without its PIN and without absent fields. */
export function requestFields(op: Operation): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(op.request))
    if (key !== 'pin' && value !== undefined) fields[key] = value;
  return fields;
}

/** The request fields that have no column, as sorted JSON, or null. */
export function requestExtra(op: Operation): string | null {
  const fields = requestFields(op);
  const columns = new Set<string>(['id', ...columnFields[op.kind]]);
  const extra: Record<string, unknown> = {};
  for (const key of Object.keys(fields).sort()) if (!columns.has(key)) extra[key] = fields[key];
  return Object.keys(extra).length === 0 ? null : JSON.stringify(extra);
}

/** The request a stored operation was made with, rebuilt from its columns and request_extra. */
export function storedRequest(row: StoredOperation): Record<string, unknown> {
  const fields: Record<string, unknown> = { id: row.id };
  const column: Record<ColumnField, unknown> = {
    cardNo: row.card_no,
    merchantId: row.merchant_id,
    deviceId: row.device_id,
    amount: Number(row.amount),
    paymentId: row.reference_id,
    holdId: row.reference_id,
  };
  for (const field of columnFields[row.kind as OperationKind] ?? []) {
    if (column[field] !== null) fields[field] = column[field];
  }
  return {
    ...fields,
    ...(row.request_extra ? (JSON.parse(row.request_extra) as Record<string, unknown>) : {}),
  };
}

/** The fields whose values differ between two requests, sorted. */
export function differingFields(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]));
}

/** The answer-only fields that have no column: kind-specific figures, or a refusal's message. */
export function answerExtra(outcome: Outcome): string | null {
  if (outcome.status === 'rejected') {
    return JSON.stringify(
      outcome.details ? { message: outcome.message, details: outcome.details } : { message: outcome.message },
    );
  }
  const extra: Record<string, number | string> = {};
  if (outcome.holdId !== undefined) extra.holdId = outcome.holdId;
  if (outcome.expiresAtMs !== undefined) extra.expiresAtMs = outcome.expiresAtMs;
  if (outcome.releasedAmount !== undefined) extra.releasedAmount = outcome.releasedAmount;
  if (outcome.receivableAmount !== undefined) extra.receivableAmount = outcome.receivableAmount;
  if (outcome.shortfall !== undefined) extra.shortfall = outcome.shortfall;
  return Object.keys(extra).length === 0 ? null : JSON.stringify(extra);
}

/** The original answer of a stored operation. */
export function storedOutcome(row: StoredOperation): Outcome {
  const extra = row.answer_extra ? (JSON.parse(row.answer_extra) as Record<string, unknown>) : {};
  if (row.outcome !== 'ok') {
    const rejected: Rejected = {
      status: 'rejected',
      id: row.id,
      kind: row.kind as OperationKind,
      code: row.outcome as ErrorCode,
      message: String(extra.message ?? row.outcome),
    };
    if (extra.details) rejected.details = extra.details as Record<string, unknown>;
    return rejected;
  }
  const amount = Number(row.amount);
  const subsidyAmount = Number(row.subsidy_amount);
  const accepted: Accepted = {
    status: 'ok',
    id: row.id,
    kind: row.kind as OperationKind,
    amount,
    subsidyAmount,
    mainAmount: amount - subsidyAmount,
    createdAtMs: Number(row.created_at_ms),
    ...(extra as Pick<
      Accepted,
      'holdId' | 'expiresAtMs' | 'releasedAmount' | 'receivableAmount' | 'shortfall'
    >),
  };
  if (row.main_after !== null && row.card_no !== null) {
    accepted.cardNo = row.card_no;
    accepted.balance = { main: Number(row.main_after), subsidy: Number(row.subsidy_after) };
  }
  return accepted;
}
