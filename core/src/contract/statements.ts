/**
 * A card's statements on the wire, as its holder reads them (docs/api.md § Statements): the bill
 * (filtered, paged), one transaction, meter sessions and the monthly statement (Asia/Shanghai months).
 */
import { z } from 'zod';
import { cardNo, month, operationId } from './fields.ts';

/** The kinds a bill may be filtered by. */
export const billKinds = [
  'payment',
  'top_up',
  'subsidy',
  'refund',
  'hold',
  'post',
  'void',
  'expire',
  'close_out',
  'subsidy_clear',
] as const;

export const statementCardPath = z.object({ cardNo });
export const transactionPath = z.object({ cardNo, id: operationId });
export const monthlyStatementPath = z.object({ cardNo, month });

/** GET /v1/cards/:cardNo/transactions: kinds comma-separated, newest first, paged by (beforeAtMs, beforeId). */
export const transactionsQuery = z.object({
  month: month.optional(),
  kinds: z
    .string()
    .transform((s) => s.split(','))
    .pipe(z.array(z.enum(billKinds)).min(1).max(billKinds.length))
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  beforeAtMs: z.coerce.number().int().optional(),
  beforeId: operationId.optional(),
});
/** GET /v1/cards/:cardNo/meter-sessions. */
export const meterSessionsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  beforeAtMs: z.coerce.number().int().optional(),
  beforeId: z
    .string()
    .regex(/^[A-Za-z0-9:_.-]{1,64}$/)
    .optional(),
});

const holdStatus = z.enum(['pending', 'posted', 'voided', 'expired']);

/** One line of a card's bill. */
export const cardTransaction = z.object({
  id: z.string(),
  kind: z.string(),
  /** Signed from the card's side: money out negative, money in positive; a hold (held aside, not spent) and a void 0. */
  amount: z.number().int(),
  subsidyAmount: z.number().int(),
  mainAmount: z.number().int(),
  refundedAmount: z.number().int(),
  merchantId: z.string().nullable(),
  merchantName: z.string().nullable(),
  category: z.string().nullable(),
  deviceId: z.string().nullable(),
  /** The device's kind (pos, shower, laundry …) when the operation names a known device. */
  deviceKind: z.string().nullable(),
  /** A top-up's channel (wechat, alipay, cash, bank); null for every other kind. */
  channel: z.string().nullable(),
  referenceId: z.string().nullable(),
  /**
   * A hold, or the post/void/expiry that settled one: what was held aside, and once settled what was
   * charged and released. A hold line is a reservation, never spending: its amount is 0 while the
   * money is only held aside, and once the hold settles the list shows only the settlement.
   */
  hold: z
    .object({
      status: holdStatus,
      heldAmount: z.number().int(),
      chargedAmount: z.number().int().nullable(),
      releasedAmount: z.number().int().nullable(),
    })
    .nullable(),
  createdAtMs: z.number().int(),
});
export type CardTransaction = z.infer<typeof cardTransaction>;

/** A card's hold as a shower or laundry run. */
export const meterSession = z.object({
  id: z.string(),
  status: holdStatus,
  /** The device's kind (shower, laundry …), null when the hold names no known device. */
  deviceKind: z.string().nullable(),
  deviceId: z.string().nullable(),
  merchantName: z.string().nullable(),
  heldAmount: z.number().int(),
  usageAmount: z.number().int(),
  /** What was finally charged: the posted amount, or the usage an expired hold charged; null while running. */
  postedAmount: z.number().int().nullable(),
  startedAtMs: z.number().int(),
  endedAtMs: z.number().int().nullable(),
  expiresAtMs: z.number().int(),
});
export type MeterSession = z.infer<typeof meterSession>;

/** A month's figures of a card, fen. */
export const monthFigures = z.object({
  spent: z.number().int(),
  refunded: z.number().int(),
  toppedUp: z.number().int(),
  subsidies: z.number().int(),
  byCategory: z.array(z.object({ category: z.string(), amount: z.number().int() })),
  byMerchant: z.array(
    z.object({
      merchantId: z.string(),
      merchantName: z.string(),
      category: z.string(),
      amount: z.number().int(),
    }),
  ),
  byDay: z.array(z.object({ day: z.number().int(), amount: z.number().int() })),
});
export type MonthFigures = z.infer<typeof monthFigures>;

/** A card's month in Asia/Shanghai, with last month's spending beside it. */
export const monthlyStatement = monthFigures.extend({
  cardNo: z.string(),
  month: z.string(),
  fromMs: z.number().int(),
  toMs: z.number().int(),
  previousMonth: z.string(),
  previousSpent: z.number().int(),
  /** This month's spending minus last month's (negative: spent less). */
  spentChange: z.number().int(),
});
export type MonthlyStatement = z.infer<typeof monthlyStatement>;
