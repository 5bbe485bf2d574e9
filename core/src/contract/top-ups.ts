/**
 * Top-up orders on the wire (docs/topups.md, docs/api.md § Top-up orders): the BFF speaks WeChat Pay and
 * Alipay, the core keeps the truth — orders, their payment and refunds, and the daily reconciliation.
 */
import { z } from 'zod';
import { cardNo, fen, topUpOrderId } from './fields.ts';

/** The states of a top-up order (docs/topups.md). */
export const topUpStatuses = ['created', 'paid', 'credited', 'failed', 'closed', 'refunded'] as const;
export type TopUpStatus = (typeof topUpStatuses)[number];
/** How an order is paid: WeChat Pay or Alipay (docs/topups.md, docs/alipay.md). */
export const topUpPayChannels = ['wechat', 'alipay'] as const;
export type TopUpChannel = (typeof topUpPayChannels)[number];
export const mismatchKinds = ['missing_ours', 'missing_theirs', 'amount_differs', 'state_differs'] as const;
export type MismatchKind = (typeof mismatchKinds)[number];

const payChannel = z.enum(topUpPayChannels);
const idempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, 'an idempotency key is 8–64 characters of A-Z a-z 0-9 _ -');
const payerOpenid = z.string().regex(/^[A-Za-z0-9_-]{6,64}$/);
/** WeChat's transaction_id (32) or Alipay's trade_no (up to 60 here, so `ali:<trade_no>` is an operation id). */
const transactionId = z.string().regex(/^[0-9A-Za-z]{1,60}$/);
export const topUpRefundId = z.string().regex(/^[0-9A-Za-z_\-|*@]{1,64}$/);
export const billDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const topUpOrderPath = z.object({ id: topUpOrderId });
export const topUpRefundPath = z.object({ refundId: topUpRefundId });
export const billDatePath = z.object({ billDate });

