/**
 * The ledger on the wire (docs/ledger.md, docs/api.md § Money operations): the operations that move
 * money as the core accepts them — singly or tagged by kind in a batch — the hold's settle, void and
 * usage bodies, and the answers: accepted or rejected with a stable code, and an operation as stored.
 * Nothing here imports from node.
 */
import { z } from 'zod';
import { type ErrorCode, isErrorCode } from './errors.ts';
import { cardNo, entityId, fen, operationId, pin } from './fields.ts';

/**
 * The operations that move money, as the internal API accepts them. The caller chooses the id
 * (its idempotency key: a device id + sequence, a WeChat transaction id, a UUID); the same id with
 * the same body always gets the same answer.
 */
/** A pay code's identity: `qr:<card>:<madeAt s>:<counter>:<phone key fingerprint>` or `num:<id>:<step>:<seq>`. */
export const codeId = z.string().regex(/^(qr|num):[A-Za-z0-9:_.-]{1,76}$/, 'a code id is qr:… or num:…');

export const topUpChannels = ['wechat', 'alipay', 'cash', 'bank'] as const;

export const paymentRequest = z.strictObject({
  id: operationId,
  cardNo,
  merchantId: entityId,
  deviceId: entityId.optional(),
  amount: fen,
  /** The credential version the device saw; any other than the card's current version is refused. */
  cardVersion: z.number().int().positive().optional(),
  /** Never stored: checked against the card's PIN hash before the payment is queued. */
  pin: pin.optional(),
  /**
   * A payment a device already accepted while offline (the goods are handed over): no limit, PIN or
   * status check refuses it; the wallets pay what they hold and the rest, or all of it for a card that
   * is lost, frozen, cancelled or presented an old credential, is booked against SYS-OFFLINE-RECEIVABLE.
   */
  offline: z.literal(true).optional(),
  /** When the device took an offline payment (device clock, ms); kept for the record. */
  takenAtMs: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  /**
   * The identity of the pay code presented (`qr:…` or `num:…`, docs/ledger.md): an accepted payment
   * consumes it, and a second payment with it, on any path, is refused CODE_REPLAYED.
   */
  codeId: codeId.optional(),
});
export const topUpRequest = z.strictObject({
  id: operationId,
  cardNo,
  amount: fen,
  channel: z.enum(topUpChannels),
});
export const subsidyRequest = z.strictObject({ id: operationId, cardNo, amount: fen });
export const refundRequest = z.strictObject({
  id: operationId,
  paymentId: operationId,
  amount: fen,
  reason: z.string().max(200).optional(),
});
export const holdRequest = z.strictObject({
  id: operationId,
  cardNo,
  merchantId: entityId,
  deviceId: entityId.optional(),
  amount: fen,
  timeoutMs: z.number().int().min(1_000),
  /** Total available balance required to start (a shower's minimum balance), fen. */
  minBalance: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  cardVersion: z.number().int().positive().optional(),
  /** The pay code that started the meter: consumed by the accepted hold, as by a payment. */
  codeId: codeId.optional(),
});
export const postRequest = z.strictObject({
  id: operationId,
  holdId: operationId,
  amount: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  /** The device settling the hold; a hold another device opened is then HOLD_NOT_FOUND. */
  deviceId: entityId.optional(),
});
export const voidRequest = z.strictObject({
  id: operationId,
  holdId: operationId,
  deviceId: entityId.optional(),
});
export const adjustmentRequest = z.strictObject({
  id: operationId,
  accountId: entityId,
  /**
   * The other side of the entry: a system account (a refund payout moves SYS-REFUND-PAYABLE to the
   * cash desk or the bank transfer account). Absent, it is SYS-ADJUSTMENT, as every correction was.
   */
  counterAccountId: entityId.optional(),
  /** Positive credits the account (from the counter account), negative debits it (to the counter account). */
  amount: z
    .number()
    .int()
    .refine((n) => n !== 0 && Number.isSafeInteger(n), 'a non-zero whole number of fen'),
  reason: z.string().min(1).max(200),
});

/** Cancels a card and empties its wallets: main balance to refund payable, subsidy back to the fund. */
export const closeOutRequest = z.strictObject({
  id: operationId,
  cardNo,
  reason: z.string().min(1).max(200),
  actor: z.strictObject({
    type: z.enum(['self', 'parent', 'admin', 'system']),
    id: z.string().max(64).nullable(),
  }),
});

/**
 * Term-end clearing of one card's subsidy wallet: whatever the wallet holds when the operation runs
 * (decided under the card's lock, never read beforehand) goes back to the subsidy fund. Any card
 * status; an empty wallet is accepted with amount 0.
 */
export const subsidyClearRequest = z.strictObject({
  id: operationId,
  cardNo,
  reason: z.string().min(1).max(200),
});

export type PaymentRequest = z.infer<typeof paymentRequest>;
export type TopUpRequest = z.infer<typeof topUpRequest>;
export type SubsidyRequest = z.infer<typeof subsidyRequest>;
export type RefundRequest = z.infer<typeof refundRequest>;
export type HoldRequest = z.infer<typeof holdRequest>;
export type PostRequest = z.infer<typeof postRequest>;
export type VoidRequest = z.infer<typeof voidRequest>;
export type AdjustmentRequest = z.infer<typeof adjustmentRequest>;
export type CloseOutRequest = z.infer<typeof closeOutRequest>;
export type SubsidyClearRequest = z.infer<typeof subsidyClearRequest>;

