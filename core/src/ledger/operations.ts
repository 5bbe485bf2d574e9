import { z } from 'zod';
import { cardNo, entityId, fen, operationId, pin } from '../contract/fields.ts';

// The shared field rules live in the contract; re-exported for the core's routes that import them here.
export { cardNo, entityId, fen, operationId };

/**
 * The operations that move money, as the internal API accepts them. The caller chooses the id
 * (its idempotency key: a device id + sequence, a WeChat transaction id, a UUID); the same id with
 * the same body always gets the same answer.
 */
/** A pay code's identity: `qr:<card>:<madeAt s>:<counter>:<phone key fingerprint>` or `num:<id>:<step>:<seq>`. */
export const codeId = z.string().regex(/^(qr|num):[A-Za-z0-9:_.-]{1,76}$/, 'a code id is qr:… or num:…');

export const topUpChannels = ['wechat', 'alipay', 'cash', 'bank'] as const;

/** Which system account a top-up channel draws from. */
export const channelAccount: Record<(typeof topUpChannels)[number], string> = {
  wechat: 'SYS-CLEARING-WECHAT',
  alipay: 'SYS-CLEARING-ALIPAY',
  cash: 'SYS-CASH-DESK',
  bank: 'SYS-BANK-TRANSFER',
};
export const systemAccounts = {
  subsidyFund: 'SYS-SUBSIDY-FUND',
  offlineReceivable: 'SYS-OFFLINE-RECEIVABLE',
  adjustment: 'SYS-ADJUSTMENT',
  refundPayable: 'SYS-REFUND-PAYABLE',
} as const;

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

/** An operation as the ledger executes it: the request, its kind, and facts settled before queueing. */
export type Operation =
  | { kind: 'payment'; request: Omit<PaymentRequest, 'pin'>; pinCheck: 'none' | 'ok' | 'bad' }
  | { kind: 'top_up'; request: TopUpRequest }
  | { kind: 'subsidy'; request: SubsidyRequest }
  | { kind: 'refund'; request: RefundRequest }
  | { kind: 'hold'; request: HoldRequest }
  | { kind: 'post'; request: PostRequest }
  | { kind: 'void'; request: VoidRequest }
  | { kind: 'expire'; request: { id: string; holdId: string } }
  | { kind: 'adjustment'; request: AdjustmentRequest }
  | { kind: 'close_out'; request: CloseOutRequest }
  | { kind: 'subsidy_clear'; request: SubsidyClearRequest };

export type OperationKind = Operation['kind'];

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