/** POST /v1/top-up-orders: the caller's policy (daily cap, time to pay) travels with the order. */
export const newTopUpOrderBody = z.strictObject({
  openid: payerOpenid,
  cardNo,
  idempotencyKey,
  amount: fen,
  /** How it will be paid; WeChat Pay when absent. A retry under the same key must name the same channel. */
  channel: payChannel.optional(),
  /** The caller's policy (the BFF's TOP_UP_DAILY_CAP): most a card may order per Asia/Shanghai day. */
  dailyCap: fen,
  /**
   * A fee bill the order pays (docs/funds.md § Fees): the money goes to the fee item, never to the card,
   * and the order takes nothing of the daily cap. Refused unless the bill is the card holder's and owed.
   */
  feeBillId: z
    .string()
    .regex(/^[0-9A-Z]{26}$/)
    .optional(),
  /** How long the platform may take the payment; the order closes after. */
  ttlMs: z
    .number()
    .int()
    .min(1_000)
    .max(2 * 3_600_000),
});
export type NewTopUpOrder = z.infer<typeof newTopUpOrderBody>;
/** GET /v1/top-up-orders?cardNo=: newest first, paged by beforeId. */
export const topUpOrdersQuery = z.object({
  cardNo,
  limit: z.coerce.number().int().min(1).max(100).default(20),
  beforeId: topUpOrderId.optional(),
});
/** GET /v1/top-up-orders-unsettled and /v1/top-up-refunds-processing: the pollers' work, oldest first. */
export const unsettledQuery = z.object({
  afterId: topUpOrderId.optional(),
  olderThanMs: z.coerce.number().int().min(0).max(86_400_000).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
/** PUT /v1/top-up-orders/:id/prepay. */
export const prepayBody = z.strictObject({ prepayId: z.string().min(1).max(64) });
/** POST /v1/top-up-orders/:id/payment: the platform says paid. */
export const paymentConfirmationBody = z.strictObject({
  /** WeChat's transaction_id or Alipay's trade_no, by the order's channel. */
  transactionId,
  amount: fen,
  /** WeChat's success_time or Alipay's gmt_payment, so our day of payment is the platform bill's. */
  paidAtMs: z.number().int().positive(),
});
export type PaymentConfirmation = z.infer<typeof paymentConfirmationBody>;
/** POST /v1/top-up-orders/:id/refunds. */
export const topUpRefundBody = z.strictObject({
  refundId: topUpRefundId,
  amount: fen,
  reason: z.string().min(1).max(80),
});
/** POST /v1/top-up-refunds/:refundId/settle. */
export const settleRefundBody = z.strictObject({
  status: z.enum(['succeeded', 'failed']),
  wechatRefundId: z.string().max(64).nullable(),
  /**
   * When the platform refunded (WeChat's success_time, Alipay's gmt_refund_pay), so our day of the
   * refund is the platform bill's; the time of this call when the platform gave none.
   */
  settledAtMs: z.number().int().positive().optional(),
});
/** One row of a platform's trade bill as the reconciliation compares it. */
export const billRow = z.strictObject({
  outTradeNo: z.string().min(1).max(32),
  transactionId: z.string().max(64),
  state: z.string().max(16),
  amount: z.number().int().nonnegative(),
});
export type BillRow = z.infer<typeof billRow>;
/**
 * One refund row of a platform's bill: WeChat's REFUND row (商户退款单号, 微信退款单号, 退款金额, 退款状态),
 * Alipay's 退款 row (退款批次号/请求号 turned back into our refund id by the BFF, the amount positive).
 */
export const refundBillRow = z.strictObject({
  outTradeNo: z.string().min(1).max(32),
  /** Our refund id as the bill names it (top_up_refunds.id). */
  outRefundNo: z.string().min(1).max(64),
  /** The platform's own number of the refund, shown only ('' when the bill has none). */
  refundId: z.string().max(64),
  /** SUCCESS, or the platform's other refund state (PROCESSING, CLOSED, ABNORMAL …). */
  state: z.string().max(16),
  amount: z.number().int().nonnegative(),
});
export type RefundBillRow = z.infer<typeof refundBillRow>;
/** POST /v1/top-up-reconciliations/:billDate. */
export const reconcileBody = z.strictObject({
  /** Whose bill this is; WeChat's when absent. */
  channel: payChannel.optional(),
  rows: z.array(billRow).max(100_000),
  /** The bill's refund rows; a bill read without them compares no refunds. */
  refunds: z.array(refundBillRow).max(100_000).optional(),
});
/** POST /v1/top-up-mismatches: one finding outside a reconciliation. */
export const mismatchBody = z.strictObject({
  billDate,
  outTradeNo: z.string().regex(/^[\x21-\x7e]{1,32}$/, 'an out_trade_no is 1–32 printable ASCII characters'),
  kind: z.enum(['missing_ours', 'amount_differs', 'state_differs']),
  ours: z.string().max(255).nullable(),
  theirs: z.string().max(255).nullable(),
});
/** GET /v1/top-up-mismatches. */
export const mismatchesQuery = z.object({
  billDate: billDate.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const topUpOrder = z.object({
  id: z.string(),
  cardNo: z.string(),
  openid: z.string(),
  idempotencyKey: z.string(),
  channel: payChannel,
  amount: z.number().int(),
  day: z.number().int(),
  status: z.enum(topUpStatuses),
  prepayId: z.string().nullable(),
  transactionId: z.string().nullable(),
  operationId: z.string().nullable(),
  failureCode: z.string().nullable(),
  refundedAmount: z.number().int(),
  createdAtMs: z.number().int(),
  expiresAtMs: z.number().int(),
  paidAtMs: z.number().int().nullable(),
  creditedAtMs: z.number().int().nullable(),
  closedAtMs: z.number().int().nullable(),
  /** The fee bill this order pays, or null for a top-up of the card. */
  feeBillId: z.string().nullable(),
});
export type TopUpOrder = z.infer<typeof topUpOrder>;

export const topUpRefund = z.object({
  id: z.string(),
  orderId: z.string(),
  amount: z.number().int(),
  reason: z.string(),
  status: z.enum(['processing', 'succeeded', 'failed']),
  operationId: z.string(),
  refundId: z.string().nullable(),
  createdAtMs: z.number().int(),
  settledAtMs: z.number().int().nullable(),
});
export type TopUpRefund = z.infer<typeof topUpRefund>;

export const topUpMismatch = z.object({
  billDate: z.string(),
  outTradeNo: z.string(),
  kind: z.enum(mismatchKinds),
  ours: z.string().nullable(),
  theirs: z.string().nullable(),
  foundAtMs: z.number().int(),
  /** The refund a refund's difference is about (out_refund_no); absent or null for a payment's. */
  outRefundNo: z.string().nullable().optional(),
  /** Listed only: the channel of our order of that number, null when we have none (one we never made). */
  channel: payChannel.nullable().optional(),
});
export type TopUpMismatch = z.infer<typeof topUpMismatch>;

/**
 * A cash-desk top-up as the printed receipt shows it: the backoffice API's answer to a cash top-up at
 * the counter (bff/src/admin/services/card-affairs.ts), and what the receipt page prints.
 */
export interface CashReceipt {
  operationId: string;
  cardNo: string;
  personNo: string;
  name: string;
  amount: number;
  balanceAfter: number;
  atMs: number;
  /** The admin who took the cash. */
  operator: string;
  replayed: boolean;
}