/** Every kind of operation the ledger records (expire and subsidy_clear are the core's own). */
export const operationKinds = [
  'payment',
  'top_up',
  'subsidy',
  'refund',
  'hold',
  'post',
  'void',
  'expire',
  'adjustment',
  'close_out',
  'subsidy_clear',
  // A sale to a card of another centre, authorised there (docs/federation.md).
  'foreign_sale',
] as const;
export type OperationKind = (typeof operationKinds)[number];

/**
 * One operation inside a batch request: the same bodies as the single routes, tagged by kind.
 * A gateway or BFF sends the operations its callers made at the same moment in one request.
 */
export const batchedOperation = z.discriminatedUnion('kind', [
  paymentRequest.extend({ kind: z.literal('payment') }),
  topUpRequest.extend({ kind: z.literal('top_up') }),
  subsidyRequest.extend({ kind: z.literal('subsidy') }),
  refundRequest.extend({ kind: z.literal('refund') }),
  holdRequest.extend({ kind: z.literal('hold') }),
  postRequest.extend({ kind: z.literal('post') }),
  voidRequest.extend({ kind: z.literal('void') }),
  adjustmentRequest.extend({ kind: z.literal('adjustment') }),
  closeOutRequest.extend({ kind: z.literal('close_out') }),
]);
export type BatchedOperation = z.infer<typeof batchedOperation>;
export const operationsPerRequestMax = 1_000;

/** POST /v1/holds/:holdId/post, the hold in the path: settles it for `amount` (0 … the hold). */
export const postHoldBody = postRequest.omit({ holdId: true });
/** POST /v1/holds/:holdId/void. */
export const voidHoldBody = voidRequest.omit({ holdId: true });
export type PostHoldBody = z.infer<typeof postHoldBody>;
export type VoidHoldBody = z.infer<typeof voidHoldBody>;
/** POST /v1/holds/:holdId/usage: a meter's running usage, fen (0 allowed). */
export const holdUsageBody = z.strictObject({
  usageAmount: fen.or(z.literal(0)),
  deviceId: entityId.optional(),
});
/** GET /v1/holds/:holdId?deviceId=: with deviceId, another device's hold is HOLD_NOT_FOUND. */
export const holdQuery = z.object({ deviceId: entityId.optional() });
export const holdPath = z.object({ holdId: operationId });
export const operationPath = z.object({ id: operationId });
/** POST /v1/operations/batch: each item is checked alone, so an invalid one is refused alone. */
export const batchBody = z.strictObject({
  operations: z.array(z.unknown()).min(1).max(operationsPerRequestMax),
});

const errorCode = z.custom<ErrorCode>((v) => typeof v === 'string' && isErrorCode(v), 'an error code');

export const balances = z.object({
  /** Available main wallet balance, fen. */
  main: z.number().int(),
  /** Available subsidy wallet balance, fen. */
  subsidy: z.number().int(),
});
export type Balances = z.infer<typeof balances>;

/** What an accepted operation answers (and answers again to every retry). */
export const accepted = z.object({
  status: z.literal('ok'),
  id: z.string(),
  kind: z.enum(operationKinds),
  amount: z.number().int(),
  subsidyAmount: z.number().int(),
  mainAmount: z.number().int(),
  cardNo: z.string().optional(),
  balance: balances.optional(),
  holdId: z.string().optional(),
  expiresAtMs: z.number().int().optional(),
  releasedAmount: z.number().int().optional(),
  /** Offline payments: the part the wallets could not pay, booked against SYS-OFFLINE-RECEIVABLE. */
  receivableAmount: z.number().int().optional(),
  /** Offline payments with a receivable part: why (INSUFFICIENT_FUNDS, CARD_LOST …). */
  shortfall: errorCode.optional(),
  createdAtMs: z.number().int(),
});
export type Accepted = z.infer<typeof accepted>;

/** What a refused operation answers; it moved nothing, and a retry is refused the same way. */
export const rejected = z.object({
  status: z.literal('rejected'),
  id: z.string(),
  kind: z.enum(operationKinds),
  code: errorCode,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type Rejected = z.infer<typeof rejected>;

export const outcome = z.discriminatedUnion('status', [accepted, rejected]);
export type Outcome = z.infer<typeof outcome>;

/** An outcome plus whether it is a replay of one already stored. */
export const answer = z.intersection(outcome, z.object({ replayed: z.boolean() }));
export type Answer = Outcome & { replayed: boolean };

/** An operation as stored (GET /v1/operations/:id, a card's operations). */
export const operationView = z.object({
  id: z.string(),
  kind: z.string(),
  outcome: z.string(),
  cardNo: z.string().nullable(),
  merchantId: z.string().nullable(),
  deviceId: z.string().nullable(),
  referenceId: z.string().nullable(),
  amount: z.number().int(),
  subsidyAmount: z.number().int(),
  refundedAmount: z.number().int(),
  createdAtMs: z.number().int(),
  result: outcome,
});
export type OperationView = z.infer<typeof operationView>;

/** A hold as stored (GET /v1/holds/:holdId, the answer of a usage report). */
export const holdView = z.object({
  id: z.string(),
  cardNo: z.string(),
  merchantId: z.string(),
  deviceId: z.string().nullable(),
  amount: z.number().int(),
  subsidyAmount: z.number().int(),
  usageAmount: z.number().int(),
  status: z.enum(['pending', 'posted', 'voided', 'expired']),
  expiresAtMs: z.number().int(),
  resolvedBy: z.string().nullable(),
  resolvedAmount: z.number().int().nullable(),
  resolvedAtMs: z.number().int().nullable(),
  createdAtMs: z.number().int(),
});
export type HoldView = z.infer<typeof holdView>;
